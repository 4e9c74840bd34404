"""The hostile-text corpus and the checks that nothing executable survives rendering."""

import re
from html.parser import HTMLParser
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "xss.txt"

# Elements user text must never produce.
FORBIDDEN_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta",
    "link", "form", "input", "button", "select", "textarea", "svg", "math", "template", "portal",
    "video", "audio", "source", "noscript", "xmp", "plaintext", "listing", "noembed", "noframes",
    "isindex", "bgsound", "layer", "dialog", "marquee", "details", "image", "keygen", "title",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "background", "poster", "ping",
    "srcset", "lowsrc", "dynsrc", "cite", "code", "codebase",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
# Attributes that make markup act: inline handlers, inline style, htmx and friends.
BAD_ATTRIBUTE = re.compile(r"^(on|hx-|data-hx|x-|ng-|data-bind$|style$|srcdoc$|formaction$)")


def payloads() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines if line and not line.startswith("# ")]


def chunks(items: list[str], limit: int, sep: str = "\n\n") -> list[str]:
    """`items` joined into as few pieces of at most `limit` characters as fit."""
    out, current = [], ""
    for item in items:
        if len(item) > limit:
            item = item[:limit]
        candidate = f"{current}{sep}{item}" if current else item
        if len(candidate) > limit:
            out.append(current)
            current = item
        else:
            current = candidate
    if current:
        out.append(current)
    return out


def _normalised_url(value: str) -> str:
    # Browsers ignore whitespace and control characters inside a scheme.
    return re.sub(r"[\x00-\x20\x7f]+", "", value).lower()


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple[tuple[str, str], ...]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, tuple((k, v or "") for k, v in attrs)))

    handle_startendtag = handle_starttag


def elements(html: str):
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.elements


def problems(element, *, allow_data_images: bool = False) -> list[str]:
    tag, attrs = element
    found = []
    if tag in FORBIDDEN_TAGS:
        found.append(f"<{tag}>")
    for name, value in attrs:
        if BAD_ATTRIBUTE.match(name):
            found.append(f"<{tag} {name}=…>")
        if name in URL_ATTRIBUTES:
            url = _normalised_url(value)
            for piece in url.split(",") if name == "srcset" else [url]:
                if piece.startswith(BAD_SCHEMES):
                    if allow_data_images and tag == "img" and piece.startswith("data:image/png"):
                        continue
                    found.append(f"<{tag} {name}={value[:40]!r}>")
    return found


def assert_inert(html: str, *, where: str = "") -> None:
    """`html` is a fragment that came from user text: nothing in it may act."""
    found = [p for el in elements(html) for p in problems(el)]
    assert not found, f"{where}: executable markup survived: {found}\n{html[:2000]}"


def _signature(element) -> tuple:
    tag, attrs = element
    # Ids and tokens differ from one page to the next; the shape of the markup does not.
    return (tag, tuple(sorted((k, _shape(v)) for k, v in attrs if k != "value")))


def _shape(value: str) -> str:
    # Numbers first, so an id does not turn into a token when it grows a digit.
    return re.sub(r"[A-Za-z0-9_-]{20,}", "T", re.sub(r"\d+", "N", value))


def baseline(html: str) -> set:
    return {_signature(el) for el in elements(html)}


def assert_page_inert(html: str, known: set, *, where: str = "") -> None:
    """A whole page: the product's own markup (in `known`, from the same page with harmless
    text) may have forms and scripts; anything dangerous that is not the product's is a leak."""
    found = []
    for el in elements(html):
        issues = problems(el, allow_data_images=True)
        if issues and _signature(el) not in known:
            found += [(issue, _signature(el)) for issue in issues]
    assert not found, f"{where}: executable markup reached the page: {found}"

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from enterprise_social.text import render, render_markdown

FRAGMENTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![i](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=//evil>",
    "<style>body{}</style>",
    "&lt;script&gt;",
    "<<script>script>",
    "`code`",
    "**b**",
    "_i_",
    "@bob",
    "#tag",
    "\n",
    "- item",
    "1. item",
    "<",
    ">",
    '"',
    "'",
    "(",
    ")",
    "[",
    "]",
    "javascript:",
    " onmouseover=alert(1) ",
    "<details open ontoggle=alert(1)>",
    "&#106;avascript:",
]

text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=12).map(
    "".join
)

FORBIDDEN_TAGS = {"script", "style", "iframe", "svg", "object", "embed", "form", "input", "math"}
DANGEROUS_SCHEME = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)


class ElementCollector(HTMLParser):
    """What a browser would build: real elements and attributes, not escaped text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements_of(html: str) -> list[tuple[str, dict]]:
    parser = ElementCollector()
    parser.feed(html)
    parser.close()
    return parser.elements


@settings(max_examples=400, deadline=None)
@given(text)
def test_no_input_yields_a_script_an_event_attribute_or_a_javascript_url(source):
    for long_form in (False, True):
        html = render(
            source, long_form=long_form, known_usernames={"bob": "bob"}, link_hashtags=True
        ).html
        for tag, attrs in elements_of(html):
            assert tag not in FORBIDDEN_TAGS, html
            for name, value in attrs.items():
                assert not name.startswith("on"), html
                if name in ("href", "src"):
                    assert not DANGEROUS_SCHEME.match(value or ""), html


def test_links_get_nofollow_noopener():
    html = render_markdown("[site](https://example.com)")
    assert 'rel="nofollow noopener"' in html


def test_short_text_has_no_images_or_headings():
    html = render_markdown("# Title\n\n![x](https://example.com/a.png)")
    assert "<img" not in html and "<h1" not in html


def test_a_hundred_kilobytes_render_quickly():
    import time

    source = ("Some **bold** text with a [link](https://example.com) and #tags @bob.\n" * 1500)[
        :100_000
    ]
    start = time.perf_counter()
    render(source, known_usernames={"bob": "bob"}, link_hashtags=True)
    assert time.perf_counter() - start < 2.0

"""Status and comment HTML without running the Markdown renderer for each one.

The HTML stored must be exactly what `feeds.services.render_user_text` would store for the same
body, or seeded statuses would look different from posted ones.
"""

from dataclasses import dataclass
from html import escape
from string import Formatter

from core.text import Rendered, render

MENTION_SLOTS = frozenset({"colleague", "colleague2", "author", "commenter"})
TAG_SLOT = "tag"


def slot_names(source: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for _, name, _, _ in Formatter().parse(source) if name))


@dataclass(frozen=True)
class Template:
    body: str  # str.format source of the Markdown
    html: str | None  # str.format source of its rendering; None: render every body for real
    slots: tuple[str, ...]
    hashtags: tuple[str, ...]  # written into the template itself


class Renderer:
    """Bodies from templates, with exactly the HTML `render_user_text` would store for them.

    Rendering Markdown costs ~0.3 ms, far too much for a million statuses. So each template is
    rendered once with a placeholder in each slot, and a body's HTML is that rendering with the
    slot values put in: escaped words, and the same links the renderer makes for a mention or a
    hashtag. Every template is checked against the real renderer with awkward sample values
    (apostrophes, ampersands, accents); one that does not match is rendered for real, each
    distinct body once.
    """

    def __init__(self, known_usernames: dict[str, str]) -> None:
        self.known = known_usernames
        self.mention_format = self._link_format("@probe", {"probe": "probe"})
        self.tag_format = self._link_format("#probe", {})
        self.cache: dict[str, Rendered] = {}
        self.slow: list[str] = []

    @staticmethod
    def _link_format(source: str, known: dict[str, str]) -> str:
        html = render(source, known_usernames=known, link_hashtags=True).html
        inner = html.removeprefix("<p>").removesuffix("</p>")
        if inner == html or "<a " not in inner:
            raise RuntimeError(f"Unexpected rendering of {source!r}: {html!r}")
        return inner.replace("{", "{{").replace("}", "}}").replace("probe", "{0}")

    def mention(self, username: str) -> tuple[str, str]:
        return f"@{username}", self.mention_format.format(username)

    def hashtag(self, tag: str) -> tuple[str, str]:
        return f"#{tag}", self.tag_format.format(tag)

    @staticmethod
    def word(value: str) -> tuple[str, str]:
        return value, escape(value, quote=False)

    def compile(self, source: str, sample: dict[str, tuple[str, str]]) -> Template:
        slots = slot_names(source)
        tokens = {name: f"zqx{i}xqz" for i, name in enumerate(slots)}
        skeleton = render(source.format_map(tokens), link_hashtags=True)
        html = skeleton.html.replace("{", "{{").replace("}", "}}")
        for name, token in tokens.items():
            html = html.replace(token, f"{{{name}}}")
        template = Template(source, html, slots, tuple(skeleton.hashtags))
        body = source.format_map({k: v[0] for k, v in sample.items()})
        real = render(body, known_usernames=self.known, link_hashtags=True)
        expected_mentions = {sample[s][0][1:] for s in slots if s in MENTION_SLOTS}
        expected_tags = {*template.hashtags, *(sample[s][0][1:] for s in slots if s == TAG_SLOT)}
        if (
            real.html != self.html(template, {k: v[1] for k, v in sample.items()})
            or set(real.mentions) != expected_mentions
            or set(real.hashtags) != expected_tags
        ):
            self.slow.append(source)
            template = Template(source, None, slots, ())
        return template

    @staticmethod
    def html(template: Template, values: dict[str, str]) -> str:
        return template.html.format_map(values)

    def rendered(self, body: str) -> Rendered:
        found = self.cache.get(body)
        if found is None:
            found = self.cache[body] = render(body, known_usernames=self.known, link_hashtags=True)
        return found

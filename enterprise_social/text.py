"""The one way user text becomes HTML: Markdown, then an nh3 allow-list.

Rendered once when the text is saved and stored beside its source; templates show the stored
HTML and never mark anything else safe. `@username` of a known person and `#tag` become links.
"""

import re
import threading
import xml.etree.ElementTree as etree  # noqa: S405  (builds elements; parses nothing)
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

# What a short piece of text (a status, a comment, a bio) may contain.
SHORT_TAGS = {"p", "br", "strong", "em", "b", "i", "a", "code", "ul", "ol", "li", "del"}
# What long-form text (blog posts, ideas) may add.
LONG_TAGS = SHORT_TAGS | {
    "h2", "h3", "h4", "blockquote", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
SHORT_ATTRIBUTES = {"a": {"href", "title", "class"}}
LONG_ATTRIBUTES = {"a": {"href", "title", "class"}, "img": {"src", "alt", "title"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

# `@alice`, `@alice.smith` (dots only inside, so "thanks @bob." mentions bob).
MENTION_RE = r"(?<![\w@/])@([A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)"
# `#release-2026`; not `&#39;`, not a URL fragment, starts with a letter.
HASHTAG_RE = r"(?<![\w&#/])#([A-Za-z][A-Za-z0-9_-]{0,62})"
MAX_TAG_LENGTH = 63

_mention = re.compile(MENTION_RE)
_hashtag = re.compile(HASHTAG_RE)


@dataclass
class Rendered:
    html: str
    mentions: list[str] = field(default_factory=list)  # usernames as linked, in order
    hashtags: list[str] = field(default_factory=list)  # lower-case, in order


def mention_candidates(source: str) -> set[str]:
    return {m.lower() for m in _mention.findall(source)}


def hashtags_in(source: str) -> list[str]:
    seen: dict[str, None] = {}
    for tag in _hashtag.findall(source):
        seen.setdefault(tag.lower().rstrip("-_"), None)
    return [t for t in seen if t]


class _MentionPattern(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        md = self.md
        username = md.es_known.get(m.group(1).lower())
        if username is None:
            return None, None, None
        el = etree.Element("a")
        el.set("href", f"/people/{username}/")
        el.set("class", "mention")
        el.text = AtomicString(f"@{username}")
        if username not in md.es_mentions:
            md.es_mentions.append(username)
        return el, m.start(0), m.end(0)


class _HashtagPattern(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802
        tag = m.group(1).lower().rstrip("-_")
        if not tag or not self.md.es_link_hashtags:
            return None, None, None
        el = etree.Element("a")
        el.set("href", f"/tags/{tag}/")
        el.set("class", "hashtag")
        el.text = AtomicString(f"#{m.group(1).rstrip('-_')}")
        if tag not in self.md.es_hashtags:
            self.md.es_hashtags.append(tag)
        return el, m.start(0), m.start(0) + len(el.text)


_local = threading.local()


def _markdown(long_form: bool) -> markdown.Markdown:
    # Markdown instances are not thread-safe but are costly to build: one per thread and kind.
    key = "long" if long_form else "short"
    md = getattr(_local, key, None)
    if md is None:
        extensions = ["nl2br", "sane_lists"]
        if long_form:
            extensions += ["tables", "fenced_code"]
        md = markdown.Markdown(extensions=extensions, output_format="html")
        # Raw HTML in the source is shown as text, never passed through to the sanitiser.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        if not long_form:
            # A status has no headings: a line starting with "#launch" is a hashtag.
            md.parser.blockprocessors.deregister("hashheader")
            md.parser.blockprocessors.deregister("setextheader")
        # After code spans (190) and links (160), so `@x` in code or a URL is left alone.
        md.inlinePatterns.register(_MentionPattern(MENTION_RE, md), "es_mention", 25)
        md.inlinePatterns.register(_HashtagPattern(HASHTAG_RE, md), "es_hashtag", 24)
        setattr(_local, key, md)
    md.reset()
    return md


def render(
    source: str,
    *,
    long_form: bool = False,
    known_usernames: dict[str, str] | None = None,
    link_hashtags: bool = False,
) -> Rendered:
    """Markdown → sanitised HTML, with mentions of `known_usernames` (lower → real) linked."""
    md = _markdown(long_form)
    md.es_known = known_usernames or {}
    md.es_mentions = []
    md.es_hashtags = []
    md.es_link_hashtags = link_hashtags
    html = md.convert(source)
    clean = nh3.clean(
        html,
        tags=LONG_TAGS if long_form else SHORT_TAGS,
        attributes=LONG_ATTRIBUTES if long_form else SHORT_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    return Rendered(html=clean, mentions=list(md.es_mentions), hashtags=list(md.es_hashtags))


def render_markdown(source: str, *, long_form: bool = False) -> str:
    """Markdown → sanitised HTML, without mentions or hashtags (bios)."""
    return render(source, long_form=long_form).html

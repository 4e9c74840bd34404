"""The one way user text becomes HTML: Markdown (cmark-gfm), then an nh3 allow-list.

Rendered once when the text is saved and stored beside its source; templates show the stored
HTML and never mark anything else safe. `@username` of a known person and `#tag` become links.

cmark-gfm (C, through cmarkgfm) does the Markdown: Python-Markdown took 170-1,400 ms per 100 KB
and issue 8 allows 50 ms for the whole render. cmark has no plugin API, so the few rules that
differ from CommonMark are kept by a pass over the source before it and one over its HTML after:

- Raw HTML is shown as text: every `<` that does not open an http/https/mailto or e-mail
  autolink becomes a private-use sentinel cmark treats as a letter, and `&lt;` afterwards.
- `\\#` and `\\@` stay plain text (as in an idea's title on its card): the escaped character
  becomes a sentinel too, shown as the character, or with its backslash inside code.
- Short text has no headings: the `#` that would open one, and the first `=` of a `===`
  underline, become sentinels shown as typed; `Title` over `---` becomes a paragraph.
- Mentions and hashtags are linked in the text of the HTML cmark made, never inside a tag, a
  link or code. cmark escapes all text, so that HTML has no markup but its own; the links added
  are built from escaped values, and nh3 runs last whatever happens before it.
"""

import re
from dataclasses import dataclass, field
from html import escape

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

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

# Hard line breaks for single newlines (nl2br). Not CMARK_OPT_UNSAFE: cmark also drops
# javascript:, vbscript:, file: and non-image data: URLs before nh3 sees them.
_OPTIONS = Options.CMARK_OPT_HARDBREAKS
_LONG_EXTENSIONS = ["table"]

# Sentinels: private-use characters standing in for source characters cmark must not act on.
_LT = "\ue000"  # a `<` that is not an autolink's
_ESC_LT = "\ue001"  # `\<`
_ESC_HASH = "\ue002"  # `\#`
_ESC_AT = "\ue003"  # `\@`
_HEADING = "\ue004"  # the `#` that would open a heading in short text
_UNDERLINE = "\ue005"  # the `=` that would underline a heading in short text
_SENTINELS = re.compile("[\ue000-\ue005]")
_ESCAPED = {"\\\\": "\\\\", "\\<": _ESC_LT, "\\#": _ESC_HASH, "\\@": _ESC_AT}
_ESCAPE = re.compile(r"\\[\\<#@]")
# CommonMark's autolinks, for the schemes links may have, and e-mail addresses.
_AUTOLINK = re.compile(
    _LT + r"((?i:https?|mailto):[^<>\x00-\x20" + _LT + r"]*"
    r"|[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)>"
)
# `# Title`, `## Title`, `> # Title`, `- # Title`: an ATX heading's opening `#`.
_ATX = re.compile(r"#(?<![^\s>]#)(?=#{0,5}(?:[ \t\r\n]|\Z))")
# `Title` over `===`: the underline stays text. (Over `---` it is a paragraph, see _to_html.)
_SETEXT = re.compile(r"\n( {0,3})=(?==*[ \t]*\r?(?:\n|\Z))")
# How each sentinel reads in text and attributes, in code, and percent-encoded in a URL.
_AS_TEXT = {
    _LT: "&lt;", _ESC_LT: "&lt;", _ESC_HASH: "#", _ESC_AT: "@", _HEADING: "#", _UNDERLINE: "=",
}  # fmt: skip
_IN_CODE = {_ESC_LT: "\\&lt;", _ESC_HASH: "\\#", _ESC_AT: "\\@"}
_IN_URL = {
    "%EE%80%80": "%3C", "%EE%80%81": "%3C", "%EE%80%82": "#", "%EE%80%83": "@", "%EE%80%84": "#",
    "%EE%80%85": "=",
}  # fmt: skip

# One scan of cmark's HTML: code and links are kept whole, so are tags holding `@` or `#` (in
# attribute values); what is left of `@` and `#` is text. cmark's text has `&` as `&amp;`, so
# `&#tag` in the source arrives as `&amp;#tag`, and the source's `&#39;` as a plain `'`.
_LINKABLE = re.compile(
    r"<(?:(?P<code>code\b[^>]*>.*?</code>)|(?P<link>a\b[^>]*>.*?</a>)|(?P<tag>[^>@#]*[@#][^>]*>))"
    # MENTION_RE and HASHTAG_RE with each lookbehind after its `@` or `#`: every branch starts
    # with a character, so the scan jumps from one `<`, `@` or `#` to the next.
    r"|@(?<![\w@/]@)(?P<mention>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)"
    r"|#(?<![\w&#/]#)(?<!&amp;#)(?P<hashtag>[A-Za-z][A-Za-z0-9_-]{0,62})",
    re.DOTALL,
)
# A tag with a sentinel percent-encoded in a URL (cmark's text has no `<` but its own tags').
_ENCODED = re.compile(r"<[^<>]*%EE%80%8[0-5][^<>]*>")
_ENCODED_SENTINEL = re.compile(r"%EE%80%8[0-5]")
_IMG = re.compile(r'<img src="([^"]*)" alt="([^"]*)"')
_CODE = re.compile(r"<code\b[^>]*>.*?</code>", re.DOTALL)


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


def _prepare(source: str, *, long_form: bool) -> str:
    """The source as cmark should see it: see the module docstring."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, say from JSON's "\ud800"
        source = source.encode("utf-8", "replace").decode("utf-8")
    if _SENTINELS.search(source):  # nobody types these; they must not pass for ours
        source = _SENTINELS.sub("\ufffd", source)
    if "\\" in source:
        source = _ESCAPE.sub(lambda m: _ESCAPED[m.group(0)], source)
    if "<" in source:
        source = _AUTOLINK.sub(r"<\1>", source.replace("<", _LT))
    if not long_form:
        if "#" in source:
            source = _ATX.sub(_HEADING, source)
        if "=" in source:
            source = _SETEXT.sub(r"\n\1" + _UNDERLINE, "\n" + source)[1:]
    return source


def _to_html(source: str, *, long_form: bool) -> str:
    if long_form:
        html = cmarkgfm.markdown_to_html_with_extensions(source, _OPTIONS, _LONG_EXTENSIONS)
        if "<img" in html:  # attributes in the order Python-Markdown wrote them
            html = _IMG.sub(r'<img alt="\2" src="\1"', html)
    else:
        html = cmarkgfm.markdown_to_html(source, _OPTIONS)
        if "<h" in html:  # a setext heading ("Title" over "---") is a paragraph here
            for level in "123456":
                html = html.replace(f"<h{level}>", "<p>").replace(f"</h{level}>", "</p>")
    # A dropped dangerous URL is an empty one to cmark; no attribute at all, as nh3 would leave.
    return html.rstrip("\n").replace(' href=""', "").replace(' src=""', "")


def _link(
    html: str, *, known: dict[str, str], link_hashtags: bool, mentions: list, hashtags: list
) -> str:
    def replace(m: re.Match) -> str:
        kind = m.lastgroup
        if kind == "mention":
            username = known.get(m.group("mention").lower())
            if username is None:
                return m.group(0)
            if username not in mentions:
                mentions.append(username)
            name = escape(username)
            return f'<a class="mention" href="/people/{name}/">@{name}</a>'
        if kind == "hashtag":
            written = m.group("hashtag").rstrip("-_")
            tag = written.lower()
            if not tag or not link_hashtags:
                return m.group(0)
            if tag not in hashtags:
                hashtags.append(tag)
            rest = m.group("hashtag")[len(written) :]
            return f'<a class="hashtag" href="/tags/{escape(tag)}/">#{escape(written)}</a>{rest}'
        found = m.group(0)
        if kind == "code":
            return _in_code(found)
        if kind == "link" and "<code" in found:
            return _CODE.sub(lambda c: _in_code(c.group(0)), found)
        return found

    return _LINKABLE.sub(replace, html)


def _in_code(html: str) -> str:
    # Backslash escapes do not work in code, so `\#` there reads as typed.
    for sentinel, shown in _IN_CODE.items():
        if sentinel in html:
            html = html.replace(sentinel, shown)
    return html


def _restore(html: str) -> str:
    for sentinel, shown in _AS_TEXT.items():
        if sentinel in html:
            html = html.replace(sentinel, shown)
    if "%EE%80%8" in html:
        html = _ENCODED.sub(lambda m: _ENCODED_SENTINEL.sub(_from_url, m.group(0)), html)
    return html


def _from_url(m: re.Match) -> str:
    return _IN_URL[m.group(0)]


def render(
    source: str,
    *,
    long_form: bool = False,
    known_usernames: dict[str, str] | None = None,
    link_hashtags: bool = False,
) -> Rendered:
    """Markdown → sanitised HTML, with mentions of `known_usernames` (lower → real) linked."""
    unsafe = _unsanitised(
        source, long_form=long_form, known=known_usernames or {}, link_hashtags=link_hashtags
    )
    clean = nh3.clean(
        unsafe.html,
        tags=LONG_TAGS if long_form else SHORT_TAGS,
        attributes=LONG_ATTRIBUTES if long_form else SHORT_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    return Rendered(html=clean, mentions=unsafe.mentions, hashtags=unsafe.hashtags)


def _unsanitised(
    source: str, *, long_form: bool, known: dict[str, str], link_hashtags: bool
) -> Rendered:
    """Everything before nh3 (bench.text times nh3 alone over this HTML). Never show it."""
    html = _to_html(_prepare(source, long_form=long_form), long_form=long_form)
    mentions: list[str] = []
    hashtags: list[str] = []
    if "@" in html or "#" in html or _ESC_LT in html or _ESC_HASH in html or _ESC_AT in html:
        html = _link(
            html, known=known, link_hashtags=link_hashtags, mentions=mentions, hashtags=hashtags
        )
    return Rendered(html=_restore(html), mentions=mentions, hashtags=hashtags)


def render_markdown(source: str, *, long_form: bool = False) -> str:
    """Markdown → sanitised HTML, without mentions or hashtags (bios)."""
    return render(source, long_form=long_form).html

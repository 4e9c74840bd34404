"""The one way user text becomes HTML: Markdown, then an nh3 allow-list.

Rendered once when the text is saved and stored beside its source; templates show the stored
HTML and never mark anything else safe.
"""

import threading

import markdown
import nh3

# What a short piece of text (a status, a comment, a bio) may contain.
SHORT_TAGS = {"p", "br", "strong", "em", "b", "i", "a", "code", "ul", "ol", "li", "del"}
# What long-form text (blog posts, ideas) may add.
LONG_TAGS = SHORT_TAGS | {
    "h2", "h3", "h4", "blockquote", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
SHORT_ATTRIBUTES = {"a": {"href", "title"}}
LONG_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

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
        setattr(_local, key, md)
    return md.reset()


def render_markdown(source: str, *, long_form: bool = False) -> str:
    """Markdown → sanitised HTML; links get rel="nofollow noopener"."""
    html = _markdown(long_form).convert(source)
    return nh3.clean(
        html,
        tags=LONG_TAGS if long_form else SHORT_TAGS,
        attributes=LONG_ATTRIBUTES if long_form else SHORT_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )

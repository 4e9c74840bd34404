import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import render, render_markdown

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


def test_a_hundred_kilobytes_render_with_every_mention_and_hashtag():
    # Its speed is measured by `python -m bench.text`, not here.
    source = ("Some **bold** text with a [link](https://example.com) and #tags @bob.\n" * 1500)[
        :100_000
    ]
    rendered = render(source, known_usernames={"bob": "bob"}, link_hashtags=True)
    assert rendered.mentions == ["bob"] and rendered.hashtags == ["tags"]
    assert rendered.html.count('class="mention"') == source.count("@bob")


KNOWN = {"bob": "bob", "alice.smith": "Alice.Smith"}


def linked(source: str, **kwargs) -> str:
    return render(source, known_usernames=KNOWN, link_hashtags=True, **kwargs).html


def test_raw_html_is_shown_as_text():
    html = linked("<b>hi</b> <script>alert(1)</script> a < b\n\n<div>\nblock\n</div>")
    assert html == (
        "<p>&lt;b&gt;hi&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt; a &lt; b</p>\n"
        "<p>&lt;div&gt;<br>\nblock<br>\n&lt;/div&gt;</p>"
    )


def test_autolinks_stay_links():
    html = linked("<https://example.com/#x> <javascript:alert(1)>")
    assert '<a href="https://example.com/#x" rel="nofollow noopener">https://' in html
    assert "&lt;javascript:alert(1)&gt;" in html


def test_mentions_and_hashtags_are_linked_in_order():
    rendered = render(
        "Thanks @Bob and @alice.smith. #Launch-2026_ @nobody #launch-2026",
        known_usernames=KNOWN,
        link_hashtags=True,
    )
    assert rendered.html == (
        '<p>Thanks <a class="mention" href="/people/bob/" rel="nofollow noopener">@bob</a> and '
        '<a class="mention" href="/people/Alice.Smith/" rel="nofollow noopener">@Alice.Smith</a>. '
        '<a class="hashtag" href="/tags/launch-2026/" rel="nofollow noopener">#Launch-2026</a>_ '
        '@nobody <a class="hashtag" href="/tags/launch-2026/" rel="nofollow noopener">'
        "#launch-2026</a></p>"
    )
    assert rendered.mentions == ["bob", "Alice.Smith"]
    assert rendered.hashtags == ["launch-2026"]


def test_hashtags_are_not_linked_unless_asked():
    rendered = render("#launch", known_usernames=KNOWN)
    assert rendered.html == "<p>#launch</p>" and rendered.hashtags == []


def test_nothing_is_linked_in_code_links_urls_or_attributes():
    source = (
        "`@bob #tag` [@bob #tag](https://example.com/#tag) https://example.com/@bob/#tag "
        "bob@example.com &#tag\n\n    @bob #tag\n\n```\n@bob #tag\n```\n\n![@bob #tag](/a.png)"
    )
    for long_form in (False, True):
        rendered = render(source, long_form=long_form, known_usernames=KNOWN, link_hashtags=True)
        assert rendered.mentions == [] and rendered.hashtags == [], rendered.html
        assert "/people/" not in rendered.html and "/tags/" not in rendered.html


def test_escaped_hash_and_at_are_plain_text_but_kept_in_code():
    rendered = render(
        "\\#done \\@bob \\<b> `\\#x \\@y \\<z>`", known_usernames=KNOWN, link_hashtags=True
    )
    assert rendered.html == "<p>#done @bob &lt;b&gt; <code>\\#x \\@y \\&lt;z&gt;</code></p>"
    assert rendered.mentions == [] and rendered.hashtags == []


def test_short_text_has_no_headings_and_keeps_what_was_typed():
    assert linked("#launch today") == (
        '<p><a class="hashtag" href="/tags/launch/" rel="nofollow noopener">#launch</a> today</p>'
    )
    assert linked("# Title\n## Sub") == "<p># Title<br>\n## Sub</p>"
    assert linked("Title\n===") == "<p>Title<br>\n===</p>"
    assert linked("Title\n---") == "<p>Title</p>"
    assert linked("`# not` a heading") == "<p><code># not</code> a heading</p>"


def test_newlines_are_line_breaks():
    assert linked("one\ntwo") == "<p>one<br>\ntwo</p>"


def test_long_form_has_headings_tables_code_and_images():
    html = linked(
        "## Plan\n\n| a | b |\n|:-:|---|\n| @bob | 2 |\n\n```python\nx = 1 # @bob\n```\n\n"
        '![A chart](/blog/images/7/ "Q3")',
        long_form=True,
    )
    assert "<h2>Plan</h2>" in html
    assert '<th align="center">a</th>' in html
    assert (
        '<td><a class="mention" href="/people/bob/" rel="nofollow noopener">@bob</a></td>' in html
    )
    assert "<pre><code>x = 1 # @bob\n</code></pre>" in html
    assert '<img alt="A chart" src="/blog/images/7/" title="Q3">' in html


def test_only_http_https_and_mailto_links():
    html = linked(
        "[a](javascript:alert(1)) [b](data:text/html,x) [c](ftp://x/) [d](mailto:a@b.co) "
        "![e](javascript:alert(1))",
        long_form=True,
    )
    assert html == (
        '<p><a rel="nofollow noopener">a</a> <a rel="nofollow noopener">b</a> '
        '<a rel="nofollow noopener">c</a> '
        '<a href="mailto:a@b.co" rel="nofollow noopener">d</a> <img alt="e"></p>'
    )


def test_the_engine_s_placeholders_never_reach_the_html():
    source = "\ue000 \ue002 <x> \\# # t\n===\n[l](https://e.com/\\#\\@)"
    for long_form in (False, True):
        html = linked(source, long_form=long_form)
        assert not any("\ue000" <= ch <= "\ue0ff" for ch in html), html
        assert "%EE%80" not in html, html


def test_text_that_is_not_unicode_clean_still_renders():
    assert linked("a \ud800 b") == "<p>a ? b</p>"

"""User text is shown safely: Markdown subset only, no script, no dangerous link, no hidden characters."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from concerto.core.text import clean_block, clean_line, render_markdown, search_key

SAFE_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "a"}


class _Tags(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _scheme(href: str) -> str:
    # What a browser would do: drop tab/newline anywhere, C0 controls and spaces at both ends.
    href = "".join(c for c in href if c not in "\t\n\r").strip("".join(map(chr, range(0x21))))
    return urlsplit(href).scheme.lower()


def _hrefs(html: str) -> list[str]:
    return [attrs["href"] for tag, attrs in _Tags(html).tags if "href" in attrs]


def _assert_inert(html: str) -> None:
    """What a browser would build from this HTML runs no script and loads nothing."""
    for tag, attrs in _Tags(html).tags:
        assert tag in SAFE_TAGS, html
        assert not any(name.startswith("on") or name in {"src", "style"} for name in attrs), html
    for href in _hrefs(html):
        assert _scheme(href) in {"", "http", "https", "mailto"}, href


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">clic</a>',
        "<svg/onload=alert(1)>",
        "<iframe src=//evil.example></iframe>",
        "<style>body{display:none}</style>",
        "**<img src=x onerror=alert(1)>**",
        "[<img src=x onerror=alert(1)>](https://example.org)",
        "<div>\n<script>alert(1)</script>\n</div>",
        "<!-- --><script>alert(1)</script>",
    ],
)
def test_raw_html_is_escaped_never_interpreted(text):
    html = render_markdown(text)
    _assert_inert(html)
    assert "&lt;" in html  # the visitor sees what was typed, as text


@pytest.mark.parametrize(
    "text",
    [
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "[clic](  javascript:alert(1))",
        "[clic](java\nscript:alert(1))",
        "[clic](jav&#x61;script:alert(1))",
        "[clic](jav&#97;script:alert(1))",
        "[clic](javascript&colon;alert(1))",
        "[clic](vbscript:msgbox(1))",
        "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[clic](DATA:text/html,<script>alert(1)</script>)",
        "[clic][ref]\n\n[ref]: javascript:alert(1)",
        "![image](javascript:alert(1))",
        "![image](data:image/svg+xml,<svg onload=alert(1)>)",
        "<javascript:alert(1)>",
        '[clic](https://example.org "titre" onclick="alert(1)")',
    ],
)
def test_dangerous_links_are_dropped(text):
    html = render_markdown(text)
    _assert_inert(html)
    assert all(_scheme(href) not in {"javascript", "vbscript", "data"} for href in _hrefs(html))


def test_safe_markdown_is_kept():
    html = render_markdown("Un **gros** problème, *vraiment*.\n\n- un\n- deux\n\n[Le plan](https://example.org/plan)")
    assert "<strong>gros</strong>" in html
    assert "<em>vraiment</em>" in html
    assert "<li>un</li>" in html
    assert 'href="https://example.org/plan"' in html


def test_links_are_marked_as_user_content():
    html = render_markdown("[site](https://example.org)")
    assert 'rel="nofollow noopener noreferrer ugc"' in html


def test_mailto_links_are_kept():
    assert 'href="mailto:asso@example.org"' in render_markdown("[écrire](mailto:asso@example.org)")


def test_ampersands_and_angle_brackets_read_as_typed():
    assert render_markdown("a & b < c") == "<p>a &amp; b &lt; c</p>"


def test_code_spans_show_the_characters_typed():
    # A resident quoting a tag in backticks must read "<b>", not "&lt;b&gt;".
    assert render_markdown("Tapez `<b>` pour du gras") == "<p>Tapez <code>&lt;b&gt;</code> pour du gras</p>"


def test_quotes_render_as_blockquotes():
    # blockquote is in the allowed subset, so "> " must produce one.
    assert "<blockquote>" in render_markdown("> Le maire l'a promis en 2020.")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("École", "ecole"),
        ("ÉCOLE maternelle", "ecole maternelle"),
        ("Saint-Jérôme", "saint-jerome"),
        ("Noël à l'église", "noel a l'eglise"),
        ("cœur", "cœur"),
        ("Straße", "strasse"),
        ("ﬁbre", "fibre"),
    ],
)
def test_search_key_is_lower_case_and_accent_free(text, key):
    assert search_key(text) == key


def test_search_key_joins_parts_and_skips_empty_ones():
    assert search_key("Été", "", "Forêt") == "ete foret"


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("abc\u202edef", "abcdef"),  # right-to-left override
        ("\u2066isolé\u2069", "isolé"),  # isolates
        ("a\u200bb\u200dc\ufeffd", "abcd"),  # zero-width characters and BOM
        ("a\x00b\x07c\x1bd\x7fe", "abcde"),  # control characters
        ("  deux   espaces \t et\ntab  ", "deux espaces et tab"),
    ],
)
def test_clean_line_removes_hidden_characters_and_collapses_spaces(text, clean):
    assert clean_line(text) == clean


def test_clean_line_keeps_french_no_break_spaces():
    assert clean_line("Depuis quand\u00a0? «\u202fici\u202f»  ") == "Depuis quand\u00a0? «\u202fici\u202f»"


def test_clean_block_keeps_line_breaks():
    assert clean_block("  Ligne 1\u202e \r\nLigne\x00 2\n\n") == "Ligne 1\nLigne 2"

"""User text: a safe Markdown subset rendered then sanitised (nh3), and accent-free search keys."""

import re
import unicodedata

import markdown as md
import nh3

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def _markdown_without_raw_html() -> md.Markdown:
    converter = md.Markdown(extensions=[], output_format="html")
    # Raw HTML typed by users is shown as text, never interpreted; nh3 below is the second wall.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return converter


def render_markdown(text: str) -> str:
    """Return sanitised HTML for the Markdown subset (emphasis, lists, quotes, code, links)."""
    html = _markdown_without_raw_html().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
    )


def search_key(*parts: str) -> str:
    """Lower-case, accent-free text, so 'ecole' finds 'École' on SQLite and PostgreSQL alike."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Any run of white space except the no-break space (U+00A0) and the narrow one (U+202F).
_SPACE_RUN = re.compile(r"[^\S\u00a0\u202f]+")


def clean_line(value: str) -> str:
    """One line of plain text: control characters and bidi overrides removed, spaces collapsed.

    The no-break spaces of French typography (before « : ; ? ! » and inside guillemets) are kept:
    collapsing them would let a question mark wrap onto a line of its own."""
    out = []
    for ch in value:
        cat = unicodedata.category(ch)
        if cat in {"Cc", "Cf"} and ch not in "\n\t":
            continue
        out.append(" " if ch in "\n\t" else ch)
    return _SPACE_RUN.sub(" ", "".join(out)).strip()


def clean_block(value: str) -> str:
    """Multi-line plain text: the same cleaning, keeping line breaks."""
    lines = [clean_line(line) for line in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()

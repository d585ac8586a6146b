"""Differences between two versions of an action's text: paragraph by paragraph, then word by word.

Pure functions (no database): the same two versions always give the same diff, so that a diff
between any two stored versions can be shown again at any time, and checked.

The texts are compared as their authors typed them (the description's Markdown source, never its
rendered HTML); every piece of text is escaped, and the only markup in the result is ours:
``<ins>`` and ``<del>`` around what changed, ``<span class="moved">`` around a paragraph that moved.

Two views are built from the same comparison:
- inline: one column, each paragraph with its insertions and deletions marked;
- side by side: one row per paragraph, the old text on the left (deletions marked), the new text
  on the right (insertions marked).
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FIELDS = ("title", "summary", "body")

# A word, one sign, or a run of spaces: whole words change, never half of one. \w is
# Unicode-aware (é, ß, œ, 中文 are letters).
_TOKEN = re.compile(r"\w+|[^\w\s]|\s+", re.UNICODE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")


def normalise(text: str | None) -> str:
    """Line endings unified, trailing spaces ignored: a text pasted from Windows is not "changed"."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def paragraphs(text: str | None) -> list[str]:
    """The text's paragraphs (separated by a blank line), without the empty ones."""
    text = normalise(text)
    if not text:
        return []
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _html(text: str) -> str:
    # Line breaks inside a paragraph stay visible.
    return str(escape(text)).replace("\n", "<br>")


def _wrap(tag: str, text: str) -> str:
    return f"<{tag}>{_html(text)}</{tag}>" if text else ""


@dataclass
class WordDiff:
    """One paragraph compared word by word: ``inline`` marks both, ``old`` only deletions, ``new``
    only insertions."""

    inline: SafeString
    old: SafeString
    new: SafeString
    inserted: int = 0
    deleted: int = 0


def _segments(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    """(removed, added) pairs, with ("", "") never; an unchanged run is ("=", text). Spaces alone
    between two changes join them, so that a changed phrase reads as one change."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: list[list] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        gone, came = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            out.append(["=", gone, gone])
        elif out and out[-1][0] == "~":
            out[-1][1] += gone
            out[-1][2] += came
        elif len(out) >= 2 and out[-1][0] == "=" and not out[-1][1].strip() and out[-2][0] == "~":
            space = out.pop()[1]
            out[-1][1] += space + gone
            out[-1][2] += space + came
        else:
            out.append(["~", gone, came])
    return [tuple(x) for x in out]


def word_diff(old: str, new: str) -> WordDiff:
    inline, left, right = [], [], []
    inserted = deleted = 0
    for op, gone, came in _segments(tokens(old), tokens(new)):
        if op == "=":
            inline.append(_html(gone))
            left.append(_html(gone))
            right.append(_html(came))
            continue
        if gone:
            deleted += len(gone.split())
            inline.append(_wrap("del", gone))
            left.append(_wrap("del", gone))
        if came:
            inserted += len(came.split())
            inline.append(_wrap("ins", came))
            right.append(_wrap("ins", came))
    return WordDiff(inline=mark_safe("".join(inline)), old=mark_safe("".join(left)),  # noqa: S308 - escaped above
                    new=mark_safe("".join(right)), inserted=inserted, deleted=deleted)  # noqa: S308


@dataclass
class Row:
    """One row of the side-by-side view (and one paragraph of the inline view).

    ``kind``: equal, changed, inserted, deleted, moved_out (the paragraph left this place) or
    moved_in (it arrived here, unchanged). ``old``/``new`` are None where the side has nothing."""

    kind: str
    old: SafeString | None
    new: SafeString | None
    inline: SafeString


def _row_whole(kind: str, text: str) -> Row:
    if kind == "equal":
        html = mark_safe(_html(text))  # noqa: S308 - escaped
        return Row(kind, html, html, html)
    if kind == "deleted":
        html = mark_safe(_wrap("del", text))  # noqa: S308 - escaped
        return Row(kind, html, None, html)
    if kind == "inserted":
        html = mark_safe(_wrap("ins", text))  # noqa: S308 - escaped
        return Row(kind, None, html, html)
    if kind == "moved_out":
        html = mark_safe(f'<span class="moved"><del>{_html(text)}</del></span>')  # noqa: S308 - escaped
        return Row(kind, html, None, html)
    html = mark_safe(f'<span class="moved"><ins>{_html(text)}</ins></span>')  # noqa: S308 - escaped
    return Row("moved_in", None, html, html)


def paragraph_rows(old: str | None, new: str | None) -> list[Row]:
    """The two texts paragraph by paragraph. A paragraph replaced by another is compared word by
    word; a paragraph found unchanged elsewhere is "moved", not deleted and inserted again."""
    a, b = paragraphs(old), paragraphs(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    opcodes = matcher.get_opcodes()
    gone_all = [p for op, i1, i2, _j1, _j2 in opcodes if op in ("delete", "replace") for p in a[i1:i2]]
    came_all = [p for op, _i1, _i2, j1, j2 in opcodes if op in ("insert", "replace") for p in b[j1:j2]]
    moved = set(gone_all) & set(came_all)
    rows: list[Row] = []
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            rows.extend(_row_whole("equal", p) for p in a[i1:i2])
            continue
        gone = [p for p in a[i1:i2] if p not in moved]
        came = [p for p in b[j1:j2] if p not in moved]
        rows.extend(_row_whole("moved_out", p) for p in a[i1:i2] if p in moved)
        # Paragraphs replaced in place are paired in order and compared word by word.
        paired = min(len(gone), len(came))
        for index in range(paired):
            d = word_diff(gone[index], came[index])
            rows.append(Row("changed", d.old, d.new, d.inline))
        rows.extend(_row_whole("deleted", p) for p in gone[paired:])
        rows.extend(_row_whole("inserted", p) for p in came[paired:])
        rows.extend(_row_whole("moved_in", p) for p in b[j1:j2] if p in moved)
    return rows


@dataclass
class FieldDiff:
    name: str
    changed: bool
    rows: list[Row] = field(default_factory=list)


@dataclass
class VersionDiff:
    """The whole comparison of two versions: ``fields`` in the order title, summary, description."""

    old_number: int | None
    new_number: int | None
    fields: list[FieldDiff]

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.fields)

    def as_dict(self) -> dict:
        """For the API: the same diff as text with its markup."""
        return {"from": self.old_number, "to": self.new_number, "changed": self.changed,
                "fields": [{"name": f.name, "changed": f.changed,
                            "rows": [{"kind": r.kind, "old": r.old and str(r.old), "new": r.new and str(r.new),
                                      "inline": str(r.inline)} for r in f.rows]} for f in self.fields]}


def text_of(version) -> dict:
    """Title, summary and description of a version (or of any object or dict that has them)."""
    if isinstance(version, dict):
        return {name: version.get(name) or "" for name in FIELDS}
    return {name: getattr(version, name, "") or "" for name in FIELDS}


def diff(old, new) -> VersionDiff:
    """Compare two versions (ActionVersion, or dicts with title/summary/body)."""
    a, b = text_of(old), text_of(new)
    fields = []
    for name in FIELDS:
        changed = normalise(a[name]) != normalise(b[name])
        fields.append(FieldDiff(name=name, changed=changed, rows=paragraph_rows(a[name], b[name])))
    return VersionDiff(old_number=_number(old), new_number=_number(new), fields=fields)


def _number(version) -> int | None:
    return version.get("number") if isinstance(version, dict) else getattr(version, "number", None)


def apply_quote(text: str, exact: str, replacement: str) -> str | None:
    """The text with its first occurrence of ``exact`` replaced; None when the passage is not in it."""
    if not exact:
        return None
    at = text.find(exact)
    if at < 0:
        return None
    return text[:at] + replacement + text[at + len(exact):]


def quote_context(text: str, exact: str, size: int = 32) -> tuple[str, str] | None:
    """The W3C TextQuoteSelector's prefix and suffix of the passage's first occurrence, or None."""
    at = text.find(exact) if exact else -1
    if at < 0:
        return None
    return text[max(0, at - size):at], text[at + len(exact):at + len(exact) + size]


def highlight(text: str, exact: str, prefix: str = "", suffix: str = "") -> SafeString | None:
    """The text escaped, with the anchored passage wrapped in ``<mark>``; None when not found.

    The prefix and suffix choose between several occurrences of the same passage."""
    if not exact:
        return None
    at = -1
    if prefix or suffix:
        at = text.find(prefix + exact + suffix)
        at = at + len(prefix) if at >= 0 else -1
    if at < 0:
        at = text.find(exact)
    if at < 0:
        return None
    return mark_safe(_html(text[:at]) + "<mark>" + _html(exact) + "</mark>"  # noqa: S308 - escaped
                     + _html(text[at + len(exact):]))

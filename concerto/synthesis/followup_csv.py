"""The follow-up board as CSV: the export and the import of status updates share one format.

One line per update, oldest first within each commitment; a commitment without update gets one line
with its update columns empty. The import reads ``commitment_id`` and the update columns
(``client_id``, ``date``, ``status``, ``title``, ``note``, ``evidence_url``) and ignores the others
(they help whoever edits the file). A line whose ``client_id`` is already recorded with the same
content adds nothing, so importing the export, or the same file twice, changes nothing; a new line
(or an edited one) needs a new ``client_id`` (updates are never edited in place: a correction is a
new update). Dates are ISO (2027-03-14); 14/03/2027 is read too.
"""

import csv
import datetime as dt
import io

from django.utils.translation import gettext as _

from .models import CommitmentStatus

COLUMNS = ["commitment_id", "action_id", "action", "theme", "list", "stance", "current_status",
           "client_id", "date", "status", "title", "note", "evidence_url"]
UPDATE_COLUMNS = ("client_id", "date", "status", "title", "note", "evidence_url")
MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 5000


def export_rows(commitments, updates) -> list[list[str]]:
    by_commitment: dict[int, list] = {}
    for u in updates:
        by_commitment.setdefault(u.commitment_id, []).append(u)
    rows = []
    for c in commitments:
        head = [str(c.pk), str(c.action_id), c.action.title, c.action.theme.name if c.action.theme else "",
                c.candidate.list_name, c.stance, c.status]
        own = by_commitment.get(c.pk) or [None]
        for u in own:
            rows.append(head + (["", "", "", "", "", ""] if u is None else [
                str(u.client_id), u.happened_on.isoformat(), u.status, u.title, u.note, u.evidence_url]))
    return rows


def write(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return out.getvalue()


def _safe_cell(value: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula: an apostrophe keeps it text.
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _unsafe_cell(value: str) -> str:
    return value[1:] if value[:2] in ("'=", "'+", "'-", "'@") else value


def parse_date(text: str) -> dt.date | None:
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_status(text: str) -> str | None:
    text = (text or "").strip()
    for value, label in CommitmentStatus.choices:
        if text.lower() in (value, str(label).lower()):
            return value
    return None


def read(data: bytes) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """(lines that carry an update as (line number, cells), errors as (line number, message)).
    Lines with every update column empty are a commitment without update: skipped."""
    if len(data) > MAX_BYTES:
        return [], [(0, _("The file is larger than 2 MB."))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, _("The file is not UTF-8 text: save it as “CSV UTF-8”."))]
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [c for c in ("commitment_id", *UPDATE_COLUMNS) if c not in (reader.fieldnames or [])]
    if missing:
        return [], [(1, _("Columns missing from the first line: %(columns)s.") % {"columns": ", ".join(missing)})]
    lines, errors = [], []
    for row in reader:
        number = reader.line_num
        if number > MAX_LINES + 1:
            errors.append((number, _("Too many lines: %(max)s at most.") % {"max": MAX_LINES}))
            break
        cells = {k: _unsafe_cell((row.get(k) or "").strip()) for k in ("commitment_id", *UPDATE_COLUMNS)}
        if not any(cells[k] for k in UPDATE_COLUMNS):
            continue
        lines.append((number, cells))
    return lines, errors

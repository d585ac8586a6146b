"""Reading a households CSV file: pure functions, no database.

The file comes from a spreadsheet (LibreOffice, Excel français): UTF-8 with or without BOM,
UTF-16 ("texte Unicode") or Windows-1252; ``;``, ``,`` or tab as delimiter; French or English
headers in any case, with or without accents. Every problem is reported with the line number
the spreadsheet shows (the header is line 1), the column and a translated message. A problem of
the whole file (``FILE_ERRORS``: unreadable, empty, too big, a required column missing) blocks the
import; a bad line is *rejected*: kept with its cells and reasons (``ImportPreview.rejected``) so
the valid lines can be imported and the rejected ones downloaded (``rejected_csv``).

Decisions (documented in docs/letters.md):
- postcodes are French: exactly 5 digits once spaces are removed. A 4-digit value is refused
  with a hint, since a spreadsheet often drops the leading zero ("1000" for "01000").
- duplicates are not errors: a repeated address (same normalised key) is skipped and listed,
  within the file (with both line numbers) and against households already imported.
- the CSV's sector column wins; else the first street rule (in the order given) whose
  normalised street is contained in the first address line without its number; else none,
  which is a warning counted in the preview.
"""

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024  # the one limit on a households file (services.upload_size_check)
MAX_ROWS = 50_000
MAX_LINE_CHARS = 1000
KEY_MAX = 400

# Field → (max length, accepted header spellings once normalised by ``_header_key``).
FIELDS = {
    "name": (200, {"nom", "name", "nomdufoyer", "foyer", "destinataire", "household"}),
    "address_line1": (200, {"adresse", "adresse1", "adresseligne1", "address", "address1", "addressline1", "ligne1"}),
    "address_line2": (200, {"complement", "complementdadresse", "complementadresse", "adresse2", "adresseligne2",
                            "address2", "addressline2", "ligne2"}),
    "address_line3": (200, {"adresse3", "adresseligne3", "address3", "addressline3", "ligne3"}),
    "postcode": (12, {"codepostal", "cp", "postcode", "postalcode", "zip", "zipcode"}),
    "city": (120, {"ville", "commune", "city", "town", "localite"}),
    "sector": (120, {"secteur", "sector"}),
}
REQUIRED = ("address_line1", "postcode", "city")

# Words of French addresses written in short, expanded before comparing two addresses.
ABBREVIATIONS = {
    "bd": "boulevard", "bld": "boulevard", "blvd": "boulevard", "boul": "boulevard",
    "av": "avenue", "ave": "avenue", "avn": "avenue",
    "ch": "chemin", "chem": "chemin", "che": "chemin",
    "imp": "impasse",
    "pl": "place",
    "r": "rue",
    "all": "allee", "al": "allee",
    "rte": "route", "trav": "traverse", "sq": "square", "lot": "lotissement",
    "res": "residence", "bat": "batiment", "bt": "batiment", "apt": "appartement", "appt": "appartement",
    "st": "saint", "ste": "sainte", "fg": "faubourg", "fbg": "faubourg", "qu": "quai",
}
_NUMBER = re.compile(r"^\s*\d+\s*(?:bis|ter|quater|[a-z])?\b\s*,?\s*")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces, common abbreviations expanded."""
    words = _NOT_ALNUM.sub(" ", _strip_accents(text or "")).split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def _header_key(text: str) -> str:
    return _NOT_ALNUM.sub("", _strip_accents(text or ""))


def street_of(address_line1: str) -> str:
    """The normalised street of an address line, without its number ("12 bis, av. X" → "avenue x")."""
    return normalise(_NUMBER.sub("", _strip_accents(address_line1 or "")))


def household_key(address_lines, postcode: str) -> str:
    """The same letterbox, however it is typed: postcode plus normalised address lines (name ignored)."""
    parts = [normalise(line) for line in address_lines if line and line.strip()]
    key = re.sub(r"\s+", "", postcode or "") + "|" + " | ".join(p for p in parts if p)
    if len(key) > KEY_MAX:
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        key = key[: KEY_MAX - 17] + "#" + digest
    return key


def sector_lookup(sectors) -> dict[str, str]:
    """``{normalised code or name: code}`` from ``(code, name)`` pairs."""
    lookup = {}
    for code, name in sectors:
        lookup[normalise(code)] = code
        lookup[normalise(name)] = code
    return lookup


def match_street_rule(address_line1: str, street_rules) -> str | None:
    """The sector code of the first rule whose street is in the address line, as whole words."""
    street = f" {street_of(address_line1)} "
    for rule_street, code in street_rules:
        wanted = normalise(rule_street)
        if wanted and f" {wanted} " in street:
            return code
    return None


@dataclass
class LineError:
    line: int | None
    column: str
    code: str
    message: str


@dataclass
class Duplicate:
    line: int
    other_line: int | None  # None: already imported before
    address: str


# Errors of the whole file: nothing can be imported. Any other error rejects its line only.
FILE_ERRORS = frozenset({"file_too_big", "empty_file", "missing_header", "too_many_rows", "unreadable", "no_rows"})


@dataclass
class ImportPreview:
    rows: list[dict] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    # The file's title line and its rejected lines as read ({"line", "cells", "reasons"}).
    header: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    @property
    def file_errors(self) -> list[LineError]:
        """The errors that block the whole file (see ``FILE_ERRORS``)."""
        return [e for e in self.errors if e.code in FILE_ERRORS]

    @property
    def without_sector(self) -> int:
        return sum(1 for row in self.rows if not row["sector"])

    def by_sector(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row["sector"]] = counts.get(row["sector"], 0) + 1
        return counts

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "errors": [asdict(e) for e in self.errors],
            "duplicates": [asdict(d) for d in self.duplicates],
            "ignored_columns": self.ignored_columns,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header": self.header,
            "rejected": self.rejected,
        }

    @classmethod
    def from_json(cls, data: dict) -> "ImportPreview":
        return cls(
            rows=list(data.get("rows", [])),
            errors=[LineError(**e) for e in data.get("errors", [])],
            duplicates=[Duplicate(**d) for d in data.get("duplicates", [])],
            ignored_columns=list(data.get("ignored_columns", [])),
            encoding=data.get("encoding", ""),
            delimiter=data.get("delimiter", ""),
            header=list(data.get("header", [])),
            rejected=list(data.get("rejected", [])),
        )


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-16 with BOM, UTF-8 (BOM or not), else Windows-1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line the most (outside quotes); ``;`` on a tie."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys((";", ",", "\t"), 0)
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts.values())
    if best == 0:
        return ";"
    return next(d for d in (";", "\t", ",") if counts[d] == best)


def _clean(value: str) -> str:
    out = []
    for ch in value:
        cat = unicodedata.category(ch)
        if cat in {"Cc", "Cf"}:
            out.append(" " if ch in "\n\r\t" else "")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _column_label(name: str) -> str:
    return {
        "name": _("name"), "address_line1": _("address"), "address_line2": _("address (continued)"),
        "address_line3": _("address (continued)"), "postcode": _("postcode"), "city": _("city"),
        "sector": _("sector"),
    }[name]


def parse_households(data: bytes, *, sectors: dict[str, str], street_rules, existing_keys: set[str],
                     max_rows: int = MAX_ROWS) -> ImportPreview:
    """Parse and check a whole file; see the module docstring for the rules."""
    preview = ImportPreview()
    errors = preview.errors
    if len(data) > MAX_BYTES:
        errors.append(LineError(None, "", "file_too_big", _(
            "The file is too big (%(size)s MB): the limit is %(max)s MB. Split it in several files."
        ) % {"size": round(len(data) / 1024 / 1024, 1), "max": MAX_BYTES // 1024 // 1024}))
        return preview
    text, preview.encoding = decode(data)
    if not text.strip():
        errors.append(LineError(None, "", "empty_file", _("The file is empty.")))
        return preview
    preview.delimiter = sniff_delimiter(text)
    lookup = {normalise(k): v for k, v in sectors.items()}
    known_sectors = ", ".join(sorted(set(sectors.values()))) or "—"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=preview.delimiter)
    columns: dict[str, int] | None = None
    width = 0
    seen: dict[str, int] = {}
    data_rows = 0
    try:
        for line, record in enumerate(reader, start=1):
            if columns is None:
                if not any(cell.strip() for cell in record):
                    continue  # blank lines above the header
                columns, ignored = _read_header(record)
                preview.ignored_columns = ignored
                preview.header = [_clean(cell)[:200] for cell in record]
                width = len(record)
                missing = [name for name in REQUIRED if name not in columns]
                if missing:
                    for name in missing:
                        errors.append(LineError(line, _column_label(name), "missing_header", _(
                            "The column “%(column)s” is missing from the first line. Accepted titles: %(titles)s."
                        ) % {"column": _column_label(name), "titles": ", ".join(_accepted_titles(name))}))
                    return preview
                continue
            if not any(cell.strip() for cell in record):
                continue
            data_rows += 1
            if data_rows > max_rows:
                errors.append(LineError(line, "", "too_many_rows", _(
                    "The file has more than %(max)s households: split it in several files."
                ) % {"max": max_rows}))
                break
            before = len(errors)
            _parse_row(line, record, columns, width, lookup, known_sectors, street_rules, existing_keys,
                       seen, preview)
            if len(errors) > before:
                preview.rejected.append({"line": line, "cells": [cell[:MAX_LINE_CHARS] for cell in record],
                                         "reasons": [e.message for e in errors[before:]]})
    except csv.Error as exc:
        errors.append(LineError(reader.line_num, "", "unreadable", _(
            "The file cannot be read as CSV near this line (%(detail)s)."
        ) % {"detail": str(exc)}))
    if columns is None:
        errors.append(LineError(None, "", "empty_file", _("The file is empty.")))
    elif data_rows == 0 and not errors:
        errors.append(LineError(None, "", "no_rows", _("The file has a header line but no household.")))
    return preview


def _read_header(record: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, title in enumerate(record):
        key = _header_key(title)
        name = next((f for f, (_max, titles) in FIELDS.items() if key in titles), None)
        if name is None or name in columns:
            if title.strip():
                ignored.append(title.strip())
            continue
        columns[name] = index
    return columns, ignored


def _accepted_titles(name: str) -> list[str]:
    return {
        "address_line1": ["adresse", "adresse1", "address_line1"],
        "postcode": ["code_postal", "cp", "postcode"],
        "city": ["ville", "commune", "city"],
    }.get(name, [name])


def _parse_row(line, record, columns, width, lookup, known_sectors, street_rules, existing_keys, seen,
               preview: ImportPreview) -> None:
    errors = preview.errors
    before = len(errors)
    if sum(len(cell) for cell in record) > MAX_LINE_CHARS:
        errors.append(LineError(line, "", "line_too_long", _(
            "This line is too long (more than %(max)s characters): check the delimiters and quotes."
        ) % {"max": MAX_LINE_CHARS}))
        return
    if len(record) > width and any(cell.strip() for cell in record[width:]):
        errors.append(LineError(line, "", "too_many_columns", _(
            "This line has %(found)s columns but the header has %(expected)s: a value probably contains "
            "the delimiter “%(delimiter)s” without quotes."
        ) % {"found": len(record), "expected": width,
             "delimiter": _("tab") if preview.delimiter == "\t" else preview.delimiter}))
        return
    values = {}
    for name, index in columns.items():
        value = _clean(record[index]) if index < len(record) else ""
        limit = FIELDS[name][0]
        if len(value) > limit:
            errors.append(LineError(line, _column_label(name), "too_long", _(
                "At most %(max)s characters (here %(found)s)."
            ) % {"max": limit, "found": len(value)}))
        values[name] = value
    if not values.get("address_line1"):
        errors.append(LineError(line, _column_label("address_line1"), "missing_address",
                                _("The address is missing.")))
    postcode = re.sub(r"\s+", "", values.get("postcode", ""))
    if not postcode:
        errors.append(LineError(line, _column_label("postcode"), "missing_postcode",
                                _("The postcode is missing.")))
    elif re.fullmatch(r"\d{4}", postcode):
        errors.append(LineError(line, _column_label("postcode"), "bad_postcode", _(
            "“%(value)s” has 4 digits: the spreadsheet probably removed a leading zero (write 0%(value)s "
            "and format the column as text)."
        ) % {"value": postcode}))
    elif not re.fullmatch(r"\d{5}", postcode):
        errors.append(LineError(line, _column_label("postcode"), "bad_postcode", _(
            "“%(value)s” is not a French postcode (5 digits)."
        ) % {"value": postcode[:20]}))
    if not values.get("city"):
        errors.append(LineError(line, _column_label("city"), "missing_city", _("The city is missing.")))
    sector, sector_from = "", ""
    if values.get("sector"):
        sector = lookup.get(normalise(values["sector"]), "")
        if not sector:
            errors.append(LineError(line, _column_label("sector"), "unknown_sector", _(
                "Unknown sector “%(value)s”. Known sectors: %(known)s."
            ) % {"value": values["sector"][:60], "known": known_sectors}))
        sector_from = "file"
    elif values.get("address_line1"):
        sector = match_street_rule(values["address_line1"], street_rules) or ""
        sector_from = "rule" if sector else ""
    if len(errors) > before:
        return
    lines = [values.get("address_line1", ""), values.get("address_line2", ""), values.get("address_line3", "")]
    key = household_key(lines, postcode)
    shown = ", ".join(v for v in [*lines, f"{postcode} {values['city']}"] if v)
    if key in seen:
        preview.duplicates.append(Duplicate(line, seen[key], shown))
        return
    if key in existing_keys:
        preview.duplicates.append(Duplicate(line, None, shown))
        return
    seen[key] = line
    preview.rows.append({
        "line": line, "name": values.get("name", ""), "address_line1": lines[0], "address_line2": lines[1],
        "address_line3": lines[2], "postcode": postcode, "city": values["city"], "sector": sector,
        "sector_from": sector_from, "key": key,
    })


# --- Writing CSV for spreadsheets ---------------------------------------------------------------

CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe
    (addresses are typed by people; a cell "=HYPERLINK(…)" must never run)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


class _Line:
    """A file-like object whose ``write`` returns what it was given (for streaming ``csv.writer``)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows, *, bom: bool = True):
    """Each row as one CSV line for Excel in France (``;``, CRLF), the first preceded by a UTF-8 BOM
    so that accents come out right when the file is opened by a double click. A generator: the
    caller streams it (``StreamingHttpResponse``) and encodes it as UTF-8."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    if bom:
        yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_cell(cell) for cell in row])


def rejected_rows(preview: ImportPreview, reason_title: str):
    """The rows of the rejected-lines file: the file's title line plus a ``reason_title`` column,
    then each rejected line as read, with its line number in the original file and its reasons.
    A "reason" column of the uploaded file (a rejected-lines file corrected and uploaded again) is
    left out, so the reasons are never doubled."""
    drop = {i for i, title in enumerate(preview.header) if _header_key(title) == _header_key(reason_title)}
    width = max([len(preview.header)] + [len(r["cells"]) for r in preview.rejected])

    def kept(cells):
        cells = list(cells) + [""] * (width - len(cells))
        return [cell for i, cell in enumerate(cells) if i not in drop]

    yield [*kept(preview.header), reason_title]
    for rejected in preview.rejected:
        reasons = " ; ".join(rejected["reasons"])
        yield [*kept(rejected["cells"]), _("line %(line)s: %(reasons)s") % {"line": rejected["line"], "reasons": reasons}]


# --- One address typed in a form ----------------------------------------------------------------

ADDRESS_FIELDS = ("name", "address_line1", "address_line2", "address_line3", "postcode", "city")


def address_check(values: dict) -> tuple[dict, dict]:
    """``(cleaned, errors)`` for one household's address typed by hand: the same cleaning, limits
    and postcode rules as a line of the file (``errors`` maps a field name to its message)."""
    cleaned = {name: _clean(str(values.get(name) or "")) for name in ADDRESS_FIELDS}
    cleaned["postcode"] = re.sub(r"\s+", "", cleaned["postcode"])
    errors = {}
    for name in ADDRESS_FIELDS:
        limit = FIELDS[name][0]
        if len(cleaned[name]) > limit:
            errors[name] = _("At most %(max)s characters (here %(found)s).") % {
                "max": limit, "found": len(cleaned[name])}
    if not cleaned["address_line1"]:
        errors["address_line1"] = _("The address is missing.")
    postcode = cleaned["postcode"]
    if not postcode:
        errors["postcode"] = _("The postcode is missing.")
    elif re.fullmatch(r"\d{4}", postcode):
        errors["postcode"] = _("“%(value)s” has 4 digits: French postcodes have 5 (did you mean 0%(value)s?).") % {
            "value": postcode}
    elif not re.fullmatch(r"\d{5}", postcode):
        errors["postcode"] = _("“%(value)s” is not a French postcode (5 digits).") % {"value": postcode[:20]}
    if not cleaned["city"]:
        errors["city"] = _("The city is missing.")
    return cleaned, errors

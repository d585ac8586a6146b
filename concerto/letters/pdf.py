"""Print-ready invitation letters: one A4 page per household, compiled with Typst.

Pure Python, no models: callers pass every text. Layout, envelope window, fonts, limits and
measured timings: docs/letters-printing.md.

- ``render_body(template, values)`` fills the organiser's text ({nom}, {code}, ...).
- ``render_letters(letters, ...)`` returns ONE PDF (bytes); ``render_letters_to_file`` writes it
  to a path with bounded memory. Large batches are compiled in chunks, in worker processes, and
  the chunks are merged into a single PDF (``_merge_pdfs``); ``progress(done, total)`` is called
  as chunks are written.

Every text goes to Typst as DATA (a JSON document in ``sys.inputs``) and is inserted as text
values: a body containing ``#``, ``*``, ``$``, ``[`` ... prints literally. QR codes are made
with segno (error correction M) and passed as 1-bit PNG images (bytes as a JSON array).
"""

from __future__ import annotations

import concurrent.futures
import io
import json
import multiprocessing
import os
import re
import struct
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from .errors import PlaceholderError

TEMPLATE = Path(__file__).resolve().parent / "typst" / "letter.typ"

PLACEHOLDERS: dict[str, str] = {
    "nom": "Nom du foyer (vide si inconnu)",
    "adresse": "Adresse du foyer, sur une ligne",
    "code": "Code personnel d'invitation",
    "lien": "Adresse web de la page d'inscription, code déjà rempli",
    "secteur": "Secteur du foyer",
    "quartier": "Nom du quartier (de la concertation)",
    "date_limite": "Date limite pour s'inscrire",
    "places": "Personnes du foyer qui peuvent s'inscrire avec son code (« 4 personnes »)",
    "contact": "Contact des organisateurs (nom, e-mail, téléphone ; à défaut l'expéditeur)",
}

def default_letter_text(residents_per_code: int = 4) -> str:
    """The default invitation text (French, with placeholders). It names no town or
    neighbourhood of its own and reads right whatever the territory is called; the number of
    residents per code and the organisers' contact are placeholders ({places}, {contact}).
    ``residents_per_code`` is kept for callers of the former signature: the text no longer
    depends on it."""
    return DEFAULT_LETTER_TEMPLATE


DEFAULT_LETTER_TEMPLATE = """\
Madame, Monsieur,

Avant les prochaines élections municipales, nous invitons les habitants de votre quartier à \
construire ensemble un plan d'actions pour la vie quotidienne : rues, commerces, \
déplacements, espaces verts. Ce plan sera présenté en public aux candidats à la mairie, qui \
devront y répondre.

Votre foyer fait partie des habitants invités. Pour participer, scannez le code QR ci-dessous \
avec votre téléphone ou rendez-vous sur {lien}, puis saisissez votre code personnel s'il vous \
est demandé. Ce code est propre à votre foyer : il permet d'inscrire jusqu'à {places}. Merci de \
ne pas le communiquer en dehors du foyer.

En ligne, vous pourrez soutenir les propositions, en faire de nouvelles et les \
commenter. Vous pouvez aussi vous porter volontaire pour les ateliers qui prépareront le plan \
d'actions : leurs participants seront tirés au sort parmi les volontaires, de façon à \
représenter tout le quartier.

Pas d'accès à internet ? Un ambassadeur de la concertation passera dans votre rue dans les \
prochaines semaines. Vous pouvez aussi joindre les organisateurs : \
{contact}. Merci de vous inscrire avant le {date_limite}.

Nous comptons sur vous pour faire entendre la voix de votre quartier.
"""

DEFAULT_LETTER_TEXT = default_letter_text(4)

DEFAULT_SIZES = (11.5, 11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0)  # body font sizes, pt; last = floor
MAX_ADDRESS_LINES = 6
CHUNK_SIZE = 400  # letters per Typst compile when a batch is split
WORKERS = 2
TASKS_PER_WORKER = 4  # chunks compiled by a worker process before it is replaced


@dataclass(frozen=True)
class LetterData:
    address_lines: list[str]
    body: str
    code: str | None = None
    qr_url: str | None = None
    reference: str = ""


# --------------------------------------------------------------------------- placeholders

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|\{|\}")


def _line_of(template: str, pos: int) -> int:
    return template.count("\n", 0, pos) + 1


def render_body(template: str, values: Mapping[str, str], *, allowed: Sequence[str] | None = None) -> str:
    """Fill ``{placeholder}`` fields; ``{{``/``}}`` print braces; missing values are empty.

    Raises PlaceholderError (translated) on an unknown placeholder or an unbalanced brace.
    ``allowed`` defaults to PLACEHOLDERS.
    """
    from django.utils.translation import gettext as _

    names = list(allowed) if allowed is not None else list(PLACEHOLDERS)
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(template):
        out.append(template[pos:match.start()])
        pos = match.end()
        piece = match.group(0)
        if piece == "{{":
            out.append("{")
        elif piece == "}}":
            out.append("}")
        elif piece == "{":
            raise PlaceholderError(
                _("An opening brace “{” on line %(line)s is not closed. Write {{ to print a brace.")
                % {"line": _line_of(template, match.start())}
            )
        elif piece == "}":
            raise PlaceholderError(
                _("A closing brace “}” on line %(line)s has no opening brace. Write }} to print a brace.")
                % {"line": _line_of(template, match.start())}
            )
        else:
            name = match.group(1).strip()
            if name not in names:
                raise PlaceholderError(
                    _("Unknown placeholder {%(name)s}. Available: %(available)s.")
                    % {"name": name, "available": ", ".join("{" + n + "}" for n in names)}
                )
            value = values.get(name)
            out.append("" if value is None else str(value))
    out.append(template[pos:])
    return "".join(out)


# --------------------------------------------------------------------------- QR codes

_MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)


@lru_cache(maxsize=8)
def _qr_layout(size: int):
    """(encoding region, function-pattern template, the 8 masks) for a QR matrix of ``size``."""
    import numpy as np
    from segno import encoder

    template = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(template, size, size)
    encoder.add_alignment_patterns(template, size, size)
    tmpl = np.array([list(row) for row in template], dtype=np.uint8)
    region = tmpl > 1
    region[-8, 8] = False  # the dark module
    i, j = np.indices((size, size))
    masks = np.stack([np.where(region, m(i, j), False) for m in _MASKS]).astype(np.uint8)
    return region, np.where(region, 0, tmpl).astype(np.uint8), masks


_N3 = bytes((1, 0, 1, 1, 1, 0, 1))


def _n3(seq: bytes, size: int) -> int:
    # Same counting as segno.encoder.mask_scores (ISO/IEC 18004:2015 7.8.3.1, feature 3).
    count = 0
    idx = seq.find(_N3)
    while idx != -1:
        offset = idx + 7
        if idx in (0, size - 7) or not any(seq[max(idx - 4, 0):idx]) or not any(seq[offset:offset + 4]):
            count += 40
        else:
            offset = idx + 4
        idx = seq.find(_N3, offset)
    return count


def _penalties(candidates) -> list[int]:
    """Mask penalties N1 + N2 + N3 + N4 of each candidate matrix (shape (8, n, n)), computed
    exactly as segno.encoder.mask_scores does, but vectorised with numpy."""
    import numpy as np

    k, size, _ = candidates.shape
    lines = np.concatenate([candidates, candidates.transpose(0, 2, 1)], axis=1)  # (k, 2n, n)
    flat = lines.reshape(-1, size)
    # N1: runs of >= 5 same-coloured modules score (length - 2), in rows and columns.
    bounds = np.ones((flat.shape[0], size + 1), dtype=bool)
    bounds[:, 1:size] = flat[:, 1:] != flat[:, :-1]
    starts = np.flatnonzero(bounds.ravel())
    runs = np.diff(starts)
    owner = starts[:-1] // (size + 1) // (2 * size)
    n1 = np.bincount(owner, weights=np.where(runs >= 5, runs - 2, 0), minlength=k)
    # N2: 2x2 blocks of one colour, 3 points each.
    c = candidates
    same = (c[:, 1:, 1:] == c[:, 1:, :-1]) & (c[:, 1:, 1:] == c[:, :-1, 1:]) & (c[:, 1:, 1:] == c[:, :-1, :-1])
    n2 = 3 * same.sum(axis=(1, 2))
    # N3: 1:1:3:1:1 patterns with 4 light modules on one side (or touching the edge).
    # segno scans each line left to right and, after a counted pattern, resumes 7 modules
    # further: lines where two patterns are closer than that are scanned the same way in Python.
    lines_n = flat.shape[0]
    code = np.zeros((lines_n, size - 6), dtype=np.int16)  # 7 modules from each position, as bits
    for t in range(7):
        code = (code << 1) | flat[:, t:size - 6 + t]
    match = code == 0b1011101
    dark_cum = np.zeros((lines_n, size + 1), dtype=np.int16)
    np.cumsum(flat, axis=1, out=dark_cum[:, 1:])
    idx = np.arange(size - 6)
    before = dark_cum[:, idx] - dark_cum[:, np.maximum(idx - 4, 0)]
    after = dark_cum[:, np.minimum(idx + 11, size)] - dark_cum[:, idx + 7]
    counted = match & ((before == 0) | (after == 0))
    counted[:, 0] |= match[:, 0]
    counted[:, -1] |= match[:, -1]
    per_line = counted.sum(axis=1)
    match_cum = np.zeros((lines_n, size - 5), dtype=np.int16)
    np.cumsum(match, axis=1, out=match_cum[:, 1:])
    ahead = match_cum[:, np.minimum(idx + 7, size - 6)] - match_cum[:, idx]  # matches in [i, i + 6]
    close = (match & (ahead >= 2)).any(axis=1)
    n3 = np.bincount(np.arange(flat.shape[0]) // (2 * size), weights=np.where(close, 0, per_line) * 40,
                     minlength=k).astype(int).tolist()
    for row in np.flatnonzero(close):
        n3[row // (2 * size)] += _n3(flat[row].tobytes(), size)
    # N4: proportion of dark modules.
    dark = candidates.reshape(k, -1).sum(axis=1) / (size * size)
    return [int(n1[m]) + int(n2[m]) + n3[m] + 10 * int(abs(float(dark[m]) * 100 - 50) / 5) for m in range(k)]


def _qr_matrix(url: str) -> list[bytearray]:
    """The QR code (error correction M) of ``url``, identical to ``segno.make(url, error="m")``.

    segno chooses the data mask in pure Python (about 6 ms per code, most of the time of a big
    batch); here the code is made with mask 0, then the 8 masks are evaluated with numpy using the
    same penalty rules and the best one is applied with its format information.
    """
    import numpy as np
    import segno
    from segno import encoder

    qr = segno.make(url, error="m", micro=False, mask=0)
    size = qr.symbol_size(border=0)[0]
    region, tmpl, masks = _qr_layout(size)
    final = np.frombuffer(b"".join(qr.matrix), dtype=np.uint8).reshape(size, size)
    data = np.where(region, final ^ masks[0], 0).astype(np.uint8)
    candidates = np.where(region, data[None] ^ masks, tmpl).astype(np.uint8)
    scores = _penalties(candidates)
    best = scores.index(min(scores))  # the first lowest, as segno
    out = np.where(region, data ^ masks[best], final).astype(np.uint8)
    rows = [bytearray(row.tobytes()) for row in out]
    encoder.add_format_info(rows, qr.version, encoder.normalize_errorlevel(qr.error), best)
    return rows


def qr_svg(url: str) -> str:
    """An SVG (one path, no quiet zone: the layout leaves white space around it) of ``url``."""
    import numpy as np

    rows = _qr_matrix(url)
    n = len(rows)
    m = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(n, n).astype(np.int8)
    edges = np.diff(np.pad(m, ((0, 0), (1, 1))), axis=1)
    ys, xs = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # same row order as the starts
    d = "".join([f"M{x} {y}h{e - x}v1h{x - e}z" for y, x, e in zip(ys.tolist(), xs.tolist(), ends.tolist(), strict=True)])
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{n}" height="{n}" '
            f'shape-rendering="crispEdges"><path fill="#000" d="{d}"/></svg>')


def qr_png(url: str) -> bytes:
    """A 1-bit PNG of ``url``'s QR code, one pixel per module, no quiet zone (the layout leaves
    white space around it). Typst scales it with ``scaling: "pixelated"`` (no interpolation):
    as sharp as the SVG when printed, 5x cheaper to make and half the PDF size."""
    import numpy as np

    rows = _qr_matrix(url)
    n = len(rows)
    m = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(n, n)
    packed = np.packbits(1 - m, axis=1)  # PNG grey 1-bit: 0 = black
    raw = np.concatenate([np.zeros((n, 1), dtype=np.uint8), packed], axis=1).tobytes()  # filter 0

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


# --------------------------------------------------------------------------- fitting the body

# Page geometry shared with letter.typ (mm).
BODY_WIDTH_MM = 170.0
BODY_HEIGHT_MM = 127.0
_PT_PER_MM = 72 / 25.4

# Advance widths (em) of the body font, measured once per process by Typst itself (~0.1 s);
# a character outside this set counts 1 em. Kerning is ignored: widths get a 5 % margin.
_CHARSET = "".join(chr(c) for c in range(32, 127)) + "".join(chr(c) for c in range(160, 256)) + "ŒœŸ€‘’“”«»–—…•·"
_WIDTH_MARGIN = 1.05
_BOLD = 1.10  # the title is bold: wider than regular text
_MEASURE_SOURCE = b"""
#let chars = json(bytes(sys.inputs.chars))
#set text(font: "Libertinus Serif", size: 100pt)
#context [#metadata((
  widths: chars.map(c => measure([#c]).width / 100pt),
  space: (measure([a a]).width - measure([aa]).width) / 100pt,
)) <widths>]
"""


@lru_cache(maxsize=1)
def _widths() -> dict[str, float]:
    import typst

    chars = [c for c in _CHARSET if c != " "]
    out = json.loads(typst.query(_MEASURE_SOURCE, "<widths>", field="value", one=True,
                                 sys_inputs={"chars": json.dumps(chars)}, ignore_system_fonts=True))
    table = {c: w * _WIDTH_MARGIN for c, w in zip(chars, out["widths"], strict=True)}
    table[" "] = out["space"] * _WIDTH_MARGIN
    return table


@lru_cache(maxsize=65536)
def _text_em(text: str) -> float:
    widths = _widths()
    return sum(widths.get(c, 1.0) for c in text)


def split_paragraphs(body: str) -> list[list[str]]:
    """Paragraphs (separated by blank lines), each a list of its lines."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.rstrip() for line in block.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        if lines:
            paragraphs.append(lines)
    return paragraphs


def _wrapped_lines(line: str, width_em: float) -> int:
    words = line.split()
    if not words:
        return 1
    space = _text_em(" ")
    lines, current = 1, 0.0
    for word in words:
        w = _text_em(word)
        if current == 0.0:
            current = w
        elif current + space + w <= width_em:
            current += space + w
        else:
            lines += 1
            current = w
        while current > width_em:  # a word longer than the line wraps anywhere
            lines += 1
            current -= width_em
    return lines


# Vertical metrics of letter.typ in em, rounded up from Typst measurements: line pitch
# (measured 1.208), extra gap between paragraphs (measured 0.35), title block and gaps (1.2).
_LINE_EM = 1.22
_PAR_EM = 0.36
_TITLE_EM = 1.25


def estimate_body_height(paragraphs: Sequence[Sequence[str]], size: float, title: str,
                         signature_lines: int) -> float:
    """Height (pt) the title + body + signature take at ``size``; pessimistic."""
    width_em = BODY_WIDTH_MM * _PT_PER_MM / size
    n_lines = sum(_wrapped_lines(line, width_em) for p in paragraphs for line in p)
    title_lines = _wrapped_lines(title, width_em / (1.05 * _BOLD))
    em = (n_lines * _LINE_EM + len(paragraphs) * _PAR_EM + _TITLE_EM + (title_lines - 1) * _LINE_EM * 1.05
          + 0.6 + max(signature_lines, 1) * _LINE_EM)
    return em * size


def choose_size(paragraphs, title: str, signature_lines: int, sizes: Sequence[float] = DEFAULT_SIZES) -> tuple[float, bool]:
    """(font size, fits): the largest size whose pessimistic estimate fits; else the floor."""
    available = BODY_HEIGHT_MM * _PT_PER_MM
    for size in sizes:
        # One line's worth of margin on top of the estimate's own (widths +5 %, rounded metrics).
        if estimate_body_height(paragraphs, size, title, signature_lines) + _LINE_EM * size <= available:
            return size, True
    return sizes[-1], False


# --------------------------------------------------------------------------- compiling

def _common(sender_lines, title, place_date, signature, code_label, qr_caption, join_hint, lang,
            check=False) -> dict:
    return {
        "sender": [str(s) for s in sender_lines], "title": str(title), "place_date": str(place_date),
        "signature": str(signature).replace("\r\n", "\n").split("\n"),
        "code_label": str(code_label), "qr_caption": str(qr_caption), "join_hint": str(join_hint),
        "lang": str(lang), "check": bool(check), "body_w": BODY_WIDTH_MM, "body_h": BODY_HEIGHT_MM,
    }


def _address(lines: Sequence[str]) -> list[str]:
    """Non-empty address lines; a line holding line breaks counts as several."""
    return [part.strip() for line in lines for part in str(line).splitlines() if part.strip()]


def _letter_dict(letter: LetterData, common: dict) -> dict:
    lines = _address(letter.address_lines)
    if not lines or len(lines) > MAX_ADDRESS_LINES:
        raise ValueError(f"a letter needs 1 to {MAX_ADDRESS_LINES} address lines, got {len(lines)}")
    paragraphs = split_paragraphs(letter.body)
    size, _fits = choose_size(paragraphs, common["title"], len(common["signature"]))
    return {
        "address": lines, "paragraphs": paragraphs, "size": size,
        "code": letter.code or None, "qr": list(qr_png(letter.qr_url)) if letter.qr_url else None,
        "reference": str(letter.reference or ""),
    }


def _typst_source() -> bytes:
    return TEMPLATE.read_bytes()


def compile_chunk(common: dict, letters: Sequence[LetterData]) -> bytes:
    """One Typst compile: a PDF with one page per letter (run in worker processes)."""
    import typst

    data = {"common": common, "letters": [_letter_dict(letter, common) for letter in letters]}
    return typst.compile(
        _typst_source(), sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        ignore_system_fonts=True, pdf_tags=False, timestamp=0,
    )


def query_chunk(common: dict, letters: Sequence[LetterData], selector: str) -> list:
    """Typst query over the letters document (tests: fitted heights, texts as laid out)."""
    import typst

    data = {"common": common, "letters": [_letter_dict(letter, common) for letter in letters]}
    out = typst.query(_typst_source(), selector, field="value",
                      sys_inputs={"data": json.dumps(data, ensure_ascii=False)}, ignore_system_fonts=True)
    return json.loads(out)


# --------------------------------------------------------------------------- merging PDFs

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_REF = re.compile(rb"\((?:\\.|[^\\()])*\)|(\d+) 0 R")
_STREAM = re.compile(rb">>\s*stream\r?\n")


def parse_pdf(data: bytes) -> tuple[dict[int, bytes], bytes]:
    """{object number: bytes after "N 0 obj" up to the next object}, trailer dictionary.

    Only for PDFs as Typst writes them (classic xref table, no object streams).
    """
    match = _STARTXREF.search(data[-64:])
    if not match:
        raise ValueError("not a PDF with a classic xref table")
    xref = int(match.group(1))
    head, _, rest = data[xref:].partition(b"trailer")
    lines = head.split(b"\n")[1:]
    offsets: dict[int, int] = {}
    i = 0
    while i < len(lines):
        parts = lines[i].split()
        i += 1
        if len(parts) != 2:
            continue
        first, count = int(parts[0]), int(parts[1])
        for k in range(count):
            entry = lines[i + k].split()
            if entry[2] == b"n":
                offsets[first + k] = int(entry[0])
        i += count
    order = sorted(offsets.items(), key=lambda kv: kv[1])
    objects = {}
    for n, (num, off) in enumerate(order):
        end = order[n + 1][1] if n + 1 < len(order) else xref
        chunk = data[off:end]
        header = b"%d 0 obj" % num
        if not chunk.startswith(header):
            raise ValueError(f"object {num} not found at its offset")
        body = chunk[len(header):].rstrip()
        if body.endswith(b"endobj"):
            body = body[:-6]
        objects[num] = body
    return objects, rest


def _ref(dictionary: bytes, key: bytes) -> int | None:
    match = re.search(rb"/" + key + rb"\s*(\d+) 0 R", dictionary)
    return int(match.group(1)) if match else None


def _dict_part(body: bytes) -> bytes:
    match = _STREAM.search(body)
    return body[:match.start() + 2] if match else body


class _PdfWriter:
    """Writes merged Typst PDFs to a binary file: new Catalog (1), Pages (2), Info (3)."""

    def __init__(self, out: BinaryIO, title: str, lang: str):
        self.out = out
        self.title = title
        self.lang = re.sub(r"[^A-Za-z-]", "", lang)
        self.pos = 0
        self.offsets: dict[int, int] = {}
        self.next_num = 4
        self.kids: list[int] = []
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.pos += len(data)

    def _object(self, num: int, body: bytes) -> None:
        self.offsets[num] = self.pos
        self._write(b"%d 0 obj" % num + body + b"\nendobj\n")

    def add(self, pdf: bytes) -> None:
        objects, trailer = parse_pdf(pdf)
        root = _ref(trailer, b"Root")
        info = _ref(trailer, b"Info")
        catalog = _dict_part(objects[root])
        pages = _ref(catalog, b"Pages")
        dropped = {root, info, _ref(catalog, b"Metadata")}
        mapping = {pages: 2}
        for num in sorted(objects):
            if num not in dropped and num not in mapping:
                mapping[num] = self.next_num
                self.next_num += 1

        def renumber(match):
            if match.group(1) is None:
                return match.group(0)
            return b"%d 0 R" % mapping[int(match.group(1))]

        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", _dict_part(objects[pages])).group(1)
        self.kids.extend(mapping[int(k)] for k in re.findall(rb"(\d+) 0 R", kids))
        for num in sorted(objects):
            if num in dropped or num == pages:
                continue
            body = objects[num]
            head = _dict_part(body)
            self._object(mapping[num], _REF.sub(renumber, head) + body[len(head):])

    def close(self) -> None:
        kids = b" ".join(b"%d 0 R" % k for k in self.kids)
        self._object(1, b"\n<</Type/Catalog/Pages 2 0 R/Lang(%s)>>" % self.lang.encode())
        self._object(2, b"\n<</Type/Pages/Count %d/Kids[%s]>>" % (len(self.kids), kids))
        title = self.title.encode("utf-16-be")
        self._object(3, b"\n<</Producer(Concerto, Typst)/Title<feff%s>>>" % title.hex().encode())
        xref = self.pos
        size = self.next_num
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        for num in range(1, size):
            lines.append(b"%010d 00000 n \n" % self.offsets[num])
        self._write(b"".join(lines))
        self._write(b"trailer\n<</Size %d/Root 1 0 R/Info 3 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))


# --------------------------------------------------------------------------- public API

ProgressCallback = Callable[[int, int], None]


def _chunks(letters: Sequence[LetterData], size: int) -> list[Sequence[LetterData]]:
    return [letters[i:i + size] for i in range(0, len(letters), size)]


def render_letters_to_file(path, letters: Sequence[LetterData], *, sender_lines: Sequence[str], title: str,
                           place_date: str, signature: str, code_label: str = "Votre code personnel",
                           qr_caption: str = "Scannez ce code avec l'appareil photo de votre téléphone",
                           join_hint: str = "", lang: str = "fr", progress: ProgressCallback | None = None,
                           chunk_size: int = CHUNK_SIZE, workers: int = WORKERS) -> int:
    """Write the letters' PDF to ``path`` (or a binary file object); returns the page count.

    Batches up to ``chunk_size`` letters are compiled in this process; larger ones in chunks
    by ``workers`` processes, merged in order into one PDF while the next chunks compile.
    Raises ValueError for an empty batch (a PDF has at least one page) or a bad address.
    """
    letters = list(letters)
    if not letters:
        raise ValueError("no letters to render")
    for letter in letters:  # fail early, before any worker starts
        lines = _address(letter.address_lines)
        if not lines or len(lines) > MAX_ADDRESS_LINES:
            raise ValueError(f"a letter needs 1 to {MAX_ADDRESS_LINES} address lines, got {len(lines)}")
    common = _common(sender_lines, title, place_date, signature, code_label, qr_caption, join_hint, lang)
    total = len(letters)
    workers = max(1, min(workers, os.cpu_count() or 1))
    if total > chunk_size:  # at least one chunk per worker, all of about the same size
        chunk_size = min(chunk_size, -(-total // workers))
    chunks = _chunks(letters, max(1, chunk_size))

    def target():
        if hasattr(path, "write"):
            return _NoClose(path)
        return open(path, "wb")  # noqa: SIM115 - closed by the with below

    if len(chunks) == 1:
        pdf = compile_chunk(common, letters)
        with target() as out:
            out.write(pdf)
        if progress:
            progress(total, total)
        return total

    done = 0
    workers = min(workers, len(chunks))
    context = multiprocessing.get_context("spawn")
    # Typst memoises across compiles in a process (~70 MB per chunk, never freed): a pool
    # compiles at most TASKS_PER_WORKER chunks per worker, then a fresh pool takes over; it is
    # started while the last chunks of the previous one compile, so no core waits for it.
    # (ProcessPoolExecutor's max_tasks_per_child hangs on Python 3.11 when every task is
    # submitted at once.)
    group = workers * TASKS_PER_WORKER
    pools: list[concurrent.futures.ProcessPoolExecutor] = []

    def start(first: int):
        pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context)
        pools.append(pool)
        batch = chunks[first:first + group]
        return pool, batch, [pool.submit(compile_chunk, common, chunk) for chunk in batch]

    try:
        with target() as out:
            writer = _PdfWriter(out, common["title"], common["lang"])
            current, next_first = start(0), group
            while current:
                pool, batch, futures = current
                following = None
                for index, (chunk, future) in enumerate(zip(batch, futures, strict=True)):
                    if following is None and next_first < len(chunks) and index >= len(batch) - workers:
                        following, next_first = start(next_first), next_first + group
                    writer.add(future.result())
                    done += len(chunk)
                    if progress:
                        progress(done, total)
                pool.shutdown()
                current = following
            writer.close()
    finally:
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
    return total


class _NoClose:
    def __init__(self, f):
        self.f = f

    def write(self, data):
        return self.f.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def render_letters(letters: Sequence[LetterData], *, sender_lines: Sequence[str], title: str, place_date: str,
                   signature: str, code_label: str = "Votre code personnel",
                   qr_caption: str = "Scannez ce code avec l'appareil photo de votre téléphone",
                   join_hint: str = "", lang: str = "fr", progress: ProgressCallback | None = None,
                   chunk_size: int = CHUNK_SIZE, workers: int = WORKERS) -> bytes:
    """One PDF (bytes), one A4 page per letter. See render_letters_to_file."""
    buffer = io.BytesIO()
    render_letters_to_file(buffer, letters, sender_lines=sender_lines, title=title, place_date=place_date,
                           signature=signature, code_label=code_label, qr_caption=qr_caption,
                           join_hint=join_hint, lang=lang, progress=progress, chunk_size=chunk_size,
                           workers=workers)
    return buffer.getvalue()


# --------------------------------------------------------------------------- checking a text before saving


def placeholders_in(template: str) -> set[str]:
    """The placeholder names a text uses (``{{``/``}}`` are braces, not placeholders)."""
    return {match.group(1).strip() for match in _TOKEN.finditer(template) if match.group(1) is not None}


NORMAL_SIZE = DEFAULT_SIZES[0]


@dataclass(frozen=True)
class BodyFit:
    """How a letter's body fits its area: ``size`` printed (pt), ``fits`` (at most the floor size,
    else the end is cut off), ``excess_lines``/``excess_chars``: about how much to take out for it to
    print at ``NORMAL_SIZE`` (0 when it already does)."""

    size: float
    fits: bool
    excess_lines: int
    excess_chars: int

    @property
    def normal(self) -> bool:
        return self.fits and self.size >= NORMAL_SIZE


def body_fit(body: str, title: str, signature: str) -> BodyFit:
    """The size ``render_letters`` will choose for this (filled) body, and how much is too much at the
    normal size: the same pessimistic estimate as ``choose_size``, so a text said to fit does."""
    paragraphs = split_paragraphs(body)
    signature_lines = len(str(signature).replace("\r\n", "\n").split("\n"))
    size, fits = choose_size(paragraphs, title, signature_lines)
    if fits and size >= NORMAL_SIZE:
        return BodyFit(size, True, 0, 0)
    available = BODY_HEIGHT_MM * _PT_PER_MM
    line = _LINE_EM * NORMAL_SIZE
    needed = estimate_body_height(paragraphs, NORMAL_SIZE, title, signature_lines) + line
    lines = max(1, int(-(-(needed - available) // line)))
    width_em = BODY_WIDTH_MM * _PT_PER_MM / NORMAL_SIZE
    total_lines = sum(_wrapped_lines(text, width_em) for p in paragraphs for text in p) or 1
    chars = sum(len(text) for p in paragraphs for text in p)
    per_line = max(1, chars // total_lines)
    return BodyFit(size, fits, lines, lines * per_line)


def render_letter_png(letter: LetterData, *, ppi: int = 72, sender_lines: Sequence[str], title: str,
                      place_date: str, signature: str, code_label: str = "Votre code personnel",
                      qr_caption: str = "Scannez ce code avec l'appareil photo de votre téléphone",
                      join_hint: str = "", lang: str = "fr") -> bytes:
    """One letter's page as a PNG image (Typst renders it directly: no PDF, no external tool), for a
    preview shown in the page."""
    import typst

    common = _common(sender_lines, title, place_date, signature, code_label, qr_caption, join_hint, lang)
    data = {"common": common, "letters": [_letter_dict(letter, common)]}
    return typst.compile(_typst_source(), sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                         ignore_system_fonts=True, format="png", ppi=ppi)

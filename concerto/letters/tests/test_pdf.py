"""The letters' PDF engine: placeholders, QR codes, one page per letter, text printed as data,
body fitting, chunked compiles merged into one PDF."""

import io
import json
import re
import struct
import zlib

import pytest
import segno
import typst

from concerto.letters import pdf
from concerto.letters.errors import PlaceholderError
from concerto.letters.pdf import (
    DEFAULT_LETTER_TEXT,
    PLACEHOLDERS,
    LetterData,
    render_body,
    render_letters,
)

COMMON = {
    "sender_lines": ["Collectif Saint-Jérôme", "12 rue des Écoles", "13090 Aix-en-Provence"],
    "title": "Invitation à la concertation du quartier",
    "place_date": "Aix-en-Provence, le 3 février 2026",
    "signature": "L'équipe de la concertation",
    "join_hint": "Ou tapez concerto.example.org/r",
}
VALUES = {"quartier": "Saint-Jérôme", "lien": "https://concerto.example.org/c/sj/rejoindre",
          "date_limite": "15 mars 2026", "places": "4 personnes",
          "contact": "Collectif Saint-Jérôme, contact@concerto.example.org, 04 42 00 00 00"}


def letter(n=1, body=None, code="K7QM-4XPT-9C", qr=True, reference=""):
    return LetterData(
        address_lines=[f"Famille Numéro{n}", f"{n} avenue des Lavandes", "13090 AIX-EN-PROVENCE"],
        body=render_body(DEFAULT_LETTER_TEXT, VALUES) if body is None else body,
        code=code,
        qr_url=f"https://concerto.example.org/c/sj/rejoindre?code={code}" if qr and code else None,
        reference=reference,
    )


# --------------------------------------------------------------------------- reading PDFs back

def _stream(body: bytes) -> bytes:
    match = pdf._STREAM.search(body)
    raw = body[match.end():]
    raw = raw[:raw.rindex(b"endstream")].rstrip(b"\r\n")
    return zlib.decompress(raw)


def _literal(s: bytes) -> bytes:
    out, i = bytearray(), 0
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(s):
        c = s[i:i + 1]
        if c == b"\\":
            nxt = s[i + 1:i + 2]
            octal = re.match(rb"[0-7]{1,3}", s[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
                continue
            out += escapes.get(nxt, nxt)
            i += 2
            continue
        out += c
        i += 1
    return bytes(out)


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for k, cid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[cid] = chr(start + k)
    return mapping


def page_texts(data: bytes) -> list[str]:
    """The text of each page, one line per text run: glyph codes mapped through each font's
    ToUnicode CMap (Typst subsets fonts with Identity-H encoding)."""
    objects, trailer = pdf.parse_pdf(data)
    root = pdf._ref(trailer, b"Root")
    pages = pdf._ref(objects[root], b"Pages")
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", objects[pages]).group(1)
    texts = []
    for kid in re.findall(rb"(\d+) 0 R", kids):
        page = pdf._dict_part(objects[int(kid)])
        resources = objects[pdf._ref(page, b"Resources")]
        fonts_dict = re.search(rb"/Font\s*<<(.*?)>>", resources, re.S).group(1)
        fonts = {}
        for name, num in re.findall(rb"/(\w+)\s+(\d+) 0 R", fonts_dict):
            font = pdf._dict_part(objects[int(num)])
            fonts[name] = _cmap(_stream(objects[pdf._ref(font, b"ToUnicode")]))
        content = _stream(objects[pdf._ref(page, b"Contents")])
        lines = []
        for run in re.findall(rb"BT(.*?)ET", content, re.S):
            font = fonts[re.search(rb"/(\w+) [\d.]+ Tf", run).group(1)]
            chars = []
            for string in re.findall(rb"\(((?:\\.|[^\\)])*)\)", run, re.S):
                raw = _literal(string)
                chars += [font.get(int.from_bytes(raw[i:i + 2], "big"), "?") for i in range(0, len(raw), 2)]
            lines.append("".join(chars))
        texts.append("\n".join(lines))
    return texts


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def squash(text: str) -> str:
    return "".join(text.split())


# --------------------------------------------------------------------------- placeholders

def test_render_body_fills_placeholders_and_braces():
    out = render_body("Bonjour {nom}, votre code {code} ({{exemple}}) {secteur}.", {"nom": "Mme Roux", "code": "AB"})
    assert out == "Bonjour Mme Roux, votre code AB ({exemple}) ."


def test_render_body_values_are_plain_text():
    assert render_body("{nom}", {"nom": "{code} #set *x*"}) == "{code} #set *x*"


def test_render_body_unknown_placeholder_lists_available():
    with pytest.raises(PlaceholderError) as err:
        render_body("Bonjour {prenom}", {})
    message = str(err.value)
    assert "{prenom}" in message
    for name in PLACEHOLDERS:
        assert "{" + name + "}" in message


@pytest.mark.parametrize("template", ["Bonjour {nom", "Bonjour nom}", "a { b", "{{nom}", "x\n\n{", "{ {nom} }"])
def test_render_body_unbalanced_braces(template):
    with pytest.raises(PlaceholderError):
        render_body(template, {"nom": "x"})


def test_render_body_error_is_translated():
    from django.utils import translation

    with translation.override("fr"), pytest.raises(PlaceholderError) as err:
        render_body("{inconnu}", {})
    assert err.value.code == "placeholder"
    assert "{inconnu}" in str(err.value)


def test_default_text_uses_known_placeholders_and_fits_at_full_size():
    body = render_body(DEFAULT_LETTER_TEXT, VALUES)
    assert "{" not in body
    assert "jusqu'à 4 personnes" in body
    assert "{places}" in pdf.default_letter_text(6) and "{contact}" in pdf.default_letter_text(6)
    size, fits = pdf.choose_size(pdf.split_paragraphs(body), COMMON["title"], 1)
    assert fits and size == pdf.DEFAULT_SIZES[0]


def test_split_paragraphs():
    assert pdf.split_paragraphs("a\nb\n\n\n c \r\n\r\nd") == [["a", "b"], [" c"], ["d"]]
    assert pdf.split_paragraphs("") == []


# --------------------------------------------------------------------------- QR codes

QR_URLS = [
    "https://concerto.example.org/c/saint-jerome/rejoindre?code=K7QM-4XPT-9C",
    "https://concerto.example.org/c/saint-jerome/rejoindre?code=ZZZZ-ZZZZ-ZZ",
    "HTTPS://CONCERTO.EXAMPLE.ORG/R/K7QM4XPT9C",
    "https://x.fr/j/1",
    "https://concerto.example.org/c/" + "quartier-" * 12 + "?code=ABCD-EFGH-JK",  # version >= 7
] + [f"https://concerto.example.org/j/{n:05d}-{n * 7919 % 10007}" for n in range(40)]


@pytest.mark.parametrize("url", QR_URLS)
def test_qr_matrix_is_segnos_own(url):
    """The numpy mask choice gives exactly the symbol segno makes (mask, format info and all)."""
    expected = segno.make(url, error="m", micro=False)
    assert [bytes(r) for r in pdf._qr_matrix(url)] == [bytes(r) for r in expected.matrix]


def _svg_matrix(svg: str) -> list[bytes]:
    n = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    rows = [bytearray(n) for _ in range(n)]
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for k in range(int(w)):
            rows[int(y)][int(x) + k] = 1
    return [bytes(r) for r in rows]


def test_qr_svg_draws_the_code_of_the_url():
    url = QR_URLS[0]
    assert _svg_matrix(pdf.qr_svg(url)) == [bytes(r) for r in segno.make(url, error="m").matrix]


def _png_matrix(png: bytes) -> list[bytes]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert (depth, colour) == (1, 0) and width == height
    idat = png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8]
    raw = zlib.decompress(idat)
    stride = 1 + (width + 7) // 8
    rows = []
    for y in range(height):
        line = raw[y * stride:(y + 1) * stride]
        assert line[0] == 0  # no filter
        bits = "".join(f"{b:08b}" for b in line[1:])[:width]
        rows.append(bytes(1 - int(bit) for bit in bits))  # 0 = black = dark module
    return rows


@pytest.mark.parametrize("url", QR_URLS[:5])
def test_qr_png_draws_the_code_of_the_url(url):
    assert _png_matrix(pdf.qr_png(url)) == [bytes(r) for r in segno.make(url, error="m").matrix]


def test_letter_carries_the_qr_png_of_its_url():
    common = pdf._common(["s"], "t", "p", "sig", "c", "q", "", "fr")
    item = pdf._letter_dict(letter(1), common)
    assert bytes(item["qr"]) == pdf.qr_png(letter(1).qr_url)
    assert pdf._letter_dict(letter(1, qr=False), common)["qr"] is None


# --------------------------------------------------------------------------- rendering

def test_one_page_per_letter_with_address_and_code():
    letters = [letter(1, code="K7QM-4XPT-9C"), letter(2, code="ABCD-EFGH-23", reference="Secteur Nord · n° 2"),
               letter(3, code=None)]
    data = render_letters(letters, **COMMON)
    assert data.startswith(b"%PDF-")
    assert page_count(data) == 3
    pages = page_texts(data)
    assert len(pages) == 3
    assert "Famille Numéro1" in pages[0] and "1 avenue des Lavandes" in pages[0]
    assert "13090 AIX-EN-PROVENCE" in pages[0]
    assert "K7QM-4XPT-9C" in pages[0] and "Votre code personnel" in pages[0]
    assert "ABCD-EFGH-23" in pages[1] and "Secteur Nord · n° 2" in pages[1]
    assert "Votre code personnel" not in pages[2]  # no code, no box
    for page in pages:
        assert "Collectif Saint-Jérôme" in page and COMMON["title"] in page
        assert COMMON["place_date"] in page
        assert squash("Ce code est propre à votre foyer") in squash(page)


INJECTION = "#set page(width: 1pt) *bold* $x$ [a] <b> @c \\ _i_ `raw` // not a comment /* nor this */ #{1 + 1}"


def test_markup_in_any_text_prints_literally():
    letters = [LetterData(address_lines=["#strong[M.] *Dupont*", "$x$ rue [a] <b> @c \\"], body=INJECTION,
                          code="#C0DE*", qr_url="https://x.fr/j/#[a]", reference="<ref> #x")]
    common = dict(COMMON, title="*Titre* #x", sender_lines=["$S$ #s"], signature="_sig_ @s")
    data = render_letters(letters, **common)
    assert page_count(data) == 1
    (text,) = page_texts(data)
    lines = text.split("\n")
    assert INJECTION in lines  # one line, character for character: no markup was evaluated
    for expected in ["#strong[M.] *Dupont*", "$x$ rue [a] <b> @c \\", "#C0DE*", "<ref> #x", "*Titre* #x",
                     "$S$ #s", "_sig_ @s"]:
        assert expected in lines


def test_fitted_body_is_measured_within_the_area():
    """The size chosen in Python (pessimistic) never overflows Typst's own measurement."""
    base = render_body(DEFAULT_LETTER_TEXT, VALUES)
    bodies = [base, base + "\n\n" + base, (base + "\n\n") * 3, "Court.", "MAJUSCULES ÉNORMES " * 120,
              "\n".join(f"ligne {i}" for i in range(40)), "W" * 900]
    common = pdf._common(COMMON["sender_lines"], COMMON["title"], COMMON["place_date"], COMMON["signature"],
                         "Code", "Scan", "", "fr", check=True)
    fits = pdf.query_chunk(common, [letter(1, body=b) for b in bodies], "<fit>")
    sizes = [f["size"] for f in fits]
    assert sizes[0] == pdf.DEFAULT_SIZES[0] and sizes[3] == pdf.DEFAULT_SIZES[0]
    assert sizes[1] < sizes[0]  # a double letter shrinks
    for body, fit in zip(bodies, fits, strict=True):
        chosen, fits_estimate = pdf.choose_size(pdf.split_paragraphs(body), COMMON["title"], 1)
        assert fit["size"] == chosen
        if fits_estimate:
            assert fit["height"] <= fit["available"] + 0.01, (body[:30], fit)
        if fits_estimate and not body.startswith("WWW"):  # an unbreakable word overflows sideways (clipped)
            assert fit["height"] >= 0.6 * pdf.estimate_body_height(
                pdf.split_paragraphs(body), chosen, COMMON["title"], 1) / pdf._PT_PER_MM  # not absurdly pessimistic


def test_overlong_body_stays_one_page_at_the_floor_size():
    body = ("Un texte beaucoup trop long pour une seule page. " * 40 + "\n\n") * 8
    paragraphs = pdf.split_paragraphs(body)
    assert pdf.choose_size(paragraphs, COMMON["title"], 1) == (pdf.DEFAULT_SIZES[-1], False)
    data = render_letters([letter(1, body=body), letter(2)], **COMMON)
    assert page_count(data) == 2
    first, second = page_texts(data)
    assert "K7QM-4XPT-9C" in first and "Famille Numéro1" in first  # the code box is still printed
    assert "Famille Numéro2" in second


def test_empty_batch_and_bad_addresses_are_refused():
    with pytest.raises(ValueError):
        render_letters([], **COMMON)
    with pytest.raises(ValueError):
        render_letters([LetterData(address_lines=[], body="x")], **COMMON)
    with pytest.raises(ValueError):
        render_letters([LetterData(address_lines=[str(i) for i in range(7)], body="x")], **COMMON)
    with pytest.raises(ValueError):  # a line holding line breaks counts as several
        render_letters([LetterData(address_lines=["a\nb\nc\nd", "e\r\nf\ng"], body="x")], **COMMON)
    data = render_letters([LetterData(address_lines=["M. Roux\nBâtiment B", " ", "13090 AIX"], body="x")], **COMMON)
    assert "M. Roux\nBâtiment B\n13090 AIX" in page_texts(data)[0]


def _render_page_png(data: bytes, page: int, folder) -> bytes:
    """Typst reads the PDF back (PDF images): proves the file parses, and renders one page."""
    (folder / "in.pdf").write_bytes(data)
    (folder / "main.typ").write_text('#set page(width: 210mm, height: 297mm, margin: 0pt)\n'
                                     f'#image("in.pdf", page: {page}, width: 100%)\n')
    return typst.compile(str(folder / "main.typ"), root=str(folder), format="png", ppi=30)


def test_chunks_merge_into_one_pdf_in_order_with_progress(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "TASKS_PER_WORKER", 1)  # every chunk in a fresh worker process
    letters = [letter(n, code=f"CODE-{n:04d}-XY") for n in range(1, 6)]
    calls = []
    merged = render_letters(letters, chunk_size=2, workers=2, progress=lambda done, total: calls.append((done, total)),
                            **COMMON)
    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert page_count(merged) == 5
    objects, trailer = pdf.parse_pdf(merged)  # one xref table that points at every object
    assert f"/Size {max(objects) + 1}".encode() in trailer
    pages = page_texts(merged)
    for n, page in enumerate(pages, start=1):
        assert f"Famille Numéro{n}" in page and f"CODE-{n:04d}-XY" in page
    single = render_letters(letters, chunk_size=100, **COMMON)
    assert page_texts(single) == pages
    for page in (1, 5):
        assert _render_page_png(merged, page, tmp_path) == _render_page_png(single, page, tmp_path)


def test_render_to_file_and_file_object(tmp_path):
    letters = [letter(1), letter(2)]
    path = tmp_path / "lettres.pdf"
    assert pdf.render_letters_to_file(path, letters, chunk_size=1, workers=1, **COMMON) == 2
    buffer = io.BytesIO()
    pdf.render_letters_to_file(buffer, letters, chunk_size=1, workers=1, **COMMON)
    assert path.read_bytes() == buffer.getvalue()
    assert page_count(buffer.getvalue()) == 2


def test_template_reads_texts_only_as_data():
    source = pdf.TEMPLATE.read_text()
    assert "eval(" not in source  # no string is ever evaluated as markup
    assert json.loads(json.dumps(PLACEHOLDERS)) == PLACEHOLDERS

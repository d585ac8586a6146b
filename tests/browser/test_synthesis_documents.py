"""The final plan and the candidates' dossiers, end to end in the browser: the organiser generates a
new edition, sends it through a real SMTP server (a tiny one started here, on the loopback), a list
reads its e-mail, follows its personal link and acknowledges receipt; every PDF is tagged PDF/UA-1
(compiled with Typst's check, which fails on any error; pdfinfo reads the tags back) and holds each
action's final text, a dossier its list's positions; the new pages pass axe-core at 1280 and 360 px.

The server is this module's own (a copy of the demo, its mail going to the SMTP server)."""

import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from ..live import start_live_server, stop_live_server
from ..smtp_sink import SmtpSink
from .conftest import DESKTOP, PHONE
from .helpers import CAMPAIGN, axe_violations, sign_in_with_password

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CONCERTO_SHOTS", "")
LINK = re.compile(r"https?://\S+/synthese/dossier/[A-Za-z0-9_-]+/")


@pytest.fixture(scope="module")
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def server(smtp):
    live, tmp = start_live_server(server_env={"CONCERTO_E2E_SMTP_PORT": str(smtp.port)})
    yield live
    stop_live_server(live, tmp)


def check_page(page, name):
    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert violations == [], (name, label, violations)
        if label == "360":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, (name, "scrolls sideways")
        if os.path.isdir(SHOTS):
            page.screenshot(path=f"{SHOTS}/documents-{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def pdf_facts(data: bytes) -> tuple[str, str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        Path(fh.name).write_bytes(data)
        info = subprocess.run(["pdfinfo", fh.name], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
        # -raw: the text in the order the PDF draws it, cell after cell (the default reading order
        # interleaves the lines of neighbouring table cells).
        text = subprocess.run(["pdftotext", "-raw", fh.name, "-"], capture_output=True, text=True,  # noqa: S603, S607
                              check=True).stdout
    return info, " ".join(text.split())


def test_generate_send_open_acknowledge(context_factory, server, smtp):
    page = context_factory(viewport=DESKTOP).new_page()
    page.set_default_timeout(180_000)  # the tasks run in the request here: 8 PDFs on a loaded machine
    sign_in_with_password(page, server, "organisatrice@example.org")
    manage = f"{server.url}{CAMPAIGN}/synthese/documents/"
    page.goto(manage)
    check_page(page, "manage")

    page.get_by_role("button", name=re.compile("nouvelle édition|new edition", re.I)).click()
    page.wait_for_load_state()
    body = page.content()
    assert "could not be made" not in body and "n’a pas pu" not in body
    before = len(smtp.messages)
    page.get_by_role("button", name=re.compile(r"(édition|edition) 2", re.I)).click()
    page.wait_for_load_state()
    sent = smtp.messages[before:]
    assert len(sent) == 7, [m[0] for m in sent]
    recipients, message = sent[2]
    assert message["Message-ID"]
    text = message.get_body(("plain",)).get_content()
    link = LINK.search(text).group(0)

    # Every PDF of edition 2: tagged, titled, in French, with each action's final text.
    page.goto(f"{server.url}{CAMPAIGN}/synthese/plan/")
    titles = [t.strip() for t in page.locator("article.synthesis-action h4").all_inner_texts()]
    assert len(titles) >= 20
    check_page(page, "plan")
    page.goto(manage)
    hrefs = page.locator("a[href$='/pdf/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    twins = page.locator("td a[href$='/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).filter(h => /documents\\/\\d+\\/$/.test(h))")
    assert len(hrefs) == 8 and len(twins) == 7
    for href in hrefs:
        info, pdf_text = pdf_facts(page.request.get(f"{server.url}{href}").body())
        assert re.search(r"^Tagged:\s+yes", info, re.M), href
        assert re.search(r"^Title:\s+\S", info, re.M), href
        missing = [t for t in titles if " ".join(t.split()) not in pdf_text]
        assert not missing, (href, missing[:3])
    # A dossier carries its list's positions, as its web version (the HTML twin) shows them.
    page.goto(f"{server.url}{twins[0]}")
    check_page(page, "dossier-web")
    rows = page.locator("#doc-positions ~ div table tbody tr").all()
    assert rows
    pdf_href = page.locator("a[href$='/pdf/']").first.get_attribute("href")
    _info, pdf_text = pdf_facts(page.request.get(f"{server.url}{pdf_href}").body())
    # Compared without spaces and hyphens: the PDF breaks lines in table cells, hyphenating French words,
    # and French puts no-break spaces before « : ».
    def bare(text):  # and Typst turns straight apostrophes into typographic ones
        return re.sub(r"[\s\-\u2010\u00ad]", "", text).replace("\u2019", "'")

    pdf_text = bare(pdf_text)
    for row in rows[:10]:
        cells = [bare(c) for c in row.locator("th, td").all_inner_texts()]
        assert all(c in pdf_text for c in cells if c), cells

    # The list follows its link (no account), then acknowledges receipt.
    visitor = context_factory(viewport=DESKTOP).new_page()
    visitor.goto(link)
    assert visitor.locator("h1").count() == 1
    check_page(visitor, "download")
    visitor.get_by_role("button", name=re.compile("reçu|received", re.I)).click()
    visitor.wait_for_load_state()
    assert re.search("confirm", visitor.content(), re.I)
    page.goto(manage)
    assert re.search("accusé|acknowledged|réception confirmée", page.content(), re.I)

    page.goto(f"{server.url}{CAMPAIGN}/synthese/envois/")
    check_page(page, "dispatch-log")
    assert page.locator("table tbody tr").count() >= 14  # the demo's 7 and edition 2's 7

    candidate = context_factory(viewport=DESKTOP).new_page()
    sign_in_with_password(candidate, server, "candidate1@example.org")
    candidate.goto(f"{server.url}{CAMPAIGN}/synthese/mon-dossier/")
    assert candidate.locator("h1").count() == 1
    check_page(candidate, "my-dossier")

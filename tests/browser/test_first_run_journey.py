"""Issue 10, "Done when": a new organiser on a fresh database, after the first-run command, creates a
campaign with its calendar, themes and sectors, invites a moderator who sets a password and signs in,
imports households with some bad lines (the valid ones imported, the rejected ones downloadable),
corrects one, generates letters without duplicates, and a resident joins with a code.

The server runs without the demo. Elements named by strings new in issue 10 are found by their id, name
or URL: the French catalogue gets those strings when the branches are merged."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.live import start_live_server, stop_live_server

pytestmark = pytest.mark.browser

ADMIN = "premiere.admin@example.org"
ADMIN_PASSWORD = "Platanes-premier-pas-2027"
MODERATOR = "moderation@example.org"
MODERATOR_PASSWORD = "Moderer-avec-soin-2027"
RESIDENT = "habitante.platanes@example.org"
SLUG = "les-platanes"

HOUSEHOLDS = ("adresse;code_postal;ville;secteur\n"
              "1 allée des Platanes;13100;Aix-en-Provence;allee-des-platanes\n"
              "3 allée des Platanes;13100;Aix-en-Provence;allee-des-platanes\n"
              "5 allée des Platanes;131;Aix-en-Provence;allee-des-platanes\n"
              "2 rue des Tilleuls;13100;Aix-en-Provence;rue-des-tilleuls\n"
              ";13100;Aix-en-Provence;rue-des-tilleuls\n"
              "4 rue des Tilleuls;13100;Aix-en-Provence;rue-des-tilleuls\n").encode()
VALID = 4
LETTER_CODE = re.compile(r"^[A-Z2-9]{4}-?[A-Z2-9]{4}-?[A-Z2-9]{2}$")


@pytest.fixture
def fresh():
    """A server on an empty database (no demo), stopped at the end."""
    server, tmp = start_live_server(demo=False)
    yield server, tmp
    stop_live_server(server, tmp)


def submit(page, action_suffix: str = "") -> None:
    """Press the submit button of the main form (the one posting to ``…action_suffix`` if given)."""
    form = page.locator(f"main form[action$='{action_suffix}']") if action_suffix else page.locator("main form")
    form.locator("button[type=submit]").last.click()
    page.wait_for_load_state()


def sign_in(page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/connexion/mot-de-passe/")
    page.locator("main input[type=email]").fill(email)
    page.locator("main input[type=password]").fill(password)
    submit(page)


def signed_in_as(page, url: str, name: str) -> None:
    page.goto(f"{url}/moi/")
    expect(page.locator("main")).to_contain_text(name)


def mail_link(server, address: str, pattern: str) -> str:
    mails = server.mails_to(address)
    assert mails, f"no mail was sent to {address}"
    return re.search(rf"https?://\S+{pattern}\S*", mails[-1]).group(0)


def test_a_new_organiser_runs_a_campaign_from_first_run_to_a_resident_joining(fresh, browser):
    server, tmp = fresh
    url, base = server.url, f"{server.url}/c/{SLUG}"

    # First run: the organisation and its first administrator, the password read from a file.
    password_file = f"{tmp.name}/password.txt"
    with open(password_file, "w", encoding="utf-8") as f:
        f.write(ADMIN_PASSWORD + "\n")
    out = server.manage("concerto_setup", "--organisation", "Quartiers Vivants", "--email", ADMIN,
                        "--name", "Camille Première", "--password-file", password_file)
    assert "/connexion/mot-de-passe/" in out

    admin_ctx = browser.new_context(locale="fr-FR")
    page = admin_ctx.new_page()
    sign_in(page, url, ADMIN, ADMIN_PASSWORD)
    signed_in_as(page, url, "Camille Première")

    # A campaign, created in the back office.
    page.goto(f"{url}/gestion/campagnes/")
    page.locator("a[href$='/gestion/campagnes/nouvelle/']").first.click()
    page.locator("#id_name").fill("Concertation Les Platanes 2027")
    page.locator("#id_slug").fill(SLUG)
    page.locator("#id_territory").fill("Les Platanes, Aix-en-Provence")
    page.locator("#id_languages_0").check()
    page.locator("#id_contact_name").fill("Comité des Platanes")
    page.locator("#id_contact_email").fill("contact@platanes.example.org")
    submit(page)
    page.goto(f"{url}/gestion/campagnes/")
    expect(page.locator("main")).to_contain_text("Concertation Les Platanes 2027")

    # Its calendar: the letters phase, then participation.
    page.goto(f"{base}/gestion/calendrier/")
    for kind, starts, ends in (("invitation", "2027-03-01T09:00", "2027-03-31T18:00"),
                               ("participation", "2027-04-01T09:00", "2027-05-31T18:00")):
        page.locator("#id_kind").select_option(kind)
        page.locator("#id_starts_at").fill(starts)
        page.locator("#id_ends_at").fill(ends)
        submit(page)
    expect(page.locator("main table tbody tr")).to_have_count(2)

    # Its themes and sectors.
    page.goto(f"{base}/gestion/themes/")
    for name in ("Espaces verts", "Mobilités"):
        page.locator("#id_name").fill(name)
        submit(page)
    expect(page.locator("main table tbody tr")).to_have_count(2)
    page.goto(f"{base}/gestion/secteurs/")
    for name in ("Allée des Platanes", "Rue des Tilleuls"):
        page.locator("#id_name").fill(name)
        submit(page)
    expect(page.locator("main table tbody")).to_contain_text("allee-des-platanes")
    expect(page.locator("main table tbody")).to_contain_text("rue-des-tilleuls")

    # A moderator, invited by mail, chooses a name and a password in another browser, and is signed in.
    page.goto(f"{base}/gestion/equipe/")
    page.locator("#id_email").fill(MODERATOR)
    page.locator("input[name=role][value=moderator]").check()
    submit(page)
    invitation = mail_link(server, MODERATOR, "/invitation/")
    moderator_ctx = browser.new_context(locale="fr-FR")
    moderator = moderator_ctx.new_page()
    moderator.goto(invitation)
    moderator.locator("#id_display_name").fill("Dominique Modère")
    moderator.locator("#id_password").fill(MODERATOR_PASSWORD)
    moderator.locator("#id_password_again").fill(MODERATOR_PASSWORD)
    submit(moderator)
    assert moderator.url.rstrip("/").endswith(f"/c/{SLUG}"), moderator.url
    moderator.locator("a.moderation-link").click()  # the campaign's menu leads to the moderation queue
    assert moderator.url == f"{base}/moderation/", moderator.url
    assert moderator.reload().status == 200  # the queue itself, not the 404 others get
    signed_in_as(moderator, url, "Dominique Modère")
    # Signed out, then in again with the password chosen.
    moderator.locator("form[action$='/deconnexion/'] button").first.click()
    moderator.goto(f"{url}/moi/")
    assert "/connexion/" in moderator.url
    sign_in(moderator, url, MODERATOR, MODERATOR_PASSWORD)
    signed_in_as(moderator, url, "Dominique Modère")
    page.goto(f"{base}/gestion/equipe/")
    expect(page.locator("main li.card").filter(has_text="Dominique Modère")).to_contain_text("Modérateur·rice")
    moderator_ctx.close()

    # Households: the valid lines imported, the rejected ones downloaded with their reason.
    page.goto(f"{base}/foyers/importer/")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "platanes.csv", "mimeType": "text/csv", "buffer": HOUSEHOLDS}])
    submit(page)
    with page.expect_download() as download:
        page.locator("a[href$='lignes-rejetees.csv']").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 2, rows
    assert rows[0][:4] == ["adresse", "code_postal", "ville", "secteur"] and len(rows[0]) == 5  # + the reason
    assert [row[:4] for row in rows[1:]] == [["5 allée des Platanes", "131", "Aix-en-Provence", "allee-des-platanes"],
                                             ["", "13100", "Aix-en-Provence", "rue-des-tilleuls"]]
    assert "131" in rows[1][4] and "code postal" in rows[1][4], rows[1]
    assert "adresse" in rows[2][4].lower(), rows[2]
    page.get_by_role("button", name=f"Importer {VALID} foyers").click()
    page.wait_for_load_state()
    page.goto(f"{base}/foyers/")
    expect(page.locator("main table tbody tr")).to_have_count(VALID)

    # One household corrected on its page.
    page.get_by_role("link", name="3 allée des Platanes").click()
    page.locator("#id_address_line1").fill("3 bis allée des Platanes")
    page.locator("form[action$='/modifier/'] button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("3 bis allée des Platanes")

    # Letters: one per household, none printed twice (the e2e server runs the batch task at once).
    page.goto(f"{base}/courriers/lots/")
    page.locator("#scope-new").check()
    submit(page)
    assert re.search(r"/courriers/lots/\d+/$", page.url), page.url
    download_link = page.locator("main a[href$='/telecharger/']")
    expect(download_link).to_contain_text(f"{VALID} courriers")
    with page.expect_download() as download:
        download_link.click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))
    assert pages == VALID, f"{pages} pages for {VALID} households"
    page.goto(f"{base}/courriers/lots/")
    expect(page.locator("label[for=scope-new]")).to_contain_text("(0 courrier)")
    expect(page.locator("main table tbody tr")).to_have_count(1)

    # A code, from the households & codes export.
    page.goto(f"{base}/foyers/exporter/")
    with page.expect_download() as download:
        submit(page)
    export = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")), delimiter=";"))
    assert len(export) == 1 + VALID, export
    codes = [value for row in export[1:] for value in row if LETTER_CODE.match(value)]
    assert len(set(codes)) == VALID, export  # one code per household, none shared
    assert "3 bis allée des Platanes" in {value for row in export for value in row}, export  # the correction
    code = codes[0]

    # The launch checklist counts all of it done; only the texts the journey skipped are left to do.
    page.goto(f"{base}/gestion/lancement/")
    expect(page.locator("main li.check-done")).to_have_count(7)  # calendar, themes, sectors, households, letters, contact, moderator
    expect(page.locator("main li.check-missing")).to_have_count(3)  # legal notice, privacy notice, consent
    admin_ctx.close()

    # A resident joins with the code by e-mail, and lands signed in on the campaign.
    resident_ctx = browser.new_context(locale="fr-FR")
    resident = resident_ctx.new_page()
    resident.goto(f"{base}/rejoindre/")
    resident.locator("main input[name=code]").fill(code)
    submit(resident)
    resident.locator("#id_email-email").fill(RESIDENT)
    resident.locator("#id_email-display_name").fill("Sacha")
    resident.locator("main form:has(#id_email-email) button[type=submit]").click()
    resident.wait_for_load_state()
    resident.goto(mail_link(server, RESIDENT, f"/c/{SLUG}/rejoindre/lien/"))
    submit(resident)
    assert resident.url == f"{base}/", resident.url
    expect(resident.locator(".messages")).to_contain_text("Vous avez rejoint « Concertation Les Platanes 2027 »")
    signed_in_as(resident, url, "Sacha")
    expect(resident.locator("main")).to_contain_text("Concertation Les Platanes 2027 – Habitant·e")
    expect(resident.locator("main")).to_contain_text("secteur « Allée des Platanes »), code utilisé le")
    resident_ctx.close()

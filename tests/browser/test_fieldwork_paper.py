"""A moderator types two paper forms with the keyboard alone: the focus starts on the form number,
the ticked actions are typed as numbers, Enter saves and brings back an empty form, the session's
count goes up. The entry page passes axe at 1280 and 360 px."""

import os
import re

import pytest
from playwright.sync_api import expect

from .helpers import CAMPAIGN, axe_violations, sign_in_with_password

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CONCERTO_SHOTS", "")  # opt-in: a folder for screenshots of each page

# Two printed forms of the demo campaign (the consent text written first, as an organiser does).
SETUP = """
from concerto.campaigns.models import Campaign
from concerto.residents.models import User
from concerto.fieldwork import services
campaign = Campaign.objects.get(slug="saint-jerome")
organiser = User.objects.get(email="organisatrice@example.org")
services.consent_script_save(by=organiser, campaign=campaign, text="Nous gardons vos soutiens et vos propositions "
    "pour la consultation du quartier, jusqu'à la fin de la campagne. Vous pouvez demander leur effacement.")
sheets = services.paper_sheets_create(by=organiser, campaign=campaign, count=2)
print("SERIALS=" + ",".join(s.serial for s in sheets))
"""


def _focused_name(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name")


def _tab_to(page, name, *, limit=12):
    for _ in range(limit):
        if _focused_name(page) == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{name} not reached with the Tab key")


def test_a_moderator_types_two_forms_with_the_keyboard_alone(page, live):
    out = live.manage("shell", "-c", SETUP)
    serials = next(line[8:] for line in out.splitlines() if line.startswith("SERIALS=")).split(",")
    sign_in_with_password(page, live, "moderatrice@example.org")
    page.goto(f"{live.url}{CAMPAIGN}/terrain/papier/saisie/")
    # Texts are matched in French or English: the French catalogue of this page is merged separately.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("formulaires papier|paper forms", re.I))

    # First form: two actions typed as numbers, a proposal, initials, news by post, consent; Enter saves.
    assert _focused_name(page) == "serial"
    page.keyboard.type(serials[0].lower())
    page.keyboard.press("Tab")
    page.keyboard.type("1 3")
    _tab_to(page, "proposal")
    page.keyboard.type("Un abri pour attendre le bus devant la pharmacie.")
    _tab_to(page, "initials")
    page.keyboard.type("M. D.")
    _tab_to(page, "wants_post")
    page.keyboard.press("Space")
    _tab_to(page, "consent")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(serials[0][:3] + "-" + serials[0][3:])
    expect(page.locator(".paper-count")).to_have_text(re.compile("^1 (formulaire saisi|form entered)$"))
    assert _focused_name(page) == "serial"
    expect(page.locator("#id_serial")).to_have_value("")

    # Second form: one action, no proposal; the consent box forgotten first, then ticked.
    page.keyboard.type(serials[1])
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(page.locator("#id_consent_error")).to_contain_text("J’accepte")
    expect(page.locator("#id_serial")).to_have_value(serials[1])
    expect(page.locator("#id_numbers")).to_have_value("2")
    page.locator("#id_consent").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.locator(".paper-count")).to_have_text(re.compile("^2 (formulaires saisis|forms entered)$"))
    expect(page.locator(".paper-recent li")).to_have_count(2)

    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        assert axe_violations(page) == [], width
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/paper-entry-{width}.png", full_page=True)


def test_an_organiser_asks_for_forms_and_gets_the_pdf(page, live):
    sign_in_with_password(page, live, "organisatrice@example.org")
    page.goto(f"{live.url}{CAMPAIGN}/terrain/papier/")
    page.locator("summary.paper-choose").click()
    for box in page.locator("input[name=actions]").all()[:12]:
        box.check()
    page.locator("#id_count").fill("3")
    page.locator("#id_count").press("Enter")
    expect(page.locator("#print-progress a.button")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#print-progress a.button").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.goto(f"{live.url}{CAMPAIGN}/terrain/papier/")
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        assert axe_violations(page) == [], width
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/paper-print-{width}.png", full_page=True)

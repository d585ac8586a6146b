"""Versions and amendments in the browser (issue 15): the organiser decides an amendment with the
keyboard alone, accepting it; the new version and its diff show inline and side by side; every
new page passes axe-core at 1280 and 360 px and does not scroll sideways on a phone."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import CAMPAIGN, axe_violations, tab_to

pytestmark = pytest.mark.browser
ORGANISER = "organisatrice@example.org"
SHOTS = os.environ.get("AMEND_SHOTS")  # a folder: screenshots of each page at both sizes

# One amendment still to decide (the demo decided all of its own), on a workshop action.
SETUP = """
from django.utils import timezone
from concerto.campaigns.models import Campaign
from concerto.live_event.models import Candidate
from concerto.proposals.models import Action
from concerto.synthesis.models import Amendment

campaign = Campaign.objects.get(slug="saint-jerome")
action = Action.objects.filter(campaign=campaign, status="published", origin="workshop").order_by("pk").first()
candidate = Candidate.objects.filter(campaign=campaign).order_by("ballot_order").first()
amendment = Amendment.objects.create(campaign=campaign, action=action, candidate=candidate, source="written",
                                     text="Installer des bancs ombragés le long du parcours.",
                                     created_at=timezone.now())
print("AMENDMENT=" + str(amendment.pk) + " ACTION=" + str(action.pk))
"""


def check_page(page, name):
    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert violations == [], (name, label, violations)
        if label == "360":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, (name, "scrolls sideways")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_organiser_accepts_an_amendment_and_sees_the_diff(context_factory, signed_in_state, live):
    out = live.manage("shell", "-c", SETUP)
    amendment_id, action_id = re.search(r"AMENDMENT=(\d+) ACTION=(\d+)", out).groups()

    page = context_factory(viewport=DESKTOP, storage_state=signed_in_state(ORGANISER, "concerto-demo")).new_page()
    page.goto(f"{live.url}{CAMPAIGN}/synthese/amendements/")
    expect(page.locator("main p[role=status]")).to_contain_text("1")
    check_page(page, "amendments")
    page.goto(f"{live.url}{CAMPAIGN}/synthese/amendements/?status=undecided")
    link = page.locator(f'main table a[href="{CAMPAIGN}/synthese/amendements/{amendment_id}/"]')
    tab_to(page, link, max_presses=120)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/synthese/amendements/{amendment_id}/$"))
    expect(page.locator("main")).to_contain_text("Installer des bancs ombragés")
    check_page(page, "amendment")

    # Keyboard only: the decision, its reason, the final words of the text, then submit.
    accept = page.locator('input[name="decision"][value="accepted"]')
    tab_to(page, accept, max_presses=120)
    page.keyboard.press("Space")
    expect(accept).to_be_checked()
    tab_to(page, page.locator("#id_reason"))
    page.keyboard.type("Les participants de l’atelier le demandaient déjà.")
    body = page.locator("#id_body")
    tab_to(page, body)
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\nDes bancs ombragés seront installés le long du parcours.")
    tab_to(page, page.locator('main form[action$="/decision/"] button[type="submit"]'))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/actions/{action_id}/versions/"))

    inline = page.locator("main .diff-inline")
    expect(inline.locator("ins").filter(has_text="Des bancs ombragés seront installés")).to_have_count(1)
    expect(page.locator("main table.journal")).to_contain_text("Les participants de l’atelier le demandaient déjà.")
    check_page(page, "versions-inline")

    side_link = page.locator('main a[href*="view=side"]')
    tab_to(page, side_link, max_presses=150)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"view=side"))
    side = page.locator("main table.diff-side")
    expect(side.first).to_be_visible()
    expect(page.locator("main table.diff-side td ins").filter(has_text="seront installés")).to_have_count(1)
    check_page(page, "versions-side")

    # The comparison form works without a script: version 1 against the last.
    page.select_option("#old", "1")
    page.locator('main form.compare-form button[type="submit"]').click()
    expect(page.locator("#compare-title")).to_contain_text("1")

    for name, path in (("amendments-public", "amendements/"), ("version-form", f"actions/{action_id}/versions/nouvelle/"),
                       ("digest-preference", "moi/resume-des-soutiens/")):
        page.goto(f"{live.url}{CAMPAIGN}/{path}")
        check_page(page, name)
    # The action's page links to its versions.
    page.goto(f"{live.url}{CAMPAIGN}/actions/{action_id}/")
    expect(page.locator(f'main a[href="{CAMPAIGN}/actions/{action_id}/versions/"]')).to_have_count(1)

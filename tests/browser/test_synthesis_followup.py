"""The follow-up board after the election, in the browser: the board and a commitment's page pass
axe-core at 1280 and 360 px with nothing wider than the phone; an organiser adds a dated update with
the keyboard only (Tab, typing, arrows, Enter) and sees it on the timeline with the new status.

The server is this module's own (a copy of the demo, whose follow-up is played after a fictional
election that may still be to come): the election rounds are moved a year back in its database, so
that an update dated today is accepted."""

import os
import re

import pytest
from playwright.sync_api import expect

from ..live import start_live_server, stop_live_server
from .conftest import DESKTOP, PHONE
from .helpers import CAMPAIGN, axe_violations, focused, sign_in_with_password, tab_to

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CONCERTO_SHOTS", "")

# Moves the rounds a year back and prints a commitment without update, then one with updates.
PAST_ELECTION = """
from datetime import timedelta
from django.utils import timezone
from concerto.campaigns.models import Campaign, ElectionRound
from concerto.synthesis import selectors
campaign = Campaign.objects.get(slug="saint-jerome")
today = timezone.localdate()
for r in ElectionRound.objects.filter(campaign=campaign).order_by("-number"):
    ElectionRound.objects.filter(pk=r.pk).update(vote_date=today - timedelta(days=400 + 7 * (2 - r.number)))
board = selectors.commitments(campaign)
fresh = next(c for c in board if c.status == "not_rated")
told = next(c for c in board if c.status != "not_rated")
print(fresh.pk, told.pk)
"""


@pytest.fixture(scope="module")
def followup_server():
    server, tmp = start_live_server()
    yield server
    stop_live_server(server, tmp)


@pytest.fixture(scope="module")
def commitments(followup_server):
    out = followup_server.manage("shell", "-c", PAST_ELECTION).strip().splitlines()[-1]
    return tuple(int(x) for x in out.split())


def check_page(page, name):
    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert violations == [], (name, label, violations)
        if label == "360":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, (name, "scrolls sideways")
        if os.path.isdir(SHOTS):
            page.screenshot(path=f"{SHOTS}/followup-{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_board_and_commitment_pages_are_accessible(context_factory, followup_server, commitments):
    _fresh, told = commitments
    page = context_factory(viewport=DESKTOP).new_page()
    page.goto(f"{followup_server.url}{CAMPAIGN}/suivi/")
    assert page.locator("h1").count() == 1
    expect(page.locator("table.followup-figures tbody tr")).to_have_count(6)
    check_page(page, "board")
    # The filter is a plain GET form.
    page.locator("#f-status").select_option("kept")
    page.locator("form.filters button").click()
    page.wait_for_url(re.compile(r"[?&]status=kept"))
    assert page.locator("table.followup-board tbody tr").count() >= 1
    check_page(page, "board-filtered")

    page.goto(f"{followup_server.url}{CAMPAIGN}/suivi/{told}/")
    assert page.locator("ol.followup-timeline > li").count() >= 1
    assert page.locator("ol.followup-timeline a[href^='https://']").count() >= 1
    check_page(page, "commitment")

    page.goto(f"{followup_server.url}{CAMPAIGN}/suivi/bilan/1/")
    check_page(page, "year")


def test_an_organiser_adds_an_update_with_the_keyboard(context_factory, followup_server, commitments):
    fresh, _told = commitments
    page = context_factory(viewport=DESKTOP).new_page()
    sign_in_with_password(page, followup_server, "organisatrice@example.org")
    page.goto(f"{followup_server.url}{CAMPAIGN}/suivi/{fresh}/")
    check_page(page, "commitment-organiser")

    tab_to(page, page.locator("#id_title"), max_presses=80)
    page.keyboard.type("Délibération du conseil municipal")
    tab_to(page, page.locator("#id_happened_on"), max_presses=1)
    expect(page.locator("#id_happened_on")).to_have_value(re.compile(r"^\d\d/\d\d/\d{4}$"))  # today, filled in
    tab_to(page, page.locator("#id_status"), max_presses=1)
    page.keyboard.press("ArrowDown")  # « Not yet rated » → « In the works »
    expect(page.locator("#id_status")).to_have_value("in_the_works")
    tab_to(page, page.locator("#id_note"), max_presses=2)
    page.keyboard.type("Le conseil a voté les crédits d'études.")
    tab_to(page, page.locator("#id_evidence_url"), max_presses=2)
    page.keyboard.type("https://mairie-saint-jerome.example.org/conseil/deliberation-1")
    page.keyboard.press("Tab")
    info = focused(page)
    assert info is not None and info["visible"] and info["desc"].startswith("<button"), info
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    item = page.locator("ol.followup-timeline > li").first
    expect(item).to_contain_text("Délibération du conseil municipal")
    expect(page.locator(".followup-facts .status")).to_have_class(re.compile("status-in_the_works"))
    expect(item.locator("a[href='https://mairie-saint-jerome.example.org/conseil/deliberation-1']")).to_have_count(1)
    check_page(page, "commitment-updated")

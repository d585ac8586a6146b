"""The fairness report and the replay chapters of an ended show, in the browser: both pages (and the
action page's link to its time on the set) pass axe-core at 1280 and 360 px, nothing wider than the
phone; the CSV's signature printed on the page is the SHA-256 of the file the link downloads.

The server is this module's own (a copy of the demo): the show is made in its database when the demo
has no ended one, without touching the session's shared server."""

import hashlib
import os
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from ..live import start_live_server, stop_live_server
from .conftest import DESKTOP, PHONE
from .helpers import CAMPAIGN, axe_violations, sign_in_with_password, structure_problems, tab_to

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CONCERTO_SHOTS", "")

# Prints the pk of an ended show of the demo campaign, made here if the demo has none: three
# candidates (the demo's own, if it has them), three actions on air, turns for each candidate.
MAKE_SHOW = """
import uuid
from datetime import timedelta
from django.utils import timezone
from concerto.campaigns.models import Campaign
from concerto.live_event import order, services
from concerto.live_event.models import AirSpan, Candidate, Event, EventStatus, RunningItem, SpeakingTurn
from concerto.proposals.models import Action, ActionStatus
campaign = Campaign.objects.get(slug="saint-jerome")
event = Event.objects.filter(campaign=campaign, status=EventStatus.ENDED, started_at__isnull=False).first()
if event is None:
    candidates = list(Candidate.objects.filter(campaign=campaign).order_by("ballot_order"))
    if not candidates:
        candidates = [Candidate.objects.create(campaign=campaign, name=n, list_name=l, ballot_order=i)
                      for i, (n, l) in enumerate([("Claire Martin", "Saint-Jérôme en commun"),
                                                  ("Paul Durand", "Agir pour le 13e"),
                                                  ("Inès Benali", "Le quartier d'abord")], 1)]
    t0 = timezone.now() - timedelta(hours=2)
    event = Event.objects.create(campaign=campaign, title="Le plateau du rapport", starts_at=t0,
                                 stream_url="https://www.youtube.com/watch?v=rapport01", status=EventStatus.ENDED,
                                 started_at=t0, ended_at=t0 + timedelta(minutes=30), order_seed="0123456789abcdef",
                                 order_published_at=t0 - timedelta(days=1))
    actions = list(Action.objects.filter(campaign=campaign, status=ActionStatus.PUBLISHED).order_by("id")[:3])
    ids = [c.pk for c in candidates]
    for position, action in enumerate(actions, 1):
        item = RunningItem.objects.create(event=event, action=action, position=position, presenter="Habitant",
                                          reply_order=ids[position - 1:] + ids[:position - 1])
        start = t0 + timedelta(minutes=8 * (position - 1), seconds=5)
        AirSpan.objects.create(event=event, item=item, started_at=start, ended_at=start + timedelta(minutes=8))
        for k, cid in enumerate(item.reply_order):
            begin = start + timedelta(seconds=20 + 70 * k)
            SpeakingTurn.objects.create(event=event, candidate_id=cid, item=item, started_at=begin,
                                        ended_at=begin + timedelta(seconds=50 + 3 * k), client_id=uuid.uuid4())
services.report_sign(event=event)
item = RunningItem.objects.filter(event=event, air_spans__isnull=False).order_by("position").first()
print(event.pk, item.action_id if item else 0)
"""


@pytest.fixture(scope="module")
def report_server():
    server, tmp = start_live_server()
    yield server
    stop_live_server(server, tmp)


@pytest.fixture(scope="module")
def ended_show(report_server):
    out = report_server.manage("shell", "-c", MAKE_SHOW).strip().splitlines()[-1]
    event_id, action_id = (int(x) for x in out.split())
    return event_id, action_id


def check_page(page, name):
    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert violations == [], (name, label, violations)
        if label == "360":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, (name, "scrolls sideways")
        if os.path.isdir(SHOTS):
            page.screenshot(path=f"{SHOTS}/live-report-{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_the_report_and_the_chapters_of_an_ended_show(context_factory, report_server, ended_show):
    event_id, action_id = ended_show
    base = f"{report_server.url}{CAMPAIGN}/direct/{event_id}"
    page = context_factory(viewport=DESKTOP).new_page()

    page.goto(f"{base}/equite/")
    assert page.locator("h1").count() == 1
    digest = page.locator("code.digest").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    check_page(page, "report")
    with urllib.request.urlopen(f"{base}/equite.csv", timeout=10) as r:  # noqa: S310 - the loopback live server
        assert hashlib.sha256(r.read()).hexdigest() == digest

    page.goto(f"{base}/chapitres/")
    assert page.locator("ul.chapters > li").count() >= 1
    check_page(page, "chapters")

    if action_id:
        page.goto(f"{report_server.url}{CAMPAIGN}/actions/{action_id}/")
        assert page.locator("ul.action-extras a").count() >= 1
        check_page(page, "action")


def test_a_facilitator_corrects_a_turn_with_the_keyboard_and_the_report_says_the_figures_changed(
        context_factory, report_server, ended_show):
    """The turns page passes axe at both widths; a form sent with an empty reason comes back open on
    its turn with the error; then, with the keyboard only, the latest turn is given to another list,
    the page confirms it and lists the correction, and the public report shows its first signature."""
    event_id, _action_id = ended_show
    base = f"{report_server.url}{CAMPAIGN}/direct/{event_id}"
    page = context_factory(viewport=DESKTOP).new_page()
    sign_in_with_password(page, report_server, "animateur@example.org")
    page.goto(f"{base}/regie/")
    page.get_by_role("link", name="Corriger une intervention chronométrée par erreur").click()
    expect(page.locator("h1")).to_contain_text("Interventions chronométrées")
    check_page(page, "turns")
    assert structure_problems(page) == []

    latest = page.locator("ol.turn-list > li").first
    timed_for = latest.locator(".turn-who").inner_text()
    latest.locator("summary").click()
    latest.get_by_role("button", name="Enregistrer la correction").click()
    latest = page.locator("ol.turn-list > li").first
    expect(latest.locator(".error")).to_contain_text("Dites pourquoi l’intervention est corrigée")
    expect(latest.locator("details")).to_have_attribute("open", "")
    check_page(page, "turns-error")  # the open form, its error tied to the field

    select = latest.get_by_label("Qui a vraiment parlé ?")
    tab_to(page, select)
    page.keyboard.press("ArrowDown")  # the next list on the panel (or « personne » after the last one)
    chosen = select.evaluate("el => el.options[el.selectedIndex].text")
    page.keyboard.press("Tab")
    page.keyboard.type("Mauvaise touche pendant l’échange.")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("L’intervention")
    corrections = page.locator("#corrections")
    expect(corrections).to_contain_text("Mauvaise touche pendant l’échange.")
    assert chosen.split(" (")[0] in corrections.inner_text() or "supprimé" in corrections.inner_text()
    assert timed_for.split(" · ")[0].replace("Chronométrée pour ", "") in corrections.inner_text()

    page.goto(f"{base}/equite/")
    expect(page.locator(".notice")).to_contain_text("Les chiffres ont changé après la fin de l’émission")

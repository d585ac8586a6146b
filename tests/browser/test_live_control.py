"""The live event's control room, in the browser, with the keyboard only: the facilitator starts the
show, moves through three actions, gives the floor and records each candidate's position; a reload
in the middle of typing (the save refused by the network) gives back the unsent draft, which is sent
once the network is back. The page passes axe-core at 1280 and 360 px."""

import json
import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import CAMPAIGN, axe_violations

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CONCERTO_SHOTS", "")
FACILITATOR = "animateur@example.org"

# An event of its own, whatever the demo holds: its candidates when the demo has none, three
# published actions on the running order, the reply order published. Prints the event's id.
SETUP = """
from datetime import timedelta
from django.utils import timezone
from concerto.campaigns.models import Campaign
from concerto.live_event import services
from concerto.live_event.models import Candidate
from concerto.proposals.models import Action
from concerto.residents.models import User
campaign = Campaign.objects.get(slug="saint-jerome")
organiser = User.objects.get(email="organisatrice@example.org")
if not Candidate.objects.filter(campaign=campaign).exists():
    for name, list_name in [("Claire Martin", "Saint-Jérôme en commun"), ("Paul Durand", "Agir pour le 13e"),
                            ("Inès Benali", "Le quartier d'abord"), ("Marc Ollivier", "Aix demain")]:
        services.candidate_create(actor=organiser, campaign=campaign, name=name, list_name=list_name)
event = services.event_create(actor=organiser, campaign=campaign, title="Plateau de la régie",
                              starts_at=timezone.now() + timedelta(hours=1), place="Centre social")
actions = list(Action.objects.filter(campaign=campaign, status="published").order_by("id")[:3])
services.running_order_set(actor=organiser, event=event,
                           items=[(a.pk, f"Habitant·e {i}") for i, a in enumerate(actions, 1)])
services.event_order_publish(actor=organiser, event=event)
print(event.pk)
"""

STATE = """
import json
from concerto.live_event.models import Position, SpeakingTurn
event = {pk}
print(json.dumps({{
    "positions": sorted([p.item_id, p.candidate_id, p.stance, p.summary]
                        for p in Position.objects.filter(item__event_id=event)),
    "turns": [[t.item_id, t.candidate_id, t.ended_at is not None]
              for t in SpeakingTurn.objects.filter(event_id=event).order_by("started_at")],
}}))
"""


def check_page(page, name):
    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert violations == [], (name, label, violations)
        if label == "360":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, (name, "scrolls sideways")
        if os.path.isdir(SHOTS):
            page.screenshot(path=f"{SHOTS}/control-{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def tab_to(page, locator, limit=200):
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def screen(page):
    return page.locator(".control-screen:not([hidden])")


def record(page, n, summary, stance_key):
    """Candidate ``n`` of the shown action: the floor (key n), their summary (J moves to the next
    candidate's summary) and their position (Alt+digit), then Escape out of the field."""
    page.keyboard.press(str(n))
    row = screen(page).locator(".speaking-row").nth(n - 1)
    expect(row).to_have_class(re.compile("is-speaking"))
    page.keyboard.press("j")
    cell = screen(page).locator("[data-cell]").nth(n - 1)
    expect(cell.locator("textarea[name=summary]")).to_be_focused()
    page.keyboard.type(summary)
    page.keyboard.press(f"Alt+{stance_key}")
    expect(cell.locator("input[name=stance]").nth(stance_key - 1)).to_be_checked()
    page.keyboard.press("Escape")
    expect(cell.locator("h3")).to_be_focused()
    expect(cell.locator("[data-cell-state]")).to_have_attribute("data-state", "saved", timeout=10000)
    return row.get_attribute("data-candidate")


def test_facilitator_runs_three_actions_with_the_keyboard(context_factory, signed_in_state, live):
    pk = int(live.manage("shell", "-c", SETUP).strip().splitlines()[-1])
    control = f"{live.url}{CAMPAIGN}/direct/{pk}/regie/"
    page = context_factory(viewport=DESKTOP, storage_state=signed_in_state(FACILITATOR, "concerto-demo")).new_page()

    # From the campaign's menu to the index, then the event's control room.
    page.goto(f"{live.url}{CAMPAIGN}/")
    page.locator(f'nav a[href="{CAMPAIGN}/direct/regie/"]').click()
    page.wait_for_url(re.compile(r"/direct/regie/$"))
    check_page(page, "index")
    page.locator(f'main a[href="{CAMPAIGN}/direct/{pk}/regie/"]').click()
    page.wait_for_url(re.compile(r"/regie/$"))
    check_page(page, "before")

    # The help, with ? (and ? again goes back).
    page.keyboard.press("?")
    expect(page.locator("#control-keys")).to_be_focused()
    page.keyboard.press("?")

    # Start the show: its button, reached with Tab.
    tab_to(page, page.locator("#control-start"))
    page.keyboard.press("Enter")
    expect(page.locator("#control-status")).to_have_attribute("data-status", "on_air")

    items = page.locator(".order-item")
    expect(items).to_have_count(3)
    ids = [items.nth(i).get_attribute("data-item") for i in range(3)]
    done = []
    for number, item in enumerate(ids):
        page.keyboard.press("n")  # the next action on air; the screen follows
        expect(page.locator(f"#order-{item}")).to_have_class(re.compile("is-on-air"))
        expect(screen(page)).to_have_attribute("data-item", item)
        # One action on air, shown as such (badge and words), without its own « put on air » button.
        expect(page.locator(".order-item .on-air-badge:visible")).to_have_count(1)
        expect(page.locator(f"#order-{item} .on-air-badge")).to_be_visible()
        expect(page.locator(f"#order-{item} .put-on-air")).to_be_hidden()
        first = record(page, 1, f"Oui pour l'action {number + 1}.", 2)
        second = record(page, 2, f"Avec des changements ({number + 1}).", 3)
        done += [[int(item), int(first), "favourable", f"Oui pour l'action {number + 1}."],
                 [int(item), int(second), "with_changes", f"Avec des changements ({number + 1})."]]
    page.keyboard.press("0")
    expect(screen(page).locator(".speaking-row.is-speaking")).to_have_count(0)

    state = json.loads(live.manage("shell", "-c", STATE.format(pk=pk)).strip().splitlines()[-1])
    assert state["positions"] == sorted(done)
    assert len(state["turns"]) == 6 and all(ended for *_x, ended in state["turns"])
    assert [t[0] for t in state["turns"]] == [int(i) for i in ids for _ in range(2)]
    # The clocks: each candidate who spoke shows some time in this action's table.
    expect(screen(page).locator('[data-clock="show"]').first).not_to_have_text("")

    # A reload in the middle of typing, the save lost by the network: the draft comes back.
    page.route("**/regie/position/", lambda route: route.abort())
    page.keyboard.press("k")  # back to the previous candidate: the first of the last action
    cell = screen(page).locator("[data-cell]").nth(0)
    expect(cell.locator("textarea[name=summary]")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" Et un ajout pas encore envoyé.")
    page.keyboard.press("Alt+4")
    expect(cell.locator("[data-cell-state]")).to_have_attribute("data-state", "pending")
    page.reload()
    cell = screen(page).locator("[data-cell]").nth(0)
    expect(cell.locator("textarea[name=summary]")).to_have_value("Oui pour l'action 3. Et un ajout pas encore envoyé.")
    expect(cell.locator("input[name=stance]").nth(3)).to_be_checked()
    expect(cell.locator("[data-cell-state]")).to_have_attribute("data-state", "pending")
    page.unroute("**/regie/position/")
    expect(cell.locator("[data-cell-state]")).to_have_attribute("data-state", "saved", timeout=15000)
    state = json.loads(live.manage("shell", "-c", STATE.format(pk=pk)).strip().splitlines()[-1])
    assert [int(ids[2]), int(first), "reserved", "Oui pour l'action 3. Et un ajout pas encore envoyé."] \
        in state["positions"]
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('concerto:control:')).length") == 0

    check_page(page, "running")

    # The live updates refused (a proxy's 503): the control room says so, and reconnects.
    page.route("**/flux/**", lambda route: route.fulfill(status=503, body="indisponible", content_type="text/plain"))
    page.goto(control)
    banner = page.locator("#control-connection")
    expect(banner).to_be_visible()
    expect(banner).to_have_class(re.compile("is-down"))
    assert banner.get_attribute("role") == "status"
    page.unroute("**/flux/**")
    expect(banner).to_have_class(re.compile("is-up"), timeout=15000)
    # Connected again, the screens follow: the previous action on air with P.
    page.keyboard.press("p")
    expect(page.locator(f"#order-{ids[1]}")).to_have_class(re.compile("is-on-air"))
    # Space stops the clock as 0 does.
    page.keyboard.press("3")
    expect(screen(page).locator(".speaking-row.is-speaking")).to_have_count(1)
    page.keyboard.press("Space")
    expect(screen(page).locator(".speaking-row.is-speaking")).to_have_count(0)

"""Setting up the candidates' set, in the browser: the organiser's candidates page (a candidate added
through the form), the published reply order, and a candidate's own reactions page where one reaction
is written with the keyboard; every page passes axe-core at 1280 and 360 px."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import CAMPAIGN, axe_violations

pytestmark = pytest.mark.browser
ORGANISER = "organisatrice@example.org"
CANDIDATE = "liste-navigateur@example.org"
CANDIDATE_PASSWORD = "liste-navigateur-2027"

# A candidate's account, three lists and an event whose reply order is published (whatever the demo
# already holds: new names, the next free places on the panel).
SETUP = f"""
from datetime import timedelta
from django.utils import timezone
from concerto.campaigns.models import Campaign
from concerto.live_event import services
from concerto.live_event.models import Candidate
from concerto.proposals.models import Action
from concerto.residents.models import Role, User
from concerto.residents.services import role_grant_by_system

campaign = Campaign.objects.get(slug="saint-jerome")
by = User.objects.get(email="{ORGANISER}")
account = User.objects.create_user("{CANDIDATE}", password="{CANDIDATE_PASSWORD}", display_name="Liste navigateur")
role_grant_by_system(campaign=campaign, user=account, role=Role.CANDIDATE)
for i, name in enumerate(("Nadia Navigateur", "Olivier Onglet", "Pauline Pixel")):
    services.candidate_create(actor=by, campaign=campaign, name=name, list_name="Liste " + name,
                              user=account if i == 0 else None)
event = services.event_create(actor=by, campaign=campaign, title="Plateau d'essai",
                              starts_at=timezone.now() + timedelta(days=3), place="Centre social")
actions = list(Action.objects.filter(campaign=campaign, status="published").order_by("pk")[:4])
services.running_order_set(actor=by, event=event, items=[(a.pk, "Habitant " + str(i)) for i, a in enumerate(actions)])
services.event_order_publish(actor=by, event=event, seed="navigateur")
print("EVENT=" + str(event.pk))
"""


def check_page(page, name):
    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert violations == [], (name, label, violations)
        if label == "360":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, (name, "scrolls sideways")
    page.set_viewport_size(DESKTOP)


def test_candidates_order_and_a_candidates_reactions(context_factory, signed_in_state, live):
    out = live.manage("shell", "-c", SETUP)
    event_id = re.search(r"EVENT=(\d+)", out).group(1)

    page = context_factory(viewport=DESKTOP, storage_state=signed_in_state(ORGANISER, "concerto-demo")).new_page()
    page.goto(f"{live.url}{CAMPAIGN}/candidats/")
    expect(page.locator("main table")).to_contain_text("Nadia Navigateur")
    check_page(page, "candidates")
    page.locator(f'main a[href="{CAMPAIGN}/candidats/nouveau/"]').click()
    check_page(page, "candidate-form")
    page.fill("#id_name", "Quentin Quadrillage")
    page.fill("#id_list_name", "Liste Quentin Quadrillage")
    page.locator('main form button[type="submit"]').first.click()
    page.wait_for_url(re.compile(r"/candidats/$"))
    expect(page.locator("main table")).to_contain_text("Quentin Quadrillage")

    for name, path in (("events", "direct/evenements/"), ("calendar", "direct/calendrier/"),
                       ("running-order", f"direct/{event_id}/deroule/")):
        page.goto(f"{live.url}{CAMPAIGN}/{path}")
        check_page(page, name)

    page.goto(f"{live.url}{CAMPAIGN}/direct/{event_id}/ordre/")
    expect(page.locator("main")).to_contain_text("navigateur")  # the seed
    expect(page.locator("main pre")).to_contain_text("python -m concerto.live_event.order navigateur 4")
    check_page(page, "order")

    page = context_factory(viewport=DESKTOP, storage_state=signed_in_state(CANDIDATE, CANDIDATE_PASSWORD)).new_page()
    page.goto(f"{live.url}{CAMPAIGN}/candidats/mes-reactions/")
    check_page(page, "my-reactions")
    first = page.locator("main article").first
    first.locator('input[name="stance"]').first.focus()
    page.keyboard.press("Space")
    first.locator("textarea[name=text]").focus()
    page.keyboard.type("Nous nous engageons à la réaliser dans la première année.")
    first.locator('button[type="submit"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/mes-reactions/#action-\d+$"))
    expect(page.locator("main article").first.locator("textarea[name=text]")).to_have_value(
        "Nous nous engageons à la réaliser dans la première année.")
    check_page(page, "my-reactions-saved")

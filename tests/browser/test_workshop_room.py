"""The workshop room in the browser: a participant joins from a 360 px phone with the room code and
posts; an idea typed while the network is down waits in the outbox and arrives exactly once; the
reveal shows it on another participant's screen within 2 s; axe finds nothing on the room's pages.

Set ``ROOM_SHOTS=/some/dir`` to keep screenshots of every page checked."""

import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import axe_violations, sign_in_by_link, sign_in_with_password

pytestmark = pytest.mark.browser

SET_UP = """
from datetime import timedelta
from django.utils import timezone
from concerto.campaigns.models import Campaign
from concerto.residents.models import User
from concerto.workshops import services
from concerto.workshops.models import Attendee
campaign = Campaign.objects.get(slug="saint-jerome")
facilitator = User.objects.get(email="animateur@example.org")
start = timezone.now()
rows = []
for title, phase in (("Atelier du navigateur", "collect"), ("Atelier pas encore commencé", "planned"),
                     ("Atelier à regarder", "collect")):
    w = services.workshop_create(by=None, campaign=campaign, title=title, starts_at=start,
                                 ends_at=start + timedelta(hours=2), place="Maison de quartier",
                                 facilitators=[facilitator])
    for n, name in ((1, "Awa D."), (2, "Basile R."), (3, "Chantal P.")):
        Attendee.objects.create(workshop=w, name=name, user=User.objects.get(email=f"habitant00{n}@example.org")
                                if n < 3 else None, source="panel")
    if phase == "collect":
        services.workshop_phase_set(by=facilitator, workshop=w, phase="collect")
    rows.append(f"{w.pk} {w.room_code}")
print(" ".join(rows))
"""

COUNT = """
from concerto.workshops.models import Idea
print(Idea.objects.filter(text={text!r}).count())
"""


def _shot(page, name):
    folder = os.environ.get("ROOM_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"room-{name}.png"), full_page=True)


def _clean(page, name, problems):
    """axe at 1280 and 360 px (the page's own size first)."""
    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        _shot(page, f"{name}-{label}")
        problems.extend(f"{name} @ {label}: {v}" for v in violations)


def _watch(page, problems):
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))


@pytest.fixture(scope="module")
def rooms(live):
    line = live.manage("shell", "-c", SET_UP).strip().splitlines()[-1].split()
    return {"collect": (int(line[0]), line[1]), "planned": (int(line[2]), line[3]), "axe": (int(line[4]), line[5])}


def _participant(context_factory, live, email, **kwargs):
    context = context_factory(**kwargs)
    page = context.new_page()
    sign_in_by_link(page, live, email)
    return context, page


def test_join_post_offline_and_reveal(context_factory, live, rooms):
    workshop_id, code = rooms["collect"]
    errors = []
    # Awa, on a 360 px phone, types the code as read off the screen (small letters, a space).
    awa_ctx, awa = _participant(context_factory, live, "habitant001@example.org", viewport=PHONE, is_mobile=True,
                                has_touch=True)
    _watch(awa, errors)
    awa.goto(f"{live.url}/atelier/")
    awa.get_by_label("Code de la salle").fill(f"{code[:3].lower()} {code[3:].lower()}")
    awa.get_by_role("button", name="Rejoindre").click()
    expect(awa).to_have_url(re.compile(rf"/ateliers/{workshop_id}/mur/$"))
    awa.locator("#composer").get_by_label("Ce que je propose").check()
    awa.locator("#composer").get_by_label("Mon idée").fill("Un composteur partagé au square")
    awa.get_by_role("button", name="Envoyer mon idée").click()
    mine = awa.locator(".my-ideas")
    # A write the busy server could not take at once is retried after 2 s, then 4 s: room for that.
    expect(mine).to_contain_text("Un composteur partagé au square", timeout=20000)

    # The network drops in the middle of the next idea: it waits in the outbox, survives nothing
    # being sent, and arrives once when the network is back.
    awa.locator("#composer").get_by_label("Mon idée").fill("Des bancs à l’ombre")
    awa_ctx.set_offline(True)
    awa.locator("#composer").get_by_label("Mon idée").press("End")
    awa.locator("#composer").get_by_label("Mon idée").type(" rue Roger")
    awa.get_by_role("button", name="Envoyer mon idée").click()
    expect(awa.locator("#outbox")).to_be_visible()
    expect(awa.locator("#outbox")).to_contain_text("Des bancs à l’ombre rue Roger")
    awa.wait_for_timeout(2500)  # at least one retry while offline
    awa_ctx.set_offline(False)
    expect(awa.locator("#outbox")).to_be_hidden(timeout=15000)
    expect(mine).to_contain_text("Des bancs à l’ombre rue Roger", timeout=5000)
    count = live.manage("shell", "-c", COUNT.format(text="Des bancs à l’ombre rue Roger")).strip().splitlines()[-1]
    assert count == "1"

    # Basile, on his own screen, does not see Awa's ideas before the reveal.
    _basile_ctx, basile = _participant(context_factory, live, "habitant002@example.org", viewport=DESKTOP)
    _watch(basile, errors)
    basile.goto(f"{live.url}/atelier/{code}/")
    expect(basile).to_have_url(re.compile(rf"/ateliers/{workshop_id}/mur/$"))
    expect(basile.locator("#wall-live")).not_to_contain_text("composteur")
    # The live stream is open before the facilitator acts.
    basile.wait_for_timeout(500)

    facilitator = context_factory(viewport=DESKTOP).new_page()
    sign_in_with_password(facilitator, live, "animateur@example.org")
    facilitator.goto(f"{live.url}/c/saint-jerome/ateliers/{workshop_id}/animation/")
    expect(facilitator.locator("#wall-live")).to_contain_text("Un composteur partagé au square")
    facilitator.get_by_role("button", name=re.compile("Étape suivante")).click()
    expect(basile.locator("#wall-live")).to_contain_text("Un composteur partagé au square", timeout=2000)
    expect(basile.locator("#wall-live")).not_to_contain_text("Awa")
    expect(basile.locator("#wall-announce")).to_have_text(re.compile("révélées"), timeout=2000)
    assert not errors, errors


def test_the_room_pages_pass_axe(context_factory, live, rooms):
    collect_id, code = rooms["axe"]
    planned_id, planned_code = rooms["planned"]
    problems = []
    visitor = context_factory(viewport=DESKTOP).new_page()
    visitor.goto(f"{live.url}/atelier/")
    _clean(visitor, "join", problems)
    visitor.get_by_label("Code de la salle").fill("ZZZZZZ")
    visitor.get_by_role("button", name="Rejoindre").click()
    expect(visitor.locator(".error")).to_contain_text("Aucun atelier")
    _clean(visitor, "join-unknown", problems)
    visitor.goto(f"{live.url}/atelier/{planned_code}/")
    _clean(visitor, "join-name", problems)
    visitor.get_by_label("Votre prénom").fill("Dominique")
    visitor.get_by_role("button", name="Demander à entrer").click()
    expect(visitor).to_have_url(re.compile("/attente/$"))
    _clean(visitor, "waiting", problems)

    _ctx, chantal = _participant(context_factory, live, "habitant003@example.org", viewport=DESKTOP)
    # Not invited with this account (Chantal's seat has none): she asks like anyone else.
    chantal.goto(f"{live.url}/atelier/{code}/")
    expect(chantal.get_by_label("Votre prénom")).to_have_value(re.compile(".+"))
    chantal.get_by_role("button", name="Demander à entrer").click()
    expect(chantal).to_have_url(re.compile("/attente/$"))

    _ctx, awa = _participant(context_factory, live, "habitant001@example.org", viewport=DESKTOP)
    awa.goto(f"{live.url}/c/saint-jerome/ateliers/{planned_id}/mur/")
    _clean(awa, "wall-planned", problems)
    awa.goto(f"{live.url}/c/saint-jerome/ateliers/{collect_id}/mur/")
    awa.locator("#composer").get_by_label("Mon idée").fill("Un marché le dimanche")
    awa.get_by_role("button", name="Envoyer mon idée").click()
    expect(awa.locator(".my-ideas")).to_contain_text("Un marché le dimanche")
    _clean(awa, "wall-collect", problems)

    facilitator = context_factory(viewport=DESKTOP).new_page()
    sign_in_with_password(facilitator, live, "animateur@example.org")
    facilitator.goto(f"{live.url}/c/saint-jerome/ateliers/{planned_id}/animation/")
    _clean(facilitator, "console-planned", problems)
    facilitator.goto(f"{live.url}/c/saint-jerome/ateliers/{collect_id}/animation/")
    _clean(facilitator, "console", problems)
    facilitator.goto(f"{live.url}/c/saint-jerome/ateliers/{collect_id}/salle/")
    _clean(facilitator, "projector", problems)
    facilitator.goto(f"{live.url}/c/saint-jerome/ateliers/{collect_id}/animation/")
    facilitator.get_by_role("button", name=re.compile("Étape suivante")).click()
    awa.goto(f"{live.url}/c/saint-jerome/ateliers/{collect_id}/mur/")
    _clean(awa, "wall-reveal", problems)
    facilitator.goto(f"{live.url}/c/saint-jerome/ateliers/{collect_id}/animation/")
    _clean(facilitator, "console-reveal", problems)
    facilitator.goto(f"{live.url}/c/saint-jerome/ateliers/{collect_id}/salle/")
    _clean(facilitator, "projector-reveal", problems)
    assert not problems, "\n".join(problems)

"""Issue 13, "Done when": the ambassador's app loses nothing and counts nothing twice.

The network is cut (Playwright offline, which Chromium applies to the service worker too) for the
whole round: 30 visits, each with a resident who supports actions and dictates a proposal. The app is
reloaded offline (the service worker serves it, IndexedDB still holds the 30). The network comes back
through a route that fails 30 % of the sync requests and sends some twice; meanwhile three parallel
replays of the whole queue are posted from the page. The server then holds exactly the 30 visits,
their supports and proposals, once each. axe-core checks the app's screens at 360 and 1280 px.
"""

import json
import os
import random
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import (
    CAMPAIGN,
    axe_violations,
    describe_violations,
    sign_in_with_password,
    structure_problems,
)

pytestmark = pytest.mark.browser

AMBASSADOR = "ambassadeur@example.org"
VISITS = 30
DOORS = 5  # of the 30, the doors of today's round; the others at typed addresses
SHOTS = Path(os.environ["CONCERTO_SHOTS"]) if os.environ.get("CONCERTO_SHOTS") else None  # opt-in screenshots
CONSENT = ("Nous gardons vos soutiens et vos propositions pour la consultation du quartier Saint-Jérôme, "
           "jusqu'à la fin de la campagne. Vous pouvez demander leur effacement à l'association.")

SETUP = """
import json
from concerto.campaigns.selectors import campaign_get
from concerto.fieldwork import services
from concerto.fieldwork.models import FieldworkSettings
from concerto.residents.models import User
c = campaign_get("saint-jerome")
org = User.objects.get(email="organisatrice@example.org")
amb = User.objects.get(email="%(ambassador)s")
script = services.consent_script_save(by=org, campaign=c, text=%(consent)r)
before = FieldworkSettings.objects.filter(campaign=c).values("doors_per_hour_max", "daily_ceiling").first()
# This test records 30 doors in a minute: the "too fast" guard would rightly hold them for review.
FieldworkSettings.objects.update_or_create(campaign=c, defaults={"doors_per_hour_max": 1000, "daily_ceiling": 1000})
device, secret = services.device_create(by=org, campaign=c, ambassador_id=amb.pk, label="Téléphone du test")
device, token = services.device_enrol(user=amb, secret=secret)
# Today's round: five of the demo's households (the rounds helper's round_create does this for organisers).
from django.utils import timezone
from concerto.fieldwork.models import Round, RoundDoor
from concerto.letters.models import Household
today = timezone.localdate()
doors = list(Household.objects.filter(campaign=c).exclude(round_doors__day=today).order_by("-pk")[:%(doors)d])
the_round = Round.objects.create(campaign=c, ambassador=amb, day=today, note="Tournée du test hors ligne")
the_round.sectors.set({h.sector_id for h in doors if h.sector_id})
for position, household in enumerate(doors):
    RoundDoor.objects.create(round=the_round, household=household, day=today, position=position)
print(json.dumps({"token": token, "device": device.pk, "settings": before, "round": the_round.pk,
                  "households": [h.pk for h in doors]}))
"""

RESTORE = """
from concerto.fieldwork.models import FieldworkSettings, Round
Round.objects.filter(pk=%(round)d).delete()
before = %(before)r
if before is None:
    FieldworkSettings.objects.filter(campaign__slug="saint-jerome").delete()
else:
    FieldworkSettings.objects.filter(campaign__slug="saint-jerome").update(**before)
"""

RELEASE = """
from concerto.campaigns.selectors import campaign_get
from concerto.fieldwork import services
from concerto.fieldwork.models import Batch
from concerto.residents.models import User
c = campaign_get("saint-jerome")
org = User.objects.get(email="organisatrice@example.org")
for batch in Batch.objects.filter(device_id=%(device)d, status="held"):
    services.batch_release(by=org, campaign=c, batch_id=batch.pk, note="Saisies du test, vérifiées")
"""

CHECK = """
import json
from concerto.fieldwork.models import Participation, Visit
from concerto.proposals.models import Action, Support
visits = Visit.objects.filter(device_id=%(device)d)
users = Participation.objects.filter(visit__in=visits).values_list("user_id", flat=True)
print(json.dumps({
    "typed": sorted(visits.filter(household__isnull=True).values_list("address", flat=True)),
    "doors": sorted(visits.filter(household__isnull=False, round_id=%(round)d).values_list("household_id", flat=True)),
    "visits": visits.count(),
    "participations": Participation.objects.filter(visit__in=visits).count(),
    "supports": sorted(Support.objects.filter(user_id__in=users).values_list("action_id", "channel")),
    "proposals": sorted(Action.objects.filter(title__startswith="Proposition de la porte").values_list("title", "origin")),
}))
"""

REPLAY = """async (records) => {
  const send = async () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        const r = await fetch(concertoDoors.cfg.syncUrl, {method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRFToken": concertoDoors.state.csrf},
          body: JSON.stringify({records})});
        if (r.ok) { return (await r.json()).results.map(x => [x.id, x.status]); }
      } catch (e) { /* the flaky network: send again */ }
      await new Promise(ok => setTimeout(ok, 200));
    }
    return [["gave up", "gave up"]];
  };
  return Promise.all([send(), send(), send()]);
}"""


def _queue(page) -> int:
    return page.evaluate("concertoDoors.db.queue.where('state').equals('waiting').count()")


def _check_axe(page, what):
    violations = axe_violations(page)
    assert not violations, f"{what}:\n{describe_violations(violations)}"
    assert not structure_problems(page), (what, structure_problems(page))


def _shot(page, name):
    if SHOTS is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"app-{name}.png"), full_page=True)


def _record_visit(page, i, actions, titles, *, door=None, code=""):
    if door is None:
        page.locator("#doors-typed").click()
        page.locator("#visit-address").fill(f"{i + 1} avenue Saint-Jérôme")
    else:  # a door of today's round, not visited yet
        page.locator("#doors-rounds .doors-door:not(.is-visited)").first.click()
        expect(page.locator("#visit-address")).not_to_have_value("")
    page.locator("input[name=outcome][value=talked]").check()
    resident = page.locator("#visit-residents .doors-resident").first
    resident.locator(".doors-accept").click()
    resident.locator("[data-id=initials]").fill(f"R. {i}")
    for action in (actions[i % len(actions)], actions[(i + 1) % len(actions)]):
        resident.locator("[data-id=search]").fill(titles[action])  # as the ambassador finds it among 190
        resident.locator(f"input[data-support][value='{action}']").check()
    resident.locator(".doors-proposal textarea").first.fill(f"Proposition de la porte {i:02d} : un banc de plus")
    resident.locator(".doors-proposal input[type=checkbox]").first.check()
    resident.locator("[data-id=code]").fill(code)
    page.locator("#visit-form button[type=submit]").click()
    expect(page.locator("#screen-round")).to_be_visible()
    if door is not None:  # the list is drawn again with this door marked: the next one is another door
        expect(page.locator("#doors-rounds .doors-door.is-visited")).to_have_count(i + 1)


def test_a_round_offline_then_a_flaky_network_stores_each_visit_once(browser, live):
    setup = json.loads(live.manage("shell", "-c", SETUP % {"ambassador": AMBASSADOR, "consent": CONSENT, "doors": DOORS})
                       .strip().splitlines()[-1])
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR", service_workers="allow")
    try:
        page = ctx.new_page()
        sign_in_with_password(page, live, AMBASSADOR)
        ctx.add_cookies([{"name": "concerto_device", "value": setup["token"], "url": live.url, "httpOnly": True}])
        app_url = f"{live.url}{CAMPAIGN}/terrain/app/"
        page.goto(app_url)
        # Ready to leave: the worker controls the page (shell precached) and the data is on the phone.
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
        expect(page.locator("#doors-data-at")).not_to_have_text("")
        offered = page.evaluate("concertoDoors.db.meta.get('data').then(r => r.value.actions)")
        titles = {a["id"]: a["title"] for a in offered}
        actions = [a["id"] for a in offered[:3]]
        assert len(actions) == 3
        _check_axe(page, "round screen, 360 px")
        _shot(page, "round-360")

        # --- the whole round without network -----------------------------------------------------
        ctx.set_offline(True)
        assert page.evaluate("fetch('/healthz').then(() => 'up', () => 'down')") == "down"
        page.locator("#doors-typed").click()
        page.locator("input[name=outcome][value=talked]").check()
        page.locator("#visit-residents .doors-accept").first.click()
        _check_axe(page, "visit form with a resident, 360 px")
        _shot(page, "visit-360")
        page.locator("#visit-cancel").click()
        started = time.monotonic()
        for i in range(VISITS):
            _record_visit(page, i, actions, titles, door=True if i < DOORS else None)
        recording = time.monotonic() - started
        expect(page.locator("#doors-rounds .doors-door.is-visited")).to_have_count(DOORS)
        _shot(page, "round-done-360")
        # One more, with a letter code that is no campaign's: the server will refuse it, with a reason.
        _record_visit(page, VISITS, actions, titles, code="ZZZZ-ZZZZ-ZZ")
        bad = page.evaluate("concertoDoors.db.queue.orderBy('saved_at').last().then(r => r.id)")
        assert _queue(page) == VISITS + 1
        expect(page.locator("#doors-counter")).to_have_text(re.compile(rf"^{VISITS + 1}\b"))

        # Reloaded without network: the worker serves the shell, IndexedDB still has every visit.
        page.reload()
        expect(page.locator("#doors-counter")).to_have_text(re.compile(rf"^{VISITS + 1}\b"))
        assert _queue(page) == VISITS + 1
        assert page.evaluate("navigator.onLine") is False
        page.locator(".doors-tab[data-screen=queue]").click()
        expect(page.locator("#doors-queue li")).to_have_count(VISITS + 1)
        _check_axe(page, "waiting screen, 360 px")
        _shot(page, "queue-360")
        records = page.evaluate("concertoDoors.db.queue.orderBy('saved_at').toArray().then(rows => rows.map(r => r.record))")

        # --- the network returns, badly ------------------------------------------------------------
        # Of every 10 sync requests: 3 fail (no answer), 2 reach the server twice, 5 pass; in a shuffled order.
        fates = []
        rng = random.Random(13)
        seen = {"aborted": 0, "twice": 0, "passed": 0}

        def flaky(route):
            if not fates:
                fates.extend(["abort"] * 3 + ["twice"] * 2 + ["pass"] * 5)
                rng.shuffle(fates)
            fate = fates.pop()
            if fate == "abort":
                seen["aborted"] += 1
                route.abort("internetdisconnected")
            elif fate == "twice":
                seen["twice"] += 1
                route.fetch()  # the server receives it once here...
                route.fulfill(response=route.fetch())  # ...and once more: the phone reads the second answer
            else:
                seen["passed"] += 1
                route.continue_()

        ctx.route(re.compile(r".*/terrain/app/envoi/$"), flaky)
        ctx.set_offline(False)
        replays = page.evaluate(REPLAY, records)  # three whole-queue replays, racing the app's own sending
        # The bad visit is refused each time; the others are created (by one replay or the app) or "already".
        for replay in map(dict, replays):
            assert len(replay) == VISITS + 1 and replay.pop(bad) == "refused", replays
            assert set(replay.values()) <= {"created", "already"}, replays
        deadline = time.monotonic() + 60
        while _queue(page) and time.monotonic() < deadline:
            page.locator("#doors-send").click()  # on demand, as the ambassador would
            page.wait_for_timeout(700)
        assert _queue(page) == 0, seen
        # Only the refused one stays on the phone, shown with the server's reason.
        left = page.evaluate("concertoDoors.db.queue.toArray().then(rows => rows.map(r => [r.id, r.state, r.code]))")
        assert [row[:2] for row in left] == [[bad, "refused"]] and left[0][2].startswith("code_"), left
        expect(page.locator("#doors-counter")).to_have_text(re.compile(r"^0\b"))
        page.locator(".doors-tab[data-screen=queue]").click()
        refused = page.locator("#doors-queue li[data-state=refused]")
        expect(refused).to_have_count(1)
        expect(refused.locator(".doors-message")).not_to_be_empty()
        _shot(page, "queue-refused-360")
        assert seen["aborted"] and seen["twice"], seen
        ctx.unroute(re.compile(r".*/terrain/app/envoi/$"))

        # --- the server holds each visit, support and proposal once ------------------------------
        # Thirty doors typed in a minute are rightly flagged (visits too short, doors all opened): the
        # batches wait for an organiser, who counts them; then every visit counts once.
        live.manage("shell", "-c", RELEASE % {"device": setup["device"]})
        held = json.loads(live.manage("shell", "-c", CHECK % {"device": setup["device"], "round": setup["round"]})
                          .strip().splitlines()[-1])
        assert held["visits"] == VISITS
        assert held["doors"] == sorted(setup["households"])
        assert held["typed"] == sorted(f"{i + 1} avenue Saint-Jérôme" for i in range(DOORS, VISITS))
        assert held["participations"] == VISITS
        expected_supports = sorted((a, "door_to_door") for i in range(VISITS)
                                   for a in (actions[i % len(actions)], actions[(i + 1) % len(actions)]))
        assert [tuple(s) for s in held["supports"]] == expected_supports
        assert [tuple(p) for p in held["proposals"]] == sorted(
            (f"Proposition de la porte {i:02d} : un banc de plus", "door_to_door") for i in range(VISITS))

        # --- the screens at 1280 px ----------------------------------------------------------------
        page.set_viewport_size(DESKTOP)
        page.locator(".doors-tab[data-screen=round]").click()
        _check_axe(page, "round screen, 1280 px")
        _shot(page, "round-1280")
        page.locator("#doors-typed").click()
        page.locator("input[name=outcome][value=talked]").check()
        _check_axe(page, "visit form, 1280 px")
        _shot(page, "visit-1280")
        page.locator("#visit-cancel").click()
        page.locator(".doors-tab[data-screen=queue]").click()
        _check_axe(page, "waiting screen, 1280 px")
        _shot(page, "queue-1280")
        print(f"recorded {VISITS} visits offline in {recording:.1f} s; sync requests: {seen}")
    finally:
        ctx.close()
        live.manage("shell", "-c", RESTORE % {"before": setup["settings"], "round": setup["round"]})

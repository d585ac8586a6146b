"""The live event seen from the audience: a facilitator runs the show through the control room's JSON
contract (``/regie/antenne/``, ``/regie/position/``, ``/regie/parole/``), while a phone (360 px) on
the public live page and an overlay (1920×1080) in other browser contexts follow each change; the
overlay reloaded mid-show is whole; a viewer whose stream dropped catches up; axe-core passes on the
live page at 360 and 1280 px.

The event is built in the live server's own database with ``manage.py shell`` (``live.manage``)
while the server runs: the pages read it on load, and everything after the set-up goes through the
server, so its stream carries every change (run with ``REDIS_URL`` set, the changes go through Redis).
The demo's candidates are used when the demo has some; otherwise three are created.
"""

import json
import os
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import CAMPAIGN, axe_violations, sign_in_with_password

pytestmark = pytest.mark.browser

# The goal is 1 s (issue 14); the machine running the suites is shared, so the assertions wait longer
# and the delivery time itself is measured by `make bench`, not here.
WITHIN_MS = 5000
SHOTS = Path(os.environ["CONCERTO_SHOTS"]) if os.environ.get("CONCERTO_SHOTS") else None  # opt-in screenshots

SET_UP = """
import json
from datetime import timedelta
from django.utils import timezone
from concerto.campaigns.models import Campaign
from concerto.live_event import services
from concerto.live_event.models import Candidate
from concerto.proposals.models import Action
from concerto.residents.models import Role, User
from concerto.residents.services import role_grant_by_system
campaign = Campaign.objects.get(slug="saint-jerome")
organiser = User.objects.create_user("plateau-orga@example.org", password="plateau-password-123")
role_grant_by_system(campaign=campaign, user=organiser, role=Role.ORGANISER)
facilitator = User.objects.create_user("plateau-regie@example.org", password="plateau-password-123")
role_grant_by_system(campaign=campaign, user=facilitator, role=Role.FACILITATOR)
if not Candidate.objects.filter(campaign=campaign).exists():
    for name, list_name in [("Claire Martin", "Saint-Jérôme en commun"), ("Paul Durand", "Agir pour Marseille 13"),
                            ("Inès Benali", "Le quartier d'abord")]:
        services.candidate_create(actor=organiser, campaign=campaign, name=name, list_name=list_name)
actions = list(Action.objects.filter(campaign=campaign, status="published").order_by("pk")[:3])
event = services.event_create(actor=organiser, campaign=campaign, title="Plateau d'essai",
                              starts_at=timezone.now() + timedelta(minutes=5), place="Centre social")
services.running_order_set(actor=organiser, event=event, items=[(a.pk, "Habitante") for a in actions])
services.event_order_publish(actor=organiser, event=event, seed="0123456789abcdef")
items = [{"id": i.pk, "title": i.action.title, "reply_order": i.reply_order}
         for i in event.items.select_related("action").order_by("position")]
candidates = {c.pk: {"name": c.name, "list": c.list_name} for c in Candidate.objects.filter(campaign=campaign)}
print(json.dumps({"event": event.pk, "items": items, "candidates": candidates}))
"""


class Control:
    """The facilitator's side: the control room's JSON POSTs, with the session and CSRF token."""

    def __init__(self, context, live, event_id):
        self.request = context.request
        self.base = f"{live.url}{CAMPAIGN}/direct/{event_id}/regie"
        token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        self.headers = {"X-CSRFToken": token, "X-Requested-With": "fetch"}

    def post(self, what, **form):
        response = self.request.post(f"{self.base}/{what}/", form=form, headers=self.headers)
        assert response.ok, (what, response.status, response.text())
        return response.json()

    def position(self, item, candidate, stance, summary="", *, client_id=None, revision=1):
        return self.post("position", item=str(item), candidate=str(candidate), stance=stance, summary=summary,
                         client_id=client_id or str(uuid.uuid4()), revision=str(revision))

    def speak(self, candidate):
        return self.post("parole", candidate=str(candidate), client_id=str(uuid.uuid4()))


def watch(page, problems):
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))


def test_viewers_and_overlays_follow_the_show(context_factory, live):
    world = json.loads(live.manage("shell", "-c", SET_UP).strip().splitlines()[-1])
    event_id, items = world["event"], world["items"]
    names = {int(k): v for k, v in world["candidates"].items()}
    live_url = f"{live.url}{CAMPAIGN}/direct/{event_id}/"
    problems = []

    facilitator_ctx = context_factory(viewport=DESKTOP)
    sign_in_with_password(facilitator_ctx.new_page(), live, "plateau-regie@example.org", "plateau-password-123")
    control = Control(facilitator_ctx, live, event_id)

    viewer = context_factory(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    overlay = context_factory(viewport={"width": 1920, "height": 1080}).new_page()
    strip_ctx = context_factory(viewport={"width": 1920, "height": 1080})
    strip = strip_ctx.new_page()
    for page in (viewer, overlay, strip):
        watch(page, problems)
    viewer.goto(live_url)
    overlay.goto(f"{live_url}incrustation/bandeau/")
    strip.goto(f"{live_url}incrustation/reactions/")
    announce = viewer.locator('[data-part="announce"]')
    expect(announce).to_have_text(re.compile("Aucune action|No action"))
    # Nothing broken while empty: the lower third is hidden, not a box of blanks.
    expect(overlay.locator('[data-part="lower-third"]')).to_be_hidden()
    for width in (PHONE, DESKTOP):
        viewer.set_viewport_size(width)
        assert axe_violations(viewer) == [], width
    viewer.set_viewport_size(PHONE)
    # Both pages have their stream open before the show starts.
    expect(viewer.locator('#live[data-stream="open"]')).to_have_count(1, timeout=WITHIN_MS)
    expect(overlay.locator('#overlay[data-stream="open"]')).to_have_count(1, timeout=WITHIN_MS)
    expect(strip.locator('#overlay[data-stream="open"]')).to_have_count(1, timeout=WITHIN_MS)

    control.post("debut")
    expect(viewer.locator('[data-part="status"]')).to_have_text(re.compile("direct|Live", re.I), timeout=WITHIN_MS)

    for n, item in enumerate(items):
        control.post("antenne", step="next")
        expect(announce).to_contain_text(item["title"], timeout=WITHIN_MS)
        expect(overlay.locator('[data-part="lt-title"]')).to_have_text(item["title"], timeout=WITHIN_MS)
        first, second = item["reply_order"][0], item["reply_order"][1]
        control.speak(first)
        expect(overlay.locator('[data-part="lt-name"]')).to_have_text(names[first]["name"], timeout=WITHIN_MS)
        expect(viewer.locator('[data-part="speaking"]')).to_contain_text(names[first]["name"], timeout=WITHIN_MS)
        control.position(item["id"], first, "favourable", f"Oui, pour l'action {n + 1}.")
        expect(overlay.locator('[data-part="lt-stance"]')).to_be_visible(timeout=WITHIN_MS)
        replies = viewer.locator('[data-part="replies"] li')
        # Positions appear in the reply order; the one not asked yet shows « — ».
        expect(replies.first).to_contain_text(f"Oui, pour l'action {n + 1}.", timeout=WITHIN_MS)
        expect(replies.nth(1)).to_contain_text("—")
        control.speak(second)
        control.position(item["id"], second, "no_answer")
        expect(replies.nth(1)).to_contain_text(re.compile("Pas de réponse|No answer"), timeout=WITHIN_MS)
        # The reaction strip: each candidate's position on the action on air, in reply order.
        expect(strip.locator(".reaction").nth(1)).to_contain_text(re.compile("Pas de réponse|No answer"),
                                                                   timeout=WITHIN_MS)
        expect(strip.locator(".reaction").first).to_contain_text(names[first]["name"])
        row = viewer.locator('[data-part="matrix"] tbody tr').nth(n)
        expect(row.locator(".stance-no_answer")).to_have_count(1, timeout=WITHIN_MS)

        if n == 1:
            # The overlay reloaded mid-show is whole at once, from the server.
            overlay.reload()
            expect(overlay.locator('[data-part="lt-title"]')).to_have_text(item["title"])
            expect(overlay.locator('[data-part="lt-name"]')).to_have_text(names[second]["name"])
            expect(overlay.locator('#overlay[data-stream="open"]')).to_have_count(1, timeout=WITHIN_MS)

    # A viewer whose stream dropped catches up when it comes back (Last-Event-ID: what it missed).
    viewer.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide', {persisted: true}))")
    expect(viewer.locator('#live[data-stream="closed"]')).to_have_count(1)
    last = items[-1]
    third = last["reply_order"][2]
    cell = str(uuid.uuid4())
    control.position(last["id"], third, "reserved", "Il faut voir le budget.", client_id=cell)
    control.post("parole", candidate="stop")
    viewer.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(viewer.locator('[data-part="replies"] li').nth(2)).to_contain_text("Il faut voir le budget.",
                                                                           timeout=WITHIN_MS)
    expect(viewer.locator('[data-part="speaking"]')).to_have_text(re.compile("Personne|Nobody"), timeout=WITHIN_MS)
    expect(overlay.locator('[data-part="lt-speaker"]')).to_be_hidden(timeout=WITHIN_MS)
    expect(strip.locator(".reaction").nth(2)).to_contain_text(re.compile("Réservé|Reserved"), timeout=WITHIN_MS)

    # A browser source that lost the network recovers when it comes back (the browser's retry, or
    # show.js reopening the stream on "online"), with what changed meanwhile.
    strip_ctx.set_offline(True)
    control.position(last["id"], third, "unfavourable", "Finalement non.", client_id=cell, revision=2)
    strip_ctx.set_offline(False)
    expect(strip.locator(".reaction").nth(2)).to_contain_text(re.compile("Défavorable|Unfavourable"),
                                                              timeout=2 * WITHIN_MS)

    # A plain reload shows the same state as the script drew.
    drawn = viewer.locator('[data-part="matrix"]').inner_text()
    viewer.reload()
    assert viewer.locator('[data-part="matrix"]').inner_text() == drawn
    for width in (PHONE, DESKTOP):
        viewer.set_viewport_size(width)
        assert axe_violations(viewer) == [], width
        if SHOTS:
            viewer.screenshot(path=str(SHOTS / f"live-page-{width['width']}.png"), full_page=True)
    if SHOTS:
        overlay.screenshot(path=str(SHOTS / "overlay-lower-third.png"))
        strip.screenshot(path=str(SHOTS / "overlay-reactions.png"))
    assert not problems, problems

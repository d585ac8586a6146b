"""An organiser reviews the door-to-door captures of the demo's ambassador: a batch of 27 doors in 45
minutes is held (more than 25 an hour), a visit was sent again with other content (a conflict), and a
resident met at the door has a household where someone joined online (a possible duplicate). The
review pages pass axe at 1280 and 360 px; releasing the batch counts its supports."""

import os
import re

import pytest
from playwright.sync_api import expect

from .helpers import CAMPAIGN, axe_violations, sign_in_with_password

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CONCERTO_SHOTS", "")  # opt-in: a folder for screenshots of each page

SETUP = """
import uuid
from datetime import timedelta
from django.utils import timezone
from concerto.campaigns.models import Campaign
from concerto.fieldwork import services
from concerto.fieldwork.models import Batch, ConsentScript, SyncConflict
from concerto.letters.models import CodeUse
from concerto.proposals.models import Action
from concerto.residents.models import User

campaign = Campaign.objects.get(slug="saint-jerome")
organiser = User.objects.get(email="organisatrice@example.org")
ambassador = User.objects.get(email="ambassadeur@example.org")
script = ConsentScript.objects.filter(campaign=campaign).order_by("-version").first() or services.consent_script_save(
    by=organiser, campaign=campaign, text="Nous gardons vos soutiens et vos propositions pour la consultation du "
    "quartier, jusqu'à la fin de la campagne. Vous pouvez demander leur effacement à l'association.")
device, secret = services.device_create(by=organiser, campaign=campaign, ambassador_id=ambassador.pk,
                                        label="Téléphone de vérification")
device, _token = services.device_enrol(user=ambassador, secret=secret)
action = Action.objects.filter(campaign=campaign, status="published").order_by("pk").first()
use = CodeUse.objects.filter(code__campaign=campaign, code__household__isnull=False, user__is_active=True).first()
# Yesterday afternoon, local time: the guards count doors per local day, so a batch started near
# midnight would be split in two days and not be held.
base = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0) - timedelta(days=1)

def person(at, code=""):
    return {"id": str(uuid.uuid4()), "initials": "J. M.", "supports": [action.pk], "proposals": [], "code": code,
            "consent": {"given": True, "version": script.version, "text_hash": script.text_hash, "at": at.isoformat()}}

def door(seconds, outcome="absent", people=(), address="4 rue des Glycines"):
    at = base + timedelta(seconds=seconds)
    return {"id": str(uuid.uuid4()), "captured_at": at.isoformat(), "outcome": outcome, "address": address,
            "household": None, "participants": [person(at, code) for code in people]}

def send(records):
    return services.visits_sync(ambassador=ambassador, device=device, campaign=campaign, records=records)

first = door(-7200, "talked", [use.code.code], address=use.code.household.address_line1)
send([first])
send([dict(first, outcome="refused", participants=[])])
doors = [door(i * 100, "talked" if i in (3, 9) else "refused" if i in (5, 12, 20) else "absent",
              [""] if i in (3, 9) else [], address=f"{i + 1} rue des Glycines") for i in range(27)]
answers = send(doors)
assert all(a.get("held") for a in answers), answers
batch = Batch.objects.filter(campaign=campaign, status="held").order_by("-pk").first()
conflict = SyncConflict.objects.filter(campaign=campaign).order_by("-pk").first()
action.refresh_from_db()
print(f"BATCH={batch.pk}")
print(f"CONFLICT={conflict.pk}")
print(f"ACTION={action.pk}:{action.support_count}")
"""

COUNT = """
from concerto.proposals.models import Action
print(f"COUNT={Action.objects.get(pk={pk}).support_count}")
"""


def _printed(out: str, prefix: str) -> str:
    return next(line[len(prefix):] for line in out.splitlines() if line.startswith(prefix))


def _axe_both_widths(page, name):
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        assert axe_violations(page) == [], (name, width, axe_violations(page))
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/review-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_organiser_reviews_flags_conflicts_duplicates_and_releases_a_batch(page, live):
    out = live.manage("shell", "-c", SETUP)
    batch, conflict = _printed(out, "BATCH="), _printed(out, "CONFLICT=")
    action, before = _printed(out, "ACTION=").split(":")
    sign_in_with_password(page, live, "organisatrice@example.org")
    review = f"{live.url}{CAMPAIGN}/terrain/verification/"
    page.goto(review)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The flag's sentence names its figures (27 doors in one hour, at most 25) and links to the batch.
    expect(page.locator("#signalements ~ .card").first).to_contain_text(re.compile(r"27 .*25"))
    expect(page.locator(f"a[href$='/terrain/verification/lots/{batch}/']").first).to_be_visible()
    expect(page.locator(f"a[href$='/terrain/verification/conflits/{conflict}/']")).to_be_visible()
    expect(page.locator("button[name=decision][value^='same:']").first).to_be_visible()
    _axe_both_widths(page, "page")

    page.goto(f"{live.url}{CAMPAIGN}/terrain/verification/conflits/{conflict}/")
    expect(page.locator("table tbody tr")).to_have_count(8)
    _axe_both_widths(page, "conflict")

    page.goto(f"{live.url}{CAMPAIGN}/terrain/verification/lots/{batch}/")
    expect(page.locator("table tbody tr")).to_have_count(27)
    _axe_both_widths(page, "batch")
    page.locator("#batch-note").fill("Immeuble de 27 logements, vérifié avec l'ambassadeur.")
    page.locator("button[name=decision][value=release]").click()
    expect(page.locator(".messages .success")).to_be_visible()
    expect(page.locator("button[name=decision][value=release]")).to_have_count(0)
    after = _printed(live.manage("shell", "-c", COUNT.replace("{pk}", action)), "COUNT=")
    assert int(after) == int(before) + 2

    page.goto(review)
    expect(page.locator("#historique ~ ul")).to_contain_text("Immeuble de 27 logements")

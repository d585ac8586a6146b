"""One paper form typed by several staff at the same moment is applied once: the sheet row is locked
while it is entered, and ``Participation.sheet`` is unique in the database.

Each thread is one request: it loads its own objects, waits at a barrier so that all of them hit
the database together, and closes its connection at the end (Django opens one per thread).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from concerto.fieldwork import services
from concerto.fieldwork.models import Participation, SyncConflict
from concerto.proposals.models import Support

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def _enter(user_id, campaign_id, serial, supports, barrier):
    from concerto.campaigns.models import Campaign
    from concerto.residents.models import User

    try:
        user, campaign = User.objects.get(pk=user_id), Campaign.objects.get(pk=campaign_id)
        barrier.wait(timeout=30)
        return services.paper_entry_save(by=user, campaign=campaign, serial=serial,
                                         record={"supports": supports, "consent": {"given": True}})["status"]
    except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
        return exc
    finally:
        connection.close()


def test_the_same_form_typed_at_once_counts_once(organiser_dina, moderator_marc, consent_script, published_action):
    campaign = consent_script.campaign
    sheet = services.paper_sheets_create(by=organiser_dina, campaign=campaign, count=1)[0]
    barrier = threading.Barrier(THREADS)
    # Six typists type the same answers, two others a different one (an empty set of ticks).
    jobs = [([published_action.pk] if i < 6 else []) for i in range(THREADS)]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(_enter, (organiser_dina if i % 2 else moderator_marc).pk, campaign.pk, sheet.serial,
                               supports, barrier) for i, supports in enumerate(jobs)]
        results = [f.result(timeout=120) for f in futures]
    assert all(isinstance(r, str) for r in results), results
    assert results.count("created") == 1
    assert Participation.objects.filter(sheet=sheet).count() == 1
    winner_had_ticks = Support.objects.filter(channel="paper").exists()
    # Whoever came first, the others are answered as replays of it or as conflicts with it.
    same, other = (results[:6], results[6:]) if winner_had_ticks else (results[6:], results[:6])
    assert sorted(set(same)) in (["already", "created"], ["created"]) or set(same) == {"already"}
    assert set(other) == {"conflict"}
    assert SyncConflict.objects.filter(kind="paper").count() == 1
    assert Support.objects.filter(channel="paper").count() == (1 if winner_had_ticks else 0)

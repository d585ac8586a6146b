"""Two organisers plan rounds on the same doors for the same day at the same moment: each door ends
on one list only, and the round planned second leaves out (or is refused) the doors already taken."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from concerto.campaigns.models import Sector
from concerto.fieldwork import services
from concerto.fieldwork.errors import RoundConflict
from concerto.fieldwork.models import Round, RoundDoor
from concerto.residents.models import Role
from conftest import make_user

from .test_rounds import add_household

pytestmark = pytest.mark.django_db(transaction=True)
PLANNERS = 6


def _plan(organiser_id, campaign_id, ambassador_id, sector_id, day, barrier):
    from concerto.campaigns.models import Campaign
    from concerto.residents.models import User

    try:
        organiser, campaign = User.objects.get(pk=organiser_id), Campaign.objects.get(pk=campaign_id)
        barrier.wait(timeout=30)
        the_round = services.round_create(by=organiser, campaign=campaign, ambassador_id=ambassador_id, day=day,
                                          sector_ids=[sector_id])
        return ("ok", the_round.door_count)
    except RoundConflict:
        return ("refused", 0)
    except Exception as exc:  # noqa: BLE001 - every other failure is reported by the test
        return ("error", exc)
    finally:
        connection.close()


def test_parallel_planners_never_put_a_door_on_two_lists(campaign, organiser_dina):
    sector = Sector.objects.create(campaign=campaign, name="Nord", code="nord")
    for n in range(1, 21):
        add_household(campaign, sector, f"{n} rue Tissot")
    ambassadors = [make_user(f"amb{i}@example.org", campaign=campaign, role=Role.AMBASSADOR) for i in range(PLANNERS)]
    day = timezone.localdate() + timedelta(days=1)
    barrier = threading.Barrier(PLANNERS)
    with ThreadPoolExecutor(max_workers=PLANNERS) as pool:
        futures = [pool.submit(_plan, organiser_dina.pk, campaign.pk, a.pk, sector.pk, day, barrier)
                   for a in ambassadors]
        results = [f.result(timeout=120) for f in futures]
    assert [r for r in results if r[0] == "error"] == []
    # One planner got the 20 doors; the others found them taken and were refused.
    assert sorted(r[1] for r in results) == [0] * (PLANNERS - 1) + [20]
    assert Round.objects.count() == 1 and RoundDoor.objects.filter(day=day).count() == 20

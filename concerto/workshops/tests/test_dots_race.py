"""Concurrent clicks never exceed the dot limit: the workshop row lock serialises dot writes.

Threads, each like a request of its own, released together at a barrier. Meaningful on PostgreSQL
(real row locks); on SQLite the database serialises writers and the test passes as well.
"""

import threading

import pytest
from django.db import connection

from .. import services
from ..models import Attendee, Dot, WallTheme, Workshop
from .cluster_fixtures import make_attendee, make_workshop

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def test_simultaneous_clicks_on_many_items_stay_within_the_budget(campaign, resident_alice):
    workshop = make_workshop(campaign, phase="vote")
    alice = make_attendee(workshop, "Alice B.", user=resident_alice)
    themes = [WallTheme.objects.create(workshop=workshop, name=f"Thème {i}", position=i) for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes = [None] * THREADS

    def click(i):
        try:
            w = Workshop.objects.get(pk=workshop.pk)
            a = Attendee.objects.get(pk=alice.pk)
            barrier.wait(timeout=30)
            outcomes[i] = ("ok", services.dot_set(workshop=w, attendee=a, target=f"theme:{themes[i].pk}", count=2))
        except Exception as exc:  # noqa: BLE001 - reported below
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    ok = [o for o in outcomes if o[0] == "ok"]
    refused = [o[1] for o in outcomes if o[0] == "error"]
    assert {type(e).__name__ for e in refused} <= {"TooManyDots"}, refused
    # 5 dots, 2 per click: two clicks pass, the others are told how many are left.
    assert len(ok) == 2
    assert sum(Dot.objects.filter(attendee=alice).values_list("count", flat=True)) == 4

"""Exactly once under a storm of retries: ten sends of the same idea (one client id) at the same
moment store one idea, and every send is told about that one idea. Runs on SQLite and PostgreSQL
(where the unique client id and the row lock really race)."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from concerto.workshops import services
from concerto.workshops.models import Attendee, Idea, Phase, Workshop

from .room_world import invite, make_workshop, to_phase

pytestmark = pytest.mark.django_db(transaction=True)

SENDS = 10


def _send(workshop_id, attendee_id, client_id, barrier):
    try:
        workshop = Workshop.objects.select_related("campaign").get(pk=workshop_id)
        attendee = Attendee.objects.get(pk=attendee_id)
        barrier.wait(timeout=30)
        idea, created = services.idea_add(workshop=workshop, attendee=attendee, prompt="propose",
                                          text="Un composteur collectif", place="Square Barbusse",
                                          client_id=client_id)
        return ("ok", idea.pk, created)
    except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
        return ("error", exc, False)
    finally:
        connection.close()


def test_ten_simultaneous_sends_of_one_idea_store_it_once(campaign, facilitator_fanny, resident_alice):
    workshop = make_workshop(campaign, facilitators=[facilitator_fanny])
    alice = invite(workshop, "Alice M.", user=resident_alice)
    to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    client_id = uuid.uuid4()
    barrier = threading.Barrier(SENDS)
    with ThreadPoolExecutor(max_workers=SENDS) as pool:
        futures = [pool.submit(_send, workshop.pk, alice.pk, client_id, barrier) for _ in range(SENDS)]
        results = [f.result(timeout=60) for f in futures]
    errors = [r[1] for r in results if r[0] == "error"]
    assert not errors, errors
    assert Idea.objects.filter(client_id=client_id).count() == 1
    idea = Idea.objects.get(client_id=client_id)
    assert {r[1] for r in results} == {idea.pk}
    assert sum(1 for r in results if r[2]) == 1  # one "created", nine "already there"
    workshop.refresh_from_db()
    assert workshop.version == 2  # the phase step and the one idea: no extra bump per retry

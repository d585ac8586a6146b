"""The anomaly flags: each fires just past its threshold and not at it; a flagged batch is held."""

import pytest

from concerto.fieldwork.models import (
    Batch,
    BatchStatus,
    Channel,
    ConsentMethod,
    Flag,
    PaperSheet,
    Participation,
)
from concerto.letters.models import Household
from concerto.residents.models import Role
from conftest import make_user

from .review_rig import Rig, make_actions, set_policy, widen_door_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def rig(door_open, consent_script, phone, ambassador_bruno):
    widen_door_phase(door_open)
    device, _token = phone
    return Rig(device=device, ambassador=ambassador_bruno, script=consent_script, campaign=door_open)


def kinds(answers=None):
    """The kinds of the flags of the latest batch."""
    batch = Batch.objects.order_by("-pk").first()
    return sorted(batch.flags.values_list("kind", flat=True))


def held(answers) -> bool:
    created = [a for a in answers if a["status"] == "created"]
    assert created, answers
    return all(a["held"] for a in created)


# --- too fast -------------------------------------------------------------------------------------

def test_too_fast_fires_above_the_hourly_limit_counting_the_days_earlier_visits(rig):
    set_policy(rig.campaign, doors_per_hour_max=5)
    first = rig.send([rig.door(m) for m in (0, 10, 20)])
    assert not held(first)
    second = rig.send([rig.door(m) for m in (30, 40, 50)])  # 6 doors within 50 minutes
    assert held(second) and kinds() == ["too_fast"]
    flag = Flag.objects.get()
    assert flag.detail["doors"] == 6 and flag.detail["limit"] == 5


def test_too_fast_does_not_fire_at_the_limit(rig):
    set_policy(rig.campaign, doors_per_hour_max=5)
    # 6 doors, but the first and the last are a full hour apart: at most 5 in any hour.
    answers = rig.send([rig.door(m) for m in (0, 12, 24, 36, 48, 60)])
    assert not held(answers) and Flag.objects.count() == 0


def test_a_later_batch_is_not_held_for_an_hour_already_flagged(rig):
    set_policy(rig.campaign, doors_per_hour_max=5)
    rig.send([rig.door(m) for m in range(0, 60, 10)])
    assert Flag.objects.filter(kind="too_fast").count() == 1
    later = rig.send([rig.door(180)])
    assert not held(later) and Flag.objects.count() == 1


# --- too short ------------------------------------------------------------------------------------

def test_too_short_fires_when_a_resident_took_part_less_than_30_seconds_after_the_previous_door(rig,
                                                                                               published_action):
    answers = rig.send([rig.door(0), rig.door(0, seconds=29, people=[[published_action.pk]])])
    assert held(answers) and kinds() == ["too_short"]
    assert Flag.objects.get().detail == {"visits": 1, "shortest": 29, "limit": 30}


def test_too_short_does_not_fire_at_30_seconds(rig, published_action):
    answers = rig.send([rig.door(0), rig.door(0, seconds=30, people=[[published_action.pk]])])
    assert not held(answers) and Flag.objects.count() == 0


def test_quick_doors_without_anyone_taking_part_are_not_too_short(rig):
    answers = rig.send([rig.door(0), rig.door(0, seconds=5), rig.door(0, seconds=10)])
    assert not held(answers)


# --- daily ceiling --------------------------------------------------------------------------------

def test_daily_ceiling_fires_above_the_limit_and_not_at_it(rig, published_action):
    set_policy(rig.campaign, daily_ceiling=4)
    at_limit = rig.send([rig.door(m * 5, people=[[published_action.pk]], address=f"{m} rue Tissot")
                         for m in range(4)])
    assert not held(at_limit)
    above = rig.send([rig.door(30, people=[[]], address="9 rue Tissot")])
    assert held(above) and kinds() == ["daily_ceiling"]
    assert Flag.objects.get().detail == {"participations": 5, "limit": 4}


# --- contact rate ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("opened", "flagged"), [(2, True), (3, False), (6, False), (7, True)])
def test_contact_rate_outside_15_30_percent_on_20_doors(rig, opened, flagged):
    doors = [rig.door(m * 3, outcome="refused" if m < opened else "absent") for m in range(20)]
    answers = rig.send(doors)
    assert held(answers) is flagged
    assert kinds() == (["contact_rate"] if flagged else [])
    if flagged:
        assert Flag.objects.get().detail["rate"] == opened * 5


def test_contact_rate_waits_for_20_doors(rig):
    answers = rig.send([rig.door(m * 3) for m in range(19)])  # nobody opened, 19 doors
    assert not held(answers)


# --- identical answers ----------------------------------------------------------------------------

def test_same_answers_fires_from_5_residents_in_a_row(rig):
    a, b = make_actions(rig.campaign, 2)
    four = rig.send([rig.door(m * 5, people=[[a.pk, b.pk]], address=f"{m} rue Tissot") for m in range(4)])
    assert not held(four)
    different = rig.send([rig.door(25, people=[[a.pk]], address="8 rue Tissot")])
    assert not held(different)  # the run is broken
    fifth = [rig.door(30 + m * 5, people=[[a.pk, b.pk]], address=f"{10 + m} rue Tissot") for m in range(5)]
    assert held(rig.send(fifth)) and kinds() == ["same_answers"]
    assert Flag.objects.get().detail["participants"] == 5


# --- many participations at one address ------------------------------------------------------------

def test_address_crowded_counts_every_ambassador_and_paper(rig, published_action, organiser_dina):
    set_policy(rig.campaign, participations_per_address_max=2)
    household = Household.objects.create(campaign=rig.campaign, address_line1="12 rue Tissot", postcode="13013",
                                         city="Marseille", key="12 rue tissot")
    two = rig.send([rig.door(0, people=[[published_action.pk], []], household=household.pk)])
    assert not held(two)
    sheet = PaperSheet.objects.create(campaign=rig.campaign, serial="P0001")
    Participation.objects.create(
        client_id="00000000-0000-4000-8000-000000000001", campaign=rig.campaign, channel=Channel.PAPER,
        sheet=sheet, household=household, consent_script=rig.script, consent_method=ConsentMethod.PAPER,
        consent_at=rig.at(0), recorded_by=organiser_dina)
    third = rig.send([rig.door(10, people=[[]], household=household.pk)])
    assert held(third) and kinds() == ["address_crowded"]
    assert Flag.objects.get().detail["participations"] == 4


def test_address_crowded_compares_typed_addresses_loosely_and_not_at_the_limit(rig):
    set_policy(rig.campaign, participations_per_address_max=2)
    assert not held(rig.send([rig.door(0, people=[[]], address="12 rue Tissot")]))
    assert not held(rig.send([rig.door(10, people=[[]], address="12, Rue  TISSOT")]))
    assert held(rig.send([rig.door(20, people=[[]], address="12 rue tissot.")]))
    assert kinds() == ["address_crowded"]


# --- supports far above the street's average -------------------------------------------------------

def _reference(rig, actions, start=0):
    """30 residents on avenue Verte supporting 0 or 2 actions: mean 1, standard deviation 1."""
    return [rig.door(start + m * 3, people=[[a.pk for a in actions[:2]] if m % 2 else []],
                     address=f"{m + 1} avenue Verte") for m in range(30)]


@pytest.mark.parametrize(("street", "flagged"), [([4, 4, 4], False), ([5, 5, 4], True)])
def test_street_outlier_above_mean_plus_3_sd(rig, street, flagged):
    set_policy(rig.campaign, contact_rate_max=100)
    actions = make_actions(rig.campaign, 5)
    assert not held(rig.send(_reference(rig, actions)))
    doors = [rig.door(100 + m * 5, people=[[a.pk for a in actions[:n]]], address=f"{m + 1} bis rue Tissot")
             for m, n in enumerate(street)]
    assert held(rig.send(doors)) is flagged
    assert kinds() == (["street_outlier"] if flagged else [])
    if flagged:
        detail = Flag.objects.get().detail
        assert detail["street"] == "rue Tissot" and detail["threshold"] == 4.0 and detail["participations"] == 3


# --- holding, counting, replays ---------------------------------------------------------------------

def test_a_flagged_batch_is_held_its_supports_not_counted_and_a_replay_adds_no_flag(rig, published_action):
    set_policy(rig.campaign, daily_ceiling=1)
    records = [rig.door(0, people=[[published_action.pk], [published_action.pk]])]
    answers = rig.send(records)
    assert held(answers)
    published_action.refresh_from_db()
    assert published_action.support_count == 0 and Participation.objects.count() == 0
    assert Batch.objects.get().status == BatchStatus.HELD
    flags = list(Flag.objects.values_list("pk", flat=True))
    again = rig.send(records)
    assert again == [{"id": records[0]["id"], "status": "already", "held": True}]
    assert list(Flag.objects.values_list("pk", flat=True)) == flags and Batch.objects.count() == 1


def test_rejected_visits_do_not_fill_a_later_ceiling(rig, published_action, organiser_dina):
    from concerto.fieldwork import services

    set_policy(rig.campaign, daily_ceiling=2)
    rig.send([rig.door(0, people=[[], [], []])])
    batch = Batch.objects.get()
    services.batch_reject(by=organiser_dina, campaign=rig.campaign, batch_id=batch.pk, note="Inventé.")
    assert not held(rig.send([rig.door(30, people=[[]], address="3 rue Haute")]))


def test_two_ambassadors_fill_one_address(rig, organiser_dina):
    from concerto.fieldwork import services

    set_policy(rig.campaign, participations_per_address_max=2)
    other = make_user("karim@example.org", campaign=rig.campaign, role=Role.AMBASSADOR, password="karim-pass-123")
    device, secret = services.device_create(by=organiser_dina, campaign=rig.campaign, ambassador_id=other.pk,
                                            label="Téléphone de Karim")
    device, _token = services.device_enrol(user=other, secret=secret)
    karim = Rig(device=device, ambassador=other, script=rig.script, campaign=rig.campaign)
    assert not held(rig.send([rig.door(0, people=[[], []], address="5 rue Basse")]))
    assert held(karim.send([karim.door(60, people=[[]], address="5 rue Basse")]))
    assert kinds() == ["address_crowded"]


# --- Concurrency ------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_batches_sent_at_once_are_checked_one_after_the_other(door_open, consent_script, phone,
                                                                  ambassador_bruno):
    """Two phones' batches of 3 doors each in the same hour (limit 5), sent in parallel: whatever the
    timing, the batch checked second sees the first one's doors and is held (the guards' lock)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time: the race needs PostgreSQL")
    widen_door_phase(door_open)
    set_policy(door_open, doors_per_hour_max=5)
    device, _token = phone
    rig = Rig(device=device, ambassador=ambassador_bruno, script=consent_script, campaign=door_open)
    batches = [[rig.door(m) for m in (0, 10, 20)], [rig.door(m) for m in (5, 15, 25)]]
    start, answers = threading.Barrier(2), []

    def send(records):
        try:
            start.wait()
            answers.append(rig.send(records))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(records,)) for records in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 2
    assert sorted(held(a) for a in answers) == [False, True]
    assert Flag.objects.get().detail["doors"] == 6

"""Rounds: the doors of some sectors in walking order, one ambassador per door and day, cancelling,
and the door-to-door settings."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from concerto.campaigns.models import Sector
from concerto.core.errors import NotFound
from concerto.core.models import AuditEntry
from concerto.fieldwork import services, walking
from concerto.fieldwork.errors import RecordInvalid, RoundConflict
from concerto.fieldwork.models import FieldworkSettings, Round, RoundDoor, RoundStatus
from concerto.letters.models import Household, InvitationCode
from concerto.residents.models import Role
from conftest import make_user

NORD = ["2 rue Tissot", "1 rue Tissot", "3 rue Tissot", "4 rue Tissot", "5 bis rue Tissot", "5 rue Tissot",
        "10 avenue Saint-Jérôme", "Résidence Les Pins"]
# Walking order: rue Tissot first (5 codes never used), odd numbers up then even ones down, the
# household where someone joined (3) last; then the other streets, by name.
NORD_ORDER = ["1 rue Tissot", "5 rue Tissot", "5 bis rue Tissot", "4 rue Tissot", "2 rue Tissot", "3 rue Tissot",
              "10 avenue Saint-Jérôme", "Résidence Les Pins"]


def add_household(campaign, sector, line, *, joined=False):
    household = Household.objects.create(campaign=campaign, sector=sector, address_line1=line, postcode="13013",
                                         city="Marseille", key=f"{line}|{sector.pk}".lower())
    InvitationCode.objects.create(campaign=campaign, household=household, code=f"C{household.pk:06d}X",
                                  use_count=1 if joined else 0)
    return household


@pytest.fixture
def streets(campaign):
    nord = Sector.objects.create(campaign=campaign, name="Nord", code="nord")
    sud = Sector.objects.create(campaign=campaign, name="Sud", code="sud")
    for line in NORD:
        add_household(campaign, nord, line, joined=line == "3 rue Tissot")
    add_household(campaign, sud, "7 impasse des Lilas")
    return {"nord": nord, "sud": sud}


@pytest.fixture
def ambassador_karim(campaign):
    return make_user("karim@example.org", campaign=campaign, role=Role.AMBASSADOR, name="Karim")


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def doors_of(the_round):
    return list(RoundDoor.objects.filter(round=the_round).order_by("position")
                .values_list("household__address_line1", flat=True))


def test_house_numbers_are_read_from_the_first_line():
    assert walking.parse_address("12 rue Tissot") == (12, "", "rue Tissot")
    assert walking.parse_address("12 bis rue Tissot") == (12, "bis", "rue Tissot")
    assert walking.parse_address("12B, avenue Saint-Jérôme") == (12, "b", "avenue Saint-Jérôme")
    assert walking.parse_address("12-14 impasse des Lilas") == (12, "", "impasse des Lilas")
    assert walking.parse_address("3 avenue Foch") == (3, "", "avenue Foch")
    assert walking.parse_address("Résidence Les Pins") == (None, "", "Résidence Les Pins")
    assert walking.street_key("Rue  Saint-Jérôme") == walking.street_key("rue saint jerome")


def test_a_round_lists_its_sectors_doors_in_walking_order(streets, organiser_dina, ambassador_bruno):
    the_round = services.round_create(by=organiser_dina, campaign=streets["nord"].campaign,
                                      ambassador_id=ambassador_bruno.pk, day=tomorrow(),
                                      sector_ids=[streets["nord"].pk], note="Rendez-vous au kiosque")
    assert doors_of(the_round) == NORD_ORDER
    assert the_round.taken == [] and the_round.door_count == 8
    assert the_round.status == RoundStatus.PLANNED and the_round.note == "Rendez-vous au kiosque"
    assert AuditEntry.objects.filter(code="fieldwork.round.created").count() == 1


def test_a_door_is_on_one_ambassadors_round_a_day(campaign, streets, organiser_dina, ambassador_bruno,
                                                  ambassador_karim):
    day = tomorrow()
    services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk, day=day,
                          sector_ids=[streets["nord"].pk])
    second = services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_karim.pk, day=day,
                                   sector_ids=[streets["nord"].pk, streets["sud"].pk])
    assert doors_of(second) == ["7 impasse des Lilas"]
    assert second.taken == [(ambassador_bruno.public_name, 8)]
    # Every door taken: refused, nothing planned.
    with pytest.raises(RoundConflict) as refused:
        services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_karim.pk, day=day,
                              sector_ids=[streets["nord"].pk])
    assert refused.value.code == "round_door_taken" and ambassador_bruno.public_name in str(refused.value.message)
    assert Round.objects.count() == 2
    # Another day, the same doors are free again.
    other_day = services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_karim.pk,
                                      day=day + timedelta(days=1), sector_ids=[streets["nord"].pk])
    assert len(doors_of(other_day)) == 8


def test_the_database_refuses_one_door_twice_a_day(campaign, streets, organiser_dina, ambassador_bruno):
    the_round = services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk,
                                      day=tomorrow(), sector_ids=[streets["sud"].pk])
    door = RoundDoor.objects.get(round=the_round)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundDoor.objects.create(round=the_round, household_id=door.household_id, day=door.day, position=2)


def test_cancelling_a_round_frees_its_doors(campaign, streets, organiser_dina, ambassador_bruno, ambassador_karim):
    day = tomorrow()
    first = services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk, day=day,
                                  sector_ids=[streets["sud"].pk])
    services.round_cancel(by=organiser_dina, campaign=campaign, round_id=first.pk)
    first.refresh_from_db()
    assert first.status == RoundStatus.CANCELLED and not first.doors.exists()
    again = services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_karim.pk, day=day,
                                  sector_ids=[streets["sud"].pk])
    assert doors_of(again) == ["7 impasse des Lilas"] and again.taken == []
    assert AuditEntry.objects.filter(code="fieldwork.round.cancelled").count() == 1


def test_only_the_campaigns_organisers_plan_rounds(campaign, other_campaign, streets, organiser_dina,
                                                   ambassador_bruno, resident_alice, moderator_marc):
    elsewhere = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    for someone in (ambassador_bruno, resident_alice, moderator_marc, elsewhere):
        with pytest.raises(NotFound):
            services.round_create(by=someone, campaign=campaign, ambassador_id=ambassador_bruno.pk, day=tomorrow(),
                                  sector_ids=[streets["nord"].pk])
    the_round = services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk,
                                      day=tomorrow(), sector_ids=[streets["sud"].pk])
    with pytest.raises(NotFound):
        services.round_cancel(by=elsewhere, campaign=campaign, round_id=the_round.pk)
    with pytest.raises(NotFound):  # another campaign's round id
        services.round_cancel(by=elsewhere, campaign=other_campaign, round_id=the_round.pk)
    assert Round.objects.filter(status=RoundStatus.PLANNED).count() == 1


def test_a_round_needs_an_ambassador_and_the_campaigns_sectors(campaign, other_campaign, streets, organiser_dina,
                                                               ambassador_bruno, resident_alice):
    with pytest.raises(RecordInvalid) as error:
        services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=resident_alice.pk, day=tomorrow(),
                              sector_ids=[streets["nord"].pk])
    assert error.value.code == "not_ambassador"
    foreign = Sector.objects.create(campaign=other_campaign, name="Ailleurs", code="ailleurs")
    for sector_ids in ([], [foreign.pk], [streets["nord"].pk, foreign.pk]):
        with pytest.raises(RecordInvalid) as error:
            services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk,
                                  day=tomorrow(), sector_ids=sector_ids)
        assert error.value.code == "sectors_required"
    empty = Sector.objects.create(campaign=campaign, name="Vide", code="vide")
    with pytest.raises(RecordInvalid) as error:
        services.round_create(by=organiser_dina, campaign=campaign, ambassador_id=ambassador_bruno.pk,
                              day=tomorrow(), sector_ids=[empty.pk])
    assert error.value.code == "sectors_empty"
    assert not Round.objects.exists()


def test_settings_are_saved_checked_and_audited(campaign, organiser_dina, ambassador_bruno):
    from concerto.core.errors import FieldErrors

    services.fieldwork_settings_save(by=organiser_dina, campaign=campaign, daily_ceiling=30, doors_per_hour_max=20,
                                     participations_per_address_max=4, contact_rate_min=10, contact_rate_max=35)
    policy = FieldworkSettings.objects.get(campaign=campaign)
    assert (policy.daily_ceiling, policy.doors_per_hour_max, policy.contact_rate_min, policy.contact_rate_max) == (
        30, 20, 10, 35)
    with pytest.raises(FieldErrors) as error:
        services.fieldwork_settings_save(by=organiser_dina, campaign=campaign, contact_rate_min=40, contact_rate_max=30)
    assert "contact_rate_max" in error.value.errors
    with pytest.raises(NotFound):
        services.fieldwork_settings_save(by=ambassador_bruno, campaign=campaign, daily_ceiling=500)
    assert FieldworkSettings.objects.get(campaign=campaign).daily_ceiling == 30
    assert AuditEntry.objects.filter(code="fieldwork.settings.saved").count() == 1

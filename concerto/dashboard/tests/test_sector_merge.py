"""Merging and deleting sectors: every app's rows move in one transaction, or nothing changes."""

from unittest import mock

import pytest
from django.utils import timezone

from concerto.campaigns import services as campaign_services
from concerto.campaigns.errors import SectorInQuotas, SectorInUse, SectorNotFound
from concerto.campaigns.models import Sector
from concerto.core.errors import FieldErrors
from concerto.core.models import AuditEntry
from concerto.dashboard import services
from concerto.dashboard.selectors import sector_rows
from concerto.letters import services as letter_services
from concerto.letters.models import Household, StreetRule
from concerto.proposals.models import Action
from concerto.residents.models import Membership, Role
from concerto.selection.models import Selection, SelectionStatus
from concerto.volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(campaign, organiser_dina, resident_alice, published_action):
    """Two sectors, North carried by a household, a street rule, a resident, an action and a volunteer."""
    north = campaign_services.sector_create(by=organiser_dina, campaign=campaign, name="Nord")
    south = campaign_services.sector_create(by=organiser_dina, campaign=campaign, name="Sud")
    household = letter_services.household_create(user=organiser_dina, campaign=campaign, address_line1="3 rue Haute",
                                                 postcode="13090", city="Aix", sector=north)
    letter_services.household_create(user=organiser_dina, campaign=campaign, address_line1="5 rue Basse",
                                     postcode="13090", city="Aix", sector=south)
    rule = letter_services.street_rule_add(user=organiser_dina, campaign=campaign, street="rue Haute",
                                           sector_id=north.pk)
    Membership.objects.filter(user=resident_alice, campaign=campaign, role=Role.RESIDENT).update(sector=north)
    Action.objects.filter(pk=published_action.pk).update(sector=north)
    volunteer = Volunteer.objects.create(campaign=campaign, user=resident_alice, pseudonym="V-AAAA", sector=north,
                                         consent_at=timezone.now(), consent_version=1)
    return {"north": north, "south": south, "household": household, "rule": rule, "volunteer": volunteer}


def carried_by_north(campaign, north) -> dict:
    return next(r for r in sector_rows(campaign) if r["sector"].pk == north.pk)


def test_the_sectors_page_counts_what_carries_each_sector(campaign, town):
    row = carried_by_north(campaign, town["north"])
    assert {k: row[k] for k in ("households", "street_rules", "residents", "actions", "volunteers", "total")} == {
        "households": 1, "street_rules": 1, "residents": 1, "actions": 1, "volunteers": 1, "total": 5}


def test_merge_moves_every_row_then_deletes_the_sector(campaign, organiser_dina, resident_alice, published_action,
                                                       town):
    north, south = town["north"], town["south"]
    kept = services.sector_merge(by=organiser_dina, campaign=campaign, sector_id=north.pk, into_id=str(south.pk))
    assert kept == south
    assert not Sector.objects.filter(pk=north.pk).exists()
    assert Household.objects.get(pk=town["household"].pk).sector_id == south.pk
    assert StreetRule.objects.get(pk=town["rule"].pk).sector_id == south.pk  # the rule is kept, not cascaded away
    assert Membership.objects.get(user=resident_alice, campaign=campaign, role=Role.RESIDENT).sector_id == south.pk
    assert Action.objects.get(pk=published_action.pk).sector_id == south.pk
    assert Volunteer.objects.get(pk=town["volunteer"].pk).sector_id == south.pk
    entry = AuditEntry.objects.get(code="campaigns.sector.merged")
    assert entry.actor == organiser_dina and entry.target == f"campaigns.sector:{south.pk}"
    assert {k: entry.data[k] for k in ("households", "street_rules", "residents", "actions", "volunteers")} == {
        "households": 1, "street_rules": 1, "residents": 1, "actions": 1, "volunteers": 1}


def test_a_failure_half_way_changes_nothing(campaign, organiser_dina, town):
    north, south = town["north"], town["south"]
    with mock.patch("concerto.dashboard.services.volunteers_sector_move", side_effect=RuntimeError("boom")), \
            pytest.raises(RuntimeError):
        services.sector_merge(by=organiser_dina, campaign=campaign, sector_id=north.pk, into_id=south.pk)
    assert Household.objects.get(pk=town["household"].pk).sector_id == north.pk
    assert Sector.objects.filter(pk=north.pk).exists()


def test_merge_targets_are_checked(campaign, other_campaign, organiser_dina, town):
    north = town["north"]
    elsewhere = Sector.objects.create(campaign=other_campaign, name="Ailleurs", code="ailleurs")
    for into in (north.pk, elsewhere.pk, "abc", None, 10**9):
        with pytest.raises(FieldErrors) as caught:
            services.sector_merge(by=organiser_dina, campaign=campaign, sector_id=north.pk, into_id=into)
        assert set(caught.value.errors) == {"into"}
    assert carried_by_north(campaign, north)["total"] == 5


def test_a_sector_in_use_is_not_deleted_an_empty_one_is(campaign, organiser_dina, town):
    with pytest.raises(SectorInUse):
        services.sector_delete(by=organiser_dina, campaign=campaign, sector_id=town["north"].pk)
    empty = campaign_services.sector_create(by=organiser_dina, campaign=campaign, name="Vide")
    services.sector_delete(by=organiser_dina, campaign=campaign, sector_id=empty.pk)
    assert not Sector.objects.filter(pk=empty.pk).exists()
    assert Sector.objects.filter(pk=town["north"].pk).exists()
    assert AuditEntry.objects.filter(code="campaigns.sector.deleted", data__name="Vide").exists()


def test_quotas_of_a_selection_not_drawn_protect_their_sector(campaign, organiser_dina, town):
    north, south = town["north"], town["south"]
    quota = [{"category": "sector", "value": north.code, "min": 1, "max": 3}]
    Selection.objects.create(campaign=campaign, title="Atelier de mars", panel_size=4, quotas=quota)
    with pytest.raises(SectorInQuotas) as caught:
        services.sector_merge(by=organiser_dina, campaign=campaign, sector_id=north.pk, into_id=south.pk)
    assert "Atelier de mars" in str(caught.value)
    assert Sector.objects.filter(pk=north.pk).exists()
    # Once drawn, its pool is frozen: the sector may go.
    Selection.objects.update(status=SelectionStatus.DRAWN)
    services.sector_merge(by=organiser_dina, campaign=campaign, sector_id=north.pk, into_id=south.pk)
    assert not Sector.objects.filter(pk=north.pk).exists()


def test_only_organisers_merge_or_delete(campaign, moderator_marc, resident_alice, organiser_dina, town):
    north, south = town["north"], town["south"]
    for user in (moderator_marc, resident_alice, None):
        with pytest.raises(SectorNotFound):
            services.sector_merge(by=user, campaign=campaign, sector_id=north.pk, into_id=south.pk)
        with pytest.raises(SectorNotFound):
            services.sector_delete(by=user, campaign=campaign, sector_id=south.pk)
    for move in (letter_services.households_sector_move,):
        with pytest.raises(SectorNotFound):
            move(user=moderator_marc, campaign=campaign, source=north, target=south)
    assert carried_by_north(campaign, north)["total"] == 5

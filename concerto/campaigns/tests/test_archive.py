"""An archived campaign: out of the public lists (site and API), every phase closed, no new resident,
no volunteer; nothing erased."""

import pytest
from django.urls import reverse

from concerto.campaigns.errors import CampaignArchived
from concerto.campaigns.services import campaign_archive
from concerto.core.errors import DomainError
from concerto.proposals.rules import can_take_part, participation_open, support_refusal
from concerto.proposals.services import support_add
from concerto.residents import rules as resident_rules
from concerto.residents.services import resident_join
from concerto.volunteers.errors import VolunteeringClosed
from concerto.volunteers.models import VolunteerCall
from concerto.volunteers.rules import can_volunteer, volunteer_refusal
from conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(campaign, organiser_dina):
    return campaign_archive(by=organiser_dina, campaign=campaign)


def test_the_api_list_leaves_archived_campaigns_out(client, archived, other_campaign):
    slugs = [c["slug"] for c in client.get("/api/v1/campaigns").json()["items"]]
    assert slugs == [other_campaign.slug]
    # Its own pages stay readable.
    assert client.get(f"/api/v1/campaigns/{archived.slug}").status_code == 200
    assert client.get(reverse("dashboard:campaign_home", args=[archived.slug])).status_code == 200


def test_no_participation_in_an_archived_campaign(resident_alice, published_action, archived):
    assert not participation_open(archived)
    assert not can_take_part(resident_alice, archived)
    published_action.refresh_from_db()
    assert isinstance(support_refusal(resident_alice, published_action), CampaignArchived)
    with pytest.raises(DomainError):
        support_add(user=resident_alice, action=published_action)
    assert published_action.supports.count() == 0


def test_nobody_joins_an_archived_campaign_by_email(archived):
    newcomer = make_user("nouveau@example.org")
    assert not resident_rules.can_join_as_resident(newcomer, archived)
    with pytest.raises(DomainError):
        resident_join(user=newcomer, campaign=archived)


def test_volunteering_closes_with_the_campaign(campaign, organiser_dina, resident_alice):
    call = VolunteerCall.objects.create(campaign=campaign, is_open=True)
    campaign_archive(by=organiser_dina, campaign=campaign)
    assert not can_volunteer(resident_alice, campaign, call)
    assert isinstance(volunteer_refusal(resident_alice, campaign, call), VolunteeringClosed)

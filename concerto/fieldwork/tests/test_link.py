"""The later online join: a resident met at the door (or who sent a paper form) joins online with
their household's letter code, is asked on the campaign home whether that was them, and the two
participations become one person with one support per action."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.core.models import AuditEntry
from concerto.dashboard.selectors import campaign_stats
from concerto.fieldwork import selectors, services
from concerto.fieldwork.errors import FieldworkNotFound
from concerto.fieldwork.models import Batch, FieldworkSettings, LinkDismissal, Participation
from concerto.joining import services as joining
from concerto.letters import services as letters
from concerto.letters.models import InvitationCode
from concerto.proposals.models import Action, Support
from concerto.proposals.services import action_create_published_by_system, support_add
from concerto.residents.models import Role
from concerto.residents.selectors import role_counts
from conftest import make_user

from .conftest import participant, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(campaign, organiser_dina):
    """Two households of the campaign: {"tissot": (household, code), "lavandes": (household, code)}."""
    found = {}
    for key, line in (("tissot", "12 rue Tissot"), ("lavandes", "3 rue des Lavandes")):
        household = letters.household_create(user=organiser_dina, campaign=campaign, address_line1=line,
                                             postcode="13090", city="Aix-en-Provence")
        found[key] = (household, InvitationCode.objects.get(household=household, revoked_at__isnull=True).code)
    return found


@pytest.fixture
def second_action(campaign):
    return action_create_published_by_system(campaign=campaign, title="Des bancs à l'ombre rue Tissot",
                                             summary="Des bancs sous les platanes pour les anciens.",
                                             origin="workshop")


def _door(phone, ambassador, script, *, supports, code="", household=None, proposals=(), initials="M. D."):
    """One visit where one resident took part; returns their Participation."""
    device, _token = phone
    item = participant(script, supports=supports, code=code, initials=initials, proposals=proposals)
    answers = services.visits_sync(ambassador=ambassador, device=device, campaign=device.campaign,
                                   records=[visit(participants=[item], household=household)])
    assert answers[0]["status"] == "created", answers
    return Participation.objects.get(client_id=item["id"])


def _join(campaign, code, email):
    user = make_user(email)
    joining.code_join_signed_in(user=user, campaign=campaign, text=code, ip="10.0.0.7")
    return user


def _count(action):
    action.refresh_from_db()
    return action.support_count


def test_the_same_resident_online_and_at_the_door_counts_once(
        campaign, homes, phone, ambassador_bruno, consent_script, published_action, second_action):
    household, code = homes["tissot"]
    met = _door(phone, ambassador_bruno, consent_script, supports=[published_action.pk, second_action.pk],
                code=code, proposals=[{"title": "Un banc devant la pharmacie", "summary": "Pour se reposer.",
                                       "read_back": True}])
    offline = met.user
    assert role_counts(campaign)[Role.RESIDENT] == 1
    # Later, the same person joins online with the letter and supports the first action again.
    online = _join(campaign, code, "madeleine@example.org")
    support_add(user=online, action=published_action)
    assert _count(published_action) == 2 and role_counts(campaign)[Role.RESIDENT] == 2

    (candidate,) = selectors.link_candidates(online, campaign)
    assert (candidate.id, candidate.channel, candidate.initials) == (met.pk, "door_to_door", "M. D.")
    services.participation_link(user=online, campaign=campaign, participation_id=met.pk)

    # One support per action: the door's first support was a confirmation, the second moved over.
    assert _count(published_action) == 1 and _count(second_action) == 1
    assert set(Support.objects.filter(action__campaign=campaign).values_list("user", "action")) == {
        (online.pk, published_action.pk), (online.pk, second_action.pk)}
    assert Support.objects.get(action=second_action).channel == "door_to_door"  # still counted as the door's
    assert Action.objects.get(title="Un banc devant la pharmacie").author == online
    # The resident counts once; the account made at the door is closed.
    assert role_counts(campaign)[Role.RESIDENT] == 1
    offline.refresh_from_db()
    assert offline.is_active is False
    met.refresh_from_db()
    assert met.user == online and met.linked_at is not None
    assert selectors.link_candidates(online, campaign) == []
    entry = AuditEntry.objects.get(code="fieldwork.participation.linked")
    assert entry.data["moved"] == 1 and entry.data["confirmed"] == 1


def test_a_door_participation_without_code_is_found_by_the_visited_household(
        campaign, homes, phone, ambassador_bruno, consent_script, published_action):
    household, code = homes["tissot"]
    met = _door(phone, ambassador_bruno, consent_script, supports=[published_action.pk], household=household.pk,
                initials="")
    online = _join(campaign, code, "madeleine@example.org")
    (candidate,) = selectors.link_candidates(online, campaign)
    assert candidate.id == met.pk and candidate.initials == ""
    services.participation_link(user=online, campaign=campaign, participation_id=met.pk)
    assert Support.objects.get(action=published_action).user == online
    assert role_counts(campaign)[Role.RESIDENT] == 1


def test_a_participation_of_another_household_is_refused(
        campaign, homes, phone, ambassador_bruno, consent_script, published_action):
    _household, tissot = homes["tissot"]
    _other, lavandes = homes["lavandes"]
    met = _door(phone, ambassador_bruno, consent_script, supports=[published_action.pk], code=tissot)
    neighbour = _join(campaign, lavandes, "voisin@example.org")
    assert selectors.link_candidates(neighbour, campaign) == []
    with pytest.raises(FieldworkNotFound):
        services.participation_link(user=neighbour, campaign=campaign, participation_id=met.pk)
    with pytest.raises(FieldworkNotFound):
        services.participation_link_dismiss(user=neighbour, campaign=campaign, participation_id=met.pk)
    # Someone who joined by e-mail, without a letter, has no household to recognise.
    alice = make_user("alice.sans.courrier@example.org", campaign=campaign, role=Role.RESIDENT)
    with pytest.raises(FieldworkNotFound):
        services.participation_link(user=alice, campaign=campaign, participation_id=met.pk)
    assert Support.objects.get(action=published_action).user == met.user
    assert _count(published_action) == 1


def test_a_participation_already_linked_cannot_be_taken_again(
        campaign, homes, phone, ambassador_bruno, consent_script, published_action):
    _household, code = homes["tissot"]
    met = _door(phone, ambassador_bruno, consent_script, supports=[published_action.pk], code=code)
    first = _join(campaign, code, "madeleine@example.org")
    second = _join(campaign, code, "lucien@example.org")
    services.participation_link(user=first, campaign=campaign, participation_id=met.pk)
    assert selectors.link_candidates(second, campaign) == []
    with pytest.raises(FieldworkNotFound):
        services.participation_link(user=second, campaign=campaign, participation_id=met.pk)
    assert Support.objects.get(action=published_action).user == first


def test_not_me_is_remembered_for_that_resident_only(
        campaign, homes, phone, ambassador_bruno, consent_script, published_action):
    _household, code = homes["tissot"]
    met = _door(phone, ambassador_bruno, consent_script, supports=[published_action.pk], code=code)
    lucien = _join(campaign, code, "lucien@example.org")
    madeleine = _join(campaign, code, "madeleine@example.org")
    services.participation_link_dismiss(user=lucien, campaign=campaign, participation_id=met.pk)
    services.participation_link_dismiss(user=lucien, campaign=campaign, participation_id=met.pk)  # twice: once
    assert LinkDismissal.objects.filter(participation=met).count() == 1
    assert selectors.link_candidates(lucien, campaign) == []
    assert [c.id for c in selectors.link_candidates(madeleine, campaign)] == [met.pk]
    # Nothing moved: the door resident still counts as a person of their own.
    assert Support.objects.get(action=published_action).user == met.user
    assert role_counts(campaign)[Role.RESIDENT] == 3


# --- The campaign home and the two forms -----------------------------------------------------------


def test_the_campaign_home_asks_and_yes_links(
        client, campaign, homes, phone, ambassador_bruno, consent_script, published_action):
    _household, code = homes["tissot"]
    met = _door(phone, ambassador_bruno, consent_script, supports=[published_action.pk], code=code)
    online = _join(campaign, code, "madeleine@example.org")
    client.force_login(online)
    home = reverse("dashboard:campaign_home", args=[campaign.slug])
    page = client.get(home).content.decode()
    confirm = reverse("fieldwork:link_confirm", args=[campaign.slug, met.pk])
    dismiss = reverse("fieldwork:link_dismiss", args=[campaign.slug, met.pk])
    assert confirm in page and dismiss in page and "M. D." in page
    assert timezone.localtime(met.consent_at).strftime("%-d") in page

    assert client.get(confirm).status_code == 405
    response = client.post(confirm)
    assert response.status_code == 302 and response["Location"].startswith(home)
    assert Support.objects.get(action=published_action).user == online
    page = client.get(home).content.decode()
    assert confirm not in page and 'id="link-title"' not in page


def test_no_dismisses_and_the_question_is_gone(client, campaign, homes, phone, ambassador_bruno, consent_script):
    _household, code = homes["tissot"]
    met = _door(phone, ambassador_bruno, consent_script, supports=[], code=code)
    online = _join(campaign, code, "lucien@example.org")
    client.force_login(online)
    response = client.post(reverse("fieldwork:link_dismiss", args=[campaign.slug, met.pk]))
    assert response.status_code == 302
    page = client.get(reverse("dashboard:campaign_home", args=[campaign.slug])).content.decode()
    assert 'id="link-title"' not in page
    met.refresh_from_db()
    assert met.linked_at is None and met.user != online


def test_the_forms_refuse_what_is_not_yours(client, campaign, homes, phone, ambassador_bruno, consent_script,
                                            resident_alice):
    _household, code = homes["tissot"]
    met = _door(phone, ambassador_bruno, consent_script, supports=[], code=code)
    confirm = reverse("fieldwork:link_confirm", args=[campaign.slug, met.pk])
    assert client.post(confirm)["Location"].startswith(reverse("residents:sign_in"))
    client.force_login(resident_alice)
    assert client.post(confirm).status_code == 404
    assert client.post(reverse("fieldwork:link_dismiss", args=[campaign.slug, met.pk])).status_code == 404
    assert client.post(reverse("fieldwork:link_confirm", args=[campaign.slug, 999999])).status_code == 404
    met.refresh_from_db()
    assert met.linked_at is None and not LinkDismissal.objects.exists()


# --- Figures: visits and channels --------------------------------------------------------------------


def test_stats_count_visits_of_counted_batches_and_supports_by_channel(
        campaign, homes, phone, ambassador_bruno, consent_script, published_action, organiser_dina):
    device, _token = phone
    # Every visit on one local day (yesterday morning): the daily ceiling below counts by local day, and
    # "three hours ago" crossed midnight for a run just after it.
    start = (timezone.localtime() - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    records = [visit(outcome="absent", at=start + timedelta(minutes=4 * i), address=f"{i + 1} rue Tissot")
               for i in range(6)]
    other = action_create_published_by_system(
        campaign=campaign, title="Un banc rue Tissot", summary="Un banc à l'ombre pour les anciens du quartier.",
        origin="workshop")
    # Alternate answers: five residents in a row with the same supports would be flagged (guards).
    records += [visit(participants=[participant(consent_script,
                                                supports=[published_action.pk] + ([other.pk] if i % 2 else []),
                                                at=start + timedelta(minutes=30 + i))],
                      at=start + timedelta(minutes=30 + i), address=f"{i + 20} rue Tissot") for i in range(5)]
    services.visits_sync(ambassador=ambassador_bruno, device=device, campaign=campaign, records=records)
    stats = campaign_stats(campaign)
    assert stats["door_to_door_visits"] == 11
    assert stats["by_channel"]["door_to_door"] == 7
    assert stats["by_channel"]["online"] == 0

    # A batch held for review counts nothing until released.
    FieldworkSettings.objects.update_or_create(campaign=campaign, defaults={"daily_ceiling": 5})
    later = start + timedelta(hours=2)
    held = [visit(participants=[participant(consent_script, supports=[published_action.pk], at=later)], at=later)]
    assert services.visits_sync(ambassador=ambassador_bruno, device=device, campaign=campaign,
                                records=held)[0]["held"] is True
    assert campaign_stats(campaign)["door_to_door_visits"] == 11
    services.batch_release(by=organiser_dina, campaign=campaign,
                           batch_id=Batch.objects.get(status="held").pk, note="Vérifié avec Bruno")
    stats = campaign_stats(campaign)
    assert stats["door_to_door_visits"] == 12 and stats["by_channel"]["door_to_door"] == 8


def test_small_door_groups_stay_hidden_in_public_stats(
        campaign, phone, ambassador_bruno, consent_script, published_action):
    device, _token = phone
    services.visits_sync(ambassador=ambassador_bruno, device=device, campaign=campaign, records=[
        visit(participants=[participant(consent_script, supports=[published_action.pk])])])
    for i in range(6):
        support_add(user=make_user(f"web{i}@example.org", campaign=campaign, role=Role.RESIDENT),
                    action=published_action)
    stats = campaign_stats(campaign)
    assert stats["door_to_door_visits"] == 1
    assert stats["by_channel"]["door_to_door"] is None  # one person: never shown apart


def test_organisers_see_door_and_paper_apart_on_the_campaign_home(
        client, campaign, phone, ambassador_bruno, consent_script, published_action, organiser_dina, resident_alice):
    device, _token = phone
    services.visits_sync(ambassador=ambassador_bruno, device=device, campaign=campaign, records=[
        visit(outcome="absent"), visit(participants=[participant(consent_script, supports=[published_action.pk])])])
    home = reverse("dashboard:campaign_home", args=[campaign.slug])
    client.force_login(organiser_dina)
    page = client.get(home).content.decode()
    assert 'id="channels-title"' in page
    client.force_login(resident_alice)
    assert 'id="channels-title"' not in client.get(home).content.decode()

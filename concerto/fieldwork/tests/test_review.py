"""The organisers' review: flags, held batches, conflicts, possible duplicates; pages and permissions."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from concerto.core.models import AuditEntry
from concerto.fieldwork import selectors, services
from concerto.fieldwork.errors import FieldworkNotFound
from concerto.fieldwork.models import (
    Batch,
    BatchStatus,
    Flag,
    FlagStatus,
    Outcome,
    Participation,
    SyncConflict,
    Visit,
)
from concerto.letters.codes import format_code, new_code
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.proposals.models import Support
from concerto.proposals.services import support_add
from concerto.residents.models import Role
from concerto.residents.services import resident_verify_by_letter
from conftest import make_user

from .review_rig import Rig, make_actions, set_policy, widen_door_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def rig(door_open, consent_script, phone, ambassador_bruno):
    widen_door_phase(door_open)
    device, _token = phone
    return Rig(device=device, ambassador=ambassador_bruno, script=consent_script, campaign=door_open)


@pytest.fixture
def held_batch(rig, published_action):
    """A batch held by the daily ceiling (1): two residents who both support the published action."""
    set_policy(rig.campaign, daily_ceiling=1)
    rig.send([rig.door(0, people=[[published_action.pk], [published_action.pk]]), rig.door(5)])
    batch = Batch.objects.get()
    assert batch.status == BatchStatus.HELD
    return batch


def codes(prefix="fieldwork."):
    return list(AuditEntry.objects.filter(code__startswith=prefix).order_by("pk").values_list("code", flat=True))


# --- Batches ----------------------------------------------------------------------------------------

def test_releasing_a_held_batch_counts_its_supports_once(held_batch, organiser_dina, published_action):
    batch = services.batch_release(by=organiser_dina, campaign=held_batch.campaign, batch_id=held_batch.pk,
                                   note="Une résidence étudiante.")
    assert batch.status == BatchStatus.RELEASED and batch.not_counted == []
    published_action.refresh_from_db()
    assert published_action.support_count == 2
    assert Participation.objects.count() == 2
    assert Flag.objects.get().status == FlagStatus.CLEARED
    assert codes()[-1] == "fieldwork.batch.released"
    with pytest.raises(Exception) as error:
        services.batch_release(by=organiser_dina, campaign=held_batch.campaign, batch_id=held_batch.pk)
    assert error.value.code == "batch_not_held"
    published_action.refresh_from_db()
    assert published_action.support_count == 2


def test_rejecting_keeps_the_visits_uncounted_with_a_note(held_batch, organiser_dina, published_action):
    with pytest.raises(Exception) as error:
        services.batch_reject(by=organiser_dina, campaign=held_batch.campaign, batch_id=held_batch.pk, note=" ")
    assert error.value.code == "note_required"
    services.batch_reject(by=organiser_dina, campaign=held_batch.campaign, batch_id=held_batch.pk,
                          note="Deux personnes inventées.")
    published_action.refresh_from_db()
    assert published_action.support_count == 0 and Participation.objects.count() == 0
    assert Visit.objects.filter(batch=held_batch).count() == 2
    assert Flag.objects.get().status == FlagStatus.UPHELD
    entry = AuditEntry.objects.get(code="fieldwork.batch.rejected")
    assert entry.actor == organiser_dina and entry.data["note"] == "Deux personnes inventées."


def test_a_replay_of_a_rejected_batch_still_answers_already(rig, held_batch, organiser_dina):
    services.batch_reject(by=organiser_dina, campaign=held_batch.campaign, batch_id=held_batch.pk, note="Non.")
    record = Visit.objects.filter(batch=held_batch).first().payload
    assert rig.send([record]) == [{"id": record["id"], "status": "already", "held": False}]
    assert Flag.objects.count() == 1


# --- Flags ------------------------------------------------------------------------------------------

def test_flag_clear_and_uphold_are_audited_and_happen_once(held_batch, organiser_dina):
    flag = Flag.objects.get()
    with pytest.raises(Exception) as error:
        services.flag_uphold(by=organiser_dina, campaign=held_batch.campaign, flag_id=flag.pk, note="")
    assert error.value.code == "note_required"
    services.flag_clear(by=organiser_dina, campaign=held_batch.campaign, flag_id=flag.pk, note="Fête des voisins.")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLEARED and flag.decided_by == organiser_dina
    with pytest.raises(Exception) as error:
        services.flag_uphold(by=organiser_dina, campaign=held_batch.campaign, flag_id=flag.pk, note="Non.")
    assert error.value.code == "flag_decided"
    held_batch.refresh_from_db()
    assert held_batch.status == BatchStatus.HELD  # the batch is decided apart
    entry = AuditEntry.objects.get(code="fieldwork.flag.cleared")
    assert entry.data["note"] == "Fête des voisins." and entry.data["kind"] == "daily_ceiling"


def test_flags_read_as_sentences_with_their_figures(held_batch):
    """Checked on the English msgids (the French ones are in review.fr.po, compiled with the catalogue)."""
    from datetime import date

    from django.utils import translation

    with translation.override("en"):
        sentence = selectors.flag_sentence(Flag.objects.get())
        assert sentence.startswith("2 residents took part with this ambassador on ") and sentence.endswith(
            "(at most 1 a day).")
        flag = Flag(kind="too_fast", day=date(2026, 10, 12), detail={
            "doors": 41, "limit": 25, "start": "2026-10-12T14:02:00+02:00", "end": "2026-10-12T14:58:00+02:00"})
        assert selectors.flag_sentence(flag) == "41 doors in one hour on 12 October 2026, from 14 h 02 to 14 h 58 (at most 25)."
        street = Flag(kind="street_outlier", day=date(2026, 10, 12), detail={
            "street": "rue Tissot", "mean": 7.2, "participations": 6, "reference_mean": 1.8, "threshold": 4.5})
        assert selectors.flag_sentence(street) == ("rue Tissot: 7.2 supports per resident on average (6 residents), "
                                                   "against 1.8 in the rest of the neighbourhood (flagged above 4.5).")
        assert selectors.flag_sentence(Flag(kind="too_fast", day=date(2026, 10, 12), detail={})) == (
            "Visits faster than humanly possible")


# --- Conflicts --------------------------------------------------------------------------------------

def test_a_conflict_shows_both_versions_and_is_resolved_with_a_note(rig, organiser_dina):
    record = rig.door(0)
    rig.send([record])
    rig.send([dict(record, outcome="refused", address="14 rue Tissot")])
    conflict = SyncConflict.objects.get()
    view = selectors.conflict_view(rig.campaign, conflict.pk)
    rows = {r["label"]: r for r in view["rows"]}
    address, residents = rows[_("Address")], rows[_("Residents who took part")]
    assert address["stored"] == "12 rue Tissot" and address["received"] == "14 rue Tissot"
    assert address["differs"] and not residents["differs"] and residents["stored"] == 0
    assert not view["counted"] or view["stored"].batch.status == "accepted"
    with pytest.raises(Exception) as error:
        services.conflict_resolve(by=organiser_dina, campaign=rig.campaign, conflict_id=conflict.pk, note="")
    assert error.value.code == "note_required"
    services.conflict_resolve(by=organiser_dina, campaign=rig.campaign, conflict_id=conflict.pk,
                              note="Adresse corrigée par erreur.")
    conflict.refresh_from_db()
    assert conflict.resolved_by == organiser_dina
    assert Visit.objects.get().address == "12 rue Tissot"  # never applied
    assert codes()[-1] == "fieldwork.conflict.resolved"


# --- Possible duplicates ----------------------------------------------------------------------------

@pytest.fixture
def household(campaign):
    household = Household.objects.create(campaign=campaign, address_line1="7 place des Amandiers", postcode="13013",
                                         city="Marseille", key="7 place des amandiers")
    InvitationCode.objects.create(campaign=campaign, household=household, code=new_code(), max_uses=4)
    return household


def test_online_and_door_of_one_household_linked_count_once(rig, household, resident_alice, organiser_dina):
    first, second = make_actions(rig.campaign, 2)
    code = household.codes.get()
    CodeUse.objects.create(code=code, user=resident_alice)
    resident_verify_by_letter(user=resident_alice, campaign=rig.campaign)
    support_add(user=resident_alice, action=first)
    door = rig.door(0, people=[[first.pk, second.pk]])
    door["participants"][0]["code"] = format_code(code.code)
    rig.send([door])
    first.refresh_from_db()
    assert first.support_count == 2  # until someone decides they are the same person
    [item] = selectors.possible_duplicates(rig.campaign)
    assert [c["user_id"] for c in item["candidates"]] == [resident_alice.pk]
    participation = item["participation"]
    services.duplicate_same_person(by=organiser_dina, campaign=rig.campaign, participation_id=participation.pk,
                                   user_id=resident_alice.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.support_count, second.support_count) == (1, 1)
    assert set(Support.objects.filter(user=resident_alice).values_list("action_id", flat=True)) == {first.pk,
                                                                                                    second.pk}
    assert selectors.possible_duplicates(rig.campaign) == []
    entry = AuditEntry.objects.get(code="fieldwork.participation.linked")
    assert entry.actor == organiser_dina and entry.data["confirmed"] == 1 and entry.data["moved"] == 1


def test_same_person_only_with_someone_listed(rig, household, resident_bob, organiser_dina):
    rig.send([rig.door(0, people=[[], []], household=household.pk)])
    first, second = Participation.objects.order_by("pk")
    assert len(selectors.possible_duplicates(rig.campaign)) == 2
    with pytest.raises(Exception) as error:
        services.duplicate_same_person(by=organiser_dina, campaign=rig.campaign, participation_id=first.pk,
                                       user_id=resident_bob.pk)
    assert error.value.code == "duplicate_candidate"


def test_two_door_participations_different_people(rig, household, organiser_dina):
    rig.send([rig.door(0, people=[[], []], household=household.pk)])
    first, _second = Participation.objects.order_by("pk")
    services.duplicate_distinct(by=organiser_dina, campaign=rig.campaign, participation_id=first.pk,
                                note="Un couple.")
    first.refresh_from_db()
    assert first.distinct_confirmed_at is not None
    assert selectors.possible_duplicates(rig.campaign) == []
    assert AuditEntry.objects.get(code="fieldwork.duplicate.distinct").data["note"] == "Un couple."
    with pytest.raises(Exception) as error:
        services.duplicate_distinct(by=organiser_dina, campaign=rig.campaign, participation_id=first.pk)
    assert error.value.code == "duplicate_decided"


# --- Who may review ---------------------------------------------------------------------------------

def test_only_organisers_may_decide(held_batch, ambassador_bruno, moderator_marc, resident_alice):
    flag = Flag.objects.get()
    for user in (ambassador_bruno, moderator_marc, resident_alice):
        with pytest.raises(FieldworkNotFound):
            services.flag_clear(by=user, campaign=held_batch.campaign, flag_id=flag.pk)
        with pytest.raises(Exception) as error:
            services.batch_release(by=user, campaign=held_batch.campaign, batch_id=held_batch.pk)
        assert error.value.status == 404
    held_batch.refresh_from_db()
    assert held_batch.status == BatchStatus.HELD


def _pages(batch, flag):
    slug = batch.campaign.slug
    return [("get", reverse("fieldwork:review", args=[slug])),
            ("get", reverse("fieldwork:review_batch", args=[slug, batch.pk])),
            ("post", reverse("fieldwork:review_batch_decide", args=[slug, batch.pk])),
            ("post", reverse("fieldwork:review_flag_decide", args=[slug, flag.pk]))]


def test_pages_refuse_everyone_but_the_organisers(client, held_batch, ambassador_bruno, resident_alice,
                                                 moderator_marc, other_campaign, organiser_dina):
    flag = Flag.objects.get()
    elsewhere = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER, password="olga-pass-123")
    for method, url in _pages(held_batch, flag):
        response = getattr(client, method)(url, {"decision": "release"} if method == "post" else None)
        assert response.status_code == 302 and "/connexion/" in response["Location"], url
        for user in (ambassador_bruno, resident_alice, moderator_marc, elsewhere):
            client.force_login(user)
            response = getattr(client, method)(url, {"decision": "release"} if method == "post" else None)
            assert response.status_code == 404, (url, user)
            client.logout()
    held_batch.refresh_from_db()
    assert held_batch.status == BatchStatus.HELD
    client.force_login(organiser_dina)
    assert client.get(reverse("fieldwork:review_batch", args=[held_batch.campaign.slug, 10**9])).status_code == 404


def test_the_review_page_and_its_forms_without_javascript(client, held_batch, organiser_dina, published_action):
    slug = held_batch.campaign.slug
    client.force_login(organiser_dina)
    page = client.get(reverse("fieldwork:review", args=[slug])).content.decode()
    assert _("Door-to-door verification") in page
    assert escape(selectors.flag_sentence(Flag.objects.get())) in page
    assert "15–30 %" in page
    batch_page = client.get(reverse("fieldwork:review_batch", args=[slug, held_batch.pk])).content.decode()
    assert "12 rue Tissot" in batch_page and escape(str(Outcome.ABSENT.label)) in batch_page
    flag = Flag.objects.get()
    response = client.post(reverse("fieldwork:review_flag_decide", args=[slug, flag.pk]),
                           {"decision": "uphold", "note": ""})
    assert response.status_code == 302
    assert "obligatoire" not in response["Location"]
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN  # the note was missing: nothing changed
    response = client.post(reverse("fieldwork:review_batch_decide", args=[slug, held_batch.pk]),
                           {"decision": "release", "note": "Vérifié au téléphone."}, follow=True)
    assert escape(_("The batch is counted: its residents' supports and proposals are in.")) in response.content.decode()
    published_action.refresh_from_db()
    assert published_action.support_count == 2
    history = client.get(reverse("fieldwork:review", args=[slug])).content.decode()
    assert "Vérifié au téléphone." in history

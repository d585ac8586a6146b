"""The sync contract: per-record answers, exactly-once, conflicts, consent, permissions."""

import pytest

from concerto.fieldwork import services
from concerto.fieldwork.errors import DeviceRevoked, NotAmbassador
from concerto.fieldwork.models import Participation, SyncConflict, Visit
from concerto.proposals.models import Action, Support

from .conftest import participant, visit

pytestmark = pytest.mark.django_db


def _sync(phone, ambassador, records):
    device, _token = phone
    return services.visits_sync(ambassador=ambassador, device=device, campaign=device.campaign, records=records)


def test_a_visit_with_a_resident_counts_their_supports_and_proposal_once(
        phone, ambassador_bruno, consent_script, published_action):
    record = visit(participants=[participant(
        consent_script, supports=[published_action.pk],
        proposals=[{"title": "Un banc rue Tissot", "summary": "Un banc à l'ombre pour les anciens.", "read_back": True}],
    )])
    assert _sync(phone, ambassador_bruno, [record]) == [{"id": record["id"], "status": "created", "held": False}]
    again = _sync(phone, ambassador_bruno, [record])
    assert again[0]["status"] == "already"
    published_action.refresh_from_db()
    assert published_action.support_count == 1
    assert Support.objects.get(action=published_action).channel == "door_to_door"
    assert Visit.objects.count() == 1 and Participation.objects.count() == 1
    proposal = Action.objects.get(title="Un banc rue Tissot")
    assert proposal.origin == "door_to_door" and proposal.status == "pending"


def test_same_id_other_content_is_a_conflict_kept_apart(phone, ambassador_bruno, consent_script):
    record = visit(outcome="absent")
    _sync(phone, ambassador_bruno, [record])
    changed = dict(record, outcome="refused")
    answer = _sync(phone, ambassador_bruno, [changed])[0]
    assert answer["status"] == "conflict" and "identifiant" in answer["message"] or answer["code"] == "conflict"
    assert Visit.objects.get().outcome == "absent"
    assert SyncConflict.objects.count() == 1


def test_a_bad_record_is_refused_with_a_reason_and_the_rest_kept(phone, ambassador_bruno, consent_script):
    no_consent = participant(consent_script)
    no_consent["consent"]["given"] = False
    bad = visit(participants=[no_consent])
    good = visit(outcome="absent")
    answers = _sync(phone, ambassador_bruno, [bad, good])
    assert [a["status"] for a in answers] == ["refused", "created"]
    assert answers[0]["code"] == "consent_missing"
    assert Visit.objects.count() == 1 and Participation.objects.count() == 0


def test_a_revoked_phone_is_refused(phone, ambassador_bruno, organiser_dina, consent_script):
    device, _token = phone
    services.device_revoke(by=organiser_dina, campaign=device.campaign, device_id=device.pk)
    device.refresh_from_db()
    with pytest.raises(DeviceRevoked):
        _sync((device, None), ambassador_bruno, [visit(outcome="absent")])
    assert Visit.objects.count() == 0


def test_someone_else_cannot_sync_with_the_phone(phone, resident_alice, consent_script):
    with pytest.raises(NotAmbassador):
        _sync(phone, resident_alice, [visit(outcome="absent")])

"""The live event through the API: public reads like the live page; control for the people who run
the set, with a token made for writing; bad input answered in JSON with a sentence, nothing changed."""

import pytest

from concerto.live_event import selectors
from concerto.live_event.errors import (
    CandidateInvalid,
    ClientIdInvalid,
    EventNotFound,
    EventNotOnAir,
    ItemInvalid,
    SummaryTooLong,
)
from concerto.live_event.models import Event, EventStatus, Position, SpeakingTurn
from concerto.live_event.tests import conftest as live_fixtures
from concerto.residents.services import api_token_create

from .conftest import token_for

pytestmark = pytest.mark.django_db
SLUG = "quartier-test"
# The live-event app's fixtures (3 candidates, 4 actions, an event, the show on air), used here too.
actions, candidates, event, show = live_fixtures.actions, live_fixtures.candidates, live_fixtures.event, live_fixtures.show
new_id = live_fixtures.new_id


def url(event, tail=""):
    return f"/campaigns/{SLUG}/events/{event.pk}{tail}"


def write_token(user):
    return api_token_create(user=user, name="régie", scope="write")[1]


def read_token(user):
    return api_token_create(user=user, name="lecture", scope="read")[1]


def test_anyone_reads_the_candidates_and_events(api, candidates, event):
    body = api.get(f"/campaigns/{SLUG}/candidates").json()
    assert [c["name"] for c in body] == [c.name for c in candidates]
    assert [c["ballot_order"] for c in body] == [1, 2, 3]
    assert "contact_email" not in body[0] and "user" not in body[0]
    events = api.get(f"/campaigns/{SLUG}/events").json()
    assert [e["id"] for e in events] == [event.pk]
    assert events[0]["status"] == "scheduled" and events[0]["order_seed"] is None  # not published yet
    assert api.get(url(event)).json()["title"] == "Le plateau des candidats"


def test_the_state_is_the_live_pages_state(api, show):
    body = api.get(url(show, "/state")).json()
    expected = selectors.event_public_state(Event.objects.get(pk=show.pk))
    assert body["seq"] == expected["seq"] and body["on_air"]["item"] == expected["on_air"]["item"]
    assert body["status"] == "on_air" and body["frozen"] is False
    assert [c["id"] for c in body["candidates"]] == [c["id"] for c in expected["candidates"]]


def test_unknown_events_and_campaigns_answer_the_json_404(api, event, other_campaign):
    assert api.get(f"/campaigns/{SLUG}/events/999999/state").status_code == 404
    response = api.get(f"/campaigns/{other_campaign.slug}/events/{event.pk}")
    assert response.status_code == 404 and response.json()["code"] == EventNotFound.code


def test_a_facilitator_runs_the_set_with_a_token(api, show, facilitator_fanny, candidates):
    token = write_token(facilitator_fanny)
    first = selectors.running_items(show)[0]
    claire = candidates[0]
    answer = api.post(url(show, "/speaking"), {"candidate": claire.pk, "client_id": new_id()}, token=token)
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"]["speaking"]["candidate"] == claire.pk
    position = {"item": first.pk, "candidate": claire.pk, "stance": "with_changes",
                "summary": "D'accord, avec un test de six mois.", "improvement": "Tester six mois d'abord.",
                "client_id": new_id(), "revision": 1}
    answer = api.post(url(show, "/positions"), position, token=token)
    assert answer.status_code == 200 and answer.json()["outcome"] == "created"
    cell = answer.json()["state"]["positions"][str(first.pk)][str(claire.pk)]
    assert cell == {"stance": "with_changes", "summary": "D'accord, avec un test de six mois."}
    # A retried save with the same revision does not overwrite; a newer one does.
    assert api.post(url(show, "/positions"), {**position, "stance": "reserved"}, token=token).json()["outcome"] == "stale"
    assert api.post(url(show, "/positions"), {**position, "stance": "reserved", "revision": 2},
                    token=token).json()["outcome"] == "updated"
    assert api.post(url(show, "/speaking"), {"candidate": None}, token=token).status_code == 200
    assert not SpeakingTurn.objects.filter(event=show, ended_at__isnull=True).exists()
    moved = api.post(url(show, "/on-air"), {"step": "next"}, token=token).json()["state"]
    assert moved["on_air"]["item"] == selectors.running_items(show)[1].pk
    back = api.post(url(show, "/on-air"), {"item": first.pk}, token=token).json()["state"]
    assert back["on_air"]["item"] == first.pk and back["seq"] > moved["seq"]
    matrix = api.get(url(show, "/positions")).json()
    row = next(r for r in matrix["items"] if r["item"] == first.pk)
    assert row["positions"] == [{"candidate": claire.pk, "stance": "reserved",
                                 "summary": "D'accord, avec un test de six mois.",
                                 "improvement": "Tester six mois d'abord."}]
    ended = api.post(url(show, "/end"), token=token).json()["state"]
    assert ended["status"] == "ended" and ended["on_air"] is None


def test_an_organiser_starts_the_show(api, event, organiser_dina):
    from concerto.live_event import services

    services.event_order_publish(actor=organiser_dina, event=event, seed="abc")
    answer = api.post(url(event, "/start"), token=write_token(organiser_dina))
    assert answer.status_code == 200 and answer.json()["state"]["status"] == "on_air"
    assert api.get(url(event)).json()["order_seed"] == "abc"


def test_who_may_not_run_the_set_changes_nothing(api, show, resident_alice, candidate_claire, moderator_marc,
                                                  facilitator_fanny, candidates):
    seq = Event.objects.get(pk=show.pk).seq
    body = {"candidate": candidates[0].pk, "client_id": new_id()}
    assert api.post(url(show, "/speaking"), body).status_code == 401  # no token
    for user in (resident_alice, candidate_claire, moderator_marc):
        answer = api.post(url(show, "/speaking"), body, token=write_token(user))
        assert answer.status_code == 404 and answer.json()["code"] == EventNotFound.code
    # A read-only token of a facilitator: refused on writes, as on every API write.
    answer = api.post(url(show, "/speaking"), body, token=read_token(facilitator_fanny))
    assert answer.status_code == 403 and answer.json()["code"] == "token_read_only"
    assert Event.objects.get(pk=show.pk).seq == seq
    assert not SpeakingTurn.objects.filter(event=show).exists()


@pytest.mark.parametrize(("payload", "error"), [
    ({"item": 999999, "stance": "favourable"}, ItemInvalid),
    ({"candidate": 999999, "stance": "favourable"}, CandidateInvalid),
    ({"stance": "favourable", "summary": "x" * 281}, SummaryTooLong),
    ({"stance": "favourable", "client_id": "pas-un-uuid"}, ClientIdInvalid),
])
def test_bad_positions_are_refused_with_a_sentence(api, show, facilitator_fanny, candidates, payload, error):
    item = selectors.running_items(show)[0]
    body = {"item": item.pk, "candidate": candidates[0].pk, "client_id": new_id(), **payload}
    answer = api.post(url(show, "/positions"), body, token=write_token(facilitator_fanny))
    assert answer.status_code == 400
    assert answer.json()["code"] == error.code and answer.json()["message"] == str(error.message)
    assert not Position.objects.exists()


def test_malformed_requests_get_json_errors(api, show, facilitator_fanny):
    token = write_token(facilitator_fanny)
    answer = api.post(url(show, "/positions"), {"item": "premier", "stance": "peut-être"}, token=token)
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_request"
    assert {"item", "stance"} <= set(answer.json()["errors"])
    answer = api.post(url(show, "/on-air"), {"step": "sideways"}, token=token)
    assert answer.status_code == 422
    answer = api.post(url(show, "/speaking"), {"candidate": 1}, token=token)  # no client id
    assert answer.status_code == 400 and answer.json()["code"] == ClientIdInvalid.code
    assert not Position.objects.exists()


def test_control_before_the_start_says_so(api, event, facilitator_fanny, candidates):
    answer = api.post(url(event, "/speaking"), {"candidate": candidates[0].pk, "client_id": new_id()},
                      token=write_token(facilitator_fanny))
    assert answer.status_code == 400
    assert answer.json()["code"] == EventNotOnAir.code and answer.json()["message"] == str(EventNotOnAir.message)
    assert Event.objects.get(pk=event.pk).status == EventStatus.SCHEDULED


def test_tokens_of_another_campaign_cannot_run_this_one(api, show, other_campaign, candidates):
    from concerto.residents.models import Role, User
    from concerto.residents.services import role_grant_by_system

    stranger = User.objects.create_user("autre-regie@example.org", display_name="Régie ailleurs")
    role_grant_by_system(campaign=other_campaign, user=stranger, role=Role.FACILITATOR)
    answer = api.post(url(show, "/on-air"), {"step": "next"}, token=token_for(stranger))
    assert answer.status_code == 404


# --- Speaking turns and their corrections ---------------------------------------------------------

recorded = live_fixtures.recorded


def test_the_people_who_run_the_set_list_its_turns(api, recorded, facilitator_fanny, resident_alice, candidate_claire):
    event, items, (claire, paul, ines), _t0 = recorded
    body = api.get(url(event, "/turns"), token=read_token(facilitator_fanny)).json()
    assert [t["number"] for t in body] == [1, 2, 3, 4]
    assert [t["candidate"] for t in body] == [claire.pk, paul.pk, claire.pk, ines.pk]
    assert [t["seconds"] for t in body] == [70, 60, 30, 45] and body[0]["item"] == items[0].pk
    for token in (None, token_for(resident_alice), token_for(candidate_claire)):
        answer = api.get(url(event, "/turns"), token=token)
        assert answer.status_code in (401, 404) and "number" not in answer.content.decode()


def test_a_turn_is_corrected_through_the_api_with_a_reason(api, recorded, facilitator_fanny):
    event, _items, (claire, paul, ines), _t0 = recorded
    token = write_token(facilitator_fanny)
    first = SpeakingTurn.objects.filter(candidate=claire).order_by("started_at").first()
    answer = api.post(url(event, f"/turns/{first.pk}/correct"), {"candidate": paul.pk, "reason": "Mauvaise touche"},
                      token=token)
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"]["totals"][str(paul.pk)] == 130
    last = SpeakingTurn.objects.get(candidate=ines)
    answer = api.post(url(event, f"/turns/{last.pk}/correct"), {"remove": True, "reason": "Personne ne parlait"},
                      token=token)
    assert answer.status_code == 200 and not SpeakingTurn.objects.filter(pk=last.pk).exists()


def test_a_bad_correction_is_refused_in_json_and_changes_nothing(api, recorded, facilitator_fanny, resident_alice):
    event, _items, (claire, paul, _ines), _t0 = recorded
    turn = SpeakingTurn.objects.filter(candidate=claire).order_by("started_at").first()
    token = write_token(facilitator_fanny)
    answer = api.post(url(event, f"/turns/{turn.pk}/correct"), {"candidate": paul.pk, "reason": "  "}, token=token)
    assert answer.status_code == 400 and "reason" in answer.json()["errors"]
    answer = api.post(url(event, f"/turns/{turn.pk}/correct"), {"candidate": 999999, "reason": "Oups"}, token=token)
    assert answer.status_code == 400 and answer.json()["code"] == CandidateInvalid.code
    answer = api.post(url(event, f"/turns/{turn.pk}/correct"), {"reason": "Oups"}, token=token)  # nobody named
    assert answer.status_code == 400 and answer.json()["code"] == CandidateInvalid.code
    answer = api.post(url(event, f"/turns/{turn.pk}/correct"), {"candidate": paul.pk, "reason": "Oups"},
                      token=read_token(facilitator_fanny))
    assert answer.status_code == 403
    answer = api.post(url(event, f"/turns/{turn.pk}/correct"), {"candidate": paul.pk, "reason": "Oups"},
                      token=token_for(resident_alice))
    assert answer.status_code == 404
    turn.refresh_from_db()
    assert turn.candidate_id == claire.pk

"""The room's pages: joining, the wall page and its fragment, ideas sent as JSON or plain forms, the
console and the projector."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from concerto.residents.models import Role
from concerto.workshops import services
from concerto.workshops.models import Idea, JoinRequest, Phase
from conftest import make_user

from .room_world import invite, make_workshop, to_phase

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def room(campaign, facilitator_fanny, resident_alice, resident_bob):
    workshop = make_workshop(campaign, facilitators=[facilitator_fanny])
    alice = invite(workshop, "Alice M.", user=resident_alice)
    bob = invite(workshop, "Bob R.", user=resident_bob)
    nadia = invite(workshop, "Nadia B.")
    return workshop, alice, bob, nadia


def _client(user=None, **kwargs):
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _url(name, workshop, *args):
    return reverse(f"workshops:{name}", args=[workshop.campaign.slug, workshop.pk, *args])


def _idea_body(**kwargs):
    return {"prompt": "missing", "text": "Un abri à l'arrêt de bus", "place": "", "client_id": str(uuid.uuid4()),
            **kwargs}


# --- joining ---------------------------------------------------------------------------------------


def test_an_attendee_joins_with_the_room_code(room, resident_alice):
    workshop, alice, *_ = room
    client = _client(resident_alice)
    response = client.post(reverse("workshop_room:join"), {"code": workshop.room_code.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop_room:join_code", args=[workshop.room_code])
    response = client.get(response["Location"])
    assert response["Location"] == _url("wall", workshop)
    alice.refresh_from_db()
    assert alice.joined_at is not None
    assert client.get(_url("wall", workshop)).status_code == 200


def test_an_unknown_code_is_a_clear_french_error(room):
    response = _client().post(reverse("workshop_room:join"), {"code": "ZZZZZZ"})
    assert response.status_code == 404
    assert "Aucun atelier" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_typing_codes_is_rate_limited_per_address(room, settings):
    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "room_code_ip": (3, 600)}
    client = _client()
    for _ in range(3):
        assert client.post(reverse("workshop_room:join"), {"code": "ZZZZZZ"}).status_code == 404
    workshop = room[0]
    response = client.post(reverse("workshop_room:join"), {"code": workshop.room_code})
    assert response.status_code == 429


def test_a_visitor_asks_to_join_and_waits_until_admitted(room, facilitator_fanny):
    workshop, _alice, _bob, nadia = room
    device = _client()
    url = reverse("workshop_room:join_code", args=[workshop.room_code])
    assert "prénom" in device.get(url).content.decode()
    response = device.post(url, {"name": "Nadia"})
    wait_url = reverse("workshop_room:join_wait", args=[workshop.room_code])
    assert response["Location"] == wait_url
    assert device.get(wait_url).status_code == 200
    assert device.get(url)["Location"] == wait_url  # asking again: the same request
    jr = JoinRequest.objects.get()
    # A visitor cannot post meanwhile.
    to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    assert device.post(_url("idea_add", workshop), _idea_body(), **JSON).status_code == 403
    # The facilitator admits the request from the console.
    console = _client(facilitator_fanny)
    response = console.post(_url("join_request_decide", workshop, jr.pk), {"decision": "admit", "attendee": nadia.pk})
    assert response.status_code == 302
    response = device.get(wait_url)
    assert response["Location"] == _url("wall", workshop)
    nadia.refresh_from_db()
    assert nadia.joined_at is not None
    assert device.post(_url("idea_add", workshop), _idea_body(), **JSON).status_code == 201
    assert Idea.objects.get().attendee == nadia


def test_an_uninvited_resident_is_never_in_automatically(room, campaign, facilitator_fanny):
    workshop, *_ = room
    to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    carole = make_user("carole@example.org", campaign=campaign, role=Role.RESIDENT, name="Carole")
    client = _client(carole)
    url = reverse("workshop_room:join_code", args=[workshop.room_code])
    response = client.get(url)
    assert response.status_code == 200 and 'value="Carole"' in response.content.decode()
    assert client.get(_url("wall", workshop))["Location"] == url
    response = client.post(_url("idea_add", workshop), _idea_body(), **JSON)
    assert response.status_code == 403 and response.json()["code"] == "not_attendee"
    response = client.post(_url("idea_add", workshop), _idea_body())
    assert response.status_code == 302
    assert not Idea.objects.exists()


def test_a_refused_device_is_told_so(room, facilitator_fanny):
    workshop, *_ = room
    device = _client()
    device.post(reverse("workshop_room:join_code", args=[workshop.room_code]), {"name": "Intrus"})
    jr = JoinRequest.objects.get()
    _client(facilitator_fanny).post(_url("join_request_decide", workshop, jr.pk), {"decision": "refuse"})
    response = device.get(reverse("workshop_room:join_wait", args=[workshop.room_code]))
    assert response.status_code == 200 and "pas laissé entrer" in response.content.decode()


def test_posts_need_a_csrf_token(room, resident_alice, facilitator_fanny):
    workshop, *_ = room
    to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    client = _client(resident_alice, enforce_csrf_checks=True)
    assert client.post(_url("idea_add", workshop), _idea_body(), **JSON).status_code == 403
    assert client.post(reverse("workshop_room:join"), {"code": workshop.room_code}).status_code == 403
    facilitator = _client(facilitator_fanny, enforce_csrf_checks=True)
    assert facilitator.post(_url("phase_set", workshop), {"phase": "reveal"}).status_code == 403
    assert not Idea.objects.exists()


# --- ideas -----------------------------------------------------------------------------------------


def test_ideas_answer_json_exactly_once(room, resident_alice, facilitator_fanny):
    workshop, *_ = room
    to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    client = _client(resident_alice)
    body = _idea_body()
    first = client.post(_url("idea_add", workshop), body, **JSON)
    assert first.status_code == 201 and first.json()["ok"] is True
    again = client.post(_url("idea_add", workshop), body, **JSON)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    conflict = client.post(_url("idea_add", workshop), {**body, "text": "Autre chose"}, **JSON)
    assert conflict.status_code == 409 and conflict.json()["code"] == "client_id_conflict"
    assert "déjà été envoyée" in conflict.json()["message"]
    assert Idea.objects.count() == 1


def test_a_plain_form_double_submit_stores_one_idea(room, resident_alice, facilitator_fanny):
    workshop, *_ = room
    to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    client = _client(resident_alice)
    page = client.get(_url("wall", workshop)).content.decode()
    assert 'name="client_id" value="' in page
    body = _idea_body()
    for _ in range(2):
        response = client.post(_url("idea_add", workshop), body)
        assert response.status_code == 302 and response["Location"] == _url("wall", workshop)
    assert Idea.objects.count() == 1


def test_bad_ideas_answer_their_code(room, resident_alice, facilitator_fanny):
    workshop, *_ = room
    to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    client = _client(resident_alice)
    assert client.post(_url("idea_add", workshop), _idea_body(text=" "), **JSON).json()["code"] == "idea_empty"
    response = client.post(_url("idea_add", workshop), _idea_body(text="x" * 281), **JSON)
    assert response.status_code == 400 and response.json()["code"] == "idea_too_long"
    # Without JavaScript the page comes back with the text kept and the error said.
    response = client.post(_url("idea_add", workshop), _idea_body(text="y" * 281))
    assert response.status_code == 400 and "y" * 281 in response.content.decode()
    assert not Idea.objects.exists()


def test_posting_after_the_collect(room, resident_alice, facilitator_fanny):
    workshop, *_ = room
    to_phase(workshop, Phase.REVEAL, facilitator_fanny)
    response = _client(resident_alice).post(_url("idea_add", workshop), _idea_body(), **JSON)
    assert response.status_code == 400 and response.json()["code"] == "phase_locked"


def test_editing_anothers_idea_is_refused(room, resident_alice, resident_bob, facilitator_fanny):
    workshop, alice, *_ = room
    workshop = to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    idea, _ = services.idea_add(workshop=workshop, attendee=alice, prompt="good", text="Le marché", client_id=uuid.uuid4())
    bob = _client(resident_bob)
    response = bob.post(_url("my_idea_edit", workshop, idea.pk), {"prompt": "good", "text": "Volé"}, **JSON)
    assert response.status_code == 403 and response.json()["code"] == "not_your_idea"
    assert bob.post(_url("my_idea_delete", workshop, idea.pk)).status_code == 302
    assert Idea.objects.get().text == "Le marché"
    alice_client = _client(resident_alice)
    alice_client.post(_url("my_idea_edit", workshop, idea.pk), {"prompt": "good", "text": "Le marché du jeudi"})
    assert Idea.objects.get().text == "Le marché du jeudi"
    alice_client.post(_url("my_idea_delete", workshop, idea.pk))
    assert not Idea.objects.exists()


def test_the_fragment_hides_peers_ideas_until_the_reveal_and_names_from_peers(
        room, resident_alice, resident_bob, facilitator_fanny):
    workshop, alice, bob, _nadia = room
    workshop = to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    services.idea_add(workshop=workshop, attendee=alice, prompt="good", text="Idée secrète Alice",
                      client_id=uuid.uuid4())
    bob_client = _client(resident_bob)
    fragment = bob_client.get(_url("wall", workshop), {"fragment": "1"}).content.decode()
    assert fragment.startswith('<div id="wall-live"')
    assert "Idée secrète Alice" not in fragment
    assert "Idée secrète Alice" in _client(resident_alice).get(_url("wall", workshop)).content.decode()
    console = _client(facilitator_fanny).get(_url("console", workshop)).content.decode()
    assert "Idée secrète Alice" in console and "Alice M." in console
    workshop = to_phase(workshop, Phase.REVEAL, facilitator_fanny)
    fragment = bob_client.get(_url("wall", workshop), {"fragment": "1"}).content.decode()
    assert "Idée secrète Alice" in fragment and "Alice M." not in fragment
    # Participants' pages follow the shared version (not moved by a peer's hidden idea or a dot).
    assert f'data-wall-version="{workshop.shared_version}" data-wall-key="sv"' in fragment
    services.workshop_names_set(by=facilitator_fanny, workshop=workshop, visible=True)
    fragment = bob_client.get(_url("wall", workshop), {"fragment": "1"}).content.decode()
    assert "Alice M." in fragment


# --- the console and the projector ----------------------------------------------------------------


def test_the_console_runs_the_wall(room, facilitator_fanny):
    workshop, _alice, _bob, nadia = room
    client = _client(facilitator_fanny)
    page = client.get(_url("console", workshop)).content.decode()
    assert "Étape suivante" in page
    client.post(_url("phase_set", workshop), {"phase": "collect"})
    workshop.refresh_from_db()
    assert workshop.phase == Phase.COLLECT
    client.post(_url("names_set", workshop), {"visible": "1"})
    client.post(_url("timer_set", workshop), {"minutes": "7"})
    workshop.refresh_from_db()
    assert workshop.names_visible and workshop.timer_ends_at is not None
    client.post(_url("timer_set", workshop), {"minutes": "5", "stop": "1"})
    workshop.refresh_from_db()
    assert workshop.timer_ends_at is None
    # Proxy entry, for Nadia and for the team.
    client.post(_url("idea_add", workshop), _idea_body(attendee=str(nadia.pk), text="Pour Nadia"))
    client.post(_url("idea_add", workshop), _idea_body(attendee="team", text="Note de l'équipe"))
    assert Idea.objects.get(text="Pour Nadia").proxy_by == facilitator_fanny
    assert Idea.objects.get(text="Note de l'équipe").attendee is None
    page = client.get(_url("console", workshop)).content.decode()
    assert "saisie par l’animation" in page or "saisie par l'animation" in page
    # A jump of two steps is refused and said.
    response = client.post(_url("phase_set", workshop), {"phase": "vote"}, follow=True)
    assert "une étape à la fois" in response.content.decode()


def test_the_projector_shows_code_qr_and_counts(room, facilitator_fanny, resident_alice):
    workshop, alice, *_ = room
    workshop = to_phase(workshop, Phase.REVEAL, facilitator_fanny)
    page = _client(facilitator_fanny).get(_url("projector", workshop)).content.decode()
    assert workshop.room_code in page and "<svg" in page
    assert f'data-live-topic="wall:{workshop.pk}"' in page
    assert "http://testserver" + reverse("workshop_room:join_code", args=[workshop.room_code]) in page


@pytest.mark.parametrize("name", ["console", "projector"])
def test_facilitator_pages_are_hidden_from_others(room, resident_alice, name):
    workshop, *_ = room
    assert _client(resident_alice).get(_url(name, workshop)).status_code == 404
    assert _client().get(_url(name, workshop)).status_code == 404

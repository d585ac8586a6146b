"""The room's services: joining, join requests, a participant's own ideas, and bad input."""

import uuid

import pytest

from concerto.core.models import AuditEntry
from concerto.workshops import selectors, services
from concerto.workshops.errors import (
    AttendeeNotHere,
    IdeaEmpty,
    IdeaTooLong,
    JoinRequestDecided,
    NameRequired,
    NotAttendee,
    NotFacilitator,
    NotYourIdea,
    PhaseLocked,
    UnknownRoomCode,
)
from concerto.workshops.models import Attendance, AttendeeSource, Idea, JoinRequest, Phase

from .room_world import invite, make_workshop, to_phase


@pytest.fixture
def room(campaign, facilitator_fanny, resident_alice, resident_bob):
    workshop = make_workshop(campaign, facilitators=[facilitator_fanny])
    alice = invite(workshop, "Alice M.", user=resident_alice)
    bob = invite(workshop, "Bob R.", user=resident_bob)
    nadia = invite(workshop, "Nadia B.")  # invited by letter, no account yet
    return workshop, alice, bob, nadia


def _idea(workshop, attendee, text="Plus de bancs au square", **kwargs):
    idea, _created = services.idea_add(workshop=workshop, attendee=attendee, prompt=kwargs.pop("prompt", "missing"),
                                       text=text, client_id=uuid.uuid4(), **kwargs)
    return idea


# --- joining ---------------------------------------------------------------------------------------


def test_attendee_join_records_the_first_join_once(room):
    workshop, alice, _bob, _nadia = room
    services.attendee_join(attendee=alice)
    first = alice.joined_at
    assert first is not None
    services.attendee_join(attendee=alice)
    alice.refresh_from_db()
    assert alice.joined_at == first
    assert AuditEntry.objects.filter(code="workshops.attendee.joined").count() == 1
    assert selectors.wall_counts(workshop)["joined"] == 1


def test_a_join_request_admitted_as_an_invited_attendee(room, facilitator_fanny):
    workshop, _alice, _bob, nadia = room
    jr = services.join_request_create(workshop=workshop, name="  Nadia ", device_id=uuid.uuid4())
    assert jr.name == "Nadia" and jr.attendee is None
    services.join_request_admit(by=facilitator_fanny, join_request=jr, attendee=nadia)
    jr.refresh_from_db()
    assert jr.attendee == nadia
    assert AuditEntry.objects.filter(code="workshops.join_request.admitted").exists()
    with pytest.raises(JoinRequestDecided):
        services.join_request_refuse(by=facilitator_fanny, join_request=jr)


def test_the_same_device_asking_twice_gets_one_request(room):
    workshop, *_ = room
    device = uuid.uuid4()
    first = services.join_request_create(workshop=workshop, name="Nadia", device_id=device)
    again = services.join_request_create(workshop=workshop, name="Nadia", device_id=device)
    assert first.pk == again.pk and JoinRequest.objects.count() == 1


def test_a_join_request_needs_a_name(room):
    workshop, *_ = room
    with pytest.raises(NameRequired) as exc:
        services.join_request_create(workshop=workshop, name="   ", device_id=uuid.uuid4())
    assert exc.value.code == "name_required"
    assert not JoinRequest.objects.exists()


def test_admitting_as_someone_already_joined_or_elsewhere_is_refused(room, facilitator_fanny, campaign):
    workshop, alice, _bob, _nadia = room
    services.attendee_join(attendee=alice)
    jr = services.join_request_create(workshop=workshop, name="Alice ?", device_id=uuid.uuid4())
    with pytest.raises(AttendeeNotHere):
        services.join_request_admit(by=facilitator_fanny, join_request=jr, attendee=alice)
    other = invite(make_workshop(campaign, facilitators=[facilitator_fanny], title="Autre"), "Zoé")
    with pytest.raises(AttendeeNotHere):
        services.join_request_admit(by=facilitator_fanny, join_request=jr, attendee=other)
    jr.refresh_from_db()
    assert jr.attendee is None


def test_a_walk_in_becomes_a_present_attendee(room, facilitator_fanny):
    workshop, *_ = room
    jr = services.join_request_create(workshop=workshop, name="Karim", device_id=uuid.uuid4())
    services.join_request_walk_in(by=facilitator_fanny, join_request=jr)
    jr.refresh_from_db()
    assert jr.attendee.name == "Karim"
    assert jr.attendee.source == AttendeeSource.WALK_IN
    assert jr.attendee.attendance == Attendance.PRESENT


def test_refusing_a_join_request(room, facilitator_fanny):
    workshop, *_ = room
    jr = services.join_request_create(workshop=workshop, name="Inconnu", device_id=uuid.uuid4())
    services.join_request_refuse(by=facilitator_fanny, join_request=jr)
    jr.refresh_from_db()
    assert jr.refused_at is not None and jr.attendee is None
    with pytest.raises(JoinRequestDecided):
        services.join_request_walk_in(by=facilitator_fanny, join_request=jr)


def test_only_facilitators_answer_join_requests(room, resident_alice):
    workshop, _alice, _bob, nadia = room
    jr = services.join_request_create(workshop=workshop, name="Nadia", device_id=uuid.uuid4())
    for act in (lambda: services.join_request_admit(by=resident_alice, join_request=jr, attendee=nadia),
                lambda: services.join_request_walk_in(by=resident_alice, join_request=jr),
                lambda: services.join_request_refuse(by=resident_alice, join_request=jr)):
        with pytest.raises(NotFacilitator):
            act()
    jr.refresh_from_db()
    assert jr.attendee is None and jr.refused_at is None


# --- room codes ------------------------------------------------------------------------------------


def test_room_codes_are_normalised(room):
    workshop, *_ = room
    code = workshop.room_code
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)  # "ＡＢＣ…" typed on some phones
    assert selectors.workshop_by_room_code(full_width) == workshop
    assert selectors.workshop_by_room_code(f" {code[:3].lower()}-{code[3:].lower()} ") == workshop


@pytest.mark.parametrize("typed", ["", "ABC", "ABCDEFG", "OOOOOO", "!!!!!!"])
def test_unknown_room_codes(room, typed):
    with pytest.raises(UnknownRoomCode) as exc:
        selectors.workshop_by_room_code(typed)
    assert exc.value.code == "unknown_room_code"
    assert "code" in str(exc.value.message).lower()


def test_the_code_of_a_closed_workshop_is_refused(room, facilitator_fanny):
    workshop, *_ = room
    to_phase(workshop, Phase.CLOSED, facilitator_fanny)
    with pytest.raises(UnknownRoomCode):
        selectors.workshop_by_room_code(workshop.room_code)


# --- a participant's own ideas ---------------------------------------------------------------------


def test_the_author_edits_and_deletes_while_collecting(room, facilitator_fanny, resident_alice):
    workshop, alice, *_ = room
    workshop = to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    idea = _idea(workshop, alice)
    services.idea_edit(workshop=workshop, attendee=alice, idea_id=idea.pk, prompt="propose",
                       text="Des bancs à l'ombre", place="Square Barbusse", by=resident_alice)
    idea.refresh_from_db()
    assert (idea.prompt, idea.text, idea.place) == ("propose", "Des bancs à l'ombre", "Square Barbusse")
    assert idea.edited_at is not None
    services.idea_delete(workshop=workshop, attendee=alice, idea_id=idea.pk, by=resident_alice)
    assert not Idea.objects.filter(pk=idea.pk).exists()
    assert AuditEntry.objects.filter(code__in=["workshops.idea.edited", "workshops.idea.deleted"]).count() == 2


def test_another_participants_idea_is_not_yours(room, facilitator_fanny):
    workshop, alice, bob, _nadia = room
    workshop = to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    idea = _idea(workshop, alice)
    team_note = _idea(workshop, None, by=facilitator_fanny)
    for target in (idea, team_note):
        with pytest.raises(NotYourIdea) as exc:
            services.idea_edit(workshop=workshop, attendee=bob, idea_id=target.pk, prompt="good", text="Pris !")
        assert exc.value.code == "not_your_idea"
        with pytest.raises(NotYourIdea):
            services.idea_delete(workshop=workshop, attendee=bob, idea_id=target.pk)
    idea.refresh_from_db()
    assert idea.text == "Plus de bancs au square"


def test_own_ideas_are_locked_after_the_collect(room, facilitator_fanny):
    workshop, alice, *_ = room
    workshop = to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    idea = _idea(workshop, alice)
    workshop = to_phase(workshop, Phase.REVEAL, facilitator_fanny)
    with pytest.raises(PhaseLocked) as exc:
        services.idea_edit(workshop=workshop, attendee=alice, idea_id=idea.pk, prompt="good", text="Changé")
    assert exc.value.code == "phase_locked"
    with pytest.raises(PhaseLocked):
        services.idea_delete(workshop=workshop, attendee=alice, idea_id=idea.pk)
    assert Idea.objects.get(pk=idea.pk).text == "Plus de bancs au square"


def test_posting_after_the_collect_is_phase_locked(room, facilitator_fanny):
    workshop, alice, *_ = room
    workshop = to_phase(workshop, Phase.REVEAL, facilitator_fanny)
    with pytest.raises(PhaseLocked) as exc:
        _idea(workshop, alice)
    assert exc.value.code == "phase_locked"
    assert not Idea.objects.exists()


def test_empty_and_too_long_ideas(room, facilitator_fanny):
    workshop, alice, *_ = room
    workshop = to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    with pytest.raises(IdeaEmpty) as exc:
        _idea(workshop, alice, text="   ")
    assert exc.value.code == "idea_empty"
    with pytest.raises(IdeaTooLong) as exc:
        _idea(workshop, alice, text="x" * 281)
    assert exc.value.code == "idea_too_long"
    assert "281" in str(exc.value.message)
    _idea(workshop, alice, text="x" * 280)
    idea = Idea.objects.get()
    with pytest.raises(IdeaEmpty):
        services.idea_edit(workshop=workshop, attendee=alice, idea_id=idea.pk, prompt="good", text="")
    assert Idea.objects.get().text == "x" * 280


def test_someone_without_a_seat_cannot_post_or_edit(room, facilitator_fanny):
    workshop, alice, *_ = room
    workshop = to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    with pytest.raises(NotAttendee):
        _idea(workshop, None)
    idea = _idea(workshop, alice)
    with pytest.raises(NotAttendee):
        services.idea_edit(workshop=workshop, attendee=None, idea_id=idea.pk, prompt="good", text="Volé")


def test_a_proxy_idea_counts_as_the_attendees(room, facilitator_fanny):
    workshop, _alice, _bob, nadia = room
    workshop = to_phase(workshop, Phase.COLLECT, facilitator_fanny)
    idea = _idea(workshop, nadia, by=facilitator_fanny)
    assert idea.attendee == nadia and idea.proxy_by == facilitator_fanny
    entry = AuditEntry.objects.filter(code="workshops.idea.added").latest("pk")
    assert entry.data["proxy"] is True

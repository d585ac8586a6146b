"""Sessions' services: planning, agenda, invitations, RSVP, attendance, cancel; bad input changes nothing."""

import pytest
from django.core import mail
from django.utils import timezone

from concerto.core.errors import FieldErrors, NotAllowed
from concerto.core.models import AuditEntry
from concerto.workshops import selectors, services
from concerto.workshops.errors import (
    AgendaItemNotFound,
    AlreadyCancelled,
    AttendeeNotFound,
    NobodyToInvite,
    NoPanel,
    NotFacilitator,
    WorkshopCancelled,
    WorkshopOver,
)
from concerto.workshops.models import AgendaItem, Attendee, Phase, Workshop

from .sessions_factories import plan, starts_in

pytestmark = pytest.mark.django_db
BASE = "https://concerto.example/"


def test_short_names():
    assert services.short_name("Nadia Benali") == "Nadia B."
    assert services.short_name("Jean Pierre Dupont") == "Jean Pierre D."
    assert services.short_name("Zoé") == "Zoé"
    assert services.short_name("  ") == ""


def test_create_checks_every_field_and_changes_nothing(campaign, organiser_dina):
    starts = starts_in()
    with pytest.raises(FieldErrors) as exc:
        plan(campaign, organiser_dina, title=" ", place="", ends_at=starts - timezone.timedelta(minutes=1))
    assert exc.value.code == "invalid_fields"
    assert set(exc.value.errors) == {"title", "place", "ends_at"}
    assert str(exc.value.errors["ends_at"]) == "L’atelier doit finir après son début."
    assert not Workshop.objects.exists()


def test_agenda_duration_zero_is_refused(campaign, organiser_dina):
    with pytest.raises(FieldErrors) as exc:
        plan(campaign, organiser_dina, agenda=[("Accueil", 0)])
    assert set(exc.value.errors) == {"minutes"}
    workshop = plan(campaign, organiser_dina)
    with pytest.raises(FieldErrors) as exc:
        services.agenda_item_add(by=organiser_dina, workshop=workshop, title="Pause", minutes="0")
    assert set(exc.value.errors) == {"minutes"}
    assert workshop.agenda.count() == 3


def test_only_organisers_plan(campaign, facilitator_fanny, resident_alice):
    for user in (facilitator_fanny, resident_alice):
        with pytest.raises(NotAllowed):
            plan(campaign, user)


def test_facilitators_come_from_the_team(campaign, organiser_dina, resident_alice, facilitator_fanny):
    with pytest.raises(FieldErrors) as exc:
        plan(campaign, organiser_dina, facilitators=[resident_alice])
    assert set(exc.value.errors) == {"facilitators"}
    workshop = plan(campaign, organiser_dina, facilitators=[facilitator_fanny, organiser_dina])
    assert set(workshop.facilitators.all()) == {facilitator_fanny, organiser_dina}


def test_panel_of_another_campaign_is_refused(campaign, other_campaign, organiser_dina):
    from .sessions_factories import drawn_panel

    elsewhere = drawn_panel(other_campaign, selected=1, reserves=0, without_email=())
    with pytest.raises(FieldErrors) as exc:
        plan(campaign, organiser_dina, selection=elsewhere)
    assert set(exc.value.errors) == {"selection"}


def test_update_is_audited_with_the_fields_changed(workshop, organiser_dina):
    starts = starts_in(days=8)
    services.workshop_update(by=organiser_dina, workshop=workshop, title=workshop.title, starts_at=starts,
                             ends_at=starts + timezone.timedelta(hours=3), place="Salle des fêtes",
                             address=workshop.address, access_notes=workshop.access_notes,
                             selection=workshop.selection, facilitators=list(workshop.facilitators.all()))
    entry = AuditEntry.objects.filter(code="workshops.workshop.updated").get()
    assert set(entry.data["fields"]) == {"starts_at", "ends_at", "place"}
    workshop.refresh_from_db()
    assert workshop.place == "Salle des fêtes" and workshop.version == 1


def test_agenda_edit_move_remove(workshop, organiser_dina):
    first, second, third = workshop.agenda.all()
    services.agenda_item_move(by=organiser_dina, workshop=workshop, item_id=third.pk, direction="up")
    assert [i.title for i in workshop.agenda.all()] == ["Accueil", "Vote", "Ce qui va bien, ce qui manque"]
    services.agenda_item_move(by=organiser_dina, workshop=workshop, item_id=first.pk, direction="up")  # already first
    services.agenda_item_update(by=organiser_dina, workshop=workshop, item_id=first.pk, title="Café d'accueil",
                                minutes=20)
    services.agenda_item_remove(by=organiser_dina, workshop=workshop, item_id=second.pk)
    items = list(workshop.agenda.all())
    assert [(i.title, i.minutes, i.position) for i in items] == [("Café d'accueil", 20, 0), ("Vote", 30, 1)]
    agenda = selectors.agenda_of(workshop)
    assert agenda["total"] == 50 and agenda["length"] == 120 and agenda["left"] == 70
    with pytest.raises(AgendaItemNotFound):
        services.agenda_item_remove(by=organiser_dina, workshop=workshop, item_id=second.pk)
    codes = list(AuditEntry.objects.filter(code__startswith="workshops.agenda.").values_list("code", flat=True))
    assert sorted(codes) == ["workshops.agenda.moved", "workshops.agenda.removed", "workshops.agenda.updated"]


def test_an_agenda_item_of_another_workshop_is_not_found(workshop, campaign, organiser_dina):
    other = plan(campaign, organiser_dina, title="Deuxième atelier")
    item = other.agenda.first()
    with pytest.raises(AgendaItemNotFound):
        services.agenda_item_update(by=organiser_dina, workshop=workshop, item_id=item.pk, title="x", minutes=5)


def test_inviting_the_panel_twice_adds_nobody_twice(workshop, organiser_dina):
    assert services.panel_invite(by=organiser_dina, workshop=workshop) == 4
    assert services.panel_invite(by=organiser_dina, workshop=workshop) == 0
    attendees = selectors.attendee_list(workshop)
    assert {a.name for a in attendees} == {"Nadia B.", "Paul M.", "Zoé", "Louis D."}
    assert {a.source for a in attendees} == {"panel"}
    louis = next(a for a in attendees if a.name == "Louis D.")
    assert louis.email == "" and "avenue Saint-Jérôme" in louis.postal_address
    reserves = selectors.reserve_choices(workshop)
    assert [s.reserve_rank for s in reserves] == [1, 2]
    assert services.panel_invite(by=organiser_dina, workshop=workshop, reserve_seat_ids=[str(reserves[0].pk)]) == 1
    assert Attendee.objects.filter(workshop=workshop, source="reserve").count() == 1
    assert services.panel_invite(by=organiser_dina, workshop=workshop, reserve_seat_ids=[str(reserves[0].pk)]) == 0


def test_inviting_without_a_panel(campaign, organiser_dina):
    workshop = plan(campaign, organiser_dina)
    with pytest.raises(NoPanel):
        services.panel_invite(by=organiser_dina, workshop=workshop)


def test_emails_in_french_with_a_personal_link(workshop, organiser_dina, django_capture_on_commit_callbacks,
                                               settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    services.panel_invite(by=organiser_dina, workshop=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_send(by=organiser_dina, workshop=workshop, base_url=BASE) == 3
    assert len(mail.outbox) == 3
    message = next(m for m in mail.outbox if m.to == ["vol1-quartier-test@example.org"])
    assert message.subject == "Invitation\u00a0: atelier «\u00a0Vivre au quartier\u00a0»"
    body = message.body
    assert "Bonjour Nadia B.," in body
    assert "Maison de quartier des Chartreux, 12 rue des Lilas, 13004 Marseille" in body
    assert "Accueil (15 min)" in body and "Bus 6, arrêt Chartreux" in body
    link = next(word for word in body.split() if word.startswith(BASE + "atelier/lien/"))
    token = link.rstrip("/").rsplit("/", 1)[1]
    attendee = selectors.attendee_by_token(token)
    assert attendee.email == "vol1-quartier-test@example.org" and attendee.invitation_channel == "email"
    # Sending again: nobody is left to invite; a reminder replaces the link.
    with pytest.raises(NobodyToInvite):
        services.invitations_send(by=organiser_dina, workshop=workshop, base_url=BASE)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_send(by=organiser_dina, workshop=workshop, base_url=BASE, reminder=True) == 3
    assert mail.outbox[-1].subject.startswith("Rappel\u00a0: atelier «\u00a0Vivre au quartier\u00a0»")
    assert selectors.attendee_by_token(token) is None  # the old link no longer works
    attendee.refresh_from_db()
    assert attendee.reminded_at is not None


def test_rsvp_and_consent(workshop, organiser_dina):
    services.panel_invite(by=organiser_dina, workshop=workshop)
    attendee = selectors.attendee_list(workshop)[0]
    token = services.attendee_token_issue(attendee)
    found = selectors.attendee_by_token(token)
    services.attendee_rsvp(attendee=found, rsvp="yes", name_consent=True)
    attendee.refresh_from_db()
    assert (attendee.rsvp, attendee.name_consent) == ("yes", True) and attendee.rsvp_at is not None
    with pytest.raises(FieldErrors):
        services.attendee_rsvp(attendee=found, rsvp="maybe", name_consent=False)
    assert selectors.attendee_by_token("wrong-token") is None
    assert selectors.attendee_by_token("x" * 200) is None
    assert AuditEntry.objects.filter(code="workshops.attendee.answered").count() == 1


def test_rsvp_by_another_account_is_refused(workshop, organiser_dina, resident_alice):
    services.panel_invite(by=organiser_dina, workshop=workshop)
    attendee = selectors.attendee_list(workshop)[0]
    with pytest.raises(AttendeeNotFound):
        services.attendee_rsvp(attendee=attendee, rsvp="yes", name_consent=False, by=resident_alice)


def test_attendance_and_walk_ins(workshop, organiser_dina, facilitator_fanny, resident_alice):
    services.panel_invite(by=organiser_dina, workshop=workshop)
    a, b, c, d = selectors.attendee_list(workshop)
    assert services.attendance_set(by=facilitator_fanny, workshop=workshop,
                                   marks={str(a.pk): "present", str(b.pk): "excused", str(c.pk): "absent"}) == 3
    walk_in = services.walk_in_add(by=facilitator_fanny, workshop=workshop, name="Samir", email="",
                                   name_consent=True)
    assert (walk_in.source, walk_in.attendance) == ("walk_in", "present")
    counts = selectors.attendance_counts(workshop)
    assert (counts["present"], counts["excused"], counts["absent"], counts["unknown"]) == (2, 1, 1, 1)
    assert selectors.wall_counts(workshop)["present"] == 2
    workshop.refresh_from_db()
    assert workshop.version == 3  # listed, attendance, walk-in: each under the lock, each a new version
    with pytest.raises(FieldErrors):
        services.attendance_set(by=facilitator_fanny, workshop=workshop, marks={str(d.pk): "sleeping"})
    with pytest.raises(NotFacilitator):
        services.attendance_set(by=resident_alice, workshop=workshop, marks={str(d.pk): "present"})
    with pytest.raises(FieldErrors) as exc:
        services.walk_in_add(by=facilitator_fanny, workshop=workshop, name=" ", email="pas-une-adresse")
    assert set(exc.value.errors) == {"name", "email"}
    d.refresh_from_db()
    assert d.attendance == "unknown"


def test_attendance_of_someone_from_another_workshop(workshop, campaign, organiser_dina):
    other = plan(campaign, organiser_dina, title="Deuxième", selection=workshop.selection)
    services.panel_invite(by=organiser_dina, workshop=other)
    stranger = selectors.attendee_list(other)[0]
    with pytest.raises(AttendeeNotFound):
        services.attendance_set(by=organiser_dina, workshop=workshop, marks={str(stranger.pk): "present"})


def test_cancel_tells_the_invitees(workshop, organiser_dina, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    services.panel_invite(by=organiser_dina, workshop=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(by=organiser_dina, workshop=workshop, base_url=BASE)
    mail.outbox.clear()
    with pytest.raises(FieldErrors):
        services.workshop_cancel(by=organiser_dina, workshop=workshop, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.workshop_cancel(by=organiser_dina, workshop=workshop, reason="La salle est inondée.")
    assert len(mail.outbox) == 3
    assert mail.outbox[0].subject == "Annulé\u00a0: atelier «\u00a0Vivre au quartier\u00a0»"
    assert "La salle est inondée." in mail.outbox[0].body
    with pytest.raises(AlreadyCancelled):
        services.workshop_cancel(by=organiser_dina, workshop=workshop, reason="Encore")
    attendee = selectors.attendee_list(workshop)[0]
    with pytest.raises(WorkshopCancelled):
        services.attendee_rsvp(attendee=attendee, rsvp="yes", name_consent=False)
    with pytest.raises(WorkshopCancelled):
        services.agenda_item_add(by=organiser_dina, workshop=workshop, title="Pause", minutes=10)


def test_join_needs_an_open_wall(workshop, organiser_dina):
    services.panel_invite(by=organiser_dina, workshop=workshop)
    attendee = selectors.attendee_list(workshop)[0]
    services.workshop_phase_set(by=organiser_dina, workshop=workshop, phase=Phase.COLLECT)
    joined = services.attendee_join(attendee=attendee)
    assert joined.joined_at is not None
    services.attendee_join(attendee=attendee)  # a second time changes nothing
    assert AuditEntry.objects.filter(code="workshops.attendee.joined").count() == 1
    assert selectors.wall_counts(workshop)["joined"] == 1


def test_figures_count_held_workshops(workshop, campaign, organiser_dina):
    from concerto.dashboard.selectors import campaign_stats

    assert selectors.workshop_figures(campaign) == {"workshops": 0}
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.CLOSED)
    cancelled = plan(campaign, organiser_dina, title="Annulé")
    Workshop.objects.filter(pk=cancelled.pk).update(phase=Phase.CLOSED, cancelled_at=timezone.now())
    assert selectors.workshop_figures(campaign) == {"workshops": 1}
    assert campaign_stats(campaign)["workshops"] == 1


def test_answers_are_closed_once_the_workshop_is_over(workshop, organiser_dina):
    services.panel_invite(by=organiser_dina, workshop=workshop)
    attendee = selectors.attendee_list(workshop)[0]
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.CLOSED)
    with pytest.raises(WorkshopOver):
        services.attendee_rsvp(attendee=attendee, rsvp="yes", name_consent=False)


def test_agenda_items_are_the_workshops(workshop):
    assert AgendaItem.objects.filter(workshop=workshop).count() == 3

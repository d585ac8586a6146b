"""The phase calendar and sectors edited by organisers: every validation rule, the actor check, the audit."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation

from concerto.campaigns import services
from concerto.campaigns.errors import PhaseNotFound, SectorNotFound
from concerto.campaigns.models import Campaign, Organisation, Phase, PhaseKind, Sector
from concerto.campaigns.selectors import phase_closing_warning, phase_dependents, phase_is_open
from concerto.core.errors import FieldErrors
from concerto.core.models import AuditEntry
from concerto.residents.models import Role, User
from concerto.residents.services import role_grant_by_system

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(datetime(2027, 3, 1, 9, 0))


def day(n: int, hour: int = 0):
    return T0 + timedelta(days=n, hours=hour)


@pytest.fixture
def empty_campaign(db):
    org = Organisation.objects.create(name="Asso", slug="asso-cal")
    return Campaign.objects.create(organisation=org, name="Les Facultés", slug="facultes", territory="Aix")


@pytest.fixture
def organiser(empty_campaign):
    user = User.objects.create_user("orga@example.org", password="orga-password-123")
    role_grant_by_system(campaign=empty_campaign, user=user, role=Role.ORGANISER)
    return user


@pytest.fixture
def moderator(empty_campaign):
    user = User.objects.create_user("modo@example.org", password="modo-password-123")
    role_grant_by_system(campaign=empty_campaign, user=user, role=Role.MODERATOR)
    return user


def add(campaign, by, kind, start, end, **kw):
    return services.phase_create(by=by, campaign=campaign, kind=kind, starts_at=start, ends_at=end, **kw)


def errors_of(call) -> dict:
    with translation.override("en"), pytest.raises(FieldErrors) as caught:
        call()
    return {k: str(v) for k, v in caught.value.errors.items()}


def test_an_organiser_builds_a_calendar_with_keywords_and_gets_the_phases_back(empty_campaign, organiser):
    letters = add(empty_campaign, organiser, PhaseKind.INVITATION, day(0), day(14), summary="  Courriers  ")
    participation = add(empty_campaign, organiser, PhaseKind.PARTICIPATION, day(20), day(50))
    door = add(empty_campaign, organiser, PhaseKind.DOOR_TO_DOOR, day(25), day(40))  # may run during participation
    assert isinstance(letters, Phase) and letters.summary == "Courriers"
    assert [p.kind for p in Phase.objects.filter(campaign=empty_campaign)] == ["invitation", "participation",
                                                                               "door_to_door"]
    entry = AuditEntry.objects.get(code="campaigns.phase.created", target=f"campaigns.phase:{door.pk}")
    assert entry.actor == organiser and entry.scope == "facultes" and entry.data["kind"] == "door_to_door"
    assert participation.pk


def test_the_end_must_come_after_the_start(empty_campaign, organiser):
    errors = errors_of(lambda: add(empty_campaign, organiser, PhaseKind.INVITATION, day(5), day(5)))
    assert errors == {"ends_at": "The phase must end after it starts."}
    errors = errors_of(lambda: add(empty_campaign, organiser, PhaseKind.INVITATION, day(5), day(2)))
    assert "ends_at" in errors
    assert not Phase.objects.exists()


def test_missing_dates_and_unknown_kind_are_refused(empty_campaign, organiser):
    errors = errors_of(lambda: add(empty_campaign, organiser, "vacances", None, None))
    assert set(errors) == {"kind", "starts_at", "ends_at"}
    assert not Phase.objects.exists()


def test_two_phases_may_not_overlap(empty_campaign, organiser):
    add(empty_campaign, organiser, PhaseKind.SELECTION, day(10), day(20))
    errors = errors_of(lambda: add(empty_campaign, organiser, PhaseKind.WORKSHOPS, day(15), day(30)))
    assert errors["starts_at"].startswith("These dates overlap the “Selection” phase")
    errors = errors_of(lambda: add(empty_campaign, organiser, PhaseKind.INVITATION, day(5), day(12)))
    assert errors["ends_at"].startswith("These dates overlap the “Selection” phase")
    # Touching ends are fine: one ends when the next starts.
    add(empty_campaign, organiser, PhaseKind.WORKSHOPS, day(20), day(30))
    assert Phase.objects.count() == 2


def test_door_to_door_may_run_during_participation_but_nothing_else_may(empty_campaign, organiser):
    add(empty_campaign, organiser, PhaseKind.PARTICIPATION, day(0), day(30))
    add(empty_campaign, organiser, PhaseKind.DOOR_TO_DOOR, day(5), day(20))
    errors = errors_of(lambda: add(empty_campaign, organiser, PhaseKind.LIVE_EVENT, day(25), day(25, 3)))
    assert "overlap the “Participation” phase" in errors["starts_at"]


def test_phases_follow_the_order_of_the_process(empty_campaign, organiser):
    add(empty_campaign, organiser, PhaseKind.WORKSHOPS, day(20), day(30))
    # Letters come before workshops: they may not start after them.
    errors = errors_of(lambda: add(empty_campaign, organiser, PhaseKind.INVITATION, day(40), day(45)))
    assert errors["starts_at"].startswith("The “Workshops” phase comes later in the process")
    # Participation comes after workshops: it may not start before them.
    errors = errors_of(lambda: add(empty_campaign, organiser, PhaseKind.PARTICIPATION, day(0), day(10)))
    assert errors["starts_at"].startswith("The “Workshops” phase comes earlier in the process")
    assert Phase.objects.count() == 1


def test_one_phase_per_kind(empty_campaign, organiser):
    add(empty_campaign, organiser, PhaseKind.INVITATION, day(0), day(10))
    errors = errors_of(lambda: add(empty_campaign, organiser, PhaseKind.INVITATION, day(20), day(30)))
    assert errors == {"kind": "This campaign already has a “Letters” phase: edit it instead."}


def test_the_description_is_limited(empty_campaign, organiser):
    errors = errors_of(lambda: add(empty_campaign, organiser, PhaseKind.INVITATION, day(0), day(1), summary="x" * 301))
    assert errors == {"summary": "The description is limited to 300 characters."}


def test_update_checks_against_the_other_phases_only(empty_campaign, organiser):
    first = add(empty_campaign, organiser, PhaseKind.INVITATION, day(0), day(10))
    add(empty_campaign, organiser, PhaseKind.SELECTION, day(10), day(20))
    # Moving a phase within its own old dates is no overlap with itself.
    moved = services.phase_update(by=organiser, campaign=empty_campaign, phase_id=first.pk,
                                  kind=PhaseKind.INVITATION, starts_at=day(1), ends_at=day(9), summary="Lettres")
    assert (moved.starts_at, moved.summary) == (day(1), "Lettres")
    errors = errors_of(lambda: services.phase_update(
        by=organiser, campaign=empty_campaign, phase_id=first.pk, kind=PhaseKind.INVITATION,
        starts_at=day(1), ends_at=day(15)))
    assert "ends_at" in errors
    assert Phase.objects.get(pk=first.pk).ends_at == day(9)
    entry = AuditEntry.objects.filter(code="campaigns.phase.updated").latest("pk")
    assert datetime.fromisoformat(entry.data["before"]["starts_at"]) == day(0)


def test_closing_a_phase_early_closes_participation(empty_campaign, organiser):
    now = timezone.now()
    phase = add(empty_campaign, organiser, PhaseKind.PARTICIPATION, now - timedelta(days=1), now + timedelta(days=9))
    assert phase_is_open(empty_campaign, PhaseKind.PARTICIPATION)
    assert phase_closing_warning(phase)
    services.phase_update(by=organiser, campaign=empty_campaign, phase_id=phase.pk, kind=phase.kind,
                          starts_at=phase.starts_at, ends_at=phase.ends_at, is_closed=True)
    fresh = Campaign.objects.get(pk=empty_campaign.pk)
    assert not phase_is_open(fresh, PhaseKind.PARTICIPATION)
    assert Phase.objects.get(pk=phase.pk).ends_at == phase.ends_at  # the dates stay as planned


def test_deleting_tells_what_depends_on_the_phase(empty_campaign, organiser):
    now = timezone.now()
    participation = add(empty_campaign, organiser, PhaseKind.PARTICIPATION, now - timedelta(days=1),
                        now + timedelta(days=9))
    synthesis = add(empty_campaign, organiser, PhaseKind.SYNTHESIS, now + timedelta(days=20), now + timedelta(days=30))
    with translation.override("en"):
        said = phase_dependents(participation)
    assert any("support" in s for s in said) and any("open now" in s for s in said)
    assert phase_dependents(synthesis) == []
    services.phase_delete(by=organiser, campaign=empty_campaign, phase_id=participation.pk)
    assert list(Phase.objects.values_list("kind", flat=True)) == ["synthesis"]
    assert AuditEntry.objects.filter(code="campaigns.phase.deleted", actor=organiser).exists()


def test_only_organisers_edit_the_calendar(empty_campaign, organiser, moderator):
    phase = add(empty_campaign, organiser, PhaseKind.INVITATION, day(0), day(10))
    stranger = User.objects.create_user("x@example.org")
    for user in (moderator, stranger, None):
        with pytest.raises(PhaseNotFound):
            add(empty_campaign, user, PhaseKind.SELECTION, day(10), day(20))
        with pytest.raises(PhaseNotFound):
            services.phase_update(by=user, campaign=empty_campaign, phase_id=phase.pk, kind=phase.kind,
                                  starts_at=day(0), ends_at=day(3))
        with pytest.raises(PhaseNotFound):
            services.phase_delete(by=user, campaign=empty_campaign, phase_id=phase.pk)
    assert Phase.objects.get().ends_at == day(10)


def test_an_organiser_of_another_campaign_cannot_reach_this_one(empty_campaign, organiser):
    other = Campaign.objects.create(organisation=empty_campaign.organisation, name="Autre", slug="autre",
                                    territory="Aix")
    phase = add(empty_campaign, organiser, PhaseKind.INVITATION, day(0), day(10))
    with pytest.raises(PhaseNotFound):
        services.phase_delete(by=organiser, campaign=other, phase_id=phase.pk)
    role_grant_by_system(campaign=other, user=organiser, role=Role.ORGANISER)
    with pytest.raises(PhaseNotFound):  # a phase of another campaign is not found through this one
        services.phase_delete(by=organiser, campaign=other, phase_id=phase.pk)
    with pytest.raises(PhaseNotFound):
        services.phase_delete(by=organiser, campaign=empty_campaign, phase_id="abc")
    assert Phase.objects.count() == 1


def test_sectors_are_created_with_a_code_and_renamed_keeping_it(empty_campaign, organiser):
    sector = services.sector_create(by=organiser, campaign=empty_campaign, name="  Rue des Lilas ")
    assert (sector.name, sector.code) == ("Rue des Lilas", "rue-des-lilas")
    twin = services.sector_create(by=organiser, campaign=empty_campaign, name="Rue des Lilas (bis)", code=None)
    assert twin.code == "rue-des-lilas-bis"
    given = services.sector_create(by=organiser, campaign=empty_campaign, name="Nord", code="n1")
    assert given.code == "n1"
    renamed = services.sector_rename(by=organiser, campaign=empty_campaign, sector_id=sector.pk,
                                     name="Rue des Lilas et impasse")
    assert (renamed.name, renamed.code) == ("Rue des Lilas et impasse", "rue-des-lilas")
    assert AuditEntry.objects.filter(code="campaigns.sector.renamed", data__before="Rue des Lilas").exists()


def test_sector_names_and_codes_are_checked(empty_campaign, organiser):
    services.sector_create(by=organiser, campaign=empty_campaign, name="Nord")
    assert errors_of(lambda: services.sector_create(by=organiser, campaign=empty_campaign, name="NORD")) == {
        "name": "Another sector of this campaign already has this name."}
    assert "name" in errors_of(lambda: services.sector_create(by=organiser, campaign=empty_campaign, name="  "))
    assert "name" in errors_of(lambda: services.sector_create(by=organiser, campaign=empty_campaign, name="x" * 121))
    assert "code" in errors_of(lambda: services.sector_create(by=organiser, campaign=empty_campaign, name="Sud",
                                                              code="Pas un code!"))
    assert "code" in errors_of(lambda: services.sector_create(by=organiser, campaign=empty_campaign, name="Sud",
                                                              code="nord"))
    assert list(Sector.objects.values_list("name", flat=True)) == ["Nord"]


def test_only_organisers_create_or_rename_sectors(empty_campaign, organiser, moderator):
    sector = services.sector_create(by=organiser, campaign=empty_campaign, name="Nord")
    with pytest.raises(SectorNotFound):
        services.sector_create(by=moderator, campaign=empty_campaign, name="Sud")
    with pytest.raises(SectorNotFound):
        services.sector_rename(by=moderator, campaign=empty_campaign, sector_id=sector.pk, name="Sud")
    with pytest.raises(SectorNotFound):
        services.sector_row_delete(by=moderator, campaign=empty_campaign, sector_id=sector.pk)
    assert list(Sector.objects.values_list("name", flat=True)) == ["Nord"]


def test_a_legacy_calendar_does_not_block_closing_an_unmoved_phase(empty_campaign, organiser):
    """Phases saved before these rules (or by hand) may overlap: changing only the description or the
    closing is accepted; moving the phase is checked against the others."""
    Phase.objects.create(campaign=empty_campaign, kind=PhaseKind.INVITATION, starts_at=day(0), ends_at=day(30))
    participation = Phase.objects.create(campaign=empty_campaign, kind=PhaseKind.PARTICIPATION, starts_at=day(10),
                                         ends_at=day(40))
    closed = services.phase_update(by=organiser, campaign=empty_campaign, phase_id=participation.pk,
                                   kind=participation.kind, starts_at=participation.starts_at,
                                   ends_at=participation.ends_at, summary="Close plus tôt", is_closed=True)
    assert closed.is_closed and closed.summary == "Close plus tôt"
    errors = errors_of(lambda: services.phase_update(
        by=organiser, campaign=empty_campaign, phase_id=participation.pk, kind=participation.kind,
        starts_at=day(11), ends_at=day(40)))
    assert "overlap the “Letters” phase" in errors["starts_at"]


def test_phase_errors_checks_without_writing(empty_campaign, organiser):
    add(empty_campaign, organiser, PhaseKind.SELECTION, day(10), day(20))
    assert services.phase_errors(campaign=empty_campaign, kind="workshops", starts_at=day(20), ends_at=day(30)) == {}
    assert set(services.phase_errors(campaign=empty_campaign, kind="workshops", starts_at=day(19),
                                     ends_at=day(30))) == {"starts_at"}
    assert Phase.objects.count() == 1


def test_the_demo_calendar_passes_the_rules(empty_campaign, organiser):
    """The shipped Saint-Jérôme calendar (door to door during participation) is built by the same service."""
    from concerto.demo import content

    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for p in content.PHASES:
        add(empty_campaign, organiser, p.kind, today + timedelta(days=p.start_day, hours=p.start_hour),
            today + timedelta(days=p.end_day, hours=p.end_hour), summary=p.summary)
    assert Phase.objects.filter(campaign=empty_campaign).count() == len(PhaseKind.values)


def test_the_organiser_check_matches_the_residents_rule(empty_campaign, organiser, moderator):
    from concerto.residents.rules import is_organiser

    assert services._ORGANISER == Role.ORGANISER
    admin = User.objects.create_superuser("admin@example.org", password="admin-password-123")
    User.objects.filter(pk=organiser.pk).update(is_active=False)
    organiser.refresh_from_db()
    for user in (admin, organiser, moderator, None):
        assert services._may_organise(user, empty_campaign) == is_organiser(user, empty_campaign), user
    assert services._may_organise(admin, empty_campaign) and not services._may_organise(organiser, empty_campaign)


def test_a_phase_closed_early_reads_as_done_on_the_timeline(empty_campaign, organiser):
    from concerto.campaigns.selectors import phase_timeline

    now = timezone.now()
    phase = add(empty_campaign, organiser, PhaseKind.PARTICIPATION, now - timedelta(days=1), now + timedelta(days=9))
    assert phase_timeline(empty_campaign)[0]["state"] == "current"
    services.phase_update(by=organiser, campaign=empty_campaign, phase_id=phase.pk, kind=phase.kind,
                          starts_at=phase.starts_at, ends_at=phase.ends_at, is_closed=True)
    with translation.override("en"):
        step = phase_timeline(Campaign.objects.get(pk=empty_campaign.pk))[0]
        assert (step["state"], step["closed"], str(step["state_label"])) == ("past", True, "closed early")

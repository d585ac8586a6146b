"""The demo campaign: loaded once per module (it takes a couple of seconds), then checked from the rows."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from concerto.campaigns.models import Campaign, Phase, PhaseKind, Sector
from concerto.core import ratelimit
from concerto.core.models import AuditEntry
from concerto.demo import content
from concerto.demo.services import SLUG, demo_delete, demo_emails, demo_load
from concerto.proposals.models import (
    Action,
    ActionStatus,
    Channel,
    Comment,
    CommentReport,
    CommentStatus,
    Origin,
    Support,
)
from concerto.proposals.services import support_add
from concerto.residents.models import Membership, Role, User
from concerto.workshops.models import ActionSheet, Attendee, Dot, Idea, Workshop


@pytest.fixture
def campaign(demo, db):
    return Campaign.objects.get(slug=SLUG)


def _snapshot(campaign) -> dict:
    actions = Action.objects.filter(campaign=campaign)
    return {
        "users": User.objects.filter(email__in=demo_emails()).count(),
        "memberships": Membership.objects.filter(campaign=campaign).count(),
        "actions": actions.count(),
        "titles": sorted(actions.values_list("title", flat=True)),
        "supports": Support.objects.filter(action__campaign=campaign).count(),
        "comments": Comment.objects.filter(action__campaign=campaign).count(),
        "phases": Phase.objects.filter(campaign=campaign).count(),
        "sectors": Sector.objects.filter(campaign=campaign).count(),
        **_workshops_snapshot(campaign),
    }


def _workshops_snapshot(campaign) -> dict:
    workshops = Workshop.objects.filter(campaign=campaign)
    return {
        "workshops": list(workshops.order_by("number").values_list(
            "number", "title", "starts_at", "ends_at", "phase", "closed_at", "version", "room_code")),
        "ideas": sorted(Idea.objects.filter(workshop__in=workshops).values_list(
            "workshop__number", "prompt", "text", "place", "theme__name", "position", "created_at",
            "merged_into__text")),
        "dots": sorted(Dot.objects.filter(workshop__in=workshops).values_list(
            "workshop__number", "attendee__name", "theme__name", "idea__text", "count")),
        "attendees": sorted(Attendee.objects.filter(workshop__in=workshops).values_list(
            "workshop__number", "name", "rsvp", "attendance", "name_consent")),
        "sheets": sorted(ActionSheet.objects.filter(workshop__in=workshops).values_list(
            "workshop__number", "title", "theme__name", "cost", "horizon", "action__title")),
    }


@pytest.mark.django_db
def test_loads_the_campaign(demo, campaign):
    assert demo.loaded is True
    assert campaign.name == "Saint-Jérôme, Aix-en-Provence"
    assert campaign.territory == "Quartier Saint-Jérôme, Aix-en-Provence"
    assert campaign.organisation.name == "Collectif Concerto Aix"
    assert campaign.themes.count() == 7
    assert Sector.objects.filter(campaign=campaign).count() == len(content.SECTORS) == 8


@pytest.mark.django_db
def test_phases_are_placed_around_now(campaign):
    now = timezone.now()
    phases = {p.kind: p for p in Phase.objects.filter(campaign=campaign)}
    assert set(phases) == set(PhaseKind.values)
    states = {kind: p.state(now) for kind, p in phases.items()}
    assert states == {
        "invitation": "past", "selection": "past", "workshops": "past",
        "participation": "current", "door_to_door": "current",
        "live_event": "upcoming", "synthesis": "upcoming",
    }
    remaining = phases["participation"].ends_at - now
    assert 28 <= remaining.days <= 31
    assert all(p.summary for p in phases.values())


@pytest.mark.django_db
def test_accounts_and_roles(campaign):
    roles = dict(
        Membership.objects.filter(campaign=campaign).values_list("role").annotate(n=Count("id")).order_by()
    )
    assert roles == {
        Role.RESIDENT: 130, Role.CANDIDATE: 7, Role.ORGANISER: 1,
        Role.FACILITATOR: 1, Role.MODERATOR: 1, Role.AMBASSADOR: 2,
    }
    residents = User.objects.filter(memberships__campaign=campaign, memberships__role=Role.RESIDENT)
    # 110 online; the 20 met at their door or who sent the paper form have an account without e-mail.
    online = residents.filter(email__isnull=False)
    assert set(online.values_list("email", flat=True)) == {f"habitant{i:03d}@example.org" for i in range(1, 111)}
    assert residents.filter(email__isnull=True).count() == 20
    assert not any(u.has_usable_password() for u in residents)
    organiser = User.objects.get(email="organisatrice@example.org")
    assert organiser.check_password("concerto-demo")
    assert User.objects.get(email="candidate7@example.org").check_password("concerto-demo")
    assert all(name.strip() for name in online.values_list("display_name", flat=True))


@pytest.mark.django_db
def test_twenty_workshop_actions_published(campaign):
    workshop = Action.objects.filter(campaign=campaign, origin=Origin.WORKSHOP)
    assert workshop.count() == 20
    assert workshop.filter(status=ActionStatus.PUBLISHED).count() == 20
    for action in workshop:
        assert len(action.title) <= 140
        assert 10 <= len(action.summary) <= 300
        assert action.body.count("\n\n") >= 1 and action.body_html.startswith("<p>")
        assert action.place and action.theme_id


@pytest.mark.django_db
def test_supports_and_counters_are_exact(campaign):
    supports = Support.objects.filter(action__campaign=campaign)
    assert supports.count() >= 400
    assert not supports.filter(action__status__in=[ActionStatus.PENDING, ActionStatus.REJECTED]).exists()
    for action in Action.objects.filter(campaign=campaign).annotate(
        n_supports=Count("supports", distinct=True),
        n_visible=Count("comments", filter=Q(comments__status=CommentStatus.VISIBLE), distinct=True),
    ):
        assert action.support_count == action.n_supports, action.title
        assert action.comment_count == action.n_visible, action.title
    channels = dict(supports.values_list("channel").annotate(n=Count("id")).order_by())
    assert channels[Channel.ONLINE] > channels[Channel.DOOR_TO_DOOR] >= 30
    assert channels[Channel.WORKSHOP] >= 10
    assert channels[Channel.PAPER] >= 10
    # Uneven: the most supported workshop action has several times the support of the least.
    counts = sorted(Action.objects.filter(campaign=campaign, origin=Origin.WORKSHOP).values_list("support_count", flat=True))
    assert counts[-1] >= 3 * counts[0]
    # Some supports went to residents' contributions too.
    assert supports.exclude(action__origin=Origin.WORKSHOP).count() >= 30


@pytest.mark.django_db
def test_two_hundred_contributions_moderated(campaign):
    contributions = Action.objects.filter(campaign=campaign).exclude(origin=Origin.WORKSHOP)
    assert contributions.count() == 200
    assert not contributions.filter(author__isnull=True).exists()
    by_status = dict(contributions.values_list("status").annotate(n=Count("id")).order_by())
    assert by_status[ActionStatus.REJECTED] == 15
    assert by_status[ActionStatus.MERGED] == 10
    assert by_status[ActionStatus.PENDING] == 5
    assert by_status[ActionStatus.PUBLISHED] == 170
    assert all(r for r in contributions.filter(status=ActionStatus.REJECTED).values_list("rejection_reason", flat=True))
    merged = contributions.filter(status=ActionStatus.MERGED).select_related("merged_into")
    assert all(a.merged_into.origin == Origin.WORKSHOP for a in merged)
    by_origin = dict(contributions.values_list("origin").annotate(n=Count("id")).order_by())
    assert by_origin == {Origin.ONLINE: 165, Origin.DOOR_TO_DOOR: 25, Origin.PAPER: 10}
    titles = list(Action.objects.filter(campaign=campaign).values_list("title", flat=True))
    assert len(titles) == len(set(titles))
    assert contributions.values("theme").distinct().count() >= 7


@pytest.mark.django_db
def test_every_resident_took_part(campaign):
    residents = User.objects.filter(memberships__campaign=campaign, memberships__role=Role.RESIDENT)
    idle = residents.exclude(
        Exists(Support.objects.filter(user=OuterRef("pk"), action__campaign=campaign))
        | Exists(Action.objects.filter(author=OuterRef("pk"), campaign=campaign).exclude(origin=Origin.WORKSHOP))
    )
    assert idle.count() == 0
    assert demo_load().counts["participating_residents"] == 130


@pytest.mark.django_db
def test_comments_and_moderation(campaign):
    comments = Comment.objects.filter(action__campaign=campaign)
    assert 75 <= comments.count() <= 85
    hidden = comments.get(status=CommentStatus.HIDDEN)
    assert hidden.hidden_reason and hidden.open_report_count == 0
    assert CommentReport.objects.filter(comment__action__campaign=campaign).values("comment").distinct().count() == 3
    assert comments.filter(status=CommentStatus.VISIBLE, open_report_count__gt=0).count() == 2
    assert AuditEntry.objects.filter(scope=SLUG, code="proposals.comment.hidden").count() == 1


@pytest.mark.django_db
def test_loading_twice_changes_nothing(campaign):
    before = _snapshot(campaign)
    result = demo_load()
    assert result.loaded is False
    assert result.seconds < 1
    assert _snapshot(campaign) == before
    assert Campaign.objects.filter(slug=SLUG).count() == 1


@pytest.mark.django_db
def test_command_says_it_is_already_loaded(campaign):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "déjà chargée" in out.getvalue()


@pytest.mark.django_db
def test_reset_reloads_the_same_demo(campaign):
    before = _snapshot(campaign)
    out = StringIO()
    call_command("load_demo", "--reset", stdout=out)
    assert "Démo « Saint-Jérôme, Aix-en-Provence » chargée" in out.getvalue()
    assert "Contributions : 200" in out.getvalue()
    assert "Ateliers tenus : 2 (22 présences)" in out.getvalue()
    assert "fiches actions publiées : 20" in out.getvalue()
    third = Workshop.objects.get(campaign__slug=SLUG, number=3)
    assert f"code de salle : {third.room_code} (/atelier/{third.room_code}/)" in out.getvalue()
    assert "compte animateur : animateur@example.org (mot de passe « concerto-demo »)" in out.getvalue()
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    reloaded = Campaign.objects.get(slug=SLUG)
    assert _snapshot(reloaded) == before  # deterministic, and no account left over or duplicated


@pytest.mark.django_db
def test_rate_limits_are_back_and_a_newcomer_can_take_part(campaign):
    probe = [ratelimit.take("support", "demo-probe") for _ in range(2)]
    assert [slot.count for slot in probe] == [1, 2]  # counting again once the loader is done
    newcomer = User.objects.create_user("nouvelle@example.net", display_name="Nouvelle V.")
    action = Action.objects.filter(campaign=campaign, origin=Origin.WORKSHOP).order_by("support_count").first()
    count = action.support_count
    assert support_add(user=newcomer, action=action) is True
    action.refresh_from_db()
    assert action.support_count == count + 1


@pytest.mark.django_db
def test_delete_removes_everything_of_the_demo(campaign):
    assert demo_delete() is True
    assert not Campaign.objects.filter(slug=SLUG).exists()
    assert not User.objects.filter(email__in=demo_emails()).exists()
    assert not AuditEntry.objects.filter(scope=SLUG).exists()
    assert demo_delete() is False


@pytest.mark.django_db
def test_leftover_demo_accounts_do_not_block_loading(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(slug="ancienne-demo")  # as if renamed in the admin
    assert demo_load().loaded is True
    assert User.objects.filter(email__in=demo_emails()).count() == len(demo_emails())

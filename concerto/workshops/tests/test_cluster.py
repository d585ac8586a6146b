"""Cluster phase: themes, grouping, merging, editing (services), rules and bad inputs with their codes."""

import pytest

from concerto.core.errors import FieldErrors
from concerto.core.models import AuditEntry

from .. import services
from ..errors import (
    IdeaEmpty,
    IdeaNotFound,
    MergeInvalid,
    NotFacilitator,
    NotMerged,
    PhaseLocked,
    ThemeNameEmpty,
    ThemeNameTaken,
    ThemeNameTooLong,
    ThemeNotFound,
)
from ..models import Dot, Idea, WallTheme, Workshop
from .cluster_fixtures import make_attendee, make_ideas, make_workshop, set_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def wall(campaign, facilitator_fanny, resident_alice):
    workshop = make_workshop(campaign)
    alice = make_attendee(workshop, "Alice B.", user=resident_alice)
    ideas = make_ideas(workshop, alice, ["Des bancs place du marché", "Plus de bancs", "Un parking relais",
                                         "Éclairer la rue des Lilas"])
    return workshop, alice, ideas


def version(workshop):
    return Workshop.objects.get(pk=workshop.pk).version


def test_create_rename_reorder_delete_a_theme(wall, facilitator_fanny):
    workshop, _alice, ideas = wall
    a = services.theme_create(by=facilitator_fanny, workshop=workshop, name="  Bancs ")
    b = services.theme_create(by=facilitator_fanny, workshop=workshop, name="Stationnement")
    assert (a.name, a.position, b.position) == ("Bancs", 0, 1)
    services.theme_rename(by=facilitator_fanny, workshop=workshop, theme_id=a.pk, name="Bancs publics")
    assert WallTheme.objects.get(pk=a.pk).name == "Bancs publics"
    entry = AuditEntry.objects.filter(code="workshops.theme.renamed").get()
    assert (entry.data["old"], entry.data["new"]) == ("Bancs", "Bancs publics")
    services.theme_move(by=facilitator_fanny, workshop=workshop, theme_id=b.pk, offset=-1)
    assert list(WallTheme.objects.filter(workshop=workshop).order_by("position").values_list("name", flat=True)) \
        == ["Stationnement", "Bancs publics"]
    services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=ideas[0].pk, theme_id=a.pk)
    before = version(workshop)
    services.theme_delete(by=facilitator_fanny, workshop=workshop, theme_id=a.pk)
    assert not WallTheme.objects.filter(pk=a.pk).exists()
    idea = Idea.objects.get(pk=ideas[0].pk)
    assert idea.theme_id is None  # back among the ungrouped, never deleted
    assert Idea.objects.filter(workshop=workshop).count() == 4
    assert version(workshop) == before + 1


@pytest.mark.parametrize("name, error", [("", ThemeNameEmpty), ("   ", ThemeNameEmpty), ("x" * 81, ThemeNameTooLong),
                                         ("bancs", ThemeNameTaken), ("BÂNCS", ThemeNameTaken)])
def test_bad_theme_names_are_refused_and_change_nothing(wall, facilitator_fanny, name, error):
    workshop, *_ = wall
    services.theme_create(by=facilitator_fanny, workshop=workshop, name="Bancs")
    before = version(workshop)
    with pytest.raises(error) as caught:
        services.theme_create(by=facilitator_fanny, workshop=workshop, name=name)
    assert caught.value.code == error.code
    assert WallTheme.objects.filter(workshop=workshop).count() == 1
    assert version(workshop) == before


def test_group_into_a_theme_a_new_theme_and_out(wall, facilitator_fanny):
    workshop, _alice, ideas = wall
    theme = services.theme_create(by=facilitator_fanny, workshop=workshop, name="Bancs")
    services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=ideas[0].pk, theme_id=theme.pk)
    services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk, theme_id=str(theme.pk))
    assert list(theme.ideas.order_by("position").values_list("pk", flat=True)) == [ideas[0].pk, ideas[1].pk]
    idea = services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=ideas[2].pk,
                               new_theme_name="Stationnement")
    assert idea.theme.name == "Stationnement"
    services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=ideas[0].pk, theme_id=None)
    assert Idea.objects.get(pk=ideas[0].pk).theme_id is None
    grouped = AuditEntry.objects.filter(code="workshops.idea.grouped").count()
    assert grouped == 4
    # The same move again is no write at all.
    before = version(workshop)
    services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk, theme_id=theme.pk)
    assert version(workshop) == before


def test_grouping_refuses_unknown_ideas_and_themes(wall, facilitator_fanny, campaign):
    workshop, _alice, ideas = wall
    other = make_workshop(campaign)
    foreign = services.theme_create(by=facilitator_fanny, workshop=other, name="Ailleurs")
    with pytest.raises(ThemeNotFound):
        services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=ideas[0].pk, theme_id=foreign.pk)
    with pytest.raises(ThemeNotFound):
        services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=ideas[0].pk, theme_id="abc")
    with pytest.raises(IdeaNotFound) as caught:
        services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=999999, theme_id=None)
    assert caught.value.code == "idea_not_found"
    assert not Idea.objects.filter(workshop=workshop, theme__isnull=False).exists()


def test_merge_keeps_the_duplicate_counted_and_unmerge_puts_it_back(wall, facilitator_fanny):
    workshop, _alice, ideas = wall
    services.idea_merge(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk, into_id=ideas[0].pk)
    duplicate = Idea.objects.get(pk=ideas[1].pk)
    assert duplicate.merged_into_id == ideas[0].pk
    assert Idea.objects.filter(workshop=workshop).count() == 4  # still counted
    from ..selectors import cluster_board
    board = cluster_board(workshop)
    assert ideas[1].pk not in [r["id"] for r in board["ungrouped"]]
    assert board["ungrouped"][0]["merged"] == ["Plus de bancs"]
    # A merged idea is off the wall: it cannot be grouped or merged again, nor receive a merge.
    with pytest.raises(IdeaNotFound):
        services.idea_merge(by=facilitator_fanny, workshop=workshop, idea_id=ideas[2].pk, into_id=ideas[1].pk)
    # Merging the kept idea elsewhere carries its duplicates along (no chains).
    services.idea_merge(by=facilitator_fanny, workshop=workshop, idea_id=ideas[0].pk, into_id=ideas[2].pk)
    assert Idea.objects.get(pk=ideas[1].pk).merged_into_id == ideas[2].pk
    services.idea_unmerge(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk)
    assert Idea.objects.get(pk=ideas[1].pk).merged_into_id is None
    with pytest.raises(NotMerged):
        services.idea_unmerge(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk)
    with pytest.raises(MergeInvalid) as caught:
        services.idea_merge(by=facilitator_fanny, workshop=workshop, idea_id=ideas[3].pk, into_id=ideas[3].pk)
    assert caught.value.code == "merge_invalid"


def test_merge_moves_the_dots_to_the_kept_idea(wall, facilitator_fanny):
    """After a step back from the vote, dots on a duplicate follow it to the kept idea, added up."""
    workshop, alice, ideas = wall
    Dot.objects.create(workshop=workshop, attendee=alice, idea=ideas[1], count=2)
    Dot.objects.create(workshop=workshop, attendee=alice, idea=ideas[0], count=1)
    services.idea_merge(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk, into_id=ideas[0].pk)
    assert list(Dot.objects.filter(workshop=workshop).values_list("idea_id", "count")) == [(ideas[0].pk, 3)]


def test_edit_an_idea_audits_old_and_new_text(wall, facilitator_fanny):
    workshop, _alice, ideas = wall
    services.idea_correct(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk, text="Plus de bancs à l'ombre")
    idea = Idea.objects.get(pk=ideas[1].pk)
    assert idea.text == "Plus de bancs à l'ombre" and idea.edited_at is not None
    entry = AuditEntry.objects.get(code="workshops.idea.edited")
    assert (entry.data["old"], entry.data["new"]) == ("Plus de bancs", "Plus de bancs à l'ombre")
    with pytest.raises(IdeaEmpty):
        services.idea_correct(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk, text="  ")
    with pytest.raises(services.IdeaTooLong):
        services.idea_correct(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk, text="x" * 281)
    assert Idea.objects.get(pk=ideas[1].pk).text == "Plus de bancs à l'ombre"


def test_participants_and_organisers_of_elsewhere_cannot_run_the_wall(wall, resident_alice, resident_bob):
    workshop, _alice, ideas = wall
    theme = WallTheme.objects.create(workshop=workshop, name="Bancs")
    calls = [
        lambda by: services.theme_create(by=by, workshop=workshop, name="Nouveau"),
        lambda by: services.theme_rename(by=by, workshop=workshop, theme_id=theme.pk, name="Autre"),
        lambda by: services.theme_delete(by=by, workshop=workshop, theme_id=theme.pk),
        lambda by: services.idea_group(by=by, workshop=workshop, idea_id=ideas[0].pk, theme_id=theme.pk),
        lambda by: services.idea_merge(by=by, workshop=workshop, idea_id=ideas[1].pk, into_id=ideas[0].pk),
        lambda by: services.idea_correct(by=by, workshop=workshop, idea_id=ideas[1].pk, text="Autre chose"),
        lambda by: services.suggestion_accept(by=by, workshop=workshop, idea_ids=[ideas[0].pk], name="X"),
    ]
    for by in (resident_alice, resident_bob):
        for call in calls:
            with pytest.raises(NotFacilitator):
                call(by)
    assert WallTheme.objects.filter(workshop=workshop).count() == 1
    assert not Idea.objects.filter(workshop=workshop, theme__isnull=False).exists()
    assert not Idea.objects.filter(workshop=workshop, merged_into__isnull=False).exists()


@pytest.mark.parametrize("phase", ["planned", "collect", "vote", "sheets", "closed"])
def test_grouping_is_locked_outside_the_cluster_phase(wall, facilitator_fanny, phase):
    workshop, _alice, ideas = wall
    set_phase(workshop, phase)
    with pytest.raises(PhaseLocked) as caught:
        services.theme_create(by=facilitator_fanny, workshop=workshop, name="Bancs")
    assert caught.value.code == "phase_locked"
    with pytest.raises(PhaseLocked):
        services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=ideas[0].pk, new_theme_name="Bancs")
    if phase != "closed":
        with pytest.raises(PhaseLocked):
            services.idea_merge(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk, into_id=ideas[0].pk)
    assert not WallTheme.objects.filter(workshop=workshop).exists()


def test_editing_and_merging_are_allowed_at_the_reveal_but_not_grouping(wall, facilitator_fanny):
    workshop, _alice, ideas = wall
    set_phase(workshop, "reveal")
    services.idea_merge(by=facilitator_fanny, workshop=workshop, idea_id=ideas[1].pk, into_id=ideas[0].pk)
    services.idea_correct(by=facilitator_fanny, workshop=workshop, idea_id=ideas[0].pk, text="Des bancs")
    with pytest.raises(PhaseLocked):
        services.theme_create(by=facilitator_fanny, workshop=workshop, name="Bancs")


def test_vote_settings_before_and_at_the_start_of_the_vote(wall, facilitator_fanny):
    workshop, alice, _ideas = wall
    services.vote_settings_set(by=facilitator_fanny, workshop=workshop, dots_per_participant="7",
                               max_dots_per_item="3")
    workshop.refresh_from_db()
    assert (workshop.dots_per_participant, workshop.max_dots_per_item) == (7, 3)
    for dots, cap in (("0", None), ("100", None), ("abc", None), ("5", "0"), ("5", "x")):
        with pytest.raises(FieldErrors) as caught:
            services.vote_settings_set(by=facilitator_fanny, workshop=workshop, dots_per_participant=dots,
                                       max_dots_per_item=cap)
        assert caught.value.code == "invalid_fields"
    set_phase(workshop, "vote")
    services.vote_settings_set(by=facilitator_fanny, workshop=workshop, dots_per_participant=5, max_dots_per_item=None)
    theme = WallTheme.objects.create(workshop=workshop, name="Bancs")
    services.dot_set(workshop=workshop, attendee=alice, target=f"theme:{theme.pk}", count=1)
    with pytest.raises(services.VoteStarted) as caught:
        services.vote_settings_set(by=facilitator_fanny, workshop=workshop, dots_per_participant=9)
    assert caught.value.code == "vote_started"

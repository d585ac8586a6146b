"""The dot-vote: absolute counts, limits, timer, phases, proxies; results ranked with ties and zeros."""

from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.core.models import AuditEntry

from .. import services
from ..errors import (
    DotCountInvalid,
    NotAttendee,
    NotFacilitator,
    PhaseLocked,
    TooManyDots,
    TooManyDotsOnItem,
    VoteTargetInvalid,
    VoteTimeOver,
)
from ..models import Dot, Workshop
from ..selectors import dots_by_target, vote_progress, vote_results
from .cluster_fixtures import make_attendee, make_ideas, make_workshop, set_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def vote(campaign, resident_alice, resident_bob):
    workshop = make_workshop(campaign)
    alice = make_attendee(workshop, "Alice B.", user=resident_alice)
    bob = make_attendee(workshop, "Bob C.", user=resident_bob)
    nadia = make_attendee(workshop, "Nadia D.")  # no account: a device seat, or a proxy
    ideas = make_ideas(workshop, alice, ["Des bancs", "Plus de bancs", "Un parking", "Une fête", "Des arbres"])
    bancs = services.WallTheme.objects.create(workshop=workshop, name="Bancs", position=0)
    parking = services.WallTheme.objects.create(workshop=workshop, name="Stationnement", position=1)
    services.Idea.objects.filter(pk__in=[ideas[0].pk, ideas[1].pk]).update(theme=bancs)
    services.Idea.objects.filter(pk=ideas[2].pk).update(theme=parking)
    services.Idea.objects.filter(pk=ideas[4].pk).update(merged_into=ideas[3])
    set_phase(workshop, "vote")
    return {"w": workshop, "alice": alice, "bob": bob, "nadia": nadia, "ideas": ideas, "bancs": bancs,
            "parking": parking}


def used(attendee):
    return sum(Dot.objects.filter(attendee=attendee).values_list("count", flat=True))


def test_absolute_counts_are_idempotent_and_zero_removes(vote):
    w, alice, bancs = vote["w"], vote["alice"], vote["bancs"]
    assert services.dot_set(workshop=w, attendee=alice, target=f"theme:{bancs.pk}", count=3) == 2
    assert services.dot_set(workshop=w, attendee=alice, target=f"theme:{bancs.pk}", count=3) == 2
    assert Dot.objects.get(attendee=alice).count == 3
    assert services.dot_set(workshop=w, attendee=alice, target=f"theme:{bancs.pk}", count=1) == 4
    assert services.dot_set(workshop=w, attendee=alice, target=f"theme:{bancs.pk}", count="0") == 5
    assert not Dot.objects.filter(attendee=alice).exists()
    assert AuditEntry.objects.filter(code="workshops.dot.set").count() == 3


def test_the_total_limit_says_how_many_are_left(vote):
    w, alice = vote["w"], vote["alice"]
    services.dot_set(workshop=w, attendee=alice, target=vote["bancs"], count=4)
    with pytest.raises(TooManyDots) as caught:
        services.dot_set(workshop=w, attendee=alice, target=vote["parking"], count=2)
    assert caught.value.code == "too_many_dots"
    assert "1" in str(caught.value.message)
    assert used(alice) == 4
    services.dot_set(workshop=w, attendee=alice, target=vote["parking"], count=1)
    # Raising one item while the total is full is refused; lowering is always possible.
    with pytest.raises(TooManyDots):
        services.dot_set(workshop=w, attendee=alice, target=vote["bancs"], count=5)
    services.dot_set(workshop=w, attendee=alice, target=vote["bancs"], count=3)
    assert used(alice) == 4


def test_the_per_item_maximum(vote):
    w, alice = vote["w"], vote["alice"]
    Workshop.objects.filter(pk=w.pk).update(max_dots_per_item=2)
    with pytest.raises(TooManyDotsOnItem) as caught:
        services.dot_set(workshop=w, attendee=alice, target=vote["bancs"], count=3)
    assert caught.value.code == "too_many_dots_on_item"
    assert not Dot.objects.exists()


def test_targets_are_themes_or_ungrouped_unmerged_ideas_of_this_workshop(vote, campaign):
    w, alice, ideas = vote["w"], vote["alice"], vote["ideas"]
    services.dot_set(workshop=w, attendee=alice, target=f"idea:{ideas[3].pk}", count=1)  # ungrouped: fine
    other = make_workshop(campaign)
    foreign = services.WallTheme.objects.create(workshop=other, name="Ailleurs")
    for target in (f"idea:{ideas[0].pk}", f"idea:{ideas[4].pk}", f"theme:{foreign.pk}", "theme:abc", "", "x:1",
                   "theme:", f"idea:{ideas[3].pk}x"):
        with pytest.raises(VoteTargetInvalid) as caught:
            services.dot_set(workshop=w, attendee=alice, target=target, count=1)
        assert caught.value.code == "vote_target_invalid"
    for count in (-1, "deux", None, "1.5", True):
        with pytest.raises(DotCountInvalid) as caught:
            services.dot_set(workshop=w, attendee=alice, target=vote["bancs"], count=count)
        assert caught.value.code == "dot_count_invalid"
    assert used(alice) == 1


def test_after_the_timer_nothing_changes(vote):
    w, alice = vote["w"], vote["alice"]
    services.dot_set(workshop=w, attendee=alice, target=vote["bancs"], count=1)
    Workshop.objects.filter(pk=w.pk).update(timer_ends_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(VoteTimeOver) as caught:
        services.dot_set(workshop=w, attendee=alice, target=vote["bancs"], count=2)
    assert caught.value.code == "vote_time_over"
    with pytest.raises(VoteTimeOver):
        services.dot_set(workshop=w, attendee=alice, target=vote["bancs"], count=0)
    assert used(alice) == 1
    Workshop.objects.filter(pk=w.pk).update(timer_ends_at=timezone.now() + timedelta(minutes=2))
    services.dot_set(workshop=w, attendee=alice, target=vote["bancs"], count=2)


@pytest.mark.parametrize("phase", ["planned", "collect", "reveal", "cluster", "sheets", "closed"])
def test_outside_the_vote_phase(vote, phase):
    set_phase(vote["w"], phase)
    with pytest.raises(PhaseLocked) as caught:
        services.dot_set(workshop=vote["w"], attendee=vote["alice"], target=vote["bancs"], count=1)
    assert caught.value.code == "phase_locked"
    assert not Dot.objects.exists()


def test_not_an_attendee_nor_another_workshops(vote, campaign):
    other = make_workshop(campaign, phase="vote")
    stranger = make_attendee(other, "Quelqu'un")
    for attendee in (None, stranger):
        with pytest.raises(NotAttendee) as caught:
            services.dot_set(workshop=vote["w"], attendee=attendee, target=vote["bancs"], count=1)
        assert caught.value.code == "not_attendee"
    assert not Dot.objects.exists()


def test_a_participant_cannot_vote_for_another(vote, resident_bob):
    with pytest.raises(NotFacilitator) as caught:
        services.dot_set(workshop=vote["w"], attendee=vote["alice"], target=vote["bancs"], count=1, by=resident_bob)
    assert caught.value.code == "not_facilitator"
    assert not Dot.objects.exists()


def test_a_proxy_counts_like_the_attendees_own_and_is_audited(vote, facilitator_fanny):
    w, nadia = vote["w"], vote["nadia"]
    services.dot_set(workshop=w, attendee=nadia, target=vote["bancs"], count=2, by=facilitator_fanny)
    dot = Dot.objects.get(attendee=nadia)
    assert (dot.count, dot.proxy_by_id) == (2, facilitator_fanny.pk)
    entry = AuditEntry.objects.get(code="workshops.dot.set")
    assert entry.data["proxy"] is True and entry.actor_id == facilitator_fanny.pk
    # The same budget: 5 in all, whoever places them.
    services.dot_set(workshop=w, attendee=nadia, target=vote["parking"], count=3)
    with pytest.raises(TooManyDots):
        services.dot_set(workshop=w, attendee=nadia, target=f"idea:{vote['ideas'][3].pk}", count=1,
                         by=facilitator_fanny)
    assert dots_by_target(nadia) == {f"theme:{vote['bancs'].pk}": 2, f"theme:{vote['parking'].pk}": 3}


def test_progress_shows_who_voted_never_totals(vote):
    w = vote["w"]
    services.dot_set(workshop=w, attendee=vote["alice"], target=vote["bancs"], count=5)
    services.dot_set(workshop=w, attendee=vote["bob"], target=vote["bancs"], count=1)
    progress = vote_progress(w)
    assert (progress["voters"], progress["people"], progress["done"]) == (2, 3, 1)
    assert {r["name"]: r["left"] for r in progress["rows"]} == {"Alice B.": 0, "Bob C.": 4, "Nadia D.": 5}
    assert vote_results(w) == {"visible": False, "workshop": w}


def test_results_ranked_with_ties_and_zero_vote_items_kept(vote):
    w = vote["w"]
    services.dot_set(workshop=w, attendee=vote["alice"], target=vote["parking"], count=3)
    services.dot_set(workshop=w, attendee=vote["bob"], target=vote["bancs"], count=2)
    services.dot_set(workshop=w, attendee=vote["nadia"], target=vote["bancs"], count=1)
    set_phase(w, "sheets")
    results = vote_results(w)
    rows = [(r["label"], r["dots"], r["voters"], r["rank"], r["tied"]) for r in results["rows"]]
    assert rows == [("Bancs", 3, 2, 1, True), ("Stationnement", 3, 1, 1, True), ("Une fête", 0, 0, 3, False)]
    assert results["voters"] == 3 and results["total_dots"] == 6
    assert results["rows"][0]["bar_width"] == results["rows"][1]["bar_width"] > 0 == results["rows"][2]["bar_width"]


def test_results_template_renders_table_and_chart(vote, rf):
    from django.template.loader import render_to_string

    w = vote["w"]
    services.dot_set(workshop=w, attendee=vote["alice"], target=vote["bancs"], count=2)
    html = render_to_string("workshops/_vote_results.html", {"vote_results": vote_results(w)})
    assert "<table" not in html and "<svg" not in html  # hidden before the vote closes
    set_phase(w, "closed")
    html = render_to_string("workshops/_vote_results.html", {"vote_results": vote_results(w)})
    assert 'role="img"' in html and "<title id=\"vote-chart-title\">" in html and "<desc" in html
    assert html.count('scope="row"') == 3 and "<caption>" in html

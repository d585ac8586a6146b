"""What the public list and the participation figures show."""

import pytest

from concerto.proposals.models import Channel, Origin, Support, Theme
from concerto.proposals.selectors import (
    action_list,
    participation_stats,
    supported_ids,
    suppress_small,
)
from concerto.proposals.services import (
    action_create_published_by_system,
    action_merge,
    action_propose,
    action_reject,
    support_add,
)
from concerto.residents.models import Role
from conftest import make_user


def _publish(campaign, title, *, theme=None, origin=Origin.WORKSHOP, summary="Un résumé assez long pour passer."):
    theme_id = Theme.objects.get(campaign=campaign, slug=theme).pk if theme else None
    return action_create_published_by_system(campaign=campaign, title=title, summary=summary, theme_id=theme_id, origin=origin)


def _residents(campaign, n, prefix="r"):
    return [make_user(f"{prefix}{i}@example.org", campaign=campaign, role=Role.RESIDENT) for i in range(n)]


@pytest.fixture
def catalogue(campaign, resident_alice, moderator_marc):
    """Published actions of several themes and origins, plus ones that must never be listed."""
    bus = _publish(campaign, "Plus de bus le dimanche", theme="mobilite", origin=Origin.WORKSHOP)
    trees = _publish(campaign, "Planter des arbres", theme="espaces-verts", origin=Origin.ONLINE)
    school = _publish(campaign, "Sécuriser l'École Jules-Ferry", theme="mobilite", origin=Origin.DOOR_TO_DOOR)
    dup = _publish(campaign, "Arbres rue Tissot", theme="espaces-verts", origin=Origin.PAPER)
    action_merge(moderator=moderator_marc, campaign=campaign, action_id=dup.pk, into_id=trees.pk)
    pending = action_propose(user=resident_alice, campaign=campaign, title="Un école secrète en attente",
                             summary="Une contribution pas encore modérée.")
    rejected = action_propose(user=resident_alice, campaign=campaign, title="École rejetée",
                              summary="Une contribution refusée par la modération.")
    action_reject(moderator=moderator_marc, campaign=campaign, action_id=rejected.pk, reason="Hors sujet.")
    return {"bus": bus, "trees": trees, "school": school, "dup": dup, "pending": pending, "rejected": rejected}


def _ids(qs):
    return {a.pk for a in qs}


def test_the_list_shows_published_and_merged_actions_only(campaign, catalogue):
    listed = _ids(action_list(campaign))
    c = catalogue
    assert listed == {c["bus"].pk, c["trees"].pk, c["school"].pk, c["dup"].pk}


@pytest.mark.parametrize("status", ["pending", "rejected", "draft", "PUBLISHED", "published' OR 1=1 --", "xyz"])
def test_unknown_or_non_public_status_filters_are_ignored(campaign, catalogue, status):
    assert _ids(action_list(campaign, status=status)) == _ids(action_list(campaign))
    assert catalogue["pending"].pk not in _ids(action_list(campaign, status=status))
    assert catalogue["rejected"].pk not in _ids(action_list(campaign, status=status))


def test_status_filter_keeps_published_or_merged(campaign, catalogue):
    assert _ids(action_list(campaign, status="merged")) == {catalogue["dup"].pk}
    assert catalogue["dup"].pk not in _ids(action_list(campaign, status="published"))


def test_filter_by_theme(campaign, catalogue):
    assert _ids(action_list(campaign, theme="mobilite")) == {catalogue["bus"].pk, catalogue["school"].pk}
    assert _ids(action_list(campaign, theme="no-such-theme")) == set()


def test_filter_by_origin(campaign, catalogue):
    assert _ids(action_list(campaign, origin=Origin.DOOR_TO_DOOR)) == {catalogue["school"].pk}
    # An unknown origin is ignored rather than hiding everything.
    assert _ids(action_list(campaign, origin="martian")) == _ids(action_list(campaign))


def test_filters_combine(campaign, catalogue):
    assert _ids(action_list(campaign, theme="mobilite", origin=Origin.WORKSHOP)) == {catalogue["bus"].pk}


def test_default_sort_is_most_supported_first(campaign, catalogue):
    residents = _residents(campaign, 3)
    for r in residents:
        support_add(user=r, action=catalogue["school"])
    support_add(user=residents[0], action=catalogue["bus"])

    titles = [a.pk for a in action_list(campaign, status="published")]
    assert titles[:2] == [catalogue["school"].pk, catalogue["bus"].pk]


@pytest.mark.parametrize("sort", ["", "title; DROP TABLE proposals_action", "-id", "campaign__organisation__name"])
def test_unknown_sorts_fall_back_to_the_default(campaign, catalogue, sort):
    residents = _residents(campaign, 2)
    for r in residents:
        support_add(user=r, action=catalogue["bus"])
    expected = [a.pk for a in action_list(campaign)]
    assert [a.pk for a in action_list(campaign, sort=sort)] == expected
    assert expected[0] == catalogue["bus"].pk


def test_newest_sort_shows_latest_published_first(campaign, catalogue):
    assert [a.pk for a in action_list(campaign, status="published", sort="newest")] == [
        catalogue["school"].pk, catalogue["trees"].pk, catalogue["bus"].pk]


@pytest.mark.parametrize("q", ["ecole", "ÉCOLE", "École", "  ecole  ", "jules ecole", "securiser"])
def test_search_ignores_accents_and_case(campaign, catalogue, q):
    assert _ids(action_list(campaign, q=q)) == {catalogue["school"].pk}


def test_search_never_reveals_pending_or_rejected_actions(campaign, catalogue):
    # Both "école" contributions awaiting or refused moderation match the words, but stay hidden.
    assert catalogue["pending"].pk not in _ids(action_list(campaign, q="ecole"))
    assert catalogue["rejected"].pk not in _ids(action_list(campaign, q="rejetee"))
    assert _ids(action_list(campaign, q="secrete")) == set()


def test_search_terms_must_all_match(campaign, catalogue):
    assert _ids(action_list(campaign, q="arbres dimanche")) == set()
    assert _ids(action_list(campaign, q="arbres tissot")) == {catalogue["dup"].pk}


def test_search_with_like_wildcards_is_literal(campaign, catalogue):
    assert _ids(action_list(campaign, q="%")) == set()
    assert _ids(action_list(campaign, q="_")) == set()


def test_the_list_never_shows_actions_of_another_campaign(campaign, other_campaign, catalogue):
    elsewhere = _publish(other_campaign, "Plus de bus le dimanche")
    assert elsewhere.pk not in _ids(action_list(campaign))


@pytest.mark.parametrize(
    ("count", "shown"), [(0, 0), (1, None), (2, None), (4, None), (5, 5), (130, 130)]
)
def test_small_groups_are_never_broken_down(count, shown):
    assert suppress_small({"x": count}) == {"x": shown}


def test_suppress_small_keeps_every_key(campaign):
    # The total is public, so the paper group would come back as total − online: online is hidden too.
    assert suppress_small({"online": 12, "paper": 3, "workshop": 0}) == {"online": None, "paper": None, "workshop": 0}
    assert suppress_small({"online": 12, "paper": 3, "workshop": 2, "door_to_door": 0}) == {
        "online": 12, "paper": None, "workshop": None, "door_to_door": 0}


def test_participation_stats_count_supports_by_channel(campaign, catalogue):
    residents = _residents(campaign, 6)
    for r in residents[:4]:
        support_add(user=r, action=catalogue["bus"], channel=Channel.ONLINE)
    support_add(user=residents[4], action=catalogue["bus"], channel=Channel.DOOR_TO_DOOR)
    support_add(user=residents[5], action=catalogue["school"], channel=Channel.PAPER)
    support_add(user=residents[0], action=catalogue["school"], channel=Channel.ONLINE)

    stats = participation_stats(campaign)

    assert stats["by_channel"] == {"online": 5, "door_to_door": 1, "workshop": 0, "paper": 1}
    assert stats["supports"] == 7 == Support.objects.filter(action__campaign=campaign).count()
    assert stats["actions_from_workshops"] == 1  # only "bus" was retained in a workshop
    assert stats["published_actions"] == 3
    # Online, door-to-door and paper contributions, whatever moderation decided.
    assert stats["contributions"] == 5


def test_participation_stats_ignore_other_campaigns(campaign, other_campaign, catalogue, resident_elsewhere):
    elsewhere = _publish(other_campaign, "Plus de bus le dimanche")
    support_add(user=resident_elsewhere, action=elsewhere)
    assert participation_stats(campaign)["supports"] == 0
    assert participation_stats(other_campaign)["supports"] == 1


def test_supported_ids_tells_a_resident_which_actions_they_support(campaign, catalogue, resident_bob):
    support_add(user=resident_bob, action=catalogue["bus"])
    ids = [a.pk for a in action_list(campaign)]
    assert supported_ids(resident_bob, ids) == {catalogue["bus"].pk}
    assert supported_ids(None, ids) == set()

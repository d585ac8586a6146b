"""The local theme suggester: French normalisation, groups on a realistic wall, determinism, and
accepting suggestions never moves an idea a person placed."""

import pytest

from concerto.core.models import AuditEntry

from .. import services
from ..errors import SuggestionStale
from ..models import Idea, SuggestionDismissal, WallTheme, Workshop
from ..selectors import theme_suggestions
from ..suggestions import stem, suggest, terms
from .cluster_fixtures import make_attendee, make_ideas, make_workshop
from .cluster_ideas import IDEAS


def numbered():
    ideas, topic = [], {}
    for name, texts in IDEAS.items():
        for text in texts:
            ideas.append((len(ideas) + 1, text))
            topic[len(ideas)] = name
    return ideas, topic


def test_normalisation_accents_stop_words_and_light_stemming():
    assert terms("Les écoles ET l'École") == ["ecol", "ecol"]
    assert stem("stationnements") == stem("stationnement") == stem("stationner") == "stationn"
    assert stem("bancs") == stem("banc")
    assert stem("animaux") == stem("animal")
    assert terms("Il faudrait plus de bancs dans le quartier") == ["banc"]
    # The small civic lexicon: the room's words for one thing.
    assert terms("parking garées stationnement") == ["stationn"] * 3
    assert terms("lampadaires éclairage") == ["eclair"] * 2


def test_a_realistic_french_wall_groups_the_obvious_ones():
    ideas, topic = numbered()
    found = suggest(ideas, [])
    by_name = {s.name: {topic[i] for i in s.idea_ids} for s in found}
    for name, expected in (("Stationnement", "stationnement"), ("Bancs", "bancs"), ("Éclairage", "eclairage"),
                           ("École", "ecole")):
        assert by_name.get(name) == {expected}, (name, by_name)
    for s in found:
        assert len(s.idea_ids) >= 2
        members = [topic[i] for i in s.idea_ids]
        # Each group is mostly one topic.
        assert max(members.count(t) for t in set(members)) >= len(members) - 1, (s.name, members)
    assert sum(len(s.idea_ids) for s in found if s.name == "Bancs") == len(IDEAS["bancs"])


def test_same_input_same_suggestions():
    ideas, _topic = numbered()
    assert suggest(ideas, []) == suggest(list(reversed(ideas)), [])
    assert [s.key for s in suggest(ideas, [])] == [s.key for s in suggest(ideas, [])]


def test_existing_themes_are_suggested_for_matching_ungrouped_ideas():
    ideas, topic = numbered()
    bancs = [(i, t) for i, t in ideas if topic[i] == "bancs"]
    rest = [(i, t) for i, t in ideas if topic[i] != "bancs"]
    found = suggest(rest + bancs[3:], [(7, "Bancs", [t for _i, t in bancs[:3]])])
    first = found[0]
    assert (first.theme_id, set(first.idea_ids)) == (7, {i for i, _t in bancs[3:]})
    assert all(s.name != "Bancs" for s in found[1:])


def test_dismissed_suggestions_are_left_out():
    ideas, _topic = numbered()
    found = suggest(ideas, [])
    again = suggest(ideas, [], dismissed={found[0].key})
    assert found[0] not in again and len(again) == len(found) - 1


def test_no_words_no_suggestion():
    assert suggest([], []) == []
    assert suggest([(1, "le la les"), (2, "et ou")], []) == []


# --- on a wall --------------------------------------------------------------------------------------


@pytest.fixture
def wall(campaign, resident_alice):
    workshop = make_workshop(campaign)
    alice = make_attendee(workshop, "Alice B.", user=resident_alice)
    texts = [t for group in IDEAS.values() for t in group]
    return workshop, make_ideas(workshop, alice, texts)


@pytest.mark.django_db
def test_accepting_no_suggestion_changes_nothing(wall):
    workshop, _ideas = wall
    before = Workshop.objects.get(pk=workshop.pk).version
    assert len(theme_suggestions(workshop)) >= 4
    assert not WallTheme.objects.filter(workshop=workshop).exists()
    assert not Idea.objects.filter(workshop=workshop, theme__isnull=False).exists()
    assert Workshop.objects.get(pk=workshop.pk).version == before


@pytest.mark.django_db
def test_accepting_never_moves_an_idea_someone_placed(wall, facilitator_fanny):
    workshop, _ideas = wall
    shown = next(s for s in theme_suggestions(workshop) if s["name"] == "Bancs")
    ids = [int(i) for i in shown["idea_ids"].split(",")]
    # Meanwhile, a facilitator puts one of them into a theme of their own.
    mine = services.theme_create(by=facilitator_fanny, workshop=workshop, name="Personnes âgées")
    services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=ids[0], theme_id=mine.pk)
    theme = services.suggestion_accept(by=facilitator_fanny, workshop=workshop, idea_ids=ids, name=shown["name"])
    assert theme.from_suggestion and theme.name == "Bancs"
    assert Idea.objects.get(pk=ids[0]).theme_id == mine.pk  # left where the person put it
    assert set(theme.ideas.values_list("pk", flat=True)) == set(ids[1:])
    entry = AuditEntry.objects.get(code="workshops.suggestion.accepted")
    assert entry.data["skipped"] == [ids[0]]
    # Accepted again (a double click): nothing left to move, nothing changed.
    with pytest.raises(SuggestionStale) as caught:
        services.suggestion_accept(by=facilitator_fanny, workshop=workshop, idea_ids=ids, name="Bancs bis")
    assert caught.value.code == "suggestion_stale"
    assert WallTheme.objects.filter(workshop=workshop).count() == 2


@pytest.mark.django_db
def test_accepting_into_an_existing_theme_and_ignoring(wall, facilitator_fanny):
    workshop, _ideas = wall
    first = theme_suggestions(workshop)[0]
    services.suggestion_dismiss(by=facilitator_fanny, workshop=workshop, key=first["key"])
    services.suggestion_dismiss(by=facilitator_fanny, workshop=workshop, key=first["key"])  # twice: once
    assert SuggestionDismissal.objects.filter(workshop=workshop).count() == 1
    assert first["key"] not in [s["key"] for s in theme_suggestions(workshop)]
    bancs = services.theme_create(by=facilitator_fanny, workshop=workshop, name="Bancs")
    texts = IDEAS["bancs"]
    placed = Idea.objects.filter(workshop=workshop, text__in=texts[:2])
    for idea in placed:
        services.idea_group(by=facilitator_fanny, workshop=workshop, idea_id=idea.pk, theme_id=bancs.pk)
    to_theme = next(s for s in theme_suggestions(workshop) if s["theme_id"] == bancs.pk)
    services.suggestion_accept(by=facilitator_fanny, workshop=workshop, idea_ids=to_theme["idea_ids"].split(","),
                               theme_id=bancs.pk)
    assert bancs.ideas.count() >= 4 and not bancs.from_suggestion

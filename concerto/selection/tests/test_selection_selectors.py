"""Reads: the figure for the stats, the list per person, the quota table."""

from concerto.selection import selectors

from .test_selection_factories import (
    create_selection,
    drawn_selection,
    make_pool,
    published_selection,
)


def test_workshop_participants_counts_the_latest_drawn_panel(campaign, organiser_dina):
    assert selectors.selection_figures(campaign) == {"workshop_participants": 0}
    make_pool(campaign, 12)
    published_selection(campaign, organiser_dina)
    assert selectors.selection_figures(campaign) == {"workshop_participants": 0}
    drawn_selection(campaign, organiser_dina, panel_size=4)
    assert selectors.selection_figures(campaign) == {"workshop_participants": 4}


def test_selections_for_hides_drafts_from_non_organisers(campaign, organiser_dina, resident_alice):
    make_pool(campaign, 12)
    draft = create_selection(campaign, organiser_dina)
    public = published_selection(campaign, organiser_dina)
    assert [s.pk for s in selectors.selections_for(campaign, resident_alice)] == [public.pk]
    from django.contrib.auth.models import AnonymousUser

    assert [s.pk for s in selectors.selections_for(campaign, AnonymousUser())] == [public.pk]
    assert {s.pk for s in selectors.selections_for(campaign, organiser_dina)} == {draft.pk, public.pk}


def test_quota_table_lists_pool_and_panel_counts(campaign, organiser_dina):
    make_pool(campaign, 12)
    selection = drawn_selection(campaign, organiser_dina)
    view = selectors.audit_view(selection)
    sector = next(g for g in view["quota_table"] if g["category"] == "sector")
    assert {r["value"]: r["pool"] for r in sector["rows"]} == {"nord": 6, "sud": 6}
    assert sum(r["panel"] for r in sector["rows"]) == 4
    assert view["drawn"]["start"] <= view["ticket"] < view["drawn"]["end"]
    assert [p["probability"] for p in view["probabilities"]] == sorted(p["probability"] for p in view["probabilities"])

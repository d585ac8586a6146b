"""Reads: the figure for the stats, the list per person, the quota table."""

from django.utils import translation

from concerto.selection import computation, selectors, services
from concerto.selection.models import Selection

from .factories import (
    create_selection,
    drawn_selection,
    make_pool,
    published_selection,
)


def test_workshop_participants_counts_the_workshop_panel_only(campaign, organiser_dina):
    assert selectors.selection_figures(campaign) == {"workshop_participants": 0}
    make_pool(campaign, 12)
    published_selection(campaign, organiser_dina)
    assert selectors.selection_figures(campaign) == {"workshop_participants": 0}
    real = drawn_selection(campaign, organiser_dina, panel_size=4)
    # Drawn, but not yet chosen as the workshop panel: a drawn selection may be a rehearsal.
    assert selectors.selection_figures(campaign) == {"workshop_participants": 0}
    services.selection_set_workshop_panel(by=organiser_dina, selection=real)
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


# --- Conflicts and progress: data from the algorithms, worded in the reader's language ------------

CATEGORIES = {
    "age": {"label": "Age", "values": {"18-29": "18 to 29", "45-59": "45 to 59"}},
    "talent:dessin": {"label": "Drawing", "values": {"oui": "Yes", "non": "No"}},
}


def _infeasible(conflicts, relaxation=()):
    return Selection(infeasibility={"conflicts": list(conflicts), "relaxation": list(relaxation)})


def test_conflicts_are_worded_in_the_active_language_with_the_call_labels():
    selection = _infeasible([
        {"code": "too_few_volunteers", "category": "age", "value": "45-59", "min": 2, "available": 1},
        {"code": "too_few_volunteers", "category": "talent:dessin", "value": "oui", "min": 1, "available": 0},
        {"code": "minimums_exceed_panel", "category": "age", "total": 8, "panel": 4},
        {"code": "maximums_below_panel", "category": "talent:dessin", "capacity": 3, "panel": 5},
    ])
    with translation.override("en"):
        assert selectors.conflict_messages(selection, CATEGORIES) == [
            "The panel needs at least 2 people “45 to 59” (Age), but only 1 volunteer has this answer.",
            "The panel needs at least 1 person with the talent “Drawing”, but no volunteer has it.",
            "The minimums of “Age” add up to 8 seats for a panel of 4.",
            "The maximums of talent “Drawing” (and the volunteers available) can fill only 3 seats for a panel of 5.",
        ]


def test_quotas_that_only_the_solver_finds_incompatible_name_the_relaxed_bounds():
    selection = _infeasible([{"code": "quotas_incompatible"}], [
        {"category": "talent:dessin", "value": "oui", "min": 2, "max": 4, "new_min": 1, "new_max": 4},
        {"category": "age", "value": "18-29", "min": 0, "max": 0, "new_min": 0, "new_max": 1},
    ])
    with translation.override("en"):
        assert selectors.conflict_messages(selection, CATEGORIES) == [
            "These quotas cannot be met together: at least 2 people with the talent “Drawing”; "
            "at most 0 people “18 to 29” (Age)."
        ]


def test_conflicts_stored_as_french_sentences_before_they_were_data_are_shown_as_they_are():
    sentence = "Aucun panel ne respecte tous les quotas."
    assert selectors.conflict_messages(_infeasible([sentence]), CATEGORIES) == [sentence]


def test_progress_steps_are_worded_in_the_active_language():
    def text(step, **counts):
        return selectors.progress_text(Selection(progress_message=computation.progress_step(step, **counts)))

    with translation.override("en"):
        assert text("waiting") == "Waiting for the computation to start…"
        assert text("starting_panels", panels=1) == "1 starting panel"
        assert text("leximin", fixed=3, total=10) == "LEXIMIN: 3 probabilities of 10 fixed"
        assert text("done") == "Done"
    assert selectors.progress_text(Selection(progress_message="Terminé")) == "Terminé"  # stored before


def test_the_pool_snapshot_has_every_volunteer_with_or_without_email(campaign):
    volunteers = make_pool(campaign, 6, no_email_every=3)
    assert len(volunteers) == 6
    assert sum(1 for v in volunteers if v.user.email is None) == 2
    assert len(selectors.pool_snapshot(campaign, [])) == 6

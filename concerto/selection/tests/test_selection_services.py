"""Settings and quotas, the computation, the stages in order, relaxation of infeasible quotas."""

import pytest

from concerto.core.errors import FieldErrors, NotFound
from concerto.core.models import AuditEntry
from concerto.selection import selectors, services
from concerto.selection.errors import AlreadyDrawn, PoolTooSmall, WrongStage
from concerto.selection.models import SeatStatus, SelectionSeat, SelectionStatus

from .factories import (
    announced_format,
    announced_selection,
    computed_selection,
    create_selection,
    make_pool,
    published_selection,
    suggested_quotas,
)


@pytest.fixture
def pool(campaign):
    return make_pool(campaign, 12)


def _settings(campaign, **changes):
    values = {"title": "Sélection", "panel_size": 4, "required_dates": [], "time_limit": 20,
              "quotas": suggested_quotas(campaign, 4)}
    values.update(changes)
    return values


def test_suggestion_is_proportional_and_talents_need_one(campaign, pool):
    quotas = {(q["category"], q["value"]): q for q in suggested_quotas(campaign, 4)}
    # 6 of 12 in each sector: 4 × 1/2 = 2 exactly.
    assert quotas[("sector", "nord")]["min"] == 2 and quotas[("sector", "nord")]["max"] == 2
    # 8 of 12 are "jeune": 4 × 2/3 = 2.67 → between 2 and 3.
    assert (quotas[("age", "jeune")]["min"], quotas[("age", "jeune")]["max"]) == (2, 3)
    assert quotas[("talent:dessin", "oui")]["min"] == 1
    assert ("talent:dessin", "non") not in quotas
    assert ("age", "") not in quotas


def test_create_records_settings_and_audit(campaign, pool, organiser_dina):
    selection = create_selection(campaign, organiser_dina)
    assert selection.status == SelectionStatus.DRAFT
    assert selection.panel_size == 4 and len(selection.quotas) == len(suggested_quotas(campaign, 4))
    assert AuditEntry.objects.filter(code="selection.selection.created").exists()


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"panel_size": "douze"}, "panel_size"),
    ({"panel_size": 1}, "panel_size"),
    ({"time_limit": 1}, "time_limit"),
    ({"required_dates": ["atelier-9"]}, "required_dates"),
])
def test_bad_settings_name_the_field(campaign, pool, organiser_dina, changes, field):
    with pytest.raises(FieldErrors) as exc:
        services.selection_create(by=organiser_dina, campaign=campaign, **_settings(campaign, **changes))
    assert field in exc.value.errors
    assert not campaign.selections.exists()


def _quota_index(quotas, category, value):
    return next(i for i, q in enumerate(quotas) if (q["category"], q["value"]) == (category, value))


def test_quota_errors_are_per_field(campaign, pool, organiser_dina):
    quotas = suggested_quotas(campaign, 4)
    i = _quota_index(quotas, "age", "jeune")
    j = _quota_index(quotas, "genre", "femme")
    k = _quota_index(quotas, "talent:dessin", "oui")
    quotas[i] = {**quotas[i], "min": 3, "max": 1}
    quotas[j] = {**quotas[j], "min": "deux"}
    quotas[k] = {**quotas[k], "max": 9}
    with pytest.raises(FieldErrors) as exc:
        services.selection_create(by=organiser_dina, campaign=campaign, **_settings(campaign, quotas=quotas))
    errors = exc.value.errors
    assert f"q{i}_max" in errors and "minimum" in str(errors[f"q{i}_max"])
    assert f"q{j}_min" in errors
    assert f"q{k}_max" in errors


def test_quota_sums_are_checked(campaign, pool, organiser_dina):
    quotas = suggested_quotas(campaign, 4)
    nord, sud = _quota_index(quotas, "sector", "nord"), _quota_index(quotas, "sector", "sud")
    quotas[nord] = {**quotas[nord], "min": 3, "max": 3}
    quotas[sud] = {**quotas[sud], "min": 3, "max": 3}
    with pytest.raises(FieldErrors) as exc:
        services.selection_create(by=organiser_dina, campaign=campaign, **_settings(campaign, quotas=quotas))
    message = str(exc.value.errors[f"q{nord}_min"])
    assert "6" in message and ("add up to" in message or "totalisent" in message)
    quotas[nord] = {**quotas[nord], "min": 0, "max": 1}
    quotas[sud] = {**quotas[sud], "min": 0, "max": 1}
    with pytest.raises(FieldErrors) as exc:
        services.selection_create(by=organiser_dina, campaign=campaign, **_settings(campaign, quotas=quotas))
    message = str(exc.value.errors[f"q{nord}_max"])
    assert "2" in message and ("add up to" in message or "totalisent" in message)


def test_unknown_quota_rows_are_refused(campaign, pool, organiser_dina):
    quotas = [*suggested_quotas(campaign, 4), {"category": "age", "value": "", "min": 0, "max": 4}]
    with pytest.raises(FieldErrors):
        services.selection_create(by=organiser_dina, campaign=campaign, **_settings(campaign, quotas=quotas))


def test_only_organisers_manage(campaign, pool, resident_alice, moderator_marc, organiser_dina, other_campaign):
    from concerto.residents.models import Role
    from conftest import make_user

    other_organiser = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    for user in (resident_alice, moderator_marc, other_organiser):
        with pytest.raises(NotFound):
            services.selection_create(by=user, campaign=campaign, **_settings(campaign))
    selection = create_selection(campaign, organiser_dina)
    for user in (resident_alice, moderator_marc, other_organiser):
        with pytest.raises(NotFound):
            services.selection_compute(by=user, selection=selection)
        with pytest.raises(NotFound):
            services.selection_publish(by=user, selection=selection)


def test_compute_snapshots_the_pool_and_finds_a_distribution(campaign, pool, organiser_dina):
    selection = computed_selection(campaign, organiser_dina)
    assert selection.status == SelectionStatus.DRAFT
    assert len(selection.pool) == 12 and len(selection.pool_sha256) == 64
    assert set(selection.pool[0]) == {"id", "features", "household", "salt"} and selection.pool[0]["id"] == "V-0001"
    assert "Personne" not in str(selection.pool)
    assert selection.distribution["panels"] and sum(selection.distribution["weights"]) == 10**9
    assert selection.lowest_probability > 0
    assert selection.method and selection.versions["algorithm"]
    assert services.is_computed(selection)


def test_pool_too_small_changes_nothing(campaign, organiser_dina):
    make_pool(campaign, 3)
    selection = create_selection(campaign, organiser_dina, panel_size=4, quotas=[])
    with pytest.raises(PoolTooSmall):
        services.selection_compute(by=organiser_dina, selection=selection)
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.DRAFT and not selection.pool


def test_required_dates_filter_the_pool(campaign, organiser_dina):
    volunteers = make_pool(campaign, 8)
    for v in volunteers[:3]:
        v.availability = ["atelier-1"]
        v.save()
    assert len(selectors.pool_snapshot(campaign, ["atelier-2"])) == 5
    assert len(selectors.pool_snapshot(campaign, [])) == 8


def test_withdrawn_volunteers_are_not_in_the_pool(campaign, organiser_dina):
    from django.utils import timezone

    volunteers = make_pool(campaign, 6)
    volunteers[0].withdrawn_at = timezone.now()
    volunteers[0].save()
    assert [p["id"] for p in selectors.pool_snapshot(campaign, [])] == [v.pseudonym for v in volunteers[1:]]


def test_infeasible_quotas_are_explained_then_relaxed(campaign, pool, organiser_dina):
    # Everyone "senior" is in a known sector; asking 3 seniors and 3 "nord" on a panel of 4 with
    # at most 1 senior from "nord" is contradictory; simpler: more seniors than exist.
    quotas = suggested_quotas(campaign, 4)
    i = _quota_index(quotas, "age", "senior")
    j = _quota_index(quotas, "age", "jeune")
    quotas[i] = {**quotas[i], "min": 4, "max": 4}  # only 4 seniors exist (n % 3 == 0)...
    quotas[j] = {**quotas[j], "min": 0, "max": 4}
    k = _quota_index(quotas, "genre", "femme")
    h = _quota_index(quotas, "genre", "homme")
    # ... and the seniors are V-0003, V-0006, V-0009, V-0012: genres homme, femme, femme, homme.
    quotas[k] = {**quotas[k], "min": 3, "max": 4}
    quotas[h] = {**quotas[h], "min": 0, "max": 4}
    selection = create_selection(campaign, organiser_dina, quotas=quotas)
    selection = services.selection_compute(by=organiser_dina, selection=selection)
    assert selection.status == SelectionStatus.INFEASIBLE
    assert selection.infeasibility["conflicts"]
    assert selection.infeasibility["relaxation"]
    with pytest.raises(WrongStage):
        services.selection_publish(by=organiser_dina, selection=selection)
    selection = services.selection_relax(by=organiser_dina, selection=selection)
    assert selection.status == SelectionStatus.DRAFT and not selection.infeasibility
    selection = services.selection_compute(by=organiser_dina, selection=selection)
    assert selection.status == SelectionStatus.DRAFT and selection.distribution


def test_relax_needs_an_infeasible_selection(campaign, pool, organiser_dina):
    selection = create_selection(campaign, organiser_dina)
    with pytest.raises(WrongStage):
        services.selection_relax(by=organiser_dina, selection=selection)


def test_stages_only_in_order(campaign, pool, organiser_dina):
    selection = create_selection(campaign, organiser_dina)
    # Nothing computed: no publication, no announcement, no draw.
    with pytest.raises(WrongStage):
        services.selection_publish(by=organiser_dina, selection=selection)
    with pytest.raises(WrongStage):
        services.selection_announce(by=organiser_dina, selection=selection, random_source="Trois dés lancés",
                                    witnesses="Maître Dupont", **announced_format())
    with pytest.raises(WrongStage):
        services.selection_draw(by=organiser_dina, selection=selection, random_value="1 2 3")
    selection = services.selection_compute(by=organiser_dina, selection=selection)
    # Computed, not published: no announcement, no draw.
    with pytest.raises(WrongStage):
        services.selection_announce(by=organiser_dina, selection=selection, random_source="Trois dés lancés",
                                    witnesses="Maître Dupont", **announced_format())
    with pytest.raises(WrongStage):
        services.selection_draw(by=organiser_dina, selection=selection, random_value="1 2 3")
    selection = services.selection_publish(by=organiser_dina, selection=selection)
    assert selection.published_at is not None
    # Published: settings frozen, no second publication, no draw before the announcement.
    with pytest.raises(WrongStage):
        services.selection_update(by=organiser_dina, selection=selection, **_settings(campaign))
    with pytest.raises(WrongStage):
        services.selection_compute(by=organiser_dina, selection=selection)
    with pytest.raises(WrongStage):
        services.selection_publish(by=organiser_dina, selection=selection)
    with pytest.raises(WrongStage):
        services.selection_draw(by=organiser_dina, selection=selection, random_value="1 2 3")
    selection = services.selection_announce(by=organiser_dina, selection=selection, random_source="Trois dés lancés",
                                            witnesses="Maître Dupont", **announced_format())
    assert selection.status == SelectionStatus.ANNOUNCED and selection.announced_at
    # The announcement cannot be changed once made.
    with pytest.raises(WrongStage):
        services.selection_announce(by=organiser_dina, selection=selection, random_source="Autre source",
                                    witnesses="Quelqu'un", **announced_format())
    selection = services.selection_draw(by=organiser_dina, selection=selection, random_value=" 1  2 3 ")
    assert selection.status == SelectionStatus.DRAWN and selection.random_value == "1-2-3"
    assert selection.drawn_by == organiser_dina and selection.ticket
    with pytest.raises(AlreadyDrawn):
        services.selection_draw(by=organiser_dina, selection=selection, random_value="4 5 6")
    assert SelectionSeat.objects.filter(selection=selection).count() == 12


def test_draw_creates_panel_and_ranked_reserve(campaign, pool, organiser_dina):
    selection = announced_selection(campaign, organiser_dina, count=5)
    selection = services.selection_draw(by=organiser_dina, selection=selection, random_value="7 12 23 38 41")
    selected = SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED)
    reserve = list(SelectionSeat.objects.filter(selection=selection, status=SeatStatus.RESERVE)
                   .order_by("reserve_rank").values_list("reserve_rank", flat=True))
    assert selected.count() == 4
    assert reserve == list(range(1, 9))
    panel = sorted(s.volunteer.pseudonym for s in selected)
    assert panel == list(selection.distribution["panels"][selection.panel_index])
    assert AuditEntry.objects.filter(code="selection.draw.run", actor=organiser_dina).exists()


@pytest.mark.parametrize("value", ["", "   ", "x" * 201])
def test_bad_random_value_is_refused(campaign, pool, organiser_dina, value):
    selection = announced_selection(campaign, organiser_dina)
    with pytest.raises(FieldErrors) as exc:
        services.selection_draw(by=organiser_dina, selection=selection, random_value=value)
    assert "random_value" in exc.value.errors
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ANNOUNCED


@pytest.mark.parametrize("source, witnesses, field", [("", "Maître Dupont", "random_source"),
                                                      ("Trois dés lancés", "", "witnesses")])
def test_announcement_needs_source_and_witnesses(campaign, pool, organiser_dina, source, witnesses, field):
    selection = published_selection(campaign, organiser_dina)
    with pytest.raises(FieldErrors) as exc:
        services.selection_announce(by=organiser_dina, selection=selection, random_source=source,
                                    witnesses=witnesses, **announced_format())
    assert field in exc.value.errors


def test_editing_drops_the_computed_distribution(campaign, pool, organiser_dina):
    selection = computed_selection(campaign, organiser_dina)
    selection = services.selection_update(by=organiser_dina, selection=selection,
                                          **_settings(campaign, title="Nouveau titre"))
    assert selection.title == "Nouveau titre" and not selection.distribution and not selection.pool


def test_large_pools_run_as_a_task(campaign, organiser_dina, django_capture_on_commit_callbacks):
    make_pool(campaign, 12)
    selection = create_selection(campaign, organiser_dina)
    with django_capture_on_commit_callbacks(execute=True):
        selection = services.selection_compute(by=organiser_dina, selection=selection, inline=False)
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.DRAFT and selection.distribution
    assert selection.progress == 1


def test_cancelled_run_does_not_write(campaign, organiser_dina, django_capture_on_commit_callbacks):
    make_pool(campaign, 12)
    selection = create_selection(campaign, organiser_dina)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        selection = services.selection_compute(by=organiser_dina, selection=selection, inline=False)
    assert selection.status == SelectionStatus.COMPUTING
    services.selection_cancel(by=organiser_dina, selection=selection)
    for callback in callbacks:
        callback()
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.FAILED and not selection.distribution


def test_failure_is_recorded(campaign, pool, organiser_dina, monkeypatch):
    from concerto.selection import algorithms

    def boom(*args, **kwargs):
        raise RuntimeError("solveur en panne")

    monkeypatch.setattr(algorithms, "find_distribution", boom)
    selection = computed_selection(campaign, organiser_dina)
    assert selection.status == SelectionStatus.FAILED and "solveur en panne" in selection.error
    assert selection.status in services.EDITABLE


def test_progress_is_reported(campaign, pool, organiser_dina, monkeypatch):
    from concerto.selection import algorithms

    real = algorithms.find_distribution
    seen = []

    def spy(*args, progress=None, **kwargs):
        def wrapped(fraction, message=""):
            seen.append(fraction)
            progress(fraction, message)
        return real(*args, progress=wrapped, **kwargs)

    monkeypatch.setattr(algorithms, "find_distribution", spy)
    computed_selection(campaign, organiser_dina)
    assert seen

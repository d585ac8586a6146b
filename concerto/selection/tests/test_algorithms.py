"""The pure selection core: fair distributions, draws, reserves, infeasible quotas. No database."""

import itertools
import math

import numpy as np
import pytest

from concerto.selection.algorithms import (
    ALGORITHM_VERSION,
    WEIGHT_TOTAL,
    Distribution,
    Infeasible,
    Person,
    Quota,
    check_feasibility,
    draw_panel,
    find_distribution,
    panel_meets_quotas,
    pool_digest,
    replacement_for,
    reserve_order,
)
from concerto.selection.algorithms.draw import normalise_random_value, panel_index_for_ticket
from concerto.selection.tests.pools import make_pool, make_quotas


def assert_valid(dist: Distribution, people, quotas, k):
    by_id = {p.id: p for p in people}
    assert dist.panels, "at least one panel"
    assert len(dist.panels) == len(dist.weights)
    assert sum(dist.weights) == WEIGHT_TOTAL
    assert all(isinstance(w, int) and w > 0 for w in dist.weights)
    assert dist.panels == sorted(dist.panels)
    assert len(set(dist.panels)) == len(dist.panels)
    for panel in dist.panels:
        assert list(panel) == sorted(panel)
        assert panel_meets_quotas(panel, by_id, quotas, k)
    totals = dict.fromkeys(by_id, 0)
    for panel, w in zip(dist.panels, dist.weights, strict=True):
        for pid in panel:
            totals[pid] += w
    assert dist.marginals == {pid: totals[pid] / WEIGHT_TOTAL for pid in sorted(totals)}
    assert dist.lowest == min(dist.marginals.values())
    assert math.isclose(sum(dist.marginals.values()), k, abs_tol=1e-6)


POOLS = [
    (40, 6, False, 1),
    (120, 12, False, 2),
    (60, 8, True, 3),
    (120, 12, True, 4),
]


@pytest.mark.parametrize(("size", "k", "biased", "seed"), POOLS)
def test_distribution_is_valid_and_every_panel_meets_the_quotas(size, k, biased, seed):
    people = make_pool(size, seed=seed, biased=biased)
    quotas = make_quotas(people, k, census=biased)
    dist = find_distribution(people, quotas, k)
    assert_valid(dist, people, quotas, k)
    assert dist.complete and dist.optimal_lowest
    assert dist.method == "leximin"
    # Nobody can be above the average k/n at the minimum.
    assert dist.lowest <= k / size + 1e-9
    assert abs(dist.lowest - dist.lp_lowest) < 1e-6


def test_proportional_quotas_reach_the_uniform_lottery():
    people = make_pool(120, seed=2)
    quotas = make_quotas(people, 12)
    dist = find_distribution(people, quotas, 12)
    assert all(abs(m - 0.1) < 1e-6 for m in dist.marginals.values())


def test_same_input_same_output():
    people = make_pool(80, seed=5, biased=True)
    quotas = make_quotas(people, 10, census=True)
    a = find_distribution(people, quotas, 10)
    b = find_distribution(list(reversed(people)), list(reversed(quotas)), 10)
    assert a.digest() == b.digest()
    assert a.panels == b.panels and a.weights == b.weights and a.marginals == b.marginals
    strip = lambda d: {k: v for k, v in d.to_json().items() if k != "elapsed"}  # noqa: E731
    assert strip(a) == strip(b)


def test_leximin_is_at_least_maximin():
    people = make_pool(60, seed=7, biased=True)
    quotas = make_quotas(people, 8, census=True)
    lex = find_distribution(people, quotas, 8, method="leximin")
    mxm = find_distribution(people, quotas, 8, method="maximin")
    assert mxm.method == "maximin" and mxm.complete
    assert lex.lowest >= mxm.lowest - 1e-6
    assert abs(lex.lp_lowest - mxm.lp_lowest) < 1e-7
    # LEXIMIN also lifts the others: its sorted marginals dominate lexicographically (up to rounding).
    lex_sorted = sorted(lex.marginals.values())
    mxm_sorted = sorted(mxm.marginals.values())
    for a, b in zip(lex_sorted, mxm_sorted, strict=True):
        if abs(a - b) > 1e-6:
            assert a > b
            break


def test_leximin_matches_brute_force_on_a_tiny_pool():
    """Two people share a rare answer with a minimum of one: each is on half the panels."""
    people = [Person(f"P{i}", {"g": "rare" if i < 2 else "common"}) for i in range(6)]
    quotas = [Quota("g", "rare", 1, 1), Quota("g", "common", 2, 2)]
    dist = find_distribution(people, quotas, 3)
    assert dist.marginals["P0"] == pytest.approx(0.5, abs=1e-8)
    assert dist.marginals["P1"] == pytest.approx(0.5, abs=1e-8)
    for i in range(2, 6):
        assert dist.marginals[f"P{i}"] == pytest.approx(0.5, abs=1e-8)


def test_leximin_raises_the_second_level():
    """A is forced onto every panel; leximin spreads the rest evenly."""
    people = [Person("A", {"t": "x"})] + [Person(f"B{i}", {"t": "y"}) for i in range(4)]
    quotas = [Quota("t", "x", 1, 1)]
    dist = find_distribution(people, quotas, 3)
    assert dist.marginals["A"] == pytest.approx(1.0)
    for i in range(4):
        assert dist.marginals[f"B{i}"] == pytest.approx(0.5, abs=1e-8)
    assert dist.lowest == pytest.approx(0.5, abs=1e-8)


def test_people_in_no_feasible_panel_get_zero_and_are_listed():
    people = [Person(f"P{i}", {"g": "a"}) for i in range(5)] + [Person("Z", {"g": "b"})]
    quotas = [Quota("g", "a", 2, 3), Quota("g", "b", 0, 0)]
    dist = find_distribution(people, quotas, 3)
    assert dist.marginals["Z"] == 0.0
    assert dist.extra["excluded"] == ["Z"]
    assert dist.lowest == 0.0
    assert dist.lp_lowest == pytest.approx(0.6, abs=1e-8)
    assert all(dist.marginals[f"P{i}"] == pytest.approx(0.6, abs=1e-8) for i in range(5))


def test_missing_answer_counts_as_empty_and_matches_no_quota():
    people = [Person("A", {"age": "18-29"}), Person("B", {}), Person("C", {"age": "30-44"})]
    quotas = [Quota("age", "18-29", 1, 1), Quota("age", "30-44", 1, 1)]
    dist = find_distribution(people, quotas, 2)
    assert dist.panels == [("A", "C")]
    assert dist.marginals["B"] == 0.0


def test_talents_count_one_person_for_several():
    people = [
        Person("A", {"talent:dessin": "oui", "talent:histoire": "oui"}),
        Person("B", {"talent:dessin": "non", "talent:histoire": "non"}),
        Person("C", {"talent:dessin": "non", "talent:histoire": "non"}),
        Person("D", {"talent:dessin": "non", "talent:histoire": "non"}),
    ]
    quotas = [Quota("talent:dessin", "oui", 1, 2), Quota("talent:histoire", "oui", 1, 2)]
    dist = find_distribution(people, quotas, 2)
    assert dist.marginals["A"] == 1.0
    assert all(panel[0] == "A" for panel in dist.panels)


def test_progress_is_reported_between_0_and_1():
    seen = []
    people = make_pool(60, seed=3, biased=True)
    find_distribution(people, make_quotas(people, 8, census=True), 8, progress=lambda f, m: seen.append((f, m)))
    assert seen and all(0.0 <= f <= 1.0 and isinstance(m, dict) and m["step"] for f, m in seen)
    assert seen[-1][1] == {"step": "done"}  # steps are data in no language: selectors word them
    assert seen[-1][0] == 1.0


def test_a_very_short_time_limit_still_returns_a_valid_distribution():
    people = make_pool(200, seed=8, biased=True)
    quotas = make_quotas(people, 10, census=True)
    dist = find_distribution(people, quotas, 10, time_limit=0.01)
    assert_valid(dist, people, quotas, 10)
    assert not dist.complete
    full = find_distribution(people, quotas, 10, method="maximin")
    assert dist.lowest <= full.lp_lowest + 1e-6
    if dist.optimal_lowest:  # the machine was fast enough: then the lowest is the optimum
        assert dist.lp_lowest == pytest.approx(full.lp_lowest, abs=1e-7)


def test_leximin_stopped_by_time_keeps_the_optimal_lowest():
    """Stop right after the maximin level: valid, incomplete, optimal lowest."""
    from concerto.selection.algorithms import solver

    people = make_pool(80, seed=4, biased=True)
    quotas = make_quotas(people, 10, census=True)
    full = find_distribution(people, quotas, 10, method="maximin")

    original = solver._Engine.fix_level
    calls = {"n": 0}

    def fix_then_expire(self, t):
        calls["n"] += 1
        result = original(self, t)
        self.deadline = 0.0  # time is up from now on
        return result

    solver._Engine.fix_level = fix_then_expire
    try:
        dist = find_distribution(people, quotas, 10)
    finally:
        solver._Engine.fix_level = original
    assert_valid(dist, people, quotas, 10)
    assert dist.optimal_lowest
    assert dist.lp_lowest == pytest.approx(full.lp_lowest, abs=1e-7)
    assert dist.lowest >= full.lp_lowest - 1e-6
    assert calls["n"] == 1
    assert not dist.complete or dist.lp_lowest >= 10 / 80 - 1e-7  # complete only if one level sufficed


def test_distribution_json_round_trip():
    people = make_pool(40, seed=1)
    dist = find_distribution(people, make_quotas(people, 6), 6)
    again = Distribution.from_json(dist.to_json())
    assert again.panels == dist.panels and again.weights == dist.weights
    assert again.digest() == dist.digest() == dist.to_json()["digest"]
    assert again.marginals == dist.marginals and again.lowest == dist.lowest
    assert ALGORITHM_VERSION


# -- bad input ---------------------------------------------------------------------------------


def test_bad_input_is_a_value_error():
    people = [Person(f"P{i}", {"g": "a"}) for i in range(3)]
    with pytest.raises(ValueError, match="plus grand que le vivier"):
        find_distribution(people, [], 4)
    with pytest.raises(ValueError, match="double"):
        find_distribution([*people, Person("P0", {})], [], 2)
    with pytest.raises(ValueError, match="supérieur à son maximum"):
        find_distribution(people, [Quota("g", "a", 3, 1)], 2)
    with pytest.raises(ValueError, match="négative"):
        find_distribution(people, [Quota("g", "a", -1, 1)], 2)
    with pytest.raises(ValueError, match="double"):
        find_distribution(people, [Quota("g", "a", 0, 1), Quota("g", "a", 0, 2)], 2)
    with pytest.raises(ValueError, match="entier positif"):
        find_distribution(people, [], 0)
    with pytest.raises(ValueError, match="méthode"):
        find_distribution(people, [], 2, method="random")


# -- infeasible quotas -------------------------------------------------------------------------


def relaxed(quotas, relaxation):
    changes = {(r["category"], r["value"]): r for r in relaxation}
    out = []
    for q in quotas:
        r = changes.get((q.category, q.value))
        out.append(Quota(q.category, q.value, r["new_min"], r["new_max"]) if r else q)
    return out


def total_change(relaxation):
    return sum((r["min"] - r["new_min"]) + max(0, r["new_max"] - r["max"]) for r in relaxation)


def brute_force_minimum(people, quotas, k):
    best = None
    for panel in itertools.combinations(people, k):
        cost = 0
        for q in quotas:
            c = sum(1 for p in panel if p.value(q.category) == q.value)
            cost += max(0, q.min - c) + max(0, c - min(q.max, k))
        best = cost if best is None else min(best, cost)
    return best


def small_pool():
    ages = ["18-29", "18-29", "30-44", "30-44", "30-44", "45-59", "60+", "60+", "60+", "60+"]
    genders = ["f", "h", "f", "h", "h", "f", "h", "h", "f", "h"]
    draws = ["oui", "non", "non", "non", "oui", "non", "non", "non", "non", "non"]
    return [
        Person(f"P{i}", {"age": a, "genre": g, "talent:dessin": d})
        for i, (a, g, d) in enumerate(zip(ages, genders, draws, strict=True))
    ]


def assert_minimal_relaxation(people, quotas, k, error):
    assert error.relaxation, "a relaxation is proposed"
    fixed = relaxed(quotas, error.relaxation)
    check_feasibility(people, fixed, k)  # does not raise
    assert total_change(error.relaxation) == brute_force_minimum(people, quotas, k)
    for r in error.relaxation:
        assert r["new_min"] <= r["min"] and r["new_max"] >= r["max"]


def test_minimums_over_the_panel_size():
    people = small_pool()
    quotas = [Quota("age", v, 2, 4) for v in ("18-29", "30-44", "45-59", "60+")]
    with pytest.raises(Infeasible) as info:
        check_feasibility(people, quotas, 4)
    assert {"code": "minimums_exceed_panel", "category": "age", "total": 8, "panel": 4} in info.value.conflicts
    assert {"code": "too_few_volunteers", "category": "age", "value": "45-59", "min": 2, "available": 1} \
        in info.value.conflicts
    assert_minimal_relaxation(people, quotas, 4, info.value)


def test_a_value_with_too_few_volunteers():
    people = small_pool()
    quotas = [Quota("age", "18-29", 3, 4)]
    with pytest.raises(Infeasible) as info:
        find_distribution(people, quotas, 4)
    assert info.value.conflicts == [
        {"code": "too_few_volunteers", "category": "age", "value": "18-29", "min": 3, "available": 2}
    ]
    assert info.value.relaxation == [
        {"category": "age", "value": "18-29", "min": 3, "max": 4, "new_min": 2, "new_max": 4}
    ]
    assert_minimal_relaxation(people, quotas, 4, info.value)


def test_a_talent_nobody_has():
    people = small_pool()
    quotas = [Quota("talent:histoire", "oui", 1, 4), Quota("talent:dessin", "oui", 1, 4)]
    with pytest.raises(Infeasible) as info:
        check_feasibility(people, quotas, 4)
    assert info.value.conflicts == [
        {"code": "too_few_volunteers", "category": "talent:histoire", "value": "oui", "min": 1, "available": 0}
    ]
    assert_minimal_relaxation(people, quotas, 4, info.value)
    assert info.value.to_json() == {"conflicts": info.value.conflicts, "relaxation": info.value.relaxation}


def test_maximums_that_cannot_fill_the_panel():
    people = small_pool()
    quotas = [Quota("genre", "f", 0, 1), Quota("genre", "h", 0, 2)]
    with pytest.raises(Infeasible) as info:
        check_feasibility(people, quotas, 5)
    assert {"code": "maximums_below_panel", "category": "genre", "capacity": 3, "panel": 5} in info.value.conflicts
    assert_minimal_relaxation(people, quotas, 5, info.value)


def test_maximum_of_one_category_against_minimum_of_another():
    """Both people who draw are needed, but one of them is 30-44 and that age is capped at 0:
    no count alone shows it, the MIP does (and relaxes that maximum by one)."""
    people = small_pool()
    quotas = [
        Quota("talent:dessin", "oui", 2, 4),
        Quota("age", "18-29", 0, 1),
        Quota("age", "30-44", 0, 0),
        Quota("genre", "h", 0, 2),
    ]
    with pytest.raises(Infeasible) as info:
        check_feasibility(people, quotas, 4)
    assert info.value.conflicts == [{"code": "quotas_incompatible"}]
    assert_minimal_relaxation(people, quotas, 4, info.value)
    assert total_change(info.value.relaxation) == 1


@pytest.mark.parametrize("seed", range(4))
def test_relaxation_is_minimal_on_random_small_cases(seed):
    rng = np.random.default_rng(seed)
    people = [
        Person(f"P{i}", {"a": str(rng.integers(3)), "b": str(rng.integers(2)), "talent:x": rng.choice(["oui", "non"])})
        for i in range(9)
    ]
    quotas = [Quota("a", str(v), int(rng.integers(0, 3)), int(rng.integers(3, 4))) for v in range(3)]
    quotas += [Quota("b", "0", 3, 3), Quota("talent:x", "oui", int(rng.integers(2, 5)), 4)]
    try:
        check_feasibility(people, quotas, 4)
    except Infeasible as error:
        assert_minimal_relaxation(people, quotas, 4, error)
    else:
        assert brute_force_minimum(people, quotas, 4) == 0


# -- stage 2: draw, reserve, replacement -------------------------------------------------------


def tiny_distribution():
    return Distribution(
        panels=[("A", "B"), ("A", "C"), ("B", "C")],
        weights=[300_000_000, 200_000_000, 500_000_000],
        marginals={"A": 0.5, "B": 0.8, "C": 0.7},
        lowest=0.5,
        lp_lowest=0.5,
        method="leximin",
        complete=True,
        optimal_lowest=True,
        elapsed=0.0,
        columns=3,
        levels_fixed=1,
    )


def test_ticket_to_panel_boundaries():
    weights = [300_000_000, 200_000_000, 500_000_000]
    assert panel_index_for_ticket(weights, 0) == 0
    assert panel_index_for_ticket(weights, 299_999_999) == 0
    assert panel_index_for_ticket(weights, 300_000_000) == 1
    assert panel_index_for_ticket(weights, 499_999_999) == 1
    assert panel_index_for_ticket(weights, 500_000_000) == 2
    assert panel_index_for_ticket(weights, WEIGHT_TOTAL - 1) == 2


def test_draw_is_reproducible_and_follows_the_published_formula():
    import hashlib

    dist = tiny_distribution()
    index, ticket = draw_panel(dist, "  Loto 12  34\t56 ")
    assert (index, ticket) == draw_panel(dist, "Loto 12 34 56")
    expected = int(hashlib.sha256(f"{dist.digest()}|Loto 12 34 56".encode()).hexdigest(), 16) % WEIGHT_TOTAL
    assert ticket == expected
    assert index == panel_index_for_ticket(dist.weights, ticket)
    # Case is kept: a different value gives (in general) a different ticket.
    assert draw_panel(dist, "loto 12 34 56")[1] != ticket
    assert normalise_random_value(" a \n b ") == "a b"
    with pytest.raises(ValueError):
        draw_panel(dist, "   ")


def test_draw_frequencies_follow_the_weights():
    dist = tiny_distribution()
    counts = [0, 0, 0]
    for n in range(3000):
        counts[draw_panel(dist, f"valeur {n}")[0]] += 1
    assert counts[0] / 3000 == pytest.approx(0.3, abs=0.05)
    assert counts[2] / 3000 == pytest.approx(0.5, abs=0.05)


def test_reserve_order():
    import hashlib

    ids = [f"V-{i:03d}" for i in range(20)]
    panel = ids[:5]
    order = reserve_order(ids, panel, " dé 4 ")
    assert sorted(order) == ids[5:]
    assert order == reserve_order(reversed(ids), panel, "dé 4")
    keys = [hashlib.sha256(f"dé 4|reserve|{pid}".encode()).hexdigest() for pid in order]
    assert keys == sorted(keys)
    assert order != reserve_order(ids, panel, "dé 5")


def test_replacement_keeps_the_quotas():
    people = small_pool()
    by_id = {p.id: p for p in people}
    quotas = [Quota("genre", "f", 2, 2), Quota("talent:dessin", "oui", 1, 4)]
    panel = ["P0", "P2", "P3", "P6"]  # f, f, h, h ; P0 draws
    assert panel_meets_quotas(panel, by_id, quotas, 4)
    reserve = ["P1", "P3", "P4", "P5", "P7"]
    # P2 (f) withdraws: P1 (h) and P4 (h) break the gender quota, P3 is on the panel: P5 (f).
    assert replacement_for(people, quotas, 4, panel, "P2", reserve) == "P5"
    # P0 (f, draws) withdraws: a woman who draws is needed; nobody in the reserve is one.
    assert replacement_for(people, quotas, 4, panel, "P0", reserve) is None
    new_panel = [pid for pid in panel if pid != "P2"] + ["P5"]
    assert panel_meets_quotas(new_panel, by_id, quotas, 4)


def test_pool_digest_ignores_order_and_sees_changes():
    people = small_pool()
    assert pool_digest(people) == pool_digest(list(reversed(people)))
    changed = [*people[:-1], Person(people[-1].id, {**people[-1].features, "genre": "f"})]
    assert pool_digest(changed) != pool_digest(people)
    assert len(pool_digest(people)) == 64


def test_panel_meets_quotas_rejects_wrong_sizes_duplicates_and_strangers():
    people = small_pool()
    by_id = {p.id: p for p in people}
    assert not panel_meets_quotas(["P0", "P1"], by_id, [], 3)
    assert not panel_meets_quotas(["P0", "P0", "P1"], by_id, [], 3)
    assert not panel_meets_quotas(["P0", "P1", "X"], by_id, [], 3)
    assert panel_meets_quotas(["P0", "P1", "P2"], by_id, [], 3)


def test_the_core_imports_no_django():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, concerto.selection.algorithms; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
    )
    assert result.stdout.strip() == "[]"

"""Cross-check with the reference library ``sortition-algorithms`` (dev dependency).

Its MAXIMIN optimum (column generation of Flanigan et al., with HiGHS through its own code) must
equal our lowest selection probability. To make the reference tight we give its HiGHS a 1e-9 MIP
gap and a fixed seed, and its stopping tolerance EPS (5e-4 by default) 1e-9.
"""

import pytest

from concerto.selection.algorithms import find_distribution
from concerto.selection.tests.pools import make_pool, make_quotas

sortition = pytest.importorskip("sortition_algorithms")
from sortition_algorithms.committee_generation import common as ref_common  # noqa: E402
from sortition_algorithms.committee_generation import maximin as ref_maximin  # noqa: E402
from sortition_algorithms.committee_generation import solver as ref_solver  # noqa: E402
from sortition_algorithms.features import FeatureValueMinMax  # noqa: E402
from sortition_algorithms.people import People  # noqa: E402
from sortition_algorithms.utils import set_random_provider  # noqa: E402


@pytest.fixture
def tight_reference(monkeypatch):
    original = ref_solver.create_solver

    def create_solver(backend="highspy", verbose=False, seed=None, time_limit=None, mip_gap=None):
        return original(backend=backend, verbose=False, seed=1, time_limit=None, mip_gap=1e-9)

    monkeypatch.setattr(ref_common, "create_solver", create_solver)
    monkeypatch.setattr(ref_maximin, "create_solver", create_solver)
    monkeypatch.setattr(ref_maximin, "EPS", 1e-9)
    set_random_provider(42)
    yield
    set_random_provider(None)


def reference_lowest(people, quotas, k):
    """The reference MAXIMIN optimum over the people who can be on some panel."""
    categories = sorted({c for p in people for c in p.features})
    features = {}
    for category in categories:
        values = sorted({p.features[category] for p in people})
        features[category] = {v: FeatureValueMinMax(min=0, max=k) for v in values}
    for q in quotas:
        features[q.category][q.value] = FeatureValueMinMax(min=q.min, max=q.max)
    pool = People(columns_to_keep=[])
    for row, person in enumerate(people):
        pool.add(person.id, dict(person.features), features, row)
    committees, probabilities, _report = ref_maximin.find_distribution_maximin(features, pool, k, [])
    marginals = {}
    for committee, prob in zip(committees, probabilities, strict=True):
        for pid in committee:
            marginals[pid] = marginals.get(pid, 0.0) + prob
    return min(marginals.values())


CASES = [
    # size, panel, biased, seed, talents
    (30, 5, True, 11, 0),
    (40, 6, True, 12, 2),
    (50, 8, True, 13, 3),
    (60, 8, False, 14, 7),
    (45, 7, True, 15, 7),
    (36, 6, True, 16, 1),
]


@pytest.mark.parametrize(("size", "k", "biased", "seed", "talents"), CASES)
def test_lowest_probability_equals_the_reference_maximin(tight_reference, size, k, biased, seed, talents):
    people = make_pool(size, seed=seed, biased=biased, talents=talents)
    quotas = make_quotas(people, k, census=biased)
    ours = find_distribution(people, quotas, k, method="leximin")
    assert ours.complete and ours.optimal_lowest
    assert not ours.extra["excluded"], "generated pools: everybody can be on some panel"
    theirs = reference_lowest(people, quotas, k)
    assert ours.lp_lowest == pytest.approx(theirs, abs=1e-6)
    assert ours.lowest == pytest.approx(theirs, abs=1e-6)
    ours_maximin = find_distribution(people, quotas, k, method="maximin")
    assert ours_maximin.lowest == pytest.approx(theirs, abs=1e-6)

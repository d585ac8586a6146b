"""Why quotas cannot be met, and the smallest change of quotas that would make them feasible."""

from __future__ import annotations

from collections.abc import Iterable

import highspy
import numpy as np

from .model import (
    MAXIMUMS_BELOW_PANEL,
    MINIMUMS_EXCEED_PANEL,
    NO_PANEL,
    QUOTAS_INCOMPATIBLE,
    TOO_FEW_VOLUNTEERS,
    Infeasible,
    Person,
    Quota,
)
from .problem import PanelOracle, Problem, compile_problem, new_highs


def simple_conflicts(problem: Problem) -> list[dict]:
    """Conflicts that counting alone reveals (see ``model.Infeasible``)."""
    k = problem.k
    conflicts = []
    pool_counts = problem.member.sum(axis=1)
    for q, count in zip(problem.quotas, pool_counts, strict=True):
        count = int(count)
        if q.min > count:
            conflicts.append({"code": TOO_FEW_VOLUNTEERS, "category": q.category, "value": q.value,
                              "min": q.min, "available": count})
    by_category: dict[str, list[int]] = {}
    for qi, q in enumerate(problem.quotas):
        by_category.setdefault(q.category, []).append(qi)
    for category, qis in sorted(by_category.items()):
        total_min = sum(problem.quotas[qi].min for qi in qis)
        if total_min > k:
            conflicts.append({"code": MINIMUMS_EXCEED_PANEL, "category": category, "total": total_min, "panel": k})
        # Places the category can fill: each quota value up to its maximum (and its volunteers),
        # plus everybody whose answer has no quota.
        quoted = problem.member[qis].any(axis=0)
        capacity = int((~quoted).sum()) + sum(
            min(problem.quotas[qi].max, int(pool_counts[qi])) for qi in qis
        )
        if capacity < k:
            conflicts.append({"code": MAXIMUMS_BELOW_PANEL, "category": category, "capacity": capacity, "panel": k})
    return conflicts


def minimal_relaxation(problem: Problem) -> list[dict]:
    """The quota changes of smallest total (sum of the lowered minimums and raised maximums)
    after which some panel meets every quota. A mixed-integer programme solved with HiGHS."""
    n, nq, k = problem.n, len(problem.quotas), problem.k
    if nq == 0:
        return []
    # Columns: x_i (n binaries), then s_minus_q (nq), then s_plus_q (nq). Rows: 0 the panel
    # size; 1..nq "count + s_minus >= lo"; nq+1..2nq "count - s_plus <= hi".
    starts2, idx2, vals2 = [0], [], []
    for i in range(n):
        rows = [0] + [1 + int(q) for q in np.flatnonzero(problem.member[:, i])]
        rows += [1 + nq + int(q) for q in np.flatnonzero(problem.member[:, i])]
        idx2 += rows
        vals2 += [1.0] * len(rows)
        starts2.append(len(idx2))
    for qi in range(nq):
        idx2.append(1 + qi)
        vals2.append(1.0)
        starts2.append(len(idx2))
    for qi in range(nq):
        idx2.append(1 + nq + qi)
        vals2.append(-1.0)
        starts2.append(len(idx2))
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    ncol = n + 2 * nq
    lp.num_col_ = ncol
    lp.num_row_ = 1 + 2 * nq
    lp.col_cost_ = np.array([0.0] * n + [1.0] * (2 * nq))
    lp.col_lower_ = np.zeros(ncol)
    lp.col_upper_ = np.array(
        [1.0] * n + [float(v) for v in problem.lo] + [float(max(0, k - h)) for h in problem.hi]
    )
    lp.row_lower_ = np.array([float(k)] + [float(v) for v in problem.lo] + [-inf] * nq)
    lp.row_upper_ = np.array([float(k)] + [inf] * nq + [float(v) for v in problem.hi])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts2, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(idx2, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(vals2, dtype=np.float64)
    lp.a_matrix_.num_col_ = ncol
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.integrality_ = [highspy.HighsVarType.kInteger] * ncol
    lp.sense_ = highspy.ObjSense.kMinimize
    h = new_highs(mip_gap=1e-9)
    h.passModel(lp)
    h.run()
    x = np.asarray(h.getSolution().col_value)
    relaxation = []
    for qi, q in enumerate(problem.quotas):
        down = int(round(x[n + qi]))
        up = int(round(x[n + nq + qi]))
        if down or up:
            relaxation.append(
                {
                    "category": q.category,
                    "value": q.value,
                    "min": q.min,
                    "max": q.max,
                    "new_min": q.min - down,
                    "new_max": (min(q.max, k) + up) if up else q.max,
                }
            )
    return relaxation


def explain(problem: Problem) -> Infeasible:
    conflicts = simple_conflicts(problem)
    relaxation = minimal_relaxation(problem)
    if not conflicts:
        conflicts = [{"code": QUOTAS_INCOMPATIBLE if relaxation else NO_PANEL}]
    return Infeasible(conflicts, relaxation)


def check_compiled(problem: Problem, oracle: PanelOracle | None = None) -> list[int]:
    """A quota-satisfying panel (indices), or ``Infeasible`` with its explanation."""
    if simple_conflicts(problem):
        raise explain(problem)
    oracle = oracle or PanelOracle(problem)
    panel, _value, _bound = oracle.best(np.zeros(problem.n))
    if panel is None:
        raise explain(problem)
    return panel


def check_feasibility(people: Iterable[Person], quotas: Iterable[Quota], panel_size: int) -> None:
    """Raise ``Infeasible`` (with conflicts and the minimal relaxation) when no panel meets the
    quotas, ``ValueError`` on malformed input; return ``None`` when some panel exists."""
    check_compiled(compile_problem(people, quotas, panel_size))

"""Input validation and the compiled form of a selection problem (numpy arrays, HiGHS models)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from .model import Person, Quota


class BadInput(ValueError):
    """Bad input. ``str()`` is the French sentence ``verify.py`` and the command line print; ``code``
    and ``data`` (category and value codes, counts) let ``selection.selectors.failure_text`` word it
    in the reader's language with the call's labels, never as « place-amandiers » (sector)."""

    def __init__(self, code: str, message: str, **data):
        super().__init__(message)
        self.code = code
        self.data = data


@dataclass
class Problem:
    """People sorted by id (index = position), quotas sorted by (category, value).

    ``member[q, i]`` is True when person ``i`` counts for quota ``q``; ``lo``/``hi`` are the quota
    bounds (``hi`` capped at the panel size).
    """

    people: list[Person]
    ids: list[str]
    quotas: list[Quota]
    k: int
    member: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)

    def counts(self, indices: Sequence[int]) -> np.ndarray:
        return self.member[:, list(indices)].sum(axis=1)

    def feasible(self, indices: Sequence[int]) -> bool:
        if len(indices) != self.k or len(set(indices)) != self.k:
            return False
        if not self.quotas:
            return True
        c = self.counts(indices)
        return bool(np.all(c >= self.lo) and np.all(c <= self.hi))


def compile_problem(people: Iterable[Person], quotas: Iterable[Quota], panel_size: int) -> Problem:
    """Validate the input (``ValueError`` in French on bad input) and build the arrays."""
    people = sorted(people, key=lambda p: p.id)
    quotas = sorted(quotas, key=lambda q: (q.category, q.value))
    if not isinstance(panel_size, int) or isinstance(panel_size, bool) or panel_size < 1:
        raise BadInput("panel_size_invalid", "La taille du panel doit être un entier positif.")
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise BadInput("duplicate_ids", f"Identifiants en double dans le vivier : {', '.join(dupes[:5])}.")
    if any(not isinstance(i, str) or not i for i in ids):
        raise BadInput("empty_id", "Chaque volontaire doit avoir un identifiant non vide.")
    if panel_size > len(people):
        raise BadInput(
            "panel_larger_than_pool",
            f"Le panel de {panel_size} personnes est plus grand que le vivier ({len(people)} volontaires).",
            panel=panel_size, pool=len(people))
    seen = set()
    for q in quotas:
        key = (q.category, q.value)
        if key in seen:
            raise BadInput("duplicate_quota", f"Quota en double pour « {q.value} » ({q.category}).",
                           category=q.category, value=q.value)
        seen.add(key)
        if not q.category or not q.value:
            raise BadInput("quota_unnamed", "Chaque quota doit nommer une catégorie et une valeur.")
        for bound in (q.min, q.max):
            if not isinstance(bound, int) or isinstance(bound, bool):
                raise BadInput("quota_bounds_invalid",
                               f"Les bornes du quota « {q.value} » ({q.category}) doivent être des entiers.",
                               category=q.category, value=q.value)
        if q.min < 0 or q.max < 0:
            raise BadInput("quota_bounds_invalid", f"Le quota « {q.value} » ({q.category}) a une borne négative.",
                           category=q.category, value=q.value)
        if q.min > q.max:
            raise BadInput(
                "quota_min_above_max",
                f"Le quota « {q.value} » ({q.category}) a un minimum ({q.min}) supérieur à son maximum ({q.max}).",
                category=q.category, value=q.value, min=q.min, max=q.max)
    member = np.zeros((len(quotas), len(people)), dtype=bool)
    for qi, q in enumerate(quotas):
        member[qi] = [p.value(q.category) == q.value for p in people]
    lo = np.array([q.min for q in quotas], dtype=np.int64)
    hi = np.array([min(q.max, panel_size) for q in quotas], dtype=np.int64)
    return Problem(people, ids, quotas, panel_size, member, lo, hi)


_BANNER_SILENCED = False


def _quiet_first_highs() -> highspy.Highs:
    """HiGHS prints a banner on stdout when the first instance of a process is created, before
    any option can be set; send that one line to /dev/null (the only time stdout is touched)."""
    global _BANNER_SILENCED
    if _BANNER_SILENCED:
        return highspy.Highs()
    _BANNER_SILENCED = True
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        return highspy.Highs()
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs(*, mip_gap: float | None = None) -> highspy.Highs:
    """A silent, single-threaded, seeded HiGHS instance: same input, same answer."""
    h = _quiet_first_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    if mip_gap is not None:
        h.setOptionValue("mip_rel_gap", mip_gap)
        h.setOptionValue("mip_abs_gap", mip_gap / 10)
    return h


def _colwise(member: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise matrix: one column per person, row 0 the panel size, then one row per quota."""
    n = member.shape[1]
    starts = [0]
    indices = []
    for i in range(n):
        rows = np.concatenate([[0], np.flatnonzero(member[:, i]) + 1]).astype(np.int32)
        indices.append(rows)
        starts.append(starts[-1] + len(rows))
    idx = np.concatenate(indices).astype(np.int32)
    return np.array(starts, dtype=np.int32), idx, np.ones(len(idx), dtype=np.float64)


class PanelOracle:
    """The pricing MIP: the quota-satisfying panel with the largest total weight.

    Binary ``x_i`` per person, ``sum x = k``, ``lo_q <= sum_{i in q} x_i <= hi_q``.
    """

    def __init__(self, problem: Problem, *, mip_gap: float = 1e-9):
        self.problem = problem
        self.gap = mip_gap
        n = problem.n
        h = new_highs(mip_gap=mip_gap)
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = 1 + len(problem.quotas)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.ones(n)
        lp.row_lower_ = np.concatenate([[problem.k], problem.lo]).astype(np.float64)
        lp.row_upper_ = np.concatenate([[problem.k], problem.hi]).astype(np.float64)
        starts, idx, vals = _colwise(problem.member)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = idx
        lp.a_matrix_.value_ = vals
        lp.a_matrix_.num_col_ = n
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
        lp.sense_ = highspy.ObjSense.kMaximize
        h.passModel(lp)
        # Every improving panel met on the way is kept: extra columns at no cost.
        h.setOptionValue("mip_improving_solution_save", True)
        self.h = h
        self.all_cols = np.arange(n, dtype=np.int32)
        self.calls = 0
        self.last_optimal = False

    def best(
        self,
        weights: np.ndarray,
        *,
        time_limit: float | None = None,
        start: Sequence[int] | None = None,
        gap: float | None = None,
    ):
        """``(panel indices or None, value found, upper bound)``; ``None`` when no panel exists
        (or none was found within ``time_limit``). ``gap``: relative optimality gap at which the
        MIP may stop (default: the exact gap given at creation)."""
        self.calls += 1
        h = self.h
        rel_gap = self.gap if gap is None else gap
        h.setOptionValue("mip_rel_gap", rel_gap)
        h.setOptionValue("mip_abs_gap", rel_gap / 10)
        h.changeColsCost(self.problem.n, self.all_cols, np.asarray(weights, dtype=np.float64))
        # HiGHS measures its time limit on the instance's total run time.
        h.setOptionValue("time_limit", h.getRunTime() + float(time_limit) if time_limit else highspy.kHighsInf)
        if start is not None:
            sol = highspy.HighsSolution()
            x = np.zeros(self.problem.n)
            x[list(start)] = 1.0
            sol.col_value = x
            h.setSolution(sol)
        h.run()
        status = h.getModelStatus()
        self.last_optimal = status == highspy.HighsModelStatus.kOptimal
        info = h.getInfo()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None, float("-inf"), float("-inf")
        if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            return None, float("-inf"), float("inf")
        x = np.asarray(h.getSolution().col_value)
        panel = [int(i) for i in np.flatnonzero(x > 0.5)]
        value = float(np.asarray(weights)[panel].sum())
        bound = float(info.mip_dual_bound) if status != highspy.HighsModelStatus.kOptimal else max(
            value, float(info.mip_dual_bound)
        )
        if not np.isfinite(bound):
            bound = float("inf")
        if not self.problem.feasible(panel):
            return None, float("-inf"), bound
        return panel, value, bound

    def others(self) -> list[list[int]]:
        """The other feasible panels the last MIP solve went through."""
        found = []
        for saved in self.h.getSavedMipSolutions():
            x = np.asarray(saved.col_value)
            panel = [int(i) for i in np.flatnonzero(x > 0.5)]
            if self.problem.feasible(panel):
                found.append(panel)
        return found

"""LEXIMIN and MAXIMIN distributions over quota-satisfying panels, by column generation on HiGHS.

The approach of Flanigan, Gölz, Gupta, Hennig and Procaccia, "Fair algorithms for selecting
citizens' assemblies" (Nature, 2021), written anew for HiGHS:

* Master LP (over the panels found so far, one variable ``x_P`` per panel):
  maximise ``t`` subject to ``sum_{P ∋ i} x_P >= t`` for every person ``i`` not yet fixed,
  ``sum_{P ∋ i} x_P >= p_i`` for people whose probability is fixed, ``sum_P x_P = 1``.
* Pricing: with the duals ``y_i`` of the person rows, the panel maximising ``sum_{i in P} y_i``
  (a small MIP: binaries, panel size, quotas) either improves the master LP or proves that the
  current value is optimal over *all* panels. Its dual bound ``B`` gives the certified upper bound
  ``B - sum_fixed p_i y_i`` on the level's optimum; ``(k - sum_fixed p_i) / #unfixed`` is another.
* LEXIMIN: once a level is optimal, every unfixed person with a positive dual is at ``t`` in every
  optimal solution (complementary slackness) and is fixed at ``t``; when ``t`` reaches the average
  bound every unfixed person is. Repeat until everybody is fixed. MAXIMIN is the first level.

Speed: a greedy panel builder proposes columns from the duals before the MIP is asked; the first
columns come from "windows" of a balanced ordering of the pool (every person in the same number of
windows, so when all windows meet the quotas the uniform ``k/n`` lottery is found at once, and it
is optimal since nobody can exceed the average); then a MIP covers whoever is in no panel yet.
People who are in no quota-satisfying panel at all keep probability 0 and are left out of the
optimisation (``extra["excluded"]``).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterable

import highspy
import numpy as np

from .feasibility import check_compiled
from .model import WEIGHT_TOTAL, Distribution, Person, Quota, marginals_from_weights
from .problem import PanelOracle, Problem, compile_problem, new_highs

DUAL_EPS = 1e-9  # a dual above this fixes its person (simplex duals are exact vertices)
RC_EPS = 1e-9  # a column must improve the master by more than this to be added
GAP_EPS = 1e-7  # a level is optimal when the certified gap is below this


class _Timeout(Exception):
    pass


class _Engine:
    def __init__(self, problem: Problem, time_limit: float, progress: Callable[[float, dict], None] | None):
        self.p = problem
        self.start = time.monotonic()
        # A margin is kept for the last LP solve and the rounding, so the call returns in time.
        limit = max(0.0, float(time_limit))
        self.deadline = self.start + limit - min(2.0, 0.05 * limit)
        self.progress = progress
        self.oracle = PanelOracle(problem)
        self.columns: list[tuple[int, ...]] = []
        self.colset: set[tuple[int, ...]] = set()
        n = problem.n
        self.quotas_of = [list(np.flatnonzero(problem.member[:, i])) for i in range(n)]
        cats = sorted({q.category for q in problem.quotas})
        self.cat_index = {c: j for j, c in enumerate(cats)}
        self.cat_of = [self.cat_index[q.category] for q in problem.quotas]
        self.ncat = len(cats)
        self.lo = [int(v) for v in problem.lo]
        self.hi = [int(v) for v in problem.hi]
        rng = np.random.default_rng(12345)
        self.tiebreaks = [rng.permutation(n) for _ in range(4)]
        self.covered = np.zeros(n, dtype=bool)
        self.coverable = np.ones(n, dtype=bool)
        self.fixed: dict[int, float] = {}
        self.h: highspy.Highs | None = None
        self.levels = 0
        self.gap = math.inf
        self.last_x: np.ndarray | None = None
        self.last_t = 0.0

    # -- helpers ---------------------------------------------------------------------------
    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Timeout

    def report(self, fraction: float, step: str, **counts) -> None:
        """``progress(fraction, {"step": step, **counts})``: data in no language, worded by the caller."""
        if self.progress is not None:
            self.progress(max(0.0, min(1.0, fraction)), {"step": step, **counts})

    def add_column(self, panel) -> bool:
        col = tuple(sorted(int(i) for i in panel))
        if col in self.colset:
            return False
        self.colset.add(col)
        self.columns.append(col)
        self.covered[list(col)] = True
        if self.h is not None:
            rows = np.array(list(col) + [self.p.n], dtype=np.int32)
            self.h.addCol(0.0, 0.0, highspy.kHighsInf, len(rows), rows, np.ones(len(rows)))
        return True

    def greedy(self, weights: np.ndarray, tiebreak: np.ndarray, *, repair: bool = False) -> list[int] | None:
        """A quota-satisfying panel of large total weight, built greedily (or ``None``); with
        ``repair``, a panel that breaks quotas is mended by swaps."""
        p = self.p
        k = p.k
        order = np.lexsort((tiebreak, -weights))
        counts = [0] * len(p.quotas)
        deficit = [0] * self.ncat
        for qi, lo in enumerate(self.lo):
            deficit[self.cat_of[qi]] += lo
        chosen: list[int] = []
        for i in order:
            r = k - len(chosen)
            if r == 0:
                break
            qs = self.quotas_of[i]
            if any(counts[q] >= self.hi[q] for q in qs):
                continue
            helps = {self.cat_of[q] for q in qs if counts[q] < self.lo[q]}
            if any(d >= r and c not in helps for c, d in enumerate(deficit)):
                continue
            for q in qs:
                if counts[q] < self.lo[q]:
                    deficit[self.cat_of[q]] -= 1
                counts[q] += 1
            chosen.append(int(i))
        if len(chosen) == k and p.feasible(chosen):
            return chosen
        if not repair:
            return None
        # Fill up with the next heaviest people, then swap until the quotas hold.
        taken = set(chosen)
        for i in order:
            if len(chosen) == k:
                break
            if int(i) not in taken:
                chosen.append(int(i))
                taken.add(int(i))
        return self.repair(chosen, weights, order)

    def repair(self, panel: list[int], weights: np.ndarray, order: np.ndarray) -> list[int] | None:
        """Swap members for outsiders (the 150 first in ``order``) while the total quota
        violation drops; heavier outsiders preferred on ties. ``None`` if violations remain."""
        p = self.p
        m = p.member.astype(np.int32)
        panel = list(panel)
        counts = m[:, panel].sum(axis=1)
        lo, hi = p.lo[:, None, None], p.hi[:, None, None]
        violation = int(self._violation(counts))
        for _ in range(2 * p.k):
            if violation == 0:
                break
            self.check_time()
            inside = np.zeros(p.n, dtype=bool)
            inside[panel] = True
            cands = order[~inside[order]][:150]
            if len(cands) == 0:
                return None
            # after[q, a, b]: quota counts once member a is swapped for outsider b.
            after = counts[:, None, None] - m[:, panel][:, :, None] + m[:, cands][:, None, :]
            v = (np.maximum(lo - after, 0) + np.maximum(after - hi, 0)).sum(axis=0)
            gain = weights[cands][None, :] - weights[panel][:, None]
            flat = np.lexsort((-gain.ravel(), v.ravel()))[0]
            pos, j = divmod(int(flat), len(cands))
            if v[pos, j] >= violation:
                return None
            a, b = panel[pos], int(cands[j])
            panel[pos] = b
            counts = counts - m[:, a] + m[:, b]
            violation = int(v[pos, j])
        return panel if violation == 0 and p.feasible(panel) else None

    # -- initial columns -------------------------------------------------------------------
    def balanced_order(self) -> list[int]:
        """People in an order where every stretch holds each quota group in proportion."""
        p = self.p
        n = p.n
        m = p.member.astype(np.float64)
        if m.shape[0] == 0:
            return list(range(n))
        share = m.sum(axis=1) / n
        placed = np.zeros(m.shape[0])
        left = np.ones(n, dtype=bool)
        order = []
        for j in range(n):
            if j % 256 == 0:
                self.check_time()
            deficit = (j + 1) * share - placed
            scores = deficit @ m
            scores[~left] = -np.inf
            i = int(np.argmax(scores))
            order.append(i)
            left[i] = False
            placed += m[:, i]
        return order

    def _violation(self, counts: np.ndarray) -> np.ndarray:
        """Total quota violation of count vectors (last axis: quotas)."""
        lo, hi = self.p.lo, self.p.hi
        return (np.maximum(lo - counts, 0) + np.maximum(counts - hi, 0)).sum(axis=-1)

    def repair_windows(self, order: list[int], starts: list[int]) -> list[int]:
        """Swap people between positions until every window meets the quotas (bounded effort).

        Each window ``[s, s + k)`` (circular) of the order is a panel; a swap of the people at two
        positions changes the windows holding either position, and is kept when it lowers the
        total violation."""
        p = self.p
        n, k = p.n, p.k
        order = list(order)
        m = p.member.astype(np.int64)
        windows_of: list[list[int]] = [[] for _ in range(n)]
        for w, s0 in enumerate(starts):
            for t in range(k):
                windows_of[(s0 + t) % n].append(w)
        counts = np.array([m[:, [order[(s0 + t) % n] for t in range(k)]].sum(axis=1) for s0 in starts])
        viol = self._violation(counts)
        budget = 40 * len(starts)
        while viol.sum() > 0 and budget > 0:
            self.check_time()
            budget -= 1
            w = int(np.flatnonzero(viol > 0)[0])
            best = (0, None)
            for t in range(k):
                a = (starts[w] + t) % n
                pa = order[a]
                # Candidates b: the people whose arrival in window w lowers its violation most.
                cand_counts = counts[w][:, None] - m[:, [pa]] + m[:, order]
                after = self._violation(cand_counts.T)
                for b in np.argsort(after, kind="stable")[:30]:
                    b = int(b)
                    if after[b] >= viol[w] or b == a:
                        continue
                    pb = order[b]
                    delta_rows = {}
                    for x in windows_of[a]:
                        delta_rows[x] = delta_rows.get(x, 0) + (m[:, pb] - m[:, pa])
                    for x in windows_of[b]:
                        delta_rows[x] = delta_rows.get(x, 0) + (m[:, pa] - m[:, pb])
                    change = sum(
                        int(self._violation(counts[x] + d)) - int(viol[x]) for x, d in delta_rows.items()
                    )
                    if change < best[0]:
                        best = (change, (a, b, delta_rows))
            if best[1] is None:
                break
            a, b, delta_rows = best[1]
            order[a], order[b] = order[b], order[a]
            for x, d in delta_rows.items():
                counts[x] = counts[x] + d
                viol[x] = self._violation(counts[x])
        return order

    def initial_columns(self, first: list[int]) -> None:
        p = self.p
        n, k = p.n, p.k
        self.add_column(first)
        order = self.balanced_order()
        windows = n // math.gcd(n, k)
        starts = [(j * k) % n for j in range(windows)]
        bad = sum(not p.feasible([order[(s0 + t) % n] for t in range(k)]) for s0 in starts)
        if 0 < bad <= max(2, windows // 4):
            order = self.repair_windows(order, starts)
        failed = []
        for s0 in starts:
            panel = [order[(s0 + t) % n] for t in range(k)]
            if p.feasible(panel):
                self.add_column(panel)
            else:
                failed.append(panel)
        self.report(0.05, "starting_panels", panels=len(self.columns))
        # Mend the windows that break a quota (bounded work).
        initial_deadline = self.start + 0.4 * (self.deadline - self.start)
        for panel in failed[:200]:
            if time.monotonic() > initial_deadline:
                raise _Timeout
            w = np.zeros(n)
            w[panel] = 1.0
            cand = self.greedy(w, self.tiebreaks[0], repair=True)
            if cand is not None:
                self.add_column(cand)
        # Cover whoever is in no panel yet; those the MIP cannot cover are in no feasible panel.
        while not self.covered.all():
            if time.monotonic() > initial_deadline:
                raise _Timeout
            w = (~self.covered).astype(np.float64)
            cand = self.greedy(w, self.tiebreaks[1], repair=True)
            if cand is not None and w[cand].sum() > 0:
                self.add_column(cand)
                continue
            cand, value, bound = self.oracle.best(w, time_limit=max(0.1, initial_deadline - time.monotonic()))
            if cand is not None and value > 0.5:
                self.add_column(cand)
                continue
            if bound < 0.5:
                self.coverable = self.covered.copy()
                break
            raise _Timeout  # the MIP stopped without an answer: out of time
        self.report(0.1, "starting_panels", panels=len(self.columns))

    # -- master LP ---------------------------------------------------------------------------
    def build_master(self) -> None:
        p = self.p
        n = p.n
        h = new_highs()
        # Columns are only added: the primal simplex restarts from the previous basis.
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        inf = highspy.kHighsInf
        # Rows 0..n-1: people; row n: the probabilities sum to 1.
        lower = np.where(self.coverable, 0.0, -inf)
        h.addRows(n, lower, np.full(n, inf), 0, np.array([0], np.int32), np.array([], np.int32), np.array([]))
        h.addRow(1.0, 1.0, 0, np.array([], np.int32), np.array([]))
        # Column 0: t (bounds never binding while someone is unfixed), minimise -t; -1 in the rows of coverable people.
        rows = np.flatnonzero(self.coverable).astype(np.int32)
        h.addCol(-1.0, -1.0, 2.0, len(rows), rows, -np.ones(len(rows)))
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.h = h
        for col in self.columns:
            r = np.array(list(col) + [n], dtype=np.int32)
            h.addCol(0.0, 0.0, inf, len(r), r, np.ones(len(r)))

    def solve_master(self) -> tuple[float, np.ndarray, float]:
        h = self.h
        # HiGHS measures its time limit on the instance's total run time.
        h.setOptionValue("time_limit", h.getRunTime() + max(0.5, self.remaining() + 0.5))
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise _Timeout
        if status != highspy.HighsModelStatus.kOptimal:
            # Rounding made the fixed probabilities slightly too high: lower them a hair.
            for i in list(self.fixed):
                self.fixed[i] = max(0.0, self.fixed[i] - 1e-9)
                h.changeRowBounds(i, self.fixed[i], highspy.kHighsInf)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kTimeLimit:
                raise _Timeout
            if status != highspy.HighsModelStatus.kOptimal:
                raise RuntimeError(f"Le programme linéaire n'a pas été résolu ({h.modelStatusToString(status)}).")
        sol = h.getSolution()
        t = float(sol.col_value[0])
        self.last_t = t
        self.last_x = np.asarray(sol.col_value, dtype=np.float64)[1:].copy()
        duals = np.maximum(np.asarray(sol.row_dual[: self.p.n], dtype=np.float64), 0.0)
        duals[~self.coverable] = 0.0
        return t, duals, float(sol.row_dual[self.p.n])

    def primal(self) -> np.ndarray:
        """The last optimal master solution (panels added since then get 0); a uniform mix of
        the panels found if the master was never solved."""
        out = np.zeros(len(self.columns))
        if self.last_x is None:
            out[:] = 1.0
            return out
        out[: len(self.last_x)] = self.last_x[: len(self.columns)]
        return out

    def solve_level(self, base: float, span: float) -> float:
        """Column generation until the master is optimal over all panels; returns its value."""
        n = self.p.n
        unfixed = np.array([self.coverable[i] and i not in self.fixed for i in range(n)])
        fixed_mass = sum(self.fixed.values())
        avg_bound = (self.p.k - fixed_mass) / max(1, int(unfixed.sum()))
        rounds = 0
        while True:
            rounds += 1
            t, y, y_conv = self.solve_master()
            if t >= avg_bound - GAP_EPS:
                self.gap = max(0.0, avg_bound - t)
                return t
            self.check_time()
            threshold = -y_conv + RC_EPS
            # Cheap columns first: greedy panels for the duals, then for duals with each found
            # panel's members scaled down (to get several different columns per LP solve).
            added = 0
            w = y.copy()
            for attempt in range(6):
                cand = self.greedy(w, self.tiebreaks[attempt % len(self.tiebreaks)])
                if cand is None:
                    break
                if y[cand].sum() > threshold and self.add_column(cand):
                    added += 1
                w[cand] *= 0.5
            if added:
                continue
            cand, value, bound = self.oracle.best(y, time_limit=max(0.1, self.remaining()))
            fixed_term = sum(pv * y[i] for i, pv in self.fixed.items())
            upper = min(bound - fixed_term, avg_bound)
            self.gap = max(0.0, upper - t)
            if rounds % 10 == 0:
                self.report(base, "improving", panels=len(self.columns), gap=float(self.gap))
            if cand is not None and value > threshold and self.add_column(cand):
                for other in self.oracle.others():
                    if y[other].sum() > threshold:
                        self.add_column(other)
                continue
            if not self.oracle.last_optimal:
                raise _Timeout  # the MIP was stopped by the time limit: optimality is not proven
            return t

    def fix_level(self, t: float) -> int:
        n = self.p.n
        _t, y, _c = self.solve_master()
        unfixed = [i for i in range(n) if self.coverable[i] and i not in self.fixed]
        fixed_mass = sum(self.fixed.values())
        avg_bound = (self.p.k - fixed_mass) / max(1, len(unfixed))
        if t >= avg_bound - GAP_EPS:
            chosen = unfixed
        else:
            chosen = [i for i in unfixed if y[i] > DUAL_EPS]
            if not chosen:
                chosen = [max(unfixed, key=lambda i: (y[i], -i))]
        for i in chosen:
            self.fixed[i] = t
            self.h.changeCoeff(i, 0, 0.0)
            self.h.changeRowBounds(i, t, highspy.kHighsInf)
        self.levels += 1
        return len(chosen)


def _round_weights(columns: list[tuple[int, ...]], x: np.ndarray, ids: list[str]):
    """Largest-remainder rounding of the panel probabilities to integers summing to WEIGHT_TOTAL."""
    x = np.clip(np.nan_to_num(x), 0.0, None)
    keep = [j for j in range(len(columns)) if x[j] > 1e-12]
    if not keep:
        keep = [0]
        x = np.ones(len(columns))
    panels = [tuple(ids[i] for i in columns[j]) for j in keep]
    probs = x[keep] / x[keep].sum()
    order = sorted(range(len(panels)), key=lambda j: panels[j])
    panels = [panels[j] for j in order]
    probs = probs[order]
    raw = [float(pr) * WEIGHT_TOTAL for pr in probs]
    weights = [int(math.floor(r)) for r in raw]
    rest = WEIGHT_TOTAL - sum(weights)
    by_remainder = sorted(range(len(raw)), key=lambda j: (-(raw[j] - weights[j]), j))
    for j in by_remainder[: max(0, rest)]:
        weights[j] += 1
    pairs = [(pa, w) for pa, w in zip(panels, weights, strict=True) if w > 0]
    return [pa for pa, _ in pairs], [w for _, w in pairs]


def find_distribution(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    panel_size: int,
    *,
    time_limit: float = 60.0,
    method: str = "leximin",
    progress: Callable[[float, dict], None] | None = None,
) -> Distribution:
    """The fair lottery over quota-satisfying panels (see the module docstring).

    Deterministic for the same input as long as it finishes within ``time_limit``. When time runs
    out during the LEXIMIN levels, the distribution is valid and its lowest probability optimal
    (``complete=False``); when it runs out before MAXIMIN is proven optimal, the best distribution
    found so far is returned with ``complete=False, optimal_lowest=False``.
    Raises ``Infeasible`` when no panel meets the quotas, ``ValueError`` on bad input.
    ``progress(fraction, {"step": ..., **counts})`` reports steps as data; callers word them.
    """
    if method not in ("leximin", "maximin"):
        raise ValueError("La méthode doit être « leximin » ou « maximin ».")
    problem = compile_problem(people, quotas, panel_size)
    engine = _Engine(problem, time_limit, progress)
    engine.report(0.0, "checking_quotas")
    first = check_compiled(problem, engine.oracle)
    lp_lowest = 0.0
    optimal_lowest = False
    complete = False
    # The starting panels get at most 40% of the time; column generation covers the rest.
    try:
        engine.initial_columns(first)
        covered = True
    except _Timeout:
        covered = False
    engine.build_master()
    try:
        engine.report(0.1, "maximin")
        lp_lowest = engine.solve_level(0.1, 0.4)
        # If the starting phase was cut, somebody may be in no feasible panel at all: a zero
        # optimum then only bounds the people who can be selected.
        optimal_lowest = covered or lp_lowest > GAP_EPS
        engine.report(0.5, "lowest_found", lowest=float(lp_lowest))
        engine.fix_level(lp_lowest)
        if method == "maximin":
            complete = True
        else:
            total = int(engine.coverable.sum())
            while len(engine.fixed) < total:
                frac = 0.5 + 0.5 * len(engine.fixed) / max(1, total)
                engine.report(frac, "leximin", fixed=len(engine.fixed), total=total)
                t = engine.solve_level(frac, 0.0)
                engine.fix_level(t)
            complete = True
    except _Timeout:
        pass
    if not complete and not engine.covered.all() and engine.last_t <= GAP_EPS:
        # Stopped while somebody is still in no panel: their probability is 0 whatever we do,
        # so spread the others as evenly as possible (their rows stop bounding t).
        uncovered = np.flatnonzero(~engine.covered)
        for i in uncovered:
            engine.h.changeCoeff(int(i), 0, 0.0)
            engine.h.changeRowBounds(int(i), -highspy.kHighsInf, highspy.kHighsInf)
        engine.last_x = None
    if not complete and engine.last_x is None:
        with contextlib.suppress(_Timeout, RuntimeError):
            # One solve of the master, to return something.
            engine.deadline = time.monotonic() + min(2.0, max(0.5, 0.02 * time_limit))
            engine.solve_master()
    x = engine.primal()
    if not optimal_lowest:
        lp_lowest = max(0.0, engine.last_t) if engine.covered.all() else 0.0
    panels, weights = _round_weights(engine.columns, x, problem.ids)
    marginals = marginals_from_weights(panels, weights, problem.ids)
    engine.report(1.0, "done")
    excluded = [problem.ids[i] for i in range(problem.n) if not engine.coverable[i]]
    return Distribution(
        panels=panels,
        weights=weights,
        marginals=marginals,
        lowest=min(marginals.values()),
        lp_lowest=lp_lowest,
        method=method,
        complete=complete,
        optimal_lowest=optimal_lowest,
        elapsed=round(time.monotonic() - engine.start, 3),
        columns=len(engine.columns),
        levels_fixed=engine.levels,
        extra={
            "excluded": excluded,
            "gap": engine.gap if np.isfinite(engine.gap) else None,
            "starting_phase_complete": covered,
            # Stopped by the time limit before everybody was in some panel (their probability is 0).
            "not_yet_in_a_panel": int((~engine.covered & engine.coverable).sum()),
        },
    )

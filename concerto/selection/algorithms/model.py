"""Data types of the selection core and the canonical forms that are hashed and published.

Pure Python (numpy only in the solver modules): nothing here imports Django, so the core can be
read, tested and re-run on its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Panel weights are integers summing exactly to this: the published distribution is exact.
WEIGHT_TOTAL = 10**9
# Bumped whenever a change could alter a distribution computed from the same input.
ALGORITHM_VERSION = "concerto-leximin/1"
TALENT_PREFIX = "talent:"


def canonical_json(data: object) -> bytes:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 (not ASCII-escaped)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: object) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


@dataclass(frozen=True)
class Person:
    """A volunteer as the algorithm sees them: a pseudonym and their answers (category -> value)."""

    id: str
    features: Mapping[str, str]

    def value(self, category: str) -> str:
        """The answer for ``category``; ``""`` (which no quota value matches) when missing."""
        return self.features.get(category, "") or ""


@dataclass(frozen=True)
class Quota:
    """Between ``min`` and ``max`` panel members must answer ``value`` to ``category``.

    A talent is the category ``talent:<code>`` with the values ``oui``/``non``.
    """

    category: str
    value: str
    min: int
    max: int

    def to_json(self) -> dict:
        return {"category": self.category, "value": self.value, "min": self.min, "max": self.max}

    @classmethod
    def from_json(cls, data: Mapping) -> Quota:
        return cls(str(data["category"]), str(data["value"]), int(data["min"]), int(data["max"]))


# The kinds of ``Infeasible.conflicts``; callers turn them into sentences in the reader's language
# (``concerto.selection.selectors.conflict_messages``). If you add one, add its sentence there.
TOO_FEW_VOLUNTEERS = "too_few_volunteers"  # category, value, min, available
MINIMUMS_EXCEED_PANEL = "minimums_exceed_panel"  # category, total, panel
MAXIMUMS_BELOW_PANEL = "maximums_below_panel"  # category, capacity, panel
QUOTAS_INCOMPATIBLE = "quotas_incompatible"  # no counting shows it: see ``relaxation``
NO_PANEL = "no_panel"


class Infeasible(Exception):  # noqa: N818 - the name of the interface
    """No panel meets the quotas.

    ``conflicts``: why, as data in no language: ``[{"code": <one of the kinds above>, ...counts}]``.
    ``relaxation``: the smallest change of quotas (total of the changes to minimums and maximums)
    that makes them feasible: ``[{"category", "value", "min", "max", "new_min", "new_max"}]``.
    """

    def __init__(self, conflicts: list[dict], relaxation: list[dict]):
        self.conflicts = [dict(c) for c in conflicts]
        self.relaxation = list(relaxation)
        super().__init__("no panel meets the quotas: " + ", ".join(c["code"] for c in self.conflicts))

    def to_json(self) -> dict:
        return {"conflicts": [dict(c) for c in self.conflicts], "relaxation": [dict(r) for r in self.relaxation]}

    @classmethod
    def from_json(cls, data: Mapping) -> Infeasible:
        return cls(list(data.get("conflicts", [])), list(data.get("relaxation", [])))


@dataclass
class Distribution:
    """A lottery over quota-satisfying panels, published before the draw.

    ``panels``: sorted tuples of person ids, the list sorted; ``weights``: positive integers summing
    to ``WEIGHT_TOTAL``, panel ``i`` is drawn with probability ``weights[i] / WEIGHT_TOTAL``.
    ``marginals`` and ``lowest`` are computed from the integer weights; ``lp_lowest`` is the optimum
    of the maximin linear programme (before rounding).
    """

    panels: list[tuple[str, ...]]
    weights: list[int]
    marginals: dict[str, float]
    lowest: float
    lp_lowest: float
    method: str
    complete: bool
    optimal_lowest: bool
    elapsed: float
    columns: int
    levels_fixed: int
    extra: dict = field(default_factory=dict)

    def digest(self) -> str:
        """sha256 of ``canonical_json({"panels": [[ids...], ...], "weights": [...]})``."""
        return sha256_hex({"panels": [list(p) for p in self.panels], "weights": list(self.weights)})

    def to_json(self) -> dict:
        return {
            "panels": [list(p) for p in self.panels],
            "weights": list(self.weights),
            "weight_total": WEIGHT_TOTAL,
            "digest": self.digest(),
            "marginals": dict(sorted(self.marginals.items())),
            "lowest": self.lowest,
            "lp_lowest": self.lp_lowest,
            "method": self.method,
            "complete": self.complete,
            "optimal_lowest": self.optimal_lowest,
            "elapsed": self.elapsed,
            "columns": self.columns,
            "levels_fixed": self.levels_fixed,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Distribution:
        panels = [tuple(str(i) for i in p) for p in data["panels"]]
        weights = [int(w) for w in data["weights"]]
        marginals = data.get("marginals")
        if marginals is None:
            marginals = marginals_from_weights(panels, weights, ())
        return cls(
            panels=panels,
            weights=weights,
            marginals={str(k): float(v) for k, v in marginals.items()},
            lowest=float(data.get("lowest", min(marginals.values(), default=0.0))),
            lp_lowest=float(data.get("lp_lowest", data.get("lowest", 0.0))),
            method=str(data.get("method", "")),
            complete=bool(data.get("complete", False)),
            optimal_lowest=bool(data.get("optimal_lowest", False)),
            elapsed=float(data.get("elapsed", 0.0)),
            columns=int(data.get("columns", 0)),
            levels_fixed=int(data.get("levels_fixed", 0)),
            extra=dict(data.get("extra", {})),
        )


def marginals_from_weights(
    panels: Sequence[Sequence[str]], weights: Sequence[int], people_ids: Iterable[str]
) -> dict[str, float]:
    """Selection probability of each person from the integer weights (0.0 if never selected)."""
    totals: dict[str, int] = dict.fromkeys(people_ids, 0)
    for panel, weight in zip(panels, weights, strict=True):
        for pid in panel:
            totals[pid] = totals.get(pid, 0) + weight
    return {pid: totals[pid] / WEIGHT_TOTAL for pid in sorted(totals)}


def pool_json(people: Iterable[Person]) -> list[dict]:
    """The pseudonymised pool as published: ids sorted, each person's features sorted."""
    return [
        {"id": p.id, "features": {str(k): str(v) for k, v in sorted(p.features.items())}}
        for p in sorted(people, key=lambda p: p.id)
    ]


def pool_digest(people: Iterable[Person]) -> str:
    """sha256 of ``canonical_json(pool_json(people))``."""
    return sha256_hex(pool_json(people))


def panel_meets_quotas(
    panel_ids: Iterable[str], people_by_id: Mapping[str, Person], quotas: Iterable[Quota], panel_size: int
) -> bool:
    """True when the panel has ``panel_size`` distinct known people and meets every quota."""
    ids = list(panel_ids)
    if len(ids) != panel_size or len(set(ids)) != len(ids):
        return False
    if any(pid not in people_by_id for pid in ids):
        return False
    for quota in quotas:
        count = sum(1 for pid in ids if quota.value and people_by_id[pid].value(quota.category) == quota.value)
        if count < quota.min or count > quota.max:
            return False
    return True

"""The published audit file ``selection.json`` (format ``concerto-selection/1``)."""

from __future__ import annotations

import platform
import secrets
from collections.abc import Iterable, Mapping
from importlib import metadata

from .draw import draw_panel
from .model import (
    ALGORITHM_VERSION,
    TALENT_PREFIX,
    WEIGHT_TOTAL,
    Distribution,
    Person,
    Quota,
    sha256_hex,
)

FORMAT = "concerto-selection/2"
# Each combination of published per-person answers is shared by at least this many volunteers.
MIN_GROUP = 5
# Categories are published per person only while at most this share of the pool must be hidden.
MAX_HIDDEN_SHARE = 1 / 3


def commitment(salt: str, person_id: str, features: Mapping[str, str]) -> str:
    """sha256 of ``{"features", "id", "salt"}`` in canonical JSON: binds a volunteer's answers as the
    algorithm used them; only the volunteer (who is shown the salt) can open it."""
    return sha256_hex({"features": {str(k): str(v) for k, v in features.items()}, "id": person_id, "salt": salt})


def commitments_digest(entries: Iterable[Mapping]) -> str:
    """The published pool hash: sha256 of ``[{"commitment", "id"}]`` sorted by id (canonical JSON)."""
    return sha256_hex(sorted(({"commitment": e["commitment"], "id": e["id"]} for e in entries),
                             key=lambda e: e["id"]))


def _hidden(people: list[Person], categories: list[str], k: int) -> set[str]:
    """Ids whose combination of answers on ``categories`` is shared by fewer than ``k`` people; the
    hidden group itself is made at least ``k`` strong by adding the smallest published groups."""
    groups: dict[tuple, list[str]] = {}
    for p in people:
        groups.setdefault(tuple(p.value(c) for c in categories), []).append(p.id)
    hidden = {pid for ids in groups.values() if len(ids) < k for pid in ids}
    published = sorted((ids for ids in groups.values() if len(ids) >= k), key=lambda ids: (len(ids), ids))
    while hidden and len(hidden) < k and published:
        hidden.update(published.pop(0))
    if len(hidden) < k and hidden:  # fewer than k people in all: publish nobody's answers
        return {p.id for p in people}
    return hidden


def public_pool(people: Iterable[Person], quotas: Iterable[Quota], salts: Mapping[str, str], *,
                k: int = MIN_GROUP) -> tuple[list[dict], list[str]]:
    """What the public file shows of each volunteer, and the categories shown per person.

    Only quota categories, never talents, are candidates. Categories are added greedily (the one
    hiding fewest people first) while at most ``MAX_HIDDEN_SHARE`` of the pool must be hidden; a
    person whose combination on the chosen categories is shared by fewer than ``k`` is published
    without answers. Everyone gets a commitment to all their answers (``commitment``).
    """
    people = sorted(people, key=lambda p: p.id)
    candidates = sorted({q.category for q in quotas if not q.category.startswith(TALENT_PREFIX)})
    chosen: list[str] = []
    limit = int(len(people) * MAX_HIDDEN_SHARE)
    while True:
        best = None
        for category in candidates:
            if category in chosen:
                continue
            hidden = _hidden(people, [*chosen, category], k)
            if len(hidden) <= limit and (best is None or len(hidden) < best[0]):
                best = (len(hidden), category)
        if best is None:
            break
        chosen.append(best[1])
    hidden = _hidden(people, chosen, k) if chosen else set()
    if len(people) < k:
        chosen, hidden = [], {p.id for p in people}
    chosen.sort()
    entries = [{"id": p.id,
                "features": {} if p.id in hidden else {c: p.value(c) for c in chosen},
                "commitment": commitment(salts[p.id], p.id, p.features)}
               for p in people]
    return entries, chosen


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def versions() -> dict:
    return {
        "algorithm": ALGORITHM_VERSION,
        "highspy": _version("highspy"),
        "numpy": _version("numpy"),
        "python": platform.python_version(),
    }


def build_audit_document(
    *,
    people: Iterable[Person],
    quotas: Iterable[Quota],
    panel_size: int,
    distribution: Distribution,
    draw: dict | None,
    reserve: list[str] | None,
    meta: dict,
    salts: Mapping[str, str] | None = None,
) -> dict:
    """Everything needed to re-check the selection with ``python verify.py selection.json``.

    ``salts`` (id → salt, kept secret, each shown to its volunteer only): the pool is published as
    ``public_pool`` (answers of quota categories for groups of at least ``MIN_GROUP``, a commitment
    for everyone). Without salts, random ones are drawn (tests, tools).

    ``draw``: ``{"random_value", "ticket", "panel_index", "panel"}`` (missing keys are computed
    from ``random_value``) or ``None`` before the draw.
    """
    people = sorted(people, key=lambda p: p.id)
    quotas = sorted(quotas, key=lambda q: (q.category, q.value))
    draw_doc = None
    if draw is not None:
        index, ticket = draw_panel(distribution, draw["random_value"])
        draw_doc = {
            "random_value": draw["random_value"],
            "ticket": draw.get("ticket", ticket),
            "panel_index": draw.get("panel_index", index),
            "panel": list(draw.get("panel", distribution.panels[index])),
        }
        for key in ("source", "witnesses", "drawn_at"):
            if key in draw:
                draw_doc[key] = draw[key]
    meta = dict(meta)
    meta["versions"] = {**versions(), **meta.get("versions", {})}
    if salts is None:
        salts = {p.id: secrets.token_hex(16) for p in people}
    entries, categories = public_pool(people, quotas, salts)
    return {
        "format": FORMAT,
        "meta": meta,
        "pool": entries,
        "pool_sha256": commitments_digest(entries),
        "published_categories": categories,
        "min_group": MIN_GROUP,
        "quotas": [q.to_json() for q in quotas],
        "panel_size": panel_size,
        "distribution": {
            "panels": [list(p) for p in distribution.panels],
            "weights": list(distribution.weights),
            "weight_total": WEIGHT_TOTAL,
            "digest": distribution.digest(),
            "lowest": distribution.lowest,
            "lp_lowest": distribution.lp_lowest,
            "method": distribution.method,
            "complete": distribution.complete,
            "optimal_lowest": distribution.optimal_lowest,
        },
        "marginals": dict(sorted(distribution.marginals.items())),
        "draw": draw_doc,
        "reserve": list(reserve) if reserve is not None else None,
        "verify_command": "python verify.py selection.json",
    }

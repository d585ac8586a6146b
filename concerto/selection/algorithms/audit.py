"""The published audit file ``selection.json`` (format ``concerto-selection/1``)."""

from __future__ import annotations

import platform
from collections.abc import Iterable
from importlib import metadata

from .model import (
    ALGORITHM_VERSION,
    WEIGHT_TOTAL,
    Distribution,
    Person,
    Quota,
    pool_digest,
    pool_json,
)

FORMAT = "concerto-selection/1"


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
) -> dict:
    """Everything needed to re-check the selection with ``python verify.py selection.json``.

    ``draw``: ``{"random_value", "ticket", "panel_index", "panel"}`` (missing keys are computed
    from ``random_value``) or ``None`` before the draw.
    """
    people = sorted(people, key=lambda p: p.id)
    quotas = sorted(quotas, key=lambda q: (q.category, q.value))
    draw_doc = None
    if draw is not None:
        from .draw import draw_panel

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
    return {
        "format": FORMAT,
        "meta": meta,
        "pool": pool_json(people),
        "pool_sha256": pool_digest(people),
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

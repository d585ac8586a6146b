"""Stage 2: the public draw from a published distribution, the reserve list, replacements."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from .model import WEIGHT_TOTAL, Distribution, Person, Quota, panel_meets_quotas


def normalise_random_value(random_value: str) -> str:
    """Strip and collapse inner whitespace (case is kept: « A » and « a » are different values)."""
    return " ".join(str(random_value).split())


def draw_ticket(distribution_digest: str, random_value: str) -> int:
    normalised = normalise_random_value(random_value)
    digest = hashlib.sha256(f"{distribution_digest}|{normalised}".encode()).hexdigest()
    return int(digest, 16) % WEIGHT_TOTAL


def draw_panel(distribution: Distribution, random_value: str) -> tuple[int, int]:
    """``(panel_index, ticket)``: ticket = sha256("<distribution digest>|<normalised value>") mod
    WEIGHT_TOTAL; the panel is the first whose cumulative weight exceeds the ticket."""
    if not normalise_random_value(random_value):
        raise ValueError("La valeur aléatoire est vide.")
    ticket = draw_ticket(distribution.digest(), random_value)
    return panel_index_for_ticket(distribution.weights, ticket), ticket


def panel_index_for_ticket(weights: Sequence[int], ticket: int) -> int:
    """The first panel whose cumulative weight exceeds ``ticket`` (0 <= ticket < WEIGHT_TOTAL)."""
    cumulative = 0
    for index, weight in enumerate(weights):
        cumulative += weight
        if cumulative > ticket:
            return index
    raise ValueError("Les poids de la distribution ne totalisent pas WEIGHT_TOTAL.")


def reserve_order(people_ids: Iterable[str], panel: Iterable[str], random_value: str) -> list[str]:
    """Everybody not on the panel, by sha256("<normalised value>|reserve|<id>") ascending."""
    normalised = normalise_random_value(random_value)
    on_panel = set(panel)
    rest = sorted({pid for pid in people_ids if pid not in on_panel})

    def key(pid: str) -> tuple[str, str]:
        return hashlib.sha256(f"{normalised}|reserve|{pid}".encode()).hexdigest(), pid

    return sorted(rest, key=key)


def replacement_for(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    panel_size: int,
    current_panel: Sequence[str],
    withdrawn_id: str,
    reserve: Sequence[str],
) -> str | None:
    """The first reserve (in order, skipping people already on the panel) whose arrival in place
    of ``withdrawn_id`` keeps every quota; ``None`` if nobody does. The caller then decides
    (for instance take the first reserve anyway and record that the quotas were relaxed)."""
    by_id = {p.id: p for p in people}
    quotas = list(quotas)
    remaining = [pid for pid in current_panel if pid != withdrawn_id]
    on_panel = set(current_panel)
    for candidate in reserve:
        if candidate in on_panel or candidate == withdrawn_id or candidate not in by_id:
            continue
        if panel_meets_quotas([*remaining, candidate], by_id, quotas, panel_size):
            return candidate
    return None

"""Generated pools of volunteers and quotas for the selection tests and ``bench/selection.py``.

Realistic shape: sector (8), age band (5), gender (3), tenure (2), years in the neighbourhood (4),
digital access (2) and 7 talents (each held by 10-40% of people). Seeded: same seed, same pool.
"""

from __future__ import annotations

import math
import random

from concerto.selection.algorithms import Person, Quota

CATEGORIES = {
    "secteur": (
        ["lavandes", "gare", "ecoles", "marche", "parc", "moulin", "tilleuls", "canal"],
        [0.16, 0.14, 0.13, 0.13, 0.12, 0.11, 0.11, 0.10],
    ),
    "age": (["18-29", "30-44", "45-59", "60-74", "75+"], [0.18, 0.26, 0.25, 0.20, 0.11]),
    "genre": (["femme", "homme", "autre"], [0.50, 0.47, 0.03]),
    "logement": (["locataire", "proprietaire"], [0.58, 0.42]),
    "anciennete": (["moins-2", "2-9", "10-19", "20+"], [0.15, 0.35, 0.25, 0.25]),
    "numerique": (["oui", "non"], [0.82, 0.18]),
}
# Volunteers are not a mirror of the neighbourhood: older owners volunteer more.
BIASED = {
    "age": [0.08, 0.17, 0.27, 0.31, 0.17],
    "logement": [0.35, 0.65],
    "numerique": [0.9, 0.1],
}
TALENTS = ["dessin", "histoire", "parole", "organisation", "bricolage", "langues", "numerique"]


def make_pool(size: int, seed: int = 0, *, biased: bool = False, talents: int = 7) -> list[Person]:
    rng = random.Random(seed)
    talent_rates = [rng.uniform(0.10, 0.40) for _ in TALENTS[:talents]]
    people = []
    for n in range(size):
        features = {}
        for category, (values, weights) in CATEGORIES.items():
            if biased and category in BIASED:
                weights = BIASED[category]
            features[category] = rng.choices(values, weights)[0]
        for talent, rate in zip(TALENTS[:talents], talent_rates, strict=True):
            features[f"talent:{talent}"] = "oui" if rng.random() < rate else "non"
        people.append(Person(id=f"V-{n:05d}", features=features))
    return people


def make_quotas(
    people: list[Person], panel_size: int, *, slack: int = 1, census: bool = False, talents: bool = True
) -> list[Quota]:
    """Quotas proportional to the pool (or, with ``census``, to the neighbourhood's shares):
    floor/ceil of ``panel_size × share`` widened by ``slack``; talents: at least 1 (2 from 50)."""
    n = len(people)
    quotas = []
    for category, (values, weights) in CATEGORIES.items():
        for value, weight in zip(values, weights, strict=True):
            share = weight if census else sum(p.features.get(category) == value for p in people) / n
            target = panel_size * share
            quotas.append(
                Quota(
                    category,
                    value,
                    max(0, math.floor(target) - slack),
                    min(panel_size, math.ceil(target) + slack),
                )
            )
    if talents:
        talent_min = 2 if panel_size >= 50 else 1
        names = sorted({c for p in people for c in p.features if c.startswith("talent:")})
        for name in names:
            quotas.append(Quota(name, "oui", talent_min, panel_size))
    return quotas

"""The demo's completed selection of 12 workshop participants, through the real services.

Runs after the volunteers exist (``demo.volunteers.load_volunteers``): quotas proportional to the
pool (sector, age, gender, housing, years in the neighbourhood; each talent at least once),
computed inline, published, the random source announced with its witnesses, then drawn with a
fixed value. Nobody is notified (the demo sends no mail); the organiser can click "Notify".
"""

import random

from django.utils import timezone

from concerto.selection import selectors, services
from concerto.selection.models import Selection, SelectionStatus

TITLE = "Sélection des participants aux ateliers"
PANEL_SIZE = 12
RANDOM_SOURCE = ("Les cinq numéros du prochain tirage du Loto, annoncés avant le tirage "
                 "et lus en public à la maison de quartier")
WITNESSES = "Maître Dupont, huissière\nRachid B., habitant du secteur des Lavandes\nCéline M., bibliothécaire"
# Announced with the source, before the draw: five distinct numbers from 1 to 49. The value is
# typed as read out; the draw stores its canonical form "7-12-23-38-41".
RANDOM_FORMAT = {"kind": "lottery", "count": 5, "low": 1, "high": 49}
RANDOM_VALUE = "7 12 23 38 41"
# Categories with quotas besides the sector and the talents (others are shown, not constrained).
QUOTA_QUESTIONS = {"age", "genre", "logement", "anciennete"}
MAX_RELAXATIONS = 3


def demo_quotas(campaign, required_dates) -> list[dict]:
    categories = selectors.selection_categories(campaign)
    pool = selectors.pool_snapshot(campaign, required_dates)
    suggestion = selectors.quota_suggestion(categories=categories, counts=selectors.pool_counts(pool),
                                            pool_size=len(pool), panel_size=PANEL_SIZE)
    return [q for q in suggestion
            if q["category"] == "sector" or q["category"] in QUOTA_QUESTIONS or selectors.is_talent(q["category"])]


def load_selection(*, campaign, organiser, rng: random.Random) -> Selection:
    """Create, compute, publish, announce and draw the demo's selection; returns it (status drawn).

    ``rng`` is accepted for symmetry with the other loaders: everything here is deterministic
    (the pool is what the volunteers' loader made, the random value is fixed).
    """
    del rng
    dates = [d["code"] for d in selectors.workshop_dates(campaign)]
    # Prefer people available on every date, if enough of them volunteered.
    required = dates if len(selectors.pool_snapshot(campaign, dates)) >= 2 * PANEL_SIZE else []
    selection = services.selection_create(
        by=organiser, campaign=campaign, title=TITLE, panel_size=PANEL_SIZE, required_dates=required,
        time_limit=60, quotas=demo_quotas(campaign, required))
    selection = services.selection_compute(by=organiser, selection=selection, inline=True)
    for _attempt in range(MAX_RELAXATIONS):
        if selection.status != SelectionStatus.INFEASIBLE:
            break
        selection = services.selection_relax(by=organiser, selection=selection)
        selection = services.selection_compute(by=organiser, selection=selection, inline=True)
    if selection.status != SelectionStatus.DRAFT or not selection.distribution:
        raise RuntimeError(f"demo selection could not be computed: {selection.status} {selection.error}")
    selection = services.selection_publish(by=organiser, selection=selection)
    selection = services.selection_announce(by=organiser, selection=selection, random_source=RANDOM_SOURCE,
                                            witnesses=WITNESSES, random_format=RANDOM_FORMAT,
                                            random_known_at=timezone.now())
    selection = services.selection_draw(by=organiser, selection=selection, random_value=RANDOM_VALUE)
    # The real draw of the workshop participants: the one the campaign's public figures count.
    return services.selection_set_workshop_panel(by=organiser, selection=selection)

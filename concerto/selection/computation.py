"""Computing a selection's distribution: the worker module of the selection app.

``tasks.compute_selection`` runs ``selection_run`` for large pools; ``services.selection_compute``
calls it directly for small ones (in the request, after its transaction). Nothing here checks
permissions or imports services: the import graph stays services -> tasks -> computation.
"""

import importlib.metadata
import json
import logging
import platform
import time
from collections import Counter
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from concerto.core.audit import log_action

from .models import Selection, SelectionStatus

logger = logging.getLogger(__name__)

# Progress UPDATEs from the solver's callback are spaced by at least this many seconds.
PROGRESS_INTERVAL = 0.5
# The category that "one seat per household" adds to every person (see ``people``).
HOUSEHOLD = "household"


def algorithms():
    """The selection core (``concerto.selection.algorithms``), imported on first use: it pulls in
    numpy and highspy, which the many pages that never compute or draw do not need to load."""
    from . import algorithms as core

    return core


def shared_households(pool: list[dict]) -> set[str]:
    """Households with several volunteers in this pool."""
    counts = Counter(p.get("household") for p in pool if p.get("household"))
    return {h for h, n in counts.items() if n > 1}


def people(pool: list[dict], one_per_household: bool = False) -> list:
    """The algorithm's people; with ``one_per_household`` their household is one more category."""
    core = algorithms()
    if not one_per_household:
        return [core.Person(p["id"], p["features"]) for p in pool]
    shared = shared_households(pool)
    return [core.Person(p["id"], {**p["features"], HOUSEHOLD: p.get("household") if p.get("household") in shared
                                  else ""}) for p in pool]


def quotas(selection) -> list:
    """The selection's quotas; with ``one_per_household``, at most 1 per household of several
    volunteers, so every panel generator (windows, greedy, the MIP) and every replacement keep it."""
    core = algorithms()
    result = [core.Quota.from_json(q) for q in selection.quotas]
    if selection.one_per_household:
        result += [core.Quota(HOUSEHOLD, h, 0, 1) for h in sorted(shared_households(selection.pool))]
    return result


def _versions() -> dict:
    versions = {"algorithm": algorithms().ALGORITHM_VERSION, "python": platform.python_version()}
    for package in ("highspy", "numpy"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - both are dependencies
            versions[package] = "?"
    return versions


def progress_step(step: str, **counts) -> str:
    """A step of the computation as stored in ``Selection.progress_message``: JSON data in no
    language, worded for each reader by ``selectors.progress_text``."""
    return json.dumps({"step": step, **counts}, sort_keys=True)[:200]


def _progress_writer(running):
    """The solver's ``progress(fraction, step)`` callback: an UPDATE of the running selection at
    most every ``PROGRESS_INTERVAL`` seconds (always the last one), which pollers read at once."""
    last = [0.0]

    def progress(fraction, step: dict) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_INTERVAL and fraction < 1:
            return
        last[0] = now
        running.update(progress=max(0.0, min(1.0, float(fraction))), progress_message=progress_step(**step))

    return progress


def selection_run(*, selection_id: int, marker: str) -> None:
    """Run the computation started at ``marker`` (called by the task, or inline). Never raises."""
    core = algorithms()
    started = datetime.fromisoformat(marker)
    running = Selection.objects.filter(pk=selection_id, status=SelectionStatus.COMPUTING, computed_at=started)
    selection = running.first()
    if selection is None:
        return  # cancelled, superseded or already done
    campaign_slug = selection.campaign.slug
    try:
        distribution = core.find_distribution(
            people(selection.pool, selection.one_per_household), quotas(selection), selection.panel_size,
            time_limit=selection.time_limit, method="leximin", progress=_progress_writer(running))
    except core.Infeasible as exc:
        with transaction.atomic():
            if running.update(status=SelectionStatus.INFEASIBLE, infeasibility=exc.to_json(), progress=1,
                              progress_message="", computed_at=timezone.now()):
                log_action("selection.computation.infeasible", scope=campaign_slug,
                           target=f"selection.selection:{selection_id}", conflicts=exc.conflicts)
        return
    except Exception as exc:  # noqa: BLE001 - any failure is shown to the organiser, never lost
        logger.exception("selection %s: computation failed", selection_id)
        with transaction.atomic():
            # Bad input is stored as data, worded for the reader by ``selectors.failure_text``.
            error = (json.dumps({"code": exc.code, **exc.data}) if isinstance(exc, core.BadInput)
                     else str(exc)[:2000] or exc.__class__.__name__)
            if running.update(status=SelectionStatus.FAILED, error=error,
                              progress_message="", computed_at=None):
                log_action("selection.computation.failed", scope=campaign_slug,
                           target=f"selection.selection:{selection_id}", error=str(exc)[:500])
        return
    with transaction.atomic():
        if running.update(
            status=SelectionStatus.DRAFT, distribution=distribution.to_json(),
            lowest_probability=distribution.lowest, method=distribution.method, complete=distribution.complete,
            versions=_versions(), compute_seconds=distribution.elapsed, computed_at=timezone.now(),
            progress=1, progress_message="", error="",
        ):
            log_action("selection.computation.finished", scope=campaign_slug,
                       target=f"selection.selection:{selection_id}", method=distribution.method,
                       complete=distribution.complete, lowest=distribution.lowest, panels=len(distribution.panels),
                       digest=distribution.digest(), seconds=round(distribution.elapsed, 3))

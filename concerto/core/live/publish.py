"""``publish``: the only call a domain service makes."""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger("concerto.live")


def publish(topic: str, data: dict | None = None, *, version: int | None = None, using: str | None = None) -> None:
    """Send the full state ``data`` of ``topic`` to its viewers once the current transaction
    commits (at once outside one); nothing if it rolls back.

    ``data=None`` says "changed" without the state (when computing it would cost the write path a
    query): each stream process then takes one snapshot per LIVE_REFRESH_SECONDS for its viewers.
    ``version``: increasing per topic in commit order (e.g. the id of the audit entry written under
    the same row lock), so that a state published late by a racing commit never overwrites a newer one.
    A broker failure is logged and never fails the write: viewers recover on their next snapshot."""
    transaction.on_commit(partial(_send, topic, data, version), using=using, robust=True)


def publish_many(events: list[tuple[str, dict | None, int | None]], *, using: str | None = None) -> None:
    """Several ``(topic, data, version)`` after commit, in one round trip to Redis (a pipeline)."""
    transaction.on_commit(partial(_send_many, list(events)), using=using, robust=True)


def _send(topic, data, version):
    _send_many([(topic, data, version)])


def _send_many(events):
    from .hub import broker

    try:
        broker().publish_many(events)
    except Exception:
        logger.exception("live: publishing %s failed", ", ".join(topic for topic, _d, _v in events))

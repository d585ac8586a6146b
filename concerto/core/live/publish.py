"""``publish``: the only call a domain service makes."""

import logging
import time
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


# After a failure, writes skip publishing for a few seconds: a Redis that does not answer must not
# cost every support its socket timeout. Viewers get the state again from a snapshot on reconnect.
PAUSE_AFTER_FAILURE = 5.0
_paused_until = 0.0


def _send_many(events):
    global _paused_until
    from .hub import broker

    if time.monotonic() < _paused_until:
        return
    try:
        broker().publish_many(events)
    except Exception:
        _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
        logger.exception("live: publishing %s failed; publishing paused for %s s",
                         ", ".join(topic for topic, _d, _v in events), PAUSE_AFTER_FAILURE)

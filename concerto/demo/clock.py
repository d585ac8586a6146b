"""The demo's clock and calendar: when each act of the demo happened.

The services stamp ``timezone.now()`` (``auto_now_add`` fields, ``published_at``, the audit trail).
While the demo is built, ``timezone.now`` is a ``DemoClock``: the real time, except inside
``clock.moment(when)``, where the act and its audit entry carry ``when``. The rows no service writes
at its moment (an act the service would refuse out of its phase, or made in bulk) are dated with one
``update()`` afterwards, their audit entries with ``audit_redate``.

``Rhythm`` draws moments in the participation phase the way people take part: many at the launch and
fewer later, in the evening more than at night, less on Sundays; a seeded ``random.Random`` makes it
the same at every load.
"""

import bisect
import math
import random
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

from django.utils import timezone

from concerto.core.models import AuditEntry

# Relative weight of each hour of the day (local time): evenings first, nights almost empty.
HOUR_WEIGHTS = [0.05, 0.02, 0.01, 0.01, 0.01, 0.03, 0.15, 0.5, 0.8, 0.8, 0.9, 0.9,
                1.3, 1.3, 0.8, 0.7, 0.8, 1.0, 1.6, 2.0, 2.2, 1.9, 1.1, 0.4]
# Monday … Sunday: a little more on Saturday mornings and weekday evenings, less on Sundays.
WEEKDAY_WEIGHTS = [1.0, 1.0, 0.95, 1.0, 0.9, 0.85, 0.65]
LAUNCH_BOOST = 2.5  # the first days after the launch weigh (1 + LAUNCH_BOOST), then it tails off
LAUNCH_DAYS = 5.0


class DemoClock:
    """A stand-in for ``django.utils.timezone.now``: the real time unless a moment is set."""

    def __init__(self, real):
        self.real = real
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at if self.at is not None else self.real()

    @contextmanager
    def moment(self, when: datetime | None):
        previous, self.at = self.at, when
        try:
            yield
        finally:
            self.at = previous


@contextmanager
def demo_clock():
    clock = DemoClock(timezone.now)
    # The loader is a one-off command (or a test fixture), never a request in a server.
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


class Rhythm:
    """Moments between ``start`` and ``end``, one-hour slots weighted by launch, weekday and hour."""

    def __init__(self, start: datetime, end: datetime, rng: random.Random):
        self.rng = rng
        # Slots in UTC (an hour is an hour across a change of summer time), weighted by their local hour.
        first = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        self.start, self.end = start, end
        self.slots: list[datetime] = []
        self.cumulative: list[float] = []
        total, slot = 0.0, first
        while slot < end:
            local = timezone.localtime(slot)
            days = (slot - first).total_seconds() / 86400
            total += (HOUR_WEIGHTS[local.hour] * WEEKDAY_WEIGHTS[local.weekday()]
                      * (1 + LAUNCH_BOOST * math.exp(-days / LAUNCH_DAYS)))
            self.slots.append(slot)
            self.cumulative.append(total)
            slot += timedelta(hours=1)

    def draw(self, after: datetime | None = None, before: datetime | None = None) -> datetime:
        """A moment in (after, before), both bounded by the rhythm's span."""
        low = max(after or self.start, self.start)
        high = min(before or self.end, self.end)
        if high <= low:  # nothing left in the span: just after ``after``, never past the span's end
            return min(low + timedelta(minutes=self.rng.randint(1, 20)), self.end)
        i = max(bisect.bisect_right(self.slots, low) - 1, 0)
        j = max(bisect.bisect_left(self.slots, high) - 1, i)
        base = self.cumulative[i - 1] if i else 0.0
        k = bisect.bisect_left(self.cumulative, base + self.rng.random() * (self.cumulative[j] - base), i, j + 1)
        when = self.slots[min(k, j)] + timedelta(seconds=self.rng.randrange(3600))
        return min(max(when, low + timedelta(seconds=30)), high - timedelta(seconds=30))


def later(rng: random.Random, when: datetime, *, hours: tuple[float, float], before: datetime) -> datetime:
    """A moment some hours after ``when`` (log-uniform in ``hours``), not at night, before ``before``."""
    low, high = (math.log(h) for h in hours)
    out = when + timedelta(hours=math.exp(rng.uniform(low, high)))
    local = timezone.localtime(out)
    if local.hour < 8:  # nobody moderates at night: first thing in the morning
        out += timedelta(hours=8 - local.hour, minutes=rng.randint(0, 50))
    elif local.hour >= 23:
        out += timedelta(hours=9 + rng.random())
    if out >= before:  # too late for the calendar: somewhere between the act and the limit
        out = when + (before - when) * rng.uniform(0.3, 0.9)
    return out


def audit_mark() -> int:
    """The last audit entry's id: ``audit_redate(since=...)`` leaves the entries up to it alone."""
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def audit_redate(codes, scope: str, when_of, *, since: int = 0) -> int:
    """Move the audit entries of ``codes`` in ``scope`` written after ``since`` to ``when_of(entry)``
    (None: left as it is)."""
    entries = []
    for entry in AuditEntry.objects.filter(code__in=codes, scope=scope, pk__gt=since).only("pk", "at", "target", "data",
                                                                               "actor_id", "code").order_by("pk"):
        when = when_of(entry)
        if when is not None and when != entry.at:
            entry.at = when
            entries.append(entry)
    AuditEntry.objects.bulk_update(entries, ["at"], batch_size=500)
    return len(entries)

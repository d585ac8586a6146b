"""Anomaly flags on a batch of visits (the ambassador is the main vote-stuffing risk).

``batch_flags`` returns unsaved ``Flag`` rows; any flag holds the whole batch for an organiser's
review (services.visits_sync). Flags never delete or change a visit. The thresholds are the
campaign's (``FieldworkSettings``), with the figures of the anchors as defaults: more than ~25 doors
an hour is not humanly possible (3–5 minutes per door); a usual contact rate is 15–30 %.

What every check reads: the campaign's visits *as sent* (their payload), held ones included, those of
rejected batches left out (an organiser decided they do not count, so they neither fill a ceiling
nor hide an anomaly). A day is a day in the project's time zone (``settings.TIME_ZONE``). A check
fires only when the anomaly involves at least one visit of this batch, so a later batch is not held
for an anomaly an earlier batch already raised (too fast, too short, identical answers), while a
day or an address above its limit holds every further batch that adds to it (ceiling, address,
street, contact rate).

The checks, exactly (``flag_sentence`` in selectors.py says each to organisers in one sentence):

- ``too_fast``: an ambassador's visits (any outcome) in one day; a sliding window of one hour
  (``last - first < 60 min``) holds more than ``doors_per_hour_max`` of them, one of this batch.
- ``daily_ceiling``: the residents taking part in an ambassador's visits of one day (the
  participants of the payloads) exceed ``daily_ceiling``, this batch adding some.
- ``address_crowded``: the participations at one address exceed ``participations_per_address_max``,
  all ambassadors and both offline channels together (door visits' participants + paper forms of the
  household), this batch adding some there. An address is the household when the phone named one,
  else the typed address, normalised (case, accents, punctuation, spaces).
- ``street_outlier``: a street's mean number of supports per door participation exceeds the mean of
  the rest of the campaign plus 3 standard deviations (population sd), when the street has at least
  ``STREET_SAMPLE_MIN`` participations and the rest of the campaign ``STREET_REFERENCE_MIN``. A street
  is the normalised address without its leading number (``12 bis rue Tissot`` → ``rue tissot``).
- ``contact_rate``: once an ambassador's day has ``CONTACT_RATE_MIN_DOORS`` visits, the share of
  doors that opened (talked, refused, come back later) is below ``contact_rate_min`` % or above
  ``contact_rate_max`` % (the bounds themselves are usual).
- ``same_answers``: ``SAME_ANSWERS_RUN`` or more participants in a row (an ambassador's day, in
  capture order, across doors) with the same non-empty set of supports, one of this batch.
- ``too_short``: a visit where residents took part captured less than ``QUICKEST_PARTICIPATION``
  (30 s) after the ambassador's previous visit that day: reading the consent alone takes longer.

Exactness under concurrency: the caller (``services.visits_sync``) inserts the batch's visits, then
locks the campaign's ``FieldworkSettings`` row before calling ``batch_flags``, so two batches of the
same campaign are checked one after the other, the second seeing the first's visits (committed
before the lock is granted; each statement of a READ COMMITTED transaction sees what was committed
before it). Flags are computed only from visits inserted by this request: an identical replay
inserts nothing (the unique ``client_id``), so it raises no flag a second time.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from statistics import fmean, pstdev

from django.utils import timezone

from .models import (
    OPENED_OUTCOMES,
    BatchStatus,
    Channel,
    FieldworkSettings,
    Flag,
    FlagKind,
    Outcome,
    Participation,
    Visit,
)

HOUR = timedelta(hours=1)
QUICKEST_PARTICIPATION = timedelta(seconds=30)
CONTACT_RATE_MIN_DOORS = 20
SAME_ANSWERS_RUN = 5
STREET_SAMPLE_MIN = 3
STREET_REFERENCE_MIN = 30
STREET_SD = 3


def settings_for(campaign) -> FieldworkSettings:
    found = FieldworkSettings.objects.filter(campaign=campaign).first()
    return found or FieldworkSettings(campaign=campaign)


def local_day(at: datetime) -> date:
    return timezone.localdate(at)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local day, daylight-saving changes included."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def address_key(address: str) -> str:
    return _plain(address)


_NUMBER = re.compile(r"^\d+\s*(?:bis|ter|quater|[a-d](?![a-z]))?\s*,?\s*", re.IGNORECASE)


def street_of(address: str) -> str:
    """The street as typed, without the leading house number (``12 bis, rue Tissot`` → ``rue Tissot``)."""
    return _NUMBER.sub("", (address or "").strip()) or (address or "").strip()


def street_key(address: str) -> str:
    return _plain(street_of(address))


@dataclass
class _Door:
    pk: int
    at: datetime
    outcome: str
    participants: list = field(default_factory=list)
    new: bool = False


def _participants(payload) -> list[dict]:
    items = (payload.get("participants") or []) if isinstance(payload, dict) else []
    return [p for p in items if isinstance(p, dict)]


def _supports(participant: dict) -> frozenset:
    return frozenset(a for a in participant.get("supports") or [] if isinstance(a, int))


class _Context:
    """What the checks read, loaded once per batch."""

    def __init__(self, batch, visits, policy):
        self.batch, self.visits, self.policy = batch, visits, policy
        self.new = {v.pk for v in visits}

    def counted(self):
        return Visit.objects.filter(campaign=self.batch.campaign).exclude(batch__status=BatchStatus.REJECTED)

    @cached_property
    def days(self) -> dict[date, list[_Door]]:
        """The ambassador's doors of each day this batch touches, in capture order."""
        days = {}
        for day in sorted({local_day(v.captured_at) for v in self.visits}):
            start, end = day_bounds(day)
            rows = (self.counted().filter(ambassador=self.batch.ambassador, captured_at__gte=start, captured_at__lt=end)
                    .order_by("captured_at", "pk").values_list("pk", "captured_at", "outcome", "payload"))
            days[day] = [_Door(pk, at, outcome, _participants(payload), pk in self.new)
                         for pk, at, outcome, payload in rows]
        return days

    @cached_property
    def talked(self) -> list[tuple]:
        """Every counted door visit where someone talked: (pk, household id, address, captured_at, participants)."""
        rows = self.counted().filter(outcome=Outcome.TALKED).values_list("pk", "household_id", "address",
                                                                          "captured_at", "payload")
        return [(pk, household, address, at, _participants(payload)) for pk, household, address, at, payload in rows]

    def flag(self, kind, day, **detail) -> Flag:
        return Flag(campaign=self.batch.campaign, kind=kind, ambassador=self.batch.ambassador, batch=self.batch,
                    day=day, detail=detail)


def _iso(at: datetime) -> str:
    return timezone.localtime(at).isoformat(timespec="seconds")


def _too_fast(ctx: _Context) -> list[Flag]:
    """More doors in a sliding hour than humanly possible, counting the day's earlier visits."""
    flags = []
    limit = ctx.policy.doors_per_hour_max
    for day, doors in ctx.days.items():
        new_before = [0]
        for door in doors:
            new_before.append(new_before[-1] + door.new)
        start, worst = 0, None
        for end, door in enumerate(doors):
            while door.at - doors[start].at >= HOUR:
                start += 1
            count = end - start + 1
            has_new = new_before[end + 1] - new_before[start] > 0
            if count > limit and has_new and (worst is None or count > worst[0]):
                worst = (count, doors[start].at, door.at)
        if worst:
            flags.append(ctx.flag(FlagKind.TOO_FAST, day, doors=worst[0], limit=limit, start=_iso(worst[1]),
                                  end=_iso(worst[2])))
    return flags


def _daily_ceiling(ctx: _Context) -> list[Flag]:
    """More residents taking part in one day than the campaign allows one ambassador."""
    flags = []
    for day, doors in ctx.days.items():
        total = sum(len(d.participants) for d in doors)
        added = sum(len(d.participants) for d in doors if d.new)
        if added and total > ctx.policy.daily_ceiling:
            flags.append(ctx.flag(FlagKind.DAILY_CEILING, day, participations=total, limit=ctx.policy.daily_ceiling))
    return flags


def _address_crowded(ctx: _Context) -> list[Flag]:
    """More participations at one address than a household plausibly holds (all ambassadors, door and paper)."""
    limit = ctx.policy.participations_per_address_max
    counts: dict[tuple, int] = defaultdict(int)
    labels: dict[tuple, str] = {}
    touched: dict[tuple, datetime] = {}
    for pk, household, address, at, participants in ctx.talked:
        if not participants:
            continue
        key = ("h", household) if household else ("a", address_key(address))
        counts[key] += len(participants)
        labels.setdefault(key, address)
        if pk in ctx.new:
            touched[key] = max(at, touched.get(key, at))
    if not touched:
        return []
    households = [key[1] for key in touched if key[0] == "h"]
    for household, n in _paper_per_household(ctx.batch.campaign, households).items():
        counts[("h", household)] += n
    flags = []
    for key, at in sorted(touched.items(), key=lambda item: item[1]):
        if counts[key] > limit:
            flags.append(ctx.flag(FlagKind.ADDRESS_CROWDED, local_day(at), address=labels[key],
                                  household=key[1] if key[0] == "h" else None, participations=counts[key],
                                  limit=limit))
    return flags


def _paper_per_household(campaign, household_ids) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for household in Participation.objects.filter(campaign=campaign, channel=Channel.PAPER,
                                                  household_id__in=household_ids).values_list("household_id",
                                                                                              flat=True):
        counts[household] += 1
    return counts


def _street_outlier(ctx: _Context) -> list[Flag]:
    """A street whose residents support far more actions than the rest of the campaign's residents."""
    per_street: dict[str, list[int]] = defaultdict(list)
    labels: dict[str, str] = {}
    touched: dict[str, datetime] = {}
    for pk, _household, address, at, participants in ctx.talked:
        if not participants:
            continue
        key = street_key(address)
        per_street[key].extend(len(_supports(p)) for p in participants)
        labels.setdefault(key, street_of(address))
        if pk in ctx.new:
            touched[key] = max(at, touched.get(key, at))
    flags = []
    for key, at in sorted(touched.items(), key=lambda item: item[1]):
        sample = per_street[key]
        reference = [n for other, counts in per_street.items() if other != key for n in counts]
        if len(sample) < STREET_SAMPLE_MIN or len(reference) < STREET_REFERENCE_MIN:
            continue
        mean, ref_mean = fmean(sample), fmean(reference)
        threshold = ref_mean + STREET_SD * pstdev(reference)
        if mean > threshold:
            flags.append(ctx.flag(FlagKind.STREET_OUTLIER, local_day(at), street=labels[key],
                                  mean=round(mean, 1), participations=len(sample), reference_mean=round(ref_mean, 1),
                                  threshold=round(threshold, 1)))
    return flags


def _contact_rate(ctx: _Context) -> list[Flag]:
    """A day's share of opened doors far from the usual band, once the day has enough doors."""
    flags = []
    low, high = ctx.policy.contact_rate_min, ctx.policy.contact_rate_max
    for day, doors in ctx.days.items():
        if len(doors) < CONTACT_RATE_MIN_DOORS or not any(d.new for d in doors):
            continue
        opened = sum(d.outcome in OPENED_OUTCOMES for d in doors)
        # Integers only: exactly 15 % or 30 % is usual.
        if opened * 100 < low * len(doors) or opened * 100 > high * len(doors):
            flags.append(ctx.flag(FlagKind.CONTACT_RATE, day, doors=len(doors), opened=opened,
                                  rate=round(100 * opened / len(doors)), low=low, high=high))
    return flags


def _same_answers(ctx: _Context) -> list[Flag]:
    """Many participants in a row with exactly the same supports: a form filled in by one hand."""
    flags = []
    for day, doors in ctx.days.items():
        people = [(_supports(p), d.new, d.at) for d in doors for p in d.participants]
        worst, start = None, 0
        for end in range(1, len(people) + 1):
            if end < len(people) and people[end][0] == people[start][0]:
                continue
            run = people[start:end]
            suspicious = run[0][0] and len(run) >= SAME_ANSWERS_RUN and any(new for _s, new, _at in run)
            if suspicious and (worst is None or len(run) > worst[0]):
                worst = (len(run), len(run[0][0]), run[0][2])
            start = end
        if worst:
            flags.append(ctx.flag(FlagKind.SAME_ANSWERS, day, participants=worst[0], supports=worst[1],
                                  limit=SAME_ANSWERS_RUN, start=_iso(worst[2])))
    return flags


def _too_short(ctx: _Context) -> list[Flag]:
    """Residents taking part in less time than reading the consent takes."""
    flags = []
    quickest = QUICKEST_PARTICIPATION.total_seconds()
    for day, doors in ctx.days.items():
        gaps = [(door.at - before.at).total_seconds() for before, door in zip(doors, doors[1:], strict=False)
                if door.participants and (door.new or before.new)]
        short = [gap for gap in gaps if gap < quickest]
        if short:
            flags.append(ctx.flag(FlagKind.TOO_SHORT, day, visits=len(short), shortest=int(min(short)),
                                  limit=int(quickest)))
    return flags


CHECKS = [_too_fast, _too_short, _daily_ceiling, _contact_rate, _same_answers, _address_crowded, _street_outlier]


def batch_flags(batch, visits: list[Visit], policy: FieldworkSettings | None = None) -> list[Flag]:
    """The flags this batch's new ``visits`` (already inserted) raise, unsaved. The caller holds the
    campaign's guard lock (see the module's docstring)."""
    if not visits:
        return []
    ctx = _Context(batch, visits, policy or settings_for(batch.campaign))
    flags: list[Flag] = []
    for check in CHECKS:
        flags.extend(check(ctx))
    return flags


def is_opened(outcome: str) -> bool:
    return outcome in OPENED_OUTCOMES


def contact_rate(visits) -> float | None:
    """Doors that opened (talked, refused, come back later) over doors knocked (None with no visit)."""
    outcomes = [v.outcome for v in visits]
    if not outcomes:
        return None
    return sum(is_opened(o) for o in outcomes) / len(outcomes)

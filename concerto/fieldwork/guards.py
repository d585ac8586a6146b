"""Anomaly flags on a batch of visits (the ambassador is the main vote-stuffing risk).

``batch_flags`` returns unsaved ``Flag`` rows; any flag holds the whole batch for an organiser's
review (services.visits_sync). Flags never delete or change a visit. The thresholds are the
campaign's (``FieldworkSettings``), with the figures of the anchors as defaults: more than ~25 doors
an hour is not humanly possible (3–5 minutes per door); a usual contact rate is 15–30 %.
"""

from collections import Counter

from .models import FieldworkSettings, Flag, FlagKind, Outcome, Visit


def settings_for(campaign) -> FieldworkSettings:
    found = FieldworkSettings.objects.filter(campaign=campaign).first()
    return found or FieldworkSettings(campaign=campaign)


def _too_fast(batch, visits, policy) -> list[Flag]:
    """More doors in any sliding hour than humanly possible, counting the day's earlier visits."""
    flags = []
    days = {v.captured_at.date() for v in visits}
    for day in sorted(days):
        times = sorted(
            Visit.objects.filter(campaign=batch.campaign, ambassador=batch.ambassador, captured_at__date=day)
            .values_list("captured_at", flat=True)
        )
        start, worst = 0, 0
        for end, at in enumerate(times):
            while (at - times[start]).total_seconds() > 3600:
                start += 1
            worst = max(worst, end - start + 1)
        if worst > policy.doors_per_hour_max:
            flags.append(Flag(campaign=batch.campaign, kind=FlagKind.TOO_FAST, ambassador=batch.ambassador,
                              batch=batch, day=day, detail={"doors_in_an_hour": worst,
                                                            "limit": policy.doors_per_hour_max}))
    return flags


def _daily_ceiling(batch, visits, policy) -> list[Flag]:
    """More residents taking part in one day than the campaign allows one ambassador."""
    flags = []
    per_day = Counter()
    for visit in Visit.objects.filter(campaign=batch.campaign, ambassador=batch.ambassador,
                                      captured_at__date__in={v.captured_at.date() for v in visits}):
        per_day[visit.captured_at.date()] += len(visit.payload.get("participants") or [])
    for day, count in sorted(per_day.items()):
        if count > policy.daily_ceiling:
            flags.append(Flag(campaign=batch.campaign, kind=FlagKind.DAILY_CEILING, ambassador=batch.ambassador,
                              batch=batch, day=day, detail={"participations": count, "limit": policy.daily_ceiling}))
    return flags


CHECKS = [_too_fast, _daily_ceiling]


def batch_flags(batch, visits: list[Visit]) -> list[Flag]:
    if not visits:
        return []
    policy = settings_for(batch.campaign)
    flags: list[Flag] = []
    for check in CHECKS:
        flags.extend(check(batch, visits, policy))
    return flags


def contact_rate(visits) -> float | None:
    """Doors where someone talked, over doors knocked (None with no visit)."""
    outcomes = [v.outcome for v in visits]
    if not outcomes:
        return None
    return outcomes.count(Outcome.TALKED) / len(outcomes)

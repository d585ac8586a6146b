"""Reads for door to door and paper, built for the pages that use them (no N+1).

Sections: the ambassador's app; devices and rounds; the organiser's view; review; paper; linking.
"""

# --- Review: flags, held batches, conflicts, possible duplicates, contact rates -------------------

from collections import defaultdict  # noqa: E402 - each section keeps its imports beside it
from dataclasses import dataclass  # noqa: E402

from django.utils import timezone  # noqa: E402
from django.utils.dateparse import parse_datetime  # noqa: E402
from django.utils.formats import date_format, number_format  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from concerto.core import journal  # noqa: E402
from concerto.core.http import require  # noqa: E402
from concerto.core.selectors import audit_entries  # noqa: E402
from concerto.letters import selectors as letter_selectors  # noqa: E402

from . import guards  # noqa: E402
from .errors import FieldworkNotFound  # noqa: E402
from .models import (  # noqa: E402
    Batch,
    BatchStatus,
    Channel,
    Flag,
    FlagKind,
    FlagStatus,
    Outcome,
    Participation,
    SyncConflict,
    Visit,
)

# The review page's history: every review decision, and what raised one.
REVIEW_CODES = ("fieldwork.flag.", "fieldwork.batch.held", "fieldwork.batch.released", "fieldwork.batch.rejected",
                "fieldwork.conflict.", "fieldwork.visit.conflict", "fieldwork.duplicate.",
                "fieldwork.participation.linked")
HISTORY_MAX = 50


def _day(day) -> str:
    return date_format(day, "j F Y")


def _clock(iso: str) -> str:
    at = parse_datetime(iso or "")
    return date_format(timezone.localtime(at), "G \\h i") if at else "–"


def _num(value, decimals: int = 0) -> str:
    return number_format(value, decimal_pos=decimals)


def flag_sentence(flag: Flag) -> str:
    """A flag as organisers read it: its figures in one French sentence (« 41 portes en une heure le
    12 octobre, de 14 h 02 à 14 h 58 (au plus 25) »). A flag whose figures are missing reads as its kind."""
    d = flag.detail if isinstance(flag.detail, dict) else {}
    try:
        if flag.kind == FlagKind.TOO_FAST:
            return _("%(doors)s doors in one hour on %(day)s, from %(start)s to %(end)s (at most %(limit)s).") % {
                "doors": d["doors"], "day": _day(flag.day), "start": _clock(d["start"]), "end": _clock(d["end"]),
                "limit": d["limit"]}
        if flag.kind == FlagKind.TOO_SHORT:
            return _("%(visits)s visits with residents taking part less than %(limit)s seconds after the previous "
                     "door on %(day)s (the shortest: %(shortest)s seconds).") % {
                "visits": d["visits"], "limit": d["limit"], "day": _day(flag.day), "shortest": d["shortest"]}
        if flag.kind == FlagKind.DAILY_CEILING:
            return _("%(count)s residents took part with this ambassador on %(day)s (at most %(limit)s a day).") % {
                "count": d["participations"], "day": _day(flag.day), "limit": d["limit"]}
        if flag.kind == FlagKind.CONTACT_RATE:
            return _("%(rate)s %% of doors opened on %(day)s (%(opened)s of %(doors)s), outside the usual "
                     "%(low)s–%(high)s %%.") % {
                "rate": d["rate"], "day": _day(flag.day), "opened": d["opened"], "doors": d["doors"],
                "low": d["low"], "high": d["high"]}
        if flag.kind == FlagKind.SAME_ANSWERS:
            return _("%(count)s residents in a row with exactly the same %(supports)s supports on %(day)s, from "
                     "%(start)s (flagged from %(limit)s in a row).") % {
                "count": d["participants"], "supports": d["supports"], "day": _day(flag.day),
                "start": _clock(d["start"]), "limit": d["limit"]}
        if flag.kind == FlagKind.ADDRESS_CROWDED:
            return _("%(count)s residents took part at %(address)s, all ambassadors and paper forms together "
                     "(at most %(limit)s).") % {
                "count": d["participations"], "address": d["address"], "limit": d["limit"]}
        if flag.kind == FlagKind.STREET_OUTLIER:
            return _("%(street)s: %(mean)s supports per resident on average (%(count)s residents), against "
                     "%(reference)s in the rest of the neighbourhood (flagged above %(threshold)s).") % {
                "street": d["street"], "mean": _num(d["mean"], 1), "count": d["participations"],
                "reference": _num(d["reference_mean"], 1), "threshold": _num(d["threshold"], 1)}
    except (KeyError, TypeError):
        pass
    return str(flag.get_kind_display())


def _participant_figures(payload) -> tuple[int, int, int]:
    """(residents, supports, proposals) of a visit's payload: counts only, never who supported what."""
    people = [p for p in (payload.get("participants") or []) if isinstance(p, dict)] if isinstance(payload, dict) else []
    supports = sum(len({a for a in p.get("supports") or [] if isinstance(a, int)}) for p in people)
    proposals = sum(len(p.get("proposals") or []) for p in people)
    return len(people), supports, proposals


@dataclass
class FlagLine:
    flag: Flag
    sentence: str


def open_flags(campaign) -> list[dict]:
    """Flags to review, grouped per ambassador and day (newest day first)."""
    flags = (Flag.objects.filter(campaign=campaign, status=FlagStatus.OPEN)
             .select_related("ambassador", "batch").order_by("-day", "ambassador_id", "kind", "pk"))
    groups: dict[tuple, dict] = {}
    for flag in flags:
        key = (flag.day, flag.ambassador_id)
        group = groups.setdefault(key, {"day": flag.day, "ambassador": flag.ambassador, "lines": []})
        group["lines"].append(FlagLine(flag, flag_sentence(flag)))
    return list(groups.values())


def held_batches(campaign) -> list[dict]:
    """Batches waiting for a decision, oldest first, with their figures (two queries)."""
    batches = list(Batch.objects.filter(campaign=campaign, status=BatchStatus.HELD)
                   .select_related("ambassador", "device").order_by("received_at", "pk"))
    figures: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for batch_id, payload in Visit.objects.filter(batch__in=batches).values_list("batch_id", "payload"):
        residents, supports, _proposals = _participant_figures(payload)
        row = figures[batch_id]
        row[0] += 1
        row[1] += residents
        row[2] += supports
    for batch_id in (Flag.objects.filter(batch__in=batches, status=FlagStatus.OPEN)
                     .values_list("batch_id", flat=True)):
        figures[batch_id][3] += 1
    return [{"batch": b, "visits": figures[b.pk][0], "residents": figures[b.pk][1], "supports": figures[b.pk][2],
             "open_flags": figures[b.pk][3]} for b in batches]


def review_batch(campaign, batch_id) -> dict:
    """One batch for review: its visits (time, address, outcome, residents, supports and proposals
    counted) and its flags. Organisers only (the caller checks)."""
    try:
        batch_id = int(batch_id)
    except (TypeError, ValueError):
        raise FieldworkNotFound() from None
    batch = (Batch.objects.select_related("ambassador", "device", "decided_by")
             .filter(campaign=campaign, pk=batch_id).first())
    require(batch is not None, FieldworkNotFound())
    visits = []
    for visit in batch.visits.order_by("captured_at", "pk"):
        residents, supports, proposals = _participant_figures(visit.payload)
        visits.append({"visit": visit, "residents": residents, "supports": supports, "proposals": proposals})
    flags = [FlagLine(f, flag_sentence(f)) for f in batch.flags.select_related("decided_by").order_by("kind", "pk")]
    return {"batch": batch, "visits": visits, "flags": flags,
            "totals": {k: sum(v[k] for v in visits) for k in ("residents", "supports", "proposals")},
            "held": batch.status == BatchStatus.HELD}


def open_conflicts(campaign) -> list[SyncConflict]:
    return list(SyncConflict.objects.filter(campaign=campaign, resolved_at__isnull=True)
                .select_related("ambassador").order_by("received_at", "pk"))


def _version_rows(payload: dict, visit=None) -> dict:
    """The readable fields of one version of a capture (what both versions are compared on)."""
    payload = payload if isinstance(payload, dict) else {}
    residents, supports, proposals = _participant_figures(payload)
    at = parse_datetime(payload.get("captured_at") or "") if isinstance(payload.get("captured_at"), str) else None
    outcomes = dict(Outcome.choices)
    people = [p for p in payload.get("participants") or [] if isinstance(p, dict)]
    return {
        "captured_at": date_format(timezone.localtime(at), "j F Y, G \\h i") if at and timezone.is_aware(at) else "–",
        "address": str(payload.get("address") or (visit.address if visit is not None else "") or "–"),
        "outcome": str(outcomes.get(payload.get("outcome"), payload.get("outcome") or "–")),
        "residents": residents, "supports": supports, "proposals": proposals,
        "codes": sum(1 for p in people if p.get("code")),
        "post": sum(1 for p in people if p.get("wants_post") is True),
    }


CONFLICT_FIELDS = ("captured_at", "address", "outcome", "residents", "supports", "proposals", "codes", "post")


def conflict_view(campaign, conflict_id) -> dict:
    """A conflict's two versions side by side, field by field, the differences marked."""
    try:
        conflict_id = int(conflict_id)
    except (TypeError, ValueError):
        raise FieldworkNotFound() from None
    conflict = (SyncConflict.objects.select_related("ambassador", "device", "resolved_by")
                .filter(campaign=campaign, pk=conflict_id).first())
    require(conflict is not None, FieldworkNotFound())
    stored = (Visit.objects.select_related("batch", "ambassador").filter(client_id=conflict.client_id).first()
              if conflict.kind == "visit" else None)
    mine = _version_rows(stored.payload, stored) if stored is not None else {}
    theirs = _version_rows(conflict.payload)
    labels = {"captured_at": _("Time of the visit"), "address": _("Address"), "outcome": _("Outcome"),
              "residents": _("Residents who took part"), "supports": _("Supports (all residents together)"),
              "proposals": _("Proposals"), "codes": _("Letter codes given"), "post": _("News by post")}
    rows = [{"label": labels[key], "stored": mine.get(key, "–"), "received": theirs.get(key, "–"),
             "differs": mine.get(key, "–") != theirs.get(key, "–")} for key in CONFLICT_FIELDS]
    return {"conflict": conflict, "stored": stored, "rows": rows,
            "counted": stored is not None and stored.batch.status in (BatchStatus.ACCEPTED, BatchStatus.RELEASED)}


def _candidates(campaign, participations: list[Participation]) -> dict[int, list[dict]]:
    """Participation pk → the people it may be: the active residents who joined online with a code of
    its household, and the other undecided offline participations there (by their account)."""
    households = {p.household_id for p in participations if p.household_id}
    if not households:
        return {}
    offline_accounts = set(Participation.objects.filter(campaign=campaign, linked_at__isnull=True)
                           .values_list("user_id", flat=True))
    joined = letter_selectors.users_of_households(campaign, households)
    undecided = list(_undecided(campaign).filter(household_id__in=households).order_by("created_at", "pk"))
    channels = dict(Channel.choices)
    found: dict[int, list[dict]] = {}
    for p in participations:
        people = [{"user_id": j["user_id"], "kind": "online", "name": j["name"], "at": j["joined_at"],
                   "label": _("joined online with the household's code")}
                  for j in joined.get(p.household_id, []) if j["user_id"] not in offline_accounts
                  and j["user_id"] != p.user_id]
        people += [{"user_id": q.user_id, "kind": q.channel, "name": q.initials or _("no name given"),
                    "at": q.created_at, "label": str(channels.get(q.channel, q.channel))}
                   for q in undecided if q.household_id == p.household_id and q.pk != p.pk and q.user_id
                   and q.user_id != p.user_id]
        found[p.pk] = people
    return found


def _undecided(campaign):
    return Participation.objects.filter(campaign=campaign, household__isnull=False, linked_at__isnull=True,
                                        distinct_confirmed_at__isnull=True)


def duplicate_candidates(campaign, participation: Participation) -> list[dict]:
    return _candidates(campaign, [participation]).get(participation.pk, [])


def possible_duplicates(campaign) -> list[dict]:
    """Offline participations that may be someone already counted: their household also has residents
    who joined online with its code, or another offline participation. Each with the people it may be."""
    undecided = list(_undecided(campaign).select_related("household").order_by("household_id", "created_at", "pk"))
    candidates = _candidates(campaign, undecided)
    return [{"participation": p, "address": p.household.address_line1, "candidates": candidates[p.pk]}
            for p in undecided if candidates.get(p.pk)]


def contact_rates(campaign) -> dict:
    """Per ambassador: the doors knocked and opened (talked, refused, come back later), overall and
    per day, with the campaign's usual band; rejected batches left out (guards.py counts the same way)."""
    policy = guards.settings_for(campaign)
    per_day: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    names = {}
    rows = (Visit.objects.filter(campaign=campaign).exclude(batch__status=BatchStatus.REJECTED)
            .select_related("ambassador").order_by("captured_at"))
    for visit in rows.only("ambassador", "captured_at", "outcome", "ambassador__display_name"):
        key = (visit.ambassador_id, guards.local_day(visit.captured_at))
        names[visit.ambassador_id] = visit.ambassador
        per_day[key][0] += 1
        per_day[key][1] += guards.is_opened(visit.outcome)
    ambassadors: dict[int, dict] = {}

    def line(doors, opened):
        rate = round(100 * opened / doors) if doors else None
        usual = doors < guards.CONTACT_RATE_MIN_DOORS or (
            policy.contact_rate_min * doors <= opened * 100 <= policy.contact_rate_max * doors)
        return {"doors": doors, "opened": opened, "rate": rate, "usual": usual,
                "enough": doors >= guards.CONTACT_RATE_MIN_DOORS}

    for (ambassador_id, day), (doors, opened) in sorted(per_day.items(), key=lambda kv: kv[0][1], reverse=True):
        row = ambassadors.setdefault(ambassador_id, {"ambassador": names[ambassador_id], "days": [], "doors": 0,
                                                     "opened": 0})
        row["days"].append({"day": day, **line(doors, opened)})
        row["doors"] += doors
        row["opened"] += opened
    result = []
    for row in sorted(ambassadors.values(), key=lambda r: r["ambassador"].public_name):
        result.append({**row, **line(row["doors"], row["opened"])})
    return {"low": policy.contact_rate_min, "high": policy.contact_rate_max,
            "min_doors": guards.CONTACT_RATE_MIN_DOORS, "ambassadors": result}


def review_history(campaign, limit: int = HISTORY_MAX) -> list:
    """The review decisions of the campaign (and what raised one), newest first, as sentences."""
    entries = audit_entries(scope=campaign.slug, include=REVIEW_CODES)[:limit]
    return journal.described(entries)


def review_counts(campaign) -> dict:
    return {
        "flags": Flag.objects.filter(campaign=campaign, status=FlagStatus.OPEN).count(),
        "held": Batch.objects.filter(campaign=campaign, status=BatchStatus.HELD).count(),
        "conflicts": SyncConflict.objects.filter(campaign=campaign, resolved_at__isnull=True).count(),
    }

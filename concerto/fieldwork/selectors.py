"""Reads for door to door and paper, built for the pages that use them (no N+1).

Sections: the ambassador's app; devices and rounds; the organiser's view; review; paper; linking.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from concerto.campaigns.selectors import sector_list
from concerto.core import journal
from concerto.core.http import require
from concerto.core.selectors import audit_entries
from concerto.letters import selectors as letter_selectors
from concerto.proposals import selectors as proposal_selectors
from concerto.residents import rules as resident_rules
from concerto.residents.selectors import users_with_role
from concerto.volunteers import selectors as volunteer_selectors

from . import guards, rules, walking
from .errors import FieldworkNotFound, SerialInvalid
from .models import (
    COUNTED_BATCH,
    OPENED_OUTCOMES,
    Batch,
    BatchStatus,
    Channel,
    ConsentScript,
    Device,
    Enrolment,
    Flag,
    FlagKind,
    FlagStatus,
    LinkDismissal,
    Outcome,
    PaperPrint,
    PaperSheet,
    Participation,
    Round,
    RoundDoor,
    RoundStatus,
    SyncConflict,
    Visit,
)
from .serials import format_serial, parse_serial

# --- Devices and rounds (the organiser's side) ----------------------------------------------------


# A phone that has not synced for this long, or whose enrolment code expired unused, is worth withdrawing.
DEVICE_IDLE = timedelta(days=14)


def manage_check(user, campaign) -> None:
    """The organiser's door-to-door pages: 404 to anyone else (the one refusal rule)."""
    require(rules.can_manage_fieldwork(user, campaign), FieldworkNotFound())


def ambassadors(campaign) -> list:
    return users_with_role(campaign, "ambassador")


def device_list(campaign) -> list[Device]:
    """The campaign's phones, newest first, each with ``state`` (enrolled, waiting, expired, revoked)."""
    now = timezone.now()
    devices = list(Device.objects.filter(campaign=campaign).select_related("ambassador", "enrolment")
                   .order_by("revoked_at", "-created_at", "-pk"))
    for device in devices:
        enrolment = getattr(device, "enrolment", None)
        if device.revoked_at is not None:
            device.state = "revoked"
        elif device.enrolled_at is not None:
            device.state = "enrolled"
        elif enrolment is not None and enrolment.used_at is None and enrolment.expires_at > now:
            device.state = "waiting"
        else:
            device.state = "expired"
    return devices


def device_get(campaign, device_id) -> Device:
    device = (Device.objects.filter(campaign=campaign, pk=device_id).select_related("ambassador", "enrolment").first()
              if str(device_id).isdigit() else None)
    require(device is not None, FieldworkNotFound())
    return device


def devices_to_revoke(campaign) -> list[Device]:
    """Phones still active that should probably be withdrawn: their holder is no longer an
    ambassador, their enrolment code expired unused, or they have not synced for two weeks."""
    now = timezone.now()
    current = {u.pk for u in ambassadors(campaign)}
    out = []
    for device in device_list(campaign):
        if device.state == "revoked":
            continue
        if device.ambassador_id not in current:
            device.reason = "not_ambassador"
        elif device.state == "expired":
            device.reason = "never_enrolled"
        elif device.state == "enrolled" and (device.last_seen_at or device.enrolled_at) < now - DEVICE_IDLE:
            device.reason = "idle"
        else:
            continue
        out.append(device)
    return out


def _counted_visits(campaign):
    return Visit.objects.filter(campaign=campaign, batch__status__in=COUNTED_BATCH)


def round_list(campaign) -> list[Round]:
    """Rounds, coming ones first then past ones (most recent first), each with its sectors,
    ``door_count`` and ``visit_count`` (counted visits). Three queries."""
    rounds = list(Round.objects.filter(campaign=campaign).select_related("ambassador")
                  .prefetch_related("sectors").annotate(door_count=Count("doors", distinct=True)))
    visits = dict(_counted_visits(campaign).filter(round__isnull=False).order_by().values("round_id")
                  .annotate(n=Count("pk")).values_list("round_id", "n"))
    today = timezone.localdate()
    for the_round in rounds:
        the_round.visit_count = visits.get(the_round.pk, 0)
        the_round.is_past = the_round.day < today
    coming = sorted((r for r in rounds if not r.is_past), key=lambda r: (r.day, r.pk))
    past = sorted((r for r in rounds if r.is_past), key=lambda r: (r.day, r.pk), reverse=True)
    return coming + past


def round_get(campaign, round_id) -> Round:
    the_round = (Round.objects.filter(campaign=campaign, pk=round_id).select_related("ambassador")
                 .prefetch_related("sectors").first() if str(round_id).isdigit() else None)
    require(the_round is not None, FieldworkNotFound())
    return the_round


def round_streets(the_round: Round) -> list[dict]:
    """The round's doors grouped by street in walking order: ``[{"street", "sector", "doors": [{position,
    address, postcode, city, joined, outcome}]}]``; ``outcome`` is the last counted visit's, if any."""
    doors = list(RoundDoor.objects.filter(round=the_round).order_by("position").values_list("household_id", "position"))
    sector_ids = [s.pk for s in the_round.sectors.all()]
    names = {s.pk: s.name for s in the_round.sectors.all()}
    by_id = {h["id"]: h for h in letter_selectors.households_for_rounds(the_round.campaign, sector_ids)}
    outcomes = dict(_counted_visits(the_round.campaign).filter(household_id__in=[h for h, _p in doors])
                    .order_by("household_id", "captured_at").values_list("household_id", "outcome"))
    labels = dict(Outcome.choices)
    streets: list[dict] = []
    for household_id, position in doors:
        household = by_id.get(household_id)
        if household is None:  # moved to a sector outside the round since it was planned
            continue
        _number, _suffix, street = walking.parse_address(household["address_line1"])
        key = walking.street_key(street)
        if not streets or streets[-1]["key"] != key:
            sector = names.get(household["sector_id"], "")
            # A sector named after its street (common) is not repeated beside it.
            streets.append({"key": key, "street": street, "doors": [],
                            "sector": "" if walking.street_key(sector) == key else sector})
        outcome = outcomes.get(household_id)
        streets[-1]["doors"].append({
            "position": position, "address": household["address_line1"], "postcode": household["postcode"],
            "city": household["city"], "joined": household["joined"], "outcome": labels.get(outcome, "")})
    return streets


def coverage(campaign) -> list[dict]:
    """Doors by sector and street: households, doors on a planned round from today on, doors visited
    and doors opened (counted visits). ``[{"sector", "households", ..., "streets": [...]}]``."""
    sectors = sector_list(campaign)
    households = letter_selectors.households_for_rounds(campaign, [s.pk for s in sectors])
    today = timezone.localdate()
    planned = set(RoundDoor.objects.filter(round__campaign=campaign, day__gte=today,
                                           round__status=RoundStatus.PLANNED).values_list("household_id", flat=True))
    visited, opened = set(), set()
    for household_id, outcome in _counted_visits(campaign).filter(household__isnull=False).values_list(
            "household_id", "outcome"):
        visited.add(household_id)
        if outcome in OPENED_OUTCOMES:
            opened.add(household_id)
    names = {s.pk: s.name for s in sectors}
    ordered = walking.walking_order(households, names)
    rows: dict[int, dict] = {}
    for door in ordered:
        sector = rows.setdefault(door["sector_id"], {"sector": names[door["sector_id"]], "streets": {},
                                                     **_zero()})
        street = sector["streets"].setdefault(door["street_key"], {"street": door["street"], **_zero()})
        for row in (sector, street):
            row["households"] += 1
            row["unused"] += not door["joined"]
            row["planned"] += door["id"] in planned
            row["visited"] += door["id"] in visited
            row["opened"] += door["id"] in opened
    out = []
    for sector in rows.values():
        sector["streets"] = list(sector["streets"].values())
        out.append(sector)
    return out


def _zero() -> dict:
    return {"households": 0, "unused": 0, "planned": 0, "visited": 0, "opened": 0}


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _public_names(user_ids) -> dict[int, str]:
    return {u.pk: u.public_name for u in get_user_model().objects.filter(pk__in=list(user_ids))}


def visits_by_ambassador_day(campaign) -> list[dict]:
    """Counted visits per ambassador and day: knocked, opened, talked, residents who took part."""
    rows = list(_counted_visits(campaign).order_by()
                .values("ambassador_id", "captured_at__date")
                .annotate(visits=Count("pk", distinct=True),
                          opened=Count("pk", filter=Q(outcome__in=OPENED_OUTCOMES), distinct=True),
                          talked=Count("pk", filter=Q(outcome=Outcome.TALKED), distinct=True),
                          participations=Count("participations", distinct=True)))
    names = _public_names({r["ambassador_id"] for r in rows})
    out = [{"ambassador": names.get(r["ambassador_id"], ""), "day": r["captured_at__date"],
            "visits": r["visits"], "opened": r["opened"], "talked": r["talked"],
            "participations": r["participations"]} for r in rows]
    return sorted(out, key=lambda r: (r["day"], r["ambassador"]), reverse=True)


def contact_rates(campaign) -> list[dict]:
    """Per ambassador: doors knocked, doors opened (talked, refused, come back later), the contact rate
    (opened over knocked, as ``guards`` counts it) and whether it is inside the campaign's usual band."""
    policy = guards.settings_for(campaign)
    rows = list(_counted_visits(campaign).order_by().values("ambassador_id")
                .annotate(visits=Count("pk"), opened=Count("pk", filter=Q(outcome__in=OPENED_OUTCOMES))))
    names = _public_names({r["ambassador_id"] for r in rows})
    out = []
    for r in rows:
        rate = _rate(r["opened"], r["visits"])
        out.append({"ambassador": names.get(r["ambassador_id"], ""), "visits": r["visits"],
                    "opened": r["opened"], "rate": rate,
                    "in_band": rate is not None and policy.contact_rate_min <= rate <= policy.contact_rate_max})
    return sorted(out, key=lambda r: r["ambassador"])


def door_outcomes(campaign) -> dict:
    """Counted visits by outcome, with doors knocked, doors opened and their share."""
    counts = dict(_counted_visits(campaign).order_by().values("outcome").annotate(n=Count("pk"))
                  .values_list("outcome", "n"))
    knocked = sum(counts.values())
    opened = sum(counts.get(o, 0) for o in OPENED_OUTCOMES)
    return {"knocked": knocked, "opened": opened, "opened_rate": _rate(opened, knocked),
            "outcomes": [{"label": label, "count": counts.get(value, 0)} for value, label in Outcome.choices],
            "held": Visit.objects.filter(campaign=campaign, batch__status=BatchStatus.HELD).count()}


def participation_by_channel(campaign) -> dict:
    """Supports by channel (online, door to door, paper, workshop) with groups under 5 hidden
    (``proposals.selectors.suppress_small``), and the residents who took part offline."""
    stats = proposal_selectors.participation_stats(campaign)
    shown = proposal_selectors.suppress_small(stats["by_channel"])
    offline = dict(Participation.objects.filter(campaign=campaign).order_by().values("channel")
                   .annotate(n=Count("pk")).values_list("channel", "n"))
    return {"supports": stats["supports"], "by_channel": shown, "residents_door": offline.get("door_to_door", 0),
            "residents_paper": offline.get("paper", 0)}


def consent_records(campaign) -> list[dict]:
    """Residents' consents per script version and method (counts only)."""
    rows = (Participation.objects.filter(campaign=campaign).order_by()
            .values("consent_script__version", "consent_method").annotate(n=Count("pk")))
    methods = dict(Participation._meta.get_field("consent_method").choices)
    return sorted(({"version": r["consent_script__version"], "method": methods.get(r["consent_method"], ""),
                    "count": r["n"]} for r in rows), key=lambda r: (-r["version"], r["method"]))


def review_counts(campaign) -> dict:
    return {"open_flags": Flag.objects.filter(campaign=campaign, status=FlagStatus.OPEN).count(),
            "held_batches": Batch.objects.filter(campaign=campaign, status=BatchStatus.HELD).count()}


def consent_scripts(campaign) -> list[ConsentScript]:
    return list(ConsentScript.objects.filter(campaign=campaign).select_related("created_by").order_by("-version"))


def overview(campaign) -> dict:
    """Everything the organiser's door-to-door page shows (counts only, never who supported what)."""
    scripts = consent_scripts(campaign)
    return {
        "coverage": coverage(campaign), "by_day": visits_by_ambassador_day(campaign),
        "rates": contact_rates(campaign), "outcomes": door_outcomes(campaign),
        "channels": participation_by_channel(campaign), "consents": consent_records(campaign),
        "review": review_counts(campaign), "to_revoke": devices_to_revoke(campaign),
        "policy": guards.settings_for(campaign), "script": scripts[0] if scripts else None,
        "rounds_coming": sum(1 for r in round_list(campaign) if not r.is_past and r.status == RoundStatus.PLANNED),
    }


def enrolment_waiting(secret: str):
    """The enrolment a QR code's secret opens, if it can still be used (unused, not expired, its
    phone not withdrawn); None otherwise. Only the secret's hash is stored."""
    if not secret or len(secret) > 100:
        return None
    return (Enrolment.objects.select_related("device__campaign", "device__ambassador")
            .filter(secret_hash=hashlib.sha256(secret.encode()).hexdigest(), used_at__isnull=True,
                    expires_at__gt=timezone.now(), device__revoked_at__isnull=True).first())


def settings_of(campaign):
    """The campaign's door-to-door settings (the defaults, unsaved, until an organiser saves them)."""
    return guards.settings_for(campaign)


# --- Paper forms ---------------------------------------------------------------------------------

RECENT_ENTRIES = 10


def paper_numbers(campaign) -> dict[int, int]:
    """Action id → the number it was printed with on the campaign's forms (``services._paper_numbering``)."""
    numbers: dict[int, int] = {}
    for actions in PaperPrint.objects.filter(campaign=campaign).order_by("pk").values_list("actions", flat=True):
        for item in actions:
            numbers.setdefault(item["id"], item["n"])
    return numbers


def paper_entry_choices(campaign) -> list[dict]:
    """The numbered actions staff may tick, as printed (number, id, title), in number order: every
    action printed on some form, newest title first per number."""
    seen: dict[int, dict] = {}
    for actions in PaperPrint.objects.filter(campaign=campaign).order_by("-pk").values_list("actions", flat=True):
        for item in actions:
            seen.setdefault(item["n"], item)
    return [seen[n] for n in sorted(seen)]


ADVISED_ACTIONS = 24  # about what one A4 form holds with room for a proposal and the consent text


def paper_printable_actions(campaign) -> list:
    """The published actions an organiser may put on a form, the most supported first."""
    from concerto.proposals.selectors import action_list

    return list(action_list(campaign, status="published"))


def paper_prints(campaign) -> list[PaperPrint]:
    return list(PaperPrint.objects.filter(campaign=campaign).select_related("consent_script")
                .annotate(entered=Count("sheets", filter=Q(sheets__entered_at__isnull=False)))[:50])


def paper_print_get(campaign, print_id) -> PaperPrint:
    run = PaperPrint.objects.filter(campaign=campaign, pk=print_id).select_related("consent_script").first()
    require(run is not None, FieldworkNotFound())
    return run


def paper_figures(campaign) -> dict:
    sheets = PaperSheet.objects.filter(campaign=campaign).aggregate(
        printed=Count("pk"), entered=Count("pk", filter=Q(entered_at__isnull=False)))
    sheets["conflicts"] = SyncConflict.objects.filter(campaign=campaign, kind="paper", resolved_at__isnull=True).count()
    return sheets


def _entry_numbers(entry: dict, numbers: dict[int, int]) -> list[int]:
    return sorted(numbers[a] for a in entry.get("supports") or [] if a in numbers)


def paper_entries(campaign, serial_list: list[str]) -> list[dict]:
    """The forms of ``serial_list`` (the last ones typed in this session, newest first) as entered:
    the numbers ticked, whether a code, initials, proposals; and the household's other forms with
    the same ticks (possible duplicates)."""
    numbers = paper_numbers(campaign)
    sheets = {s.serial: s for s in PaperSheet.objects.filter(campaign=campaign, serial__in=serial_list)
              .select_related("participation")}
    household_ids = {s.participation.household_id for s in sheets.values()
                     if hasattr(s, "participation") and s.participation.household_id}
    same_household: dict[int, list[PaperSheet]] = {}
    for other in (PaperSheet.objects.filter(campaign=campaign, participation__household_id__in=household_ids)
                  .select_related("participation")):
        same_household.setdefault(other.participation.household_id, []).append(other)
    rows = []
    for serial in serial_list:
        sheet = sheets.get(serial)
        if sheet is None or sheet.entered_at is None:
            continue
        participation = getattr(sheet, "participation", None)
        duplicates = []
        if participation is not None and participation.household_id:
            duplicates = [o.serial for o in same_household.get(participation.household_id, [])
                          if o.pk != sheet.pk and o.entry.get("supports") == sheet.entry.get("supports")
                          and (sheet.entry.get("supports") or o.entry.get("proposals") == sheet.entry.get("proposals"))]
        rows.append({"sheet": sheet, "numbers": _entry_numbers(sheet.entry, numbers),
                     "proposals": len(sheet.entry.get("proposals") or []), "code": bool(sheet.entry.get("code")),
                     "initials": sheet.entry.get("initials", ""), "wants_post": sheet.entry.get("wants_post", False),
                     "duplicate_of": sorted(duplicates), "serial_shown": format_serial(sheet.serial),
                     "duplicates_shown": [format_serial(d) for d in sorted(duplicates)]})
    return rows


def paper_conflicts(campaign) -> list[dict]:
    """Forms typed a second time with other answers, not applied: both versions, for a check."""
    conflicts = list(SyncConflict.objects.filter(campaign=campaign, kind="paper", resolved_at__isnull=True)
                     .order_by("-received_at")[:50])
    if not conflicts:
        return []
    numbers = paper_numbers(campaign)
    sheets = {s.serial: s for s in PaperSheet.objects.filter(
        campaign=campaign, serial__in=[c.payload.get("serial") for c in conflicts])}
    rows = []
    for conflict in conflicts:
        sheet = sheets.get(conflict.payload.get("serial"))
        if sheet is None:
            continue
        rows.append({"sheet": sheet, "first": _entry_numbers(sheet.entry, numbers),
                     "second": _entry_numbers(conflict.payload, numbers), "conflict": conflict,
                     "first_entry": sheet.entry, "second_entry": conflict.payload,
                     "serial_shown": format_serial(sheet.serial)})
    return rows


def paper_entry_for_correction(campaign, serial: str) -> dict | None:
    """An entered form's answers as staff typed them (numbers, proposal text, code...), or None."""
    try:
        canonical = parse_serial(serial)
    except SerialInvalid:  # a hand-edited link: no correction to show
        return None
    sheet = PaperSheet.objects.filter(campaign=campaign, serial=canonical, entered_at__isnull=False).first()
    if sheet is None:
        return None
    proposals = sheet.entry.get("proposals") or []
    text = (proposals[0].get("body") or proposals[0].get("summary", "")) if proposals else ""
    return {"numbers": _entry_numbers(sheet.entry, paper_numbers(campaign)), "proposal": text,
            "code": sheet.entry.get("code", ""), "initials": sheet.entry.get("initials", ""),
            "wants_post": bool(sheet.entry.get("wants_post"))}


def paper_possible_duplicates(campaign) -> list[dict]:
    """Forms of one household with the same ticks (and, with no tick, the same proposals), all
    counted, that an organiser has not yet said are different people: groups of serials."""
    numbers = paper_numbers(campaign)
    groups: dict[tuple, list[PaperSheet]] = {}
    sheets = (PaperSheet.objects.filter(campaign=campaign, entered_at__isnull=False,
                                        participation__household__isnull=False,
                                        participation__distinct_confirmed_at__isnull=True)
              .select_related("participation").order_by("entered_at"))
    for sheet in sheets:
        supports = tuple(sheet.entry.get("supports") or [])
        key = (sheet.participation.household_id, supports,
               "" if supports else repr(sheet.entry.get("proposals") or []))
        groups.setdefault(key, []).append(sheet)
    return [{"serials": [format_serial(s.serial) for s in group], "numbers": _entry_numbers(group[0].entry, numbers),
             "code": group[0].entry.get("code", "")}
            for group in groups.values() if len(group) > 1]
# --- The ambassador's app -----------------------------------------------------------------------


APP_DAYS_AHEAD = 7  # rounds the phone takes along: today's and the next week's


def consent_current(campaign) -> ConsentScript | None:
    """The consent text ambassadors read aloud now: its latest version."""
    return ConsentScript.objects.filter(campaign=campaign).order_by("-version").first()


def app_actions(campaign) -> list[dict]:
    """The published actions a resident can support at the door, as the phone caches them."""
    return [
        {"id": a.pk, "title": a.title, "summary": a.summary,
         "theme": {"name": a.theme.name, "slug": a.theme.slug} if a.theme_id else None}
        for a in proposal_selectors.action_list(campaign, status="published", sort="supports")
    ]


def app_rounds(user, campaign, today: date) -> list[dict]:
    """The ambassador's planned rounds from ``today`` on (a week), their doors in walking order.

    A door says whether its household's letter code was never used (``unused_code``): those are the
    residents the letters did not reach, the ones to meet first. The code itself never leaves the
    server (it is the household's credential)."""
    rounds = list(
        Round.objects.filter(campaign=campaign, ambassador=user, status=RoundStatus.PLANNED,
                             day__gte=today, day__lte=today + timedelta(days=APP_DAYS_AHEAD))
        .prefetch_related("sectors").order_by("day", "pk")
    )
    doors = (
        RoundDoor.objects.filter(round__in=rounds).select_related("household__sector")
        .annotate(unused=Count("household__codes", filter=Q(household__codes__revoked_at__isnull=True,
                                                             household__codes__use_count=0)))
        .order_by("round_id", "position")
    )
    by_round: dict[int, list[dict]] = {r.pk: [] for r in rounds}
    for door in doors:
        household = door.household
        by_round[door.round_id].append({
            "household": household.pk, "position": door.position, "address": household.address_line1,
            "address_more": " ".join(x for x in (household.address_line2, household.address_line3) if x),
            "postcode": household.postcode, "city": household.city,
            "sector": household.sector.name if household.sector_id else "", "unused_code": door.unused > 0,
        })
    return [
        {"id": r.pk, "day": r.day.isoformat(), "note": r.note, "sectors": [s.name for s in r.sectors.all()],
         "doors": by_round[r.pk]}
        for r in rounds
    ]


def app_profile_questions(campaign) -> list[dict]:
    """The optional profile questions of the call for volunteers (code, label, options)."""
    call = volunteer_selectors.call_for(campaign)
    questions = []
    for q in (call.profile_questions if call is not None else None) or []:
        if isinstance(q, dict) and q.get("code") and q.get("options"):
            questions.append({"code": str(q["code"]), "label": str(q.get("label") or q["code"]),
                              "options": [{"code": str(o.get("code")), "label": str(o.get("label") or o.get("code"))}
                                          for o in q["options"] if isinstance(o, dict) and o.get("code")]})
    return questions


# --- Figures: the campaign's door-to-door and paper numbers -------------------------------------


def door_visit_count(campaign) -> int:
    """Doors knocked (absent included) in counted batches: the public ``door_to_door_visits``."""
    return Visit.objects.filter(campaign=campaign, batch__status__in=COUNTED_BATCH).count()


def visit_figures(campaign) -> dict:
    """Doors knocked, opened and talked at, and the residents who took part at a door or on paper,
    counted only from counted batches (a held or rejected batch counts nothing). One query for the
    visits, one for the participations."""
    visits = Visit.objects.filter(campaign=campaign, batch__status__in=COUNTED_BATCH).aggregate(
        visits=Count("id"),
        opened=Count("id", filter=Q(outcome__in=OPENED_OUTCOMES)),
        talked=Count("id", filter=Q(outcome=Outcome.TALKED)),
    )
    # Participations exist only once applied, so they are counted already; a paper one has no visit.
    by_channel = dict(Participation.objects.filter(campaign=campaign).order_by()
                      .values_list("channel").annotate(n=Count("id")).values_list("channel", "n"))
    return {
        "door_to_door_visits": visits["visits"],
        "doors_opened": visits["opened"],
        "doors_talked": visits["talked"],
        "door_participants": by_channel.get(Channel.DOOR_TO_DOOR, 0),
        "paper_participants": by_channel.get(Channel.PAPER, 0),
    }


# --- Linking: a resident recognises their door or paper participation ---------------------------


@dataclass(frozen=True)
class LinkCandidate:
    """A door or paper participation of the resident's household they may recognise as theirs.
    Only the day, the channel and the initials written down are shown: never what was supported or
    proposed (another member of the household may have said it)."""

    id: int
    channel: str
    at: datetime
    initials: str


def link_households(user, campaign) -> set[int]:
    """The household of the letter code ``user`` joined this campaign with (``services.participation_link``
    checks the same)."""
    if user is None or not user.is_authenticated:
        return set()
    # Only a resident who joined with a letter code has a household (read from the roles already
    # cached for the page: no query for everyone else).
    if not resident_rules.is_letter_verified(user, campaign):
        return set()
    return {h for h in letter_selectors.households_of_users(campaign, [user.pk]).values() if h}


def link_candidates(user, campaign) -> list[LinkCandidate]:
    """What the campaign home asks a signed-in resident: participations of their own household, not
    yet linked, not theirs already, and not dismissed by them. Two queries at most."""
    households = link_households(user, campaign)
    if not households:
        return []
    rows = (Participation.objects.filter(campaign=campaign, household_id__in=households, linked_at__isnull=True)
            .exclude(user=user)
            .exclude(Exists(LinkDismissal.objects.filter(participation=OuterRef("pk"), user=user)))
            .order_by("consent_at", "pk")
            .values_list("pk", "channel", "consent_at", "initials"))
    return [LinkCandidate(id=pk, channel=channel, at=at, initials=initials) for pk, channel, at, initials in rows]

# --- Review: flags, held batches, conflicts, possible duplicates, contact rates -------------------

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


def review_contact_rates(campaign) -> dict:
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


def review_queue_counts(campaign) -> dict:
    return {
        "flags": Flag.objects.filter(campaign=campaign, status=FlagStatus.OPEN).count(),
        "held": Batch.objects.filter(campaign=campaign, status=BatchStatus.HELD).count(),
        "conflicts": SyncConflict.objects.filter(campaign=campaign, resolved_at__isnull=True).count(),
    }

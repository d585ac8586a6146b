"""Reads for door to door and paper, built for the pages that use them (no N+1).

Sections: the ambassador's app; devices and rounds; the organiser's view; review; paper; linking.
"""

from django.db.models import Count, Q

from concerto.core.http import require

from .errors import FieldworkNotFound, SerialInvalid
from .models import PaperPrint, PaperSheet, SyncConflict
from .serials import format_serial, parse_serial

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

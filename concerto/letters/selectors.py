"""Reads of the letters app, built for the pages and the stats that use them (constant query counts)."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TypedDict

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, Subquery, Value
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from concerto.campaigns.models import Campaign, PhaseKind, Sector
from concerto.core.journal import Target

from .codes import format_code
from .errors import BatchNotFound, HouseholdNotFound, ImportNotFound
from .households_csv import ImportPreview, normalise, rejected_rows
from .models import (
    BatchKind,
    BatchLetter,
    BatchStatus,
    CodeUse,
    Household,
    HouseholdImport,
    ImportStatus,
    InvitationCode,
    LetterBatch,
    LetterSettings,
    StreetRule,
)
from .pdf import DEFAULT_LETTER_TEXT, placeholders_in


def join_url(campaign, request=None) -> str:
    """The join page printed on letters: absolute on CONCERTO_PUBLIC_URL, else on this request's host.

    Without either (a page that only links to it) the path alone."""
    path = reverse("joining:join", kwargs={"slug": campaign.slug})
    base = (settings.CONCERTO_PUBLIC_URL or "").rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


def _sent_letters(campaign):
    return BatchLetter.objects.filter(batch__campaign=campaign, batch__sent_at__isnull=False)


def letter_figures(campaign) -> dict:
    """Headline figures, in one query whatever the number of households.

    ``letters_sent``: households with a code in a batch marked printed and posted (a household
    reminded or re-issued still counts once). ``codes_used``: codes used at least once (a
    revoked code that was used still counts). ``residents_by_code``: distinct residents who joined
    with a code.
    """
    households = Household.objects.filter(campaign=campaign)
    sent = households.filter(Exists(_sent_letters(campaign).filter(code__household=OuterRef("pk"))))
    used = InvitationCode.objects.filter(campaign=campaign, use_count__gte=1)
    joined = CodeUse.objects.filter(code__campaign=campaign)
    row = Campaign.objects.filter(pk=campaign.pk).aggregate(
        households=_scalar_count(households, "pk"),
        letters_sent=_scalar_count(sent, "pk"),
        codes_used=_scalar_count(used, "pk"),
        residents_by_code=_scalar_count(joined, "user_id", distinct=True),
    )
    return {key: row[key] or 0 for key in ("letters_sent", "codes_used", "households", "residents_by_code")}


def _scalar_count(qs, field: str, *, distinct: bool = False):
    """``(SELECT COUNT(field) FROM …)`` as an expression, so several counts share one query."""
    counted = qs.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count(field, distinct=distinct))
    return Max(Subquery(counted.values("n")[:1]))


def figures_with_rate(campaign) -> dict:
    figures = letter_figures(campaign)
    sent = figures["letters_sent"]
    figures["percent_used"] = round(100 * figures["codes_used"] / sent, 1) if sent else 0.0
    return figures


def tracking_by_sector(campaign) -> list[dict]:
    """One row per sector (and one for households without sector): households, letters sent,
    codes used, residents who joined by code. Four grouped queries."""
    sectors = list(Sector.objects.filter(campaign=campaign).order_by("name"))
    households = dict(
        Household.objects.filter(campaign=campaign).values_list("sector_id").annotate(n=Count("id"))
    )
    sent = dict(
        Household.objects.filter(campaign=campaign)
        .filter(Exists(_sent_letters(campaign).filter(code__household=OuterRef("pk"))))
        .values_list("sector_id").annotate(n=Count("id"))
    )
    used = dict(
        InvitationCode.objects.filter(campaign=campaign, use_count__gte=1)
        .values_list("household__sector_id").annotate(n=Count("id"))
    )
    residents = dict(
        CodeUse.objects.filter(code__campaign=campaign)
        .values_list("code__household__sector_id").annotate(n=Count("user_id", distinct=True))
    )
    rows = []
    for sector_id, name in [(s.pk, s.name) for s in sectors] + [(None, None)]:
        row = {
            "sector_id": sector_id, "name": name, "households": households.get(sector_id, 0),
            "letters_sent": sent.get(sector_id, 0), "codes_used": used.get(sector_id, 0),
            "residents_by_code": residents.get(sector_id, 0),
        }
        row["percent_used"] = round(100 * row["codes_used"] / row["letters_sent"], 1) if row["letters_sent"] else 0.0
        if sector_id is not None or row["households"]:
            rows.append(row)
    return rows


def tracking_by_day(campaign) -> list[dict]:
    """Per local day: letters posted (letters in batches marked sent that day) and codes used for
    the first time that day. Two queries; days without either are left out."""
    per_day: dict[date, dict] = defaultdict(lambda: {"letters_sent": 0, "codes_first_used": 0})
    batches = (
        LetterBatch.objects.filter(campaign=campaign, sent_at__isnull=False)
        .annotate(n=Count("letters")).values_list("sent_at", "n")
    )
    for sent_at, n in batches:
        per_day[timezone.localdate(sent_at)]["letters_sent"] += n
    firsts = (
        CodeUse.objects.filter(code__campaign=campaign).values("code_id")
        .annotate(first=Min("created_at")).values_list("first", flat=True)
    )
    for first in firsts:
        per_day[timezone.localdate(first)]["codes_first_used"] += 1
    days = [{"day": day, **values} for day, values in sorted(per_day.items())]
    peak = max([max(d["letters_sent"], d["codes_first_used"]) for d in days] or [0])
    for d in days:
        d["peak"] = peak
    return days



# --- Codes and their uses (what joining reads) --------------------------------------------------


def code_for(campaign, canonical: str) -> InvitationCode | None:
    """The campaign's code with this canonical text (``codes.parse_code``), with its campaign and
    its household's sector, or None."""
    return (
        InvitationCode.objects.select_related("household__sector", "campaign")
        .filter(campaign=campaign, code=canonical)
        .first()
    )


def code_use_of(code, user) -> CodeUse | None:
    """The user's use of this code, or None."""
    return CodeUse.objects.filter(code=code, user=user).first()


def code_uses_of(user) -> list[CodeUse]:
    """Every code the user joined with, oldest first, with its code."""
    return list(CodeUse.objects.filter(user=user).select_related("code").order_by("created_at"))


def campaigns_with_codes(campaign_ids) -> set[int]:
    """Those of these campaigns that have at least one code (revoked ones included)."""
    return set(
        InvitationCode.objects.filter(campaign__in=list(campaign_ids))
        .values_list("campaign_id", flat=True).distinct()
    )


def pin_uses_for(canonical: str) -> list[CodeUse]:
    """The uses of the code with this canonical text by residents who chose a PIN, oldest first,
    with their user and the code's campaign."""
    return list(
        CodeUse.objects.select_related("user", "code__campaign")
        .filter(code__code=canonical)
        .exclude(pin_hash="")
        .order_by("pk")
    )


def is_pin_user_of(canonical: str, user_id) -> bool:
    """Whether this user joined with the code with this canonical text and chose a PIN."""
    return CodeUse.objects.filter(code__code=canonical, user_id=user_id).exclude(pin_hash="").exists()


def pin_names_of(code) -> list[str]:
    """The public names of the residents who joined with this code and chose a PIN."""
    return list(CodeUse.objects.filter(code=code).exclude(pin_hash="").values_list("user__display_name", flat=True))


# --- Households ---------------------------------------------------------------------------------

USED_FILTERS = ("", "used", "unused", "revoked")


def _active_codes():
    return InvitationCode.objects.filter(revoked_at__isnull=True)


def household_list(campaign, *, sector: str = "", used: str = "", q: str = ""):
    """Households with their sector and active code (prefetched as ``active_codes``), filtered.

    ``sector``: a sector code, or "none" for households without sector. ``used``: "used" (the
    active code was used at least once), "unused", "revoked" (a code was revoked: re-issued).
    ``q``: words of the address or name, accent- and case-insensitive.
    """
    qs = Household.objects.filter(campaign=campaign).select_related("sector").prefetch_related(
        Prefetch("codes", queryset=_active_codes(), to_attr="active_codes")
    )
    if sector == "none":
        qs = qs.filter(sector__isnull=True)
    elif sector:
        qs = qs.filter(sector__code=sector)
    if used == "used":
        qs = qs.filter(codes__revoked_at__isnull=True, codes__use_count__gte=1)
    elif used == "unused":
        qs = qs.filter(codes__revoked_at__isnull=True, codes__use_count=0)
    elif used == "revoked":
        qs = qs.filter(Exists(InvitationCode.objects.filter(household=OuterRef("pk"), revoked_at__isnull=False)))
    words = normalise(q or "")[:100]
    if words:
        qs = qs.filter(Q(key__contains=words) | Q(name__icontains=q.strip()[:100]))
    return qs.order_by("sector__name", "address_line1", "pk")


def household_get(campaign, household_id) -> Household:
    try:
        household_id = int(household_id)
    except (TypeError, ValueError):
        raise HouseholdNotFound() from None
    household = (
        Household.objects.filter(campaign=campaign, pk=household_id).select_related("sector")
        .prefetch_related(Prefetch("codes", queryset=InvitationCode.objects.order_by("-created_at")))
        .first()
    )
    if household is None:
        raise HouseholdNotFound()
    return household


def households_by_id(campaign, ids) -> dict[int, Household]:
    """The campaign's households among ``ids``, with their sector, in one query (a door-to-door
    sync names up to 200); ids of other campaigns or unknown ones are absent."""
    wanted = [i for i in ids if isinstance(i, int)]
    if not wanted:
        return {}
    return {h.pk: h for h in Household.objects.filter(campaign=campaign, pk__in=wanted).select_related("sector")}


def active_code(household) -> InvitationCode | None:
    codes = getattr(household, "active_codes", None)
    if codes is None:
        return InvitationCode.objects.filter(household=household, revoked_at__isnull=True).first()
    return codes[0] if codes else None


def households_of_users(campaign, user_ids) -> dict[int, int]:
    """User pk → pk of the household whose letter code they first joined this campaign with.

    Users who joined without a letter are absent. Organisers only: it links people to addresses."""
    household_of: dict[int, int] = {}
    for user_id, household_id in (CodeUse.objects.filter(user_id__in=list(user_ids), code__campaign=campaign)
                                  .order_by("created_at", "pk").values_list("user_id", "code__household_id")):
        household_of.setdefault(user_id, household_id)
    return household_of


def households_joined_by(campaign, user_ids) -> dict[int, Household]:
    """For each of these users who joined the campaign with a letter code, the household of that
    code (the latest one used, if several), in one query."""
    households: dict[int, Household] = {}
    uses = (CodeUse.objects.filter(user_id__in=list(user_ids), code__campaign=campaign)
            .select_related("code__household").order_by("created_at"))
    for use in uses:
        households[use.user_id] = use.code.household
    return households


def users_of_households(campaign, household_ids) -> dict[int, list[dict]]:
    """Household pk → the active people who joined this campaign with one of its codes, oldest first:
    ``{"user_id", "name", "joined_at"}``. One query. Organisers only (it links people to addresses):
    door-to-door review lists possible duplicates with it."""
    found: dict[int, list[dict]] = defaultdict(list)
    uses = (CodeUse.objects.filter(code__campaign=campaign, code__household_id__in=list(household_ids),
                                   user__is_active=True)
            .select_related("user", "code").order_by("created_at", "pk"))
    for use in uses:
        found[use.code.household_id].append({"user_id": use.user_id, "name": use.user.public_name,
                                             "joined_at": use.created_at})
    return dict(found)


def existing_keys(campaign) -> set[str]:
    return set(Household.objects.filter(campaign=campaign).values_list("key", flat=True))


def households_without_sector(campaign) -> int:
    return Household.objects.filter(campaign=campaign, sector__isnull=True).count()


def sectors_of(campaign) -> list[Sector]:
    return list(Sector.objects.filter(campaign=campaign).order_by("name"))


def street_rules_of(campaign) -> list[StreetRule]:
    return list(StreetRule.objects.filter(campaign=campaign).select_related("sector").order_by("street"))


def household_import_get(campaign, import_id) -> HouseholdImport:
    try:
        import_id = int(import_id)
    except (TypeError, ValueError):
        raise ImportNotFound() from None
    found = HouseholdImport.objects.filter(campaign=campaign, pk=import_id).first()
    if found is None:
        raise ImportNotFound()
    found.campaign = campaign
    return found


# The preview page lists this many rows of the file; the figures count them all.
PREVIEW_ROWS = 50


def import_preview_view(upload: HouseholdImport, rows: int = PREVIEW_ROWS) -> dict:
    """What the import preview page shows: the parsed file, its first rows with their sector's name,
    households per sector (by name), duplicates split by kind, and what the organiser may do now."""
    preview = ImportPreview.from_json(upload.preview or {})
    names = {s.code: s.name for s in sectors_of(upload.campaign)}
    without = _("Without sector")
    shown = [{**row, "sector_name": names.get(row["sector"], ""), "sector_from_rule": row.get("sector_from") == "rule"}
             for row in preview.rows[:rows]]
    pending = upload.status == ImportStatus.PREVIEW
    return {
        "preview": preview,
        "rows": shown,
        "by_sector": sorted(((names.get(code, without) if code else without, n)
                             for code, n in preview.by_sector().items()), key=lambda item: item[0]),
        "without_sector": preview.without_sector,
        "duplicates_in_file": [d for d in preview.duplicates if d.other_line is not None],
        "duplicates_existing": [d for d in preview.duplicates if d.other_line is None],
        "pending": pending,
        "imported": upload.status == ImportStatus.IMPORTED,
        "cancelled": upload.status == ImportStatus.CANCELLED,
        # Rejected lines are left out; only an error of the whole file blocks the import.
        "file_errors": preview.file_errors,
        "can_import": pending and not preview.file_errors and bool(preview.rows),
        "undone": upload.status == ImportStatus.UNDONE,
        "undoable": upload.status == ImportStatus.IMPORTED,
    }


def recent_imports(campaign, limit: int = 10):
    return list(HouseholdImport.objects.filter(campaign=campaign).defer("preview").order_by("-created_at")[:limit])


# --- Settings and batches -----------------------------------------------------------------------


def letter_settings_of(campaign) -> LetterSettings | None:
    """The settings the organiser saved, or None (see ``letter_settings`` for the ones letters use)."""
    return LetterSettings.objects.filter(campaign=campaign).first()


def letter_settings(campaign) -> LetterSettings:
    """The settings letters are printed with: the saved ones, else the default letter (not saved)."""
    return letter_settings_of(campaign) or letter_settings_default(campaign)


def letter_settings_default(campaign: Campaign) -> LetterSettings:
    """The letter used until the organiser saves their own (not saved)."""
    return LetterSettings(
        campaign=campaign, sender_lines=campaign.organisation.name, place=campaign.territory,
        title=_("Invitation: %(campaign)s") % {"campaign": campaign.name}, body=default_body(4),
        signature=_("The organising team"),
    )


def default_body(residents_per_code: int) -> str:
    """The default French text, with the number of residents per code written in."""
    return DEFAULT_LETTER_TEXT.replace("{max_foyer}", str(residents_per_code))


class Letterhead(TypedDict):
    """The arguments of ``pdf.render_letters`` that every letter a campaign sends shares."""

    sender_lines: list[str]
    place_date: str
    signature: str
    lang: str


def letterhead(campaign, *, using: LetterSettings | None = None) -> Letterhead:
    """The campaign's letterhead (sender, "place, date", signature) in the active language, for
    ``render_letters(letters, title=..., **letterhead(campaign))``: invitations, reminders,
    previews and the selection's result letters all use it. ``using``: the campaign's letter
    settings when the caller already holds them (saves a query)."""
    letter = using or letter_settings(campaign)
    today = formats.date_format(timezone.localdate(), "j F Y")
    place = letter.place
    return Letterhead(
        sender_lines=[line for line in letter.sender_lines.splitlines() if line.strip()],
        place_date=_("%(place)s, %(date)s") % {"place": place, "date": today} if place else today,
        signature=letter.signature,
        lang=settings.LANGUAGE_CODE[:2],
    )


def batch_list(campaign):
    return LetterBatch.objects.filter(campaign=campaign).order_by("-created_at", "-pk")


def batch_get(campaign, batch_id) -> LetterBatch:
    try:
        batch_id = int(batch_id)
    except (TypeError, ValueError):
        raise BatchNotFound() from None
    batch = LetterBatch.objects.filter(campaign=campaign, pk=batch_id).first()
    if batch is None:
        raise BatchNotFound()
    return batch


def batch_percent(batch: LetterBatch) -> int:
    if batch.status == BatchStatus.DONE:
        return 100
    return int(100 * batch.done / batch.total) if batch.total else 0


def invitation_codes(campaign, scope: str):
    """Active codes an invitation batch would print: all of them, or ("new") those of households
    that never had a letter: no code of the household (a revoked one included) in an invitation or
    re-issue batch (a failed batch printed nothing). A re-issued household has its letter already."""
    active = InvitationCode.objects.filter(campaign=campaign, revoked_at__isnull=True)
    if scope == "new":
        had_letter = BatchLetter.objects.filter(
            code__household=OuterRef("household"), batch__kind__in=[BatchKind.INVITATION, BatchKind.REISSUE]
        ).exclude(batch__status=BatchStatus.FAILED)
        active = active.exclude(Exists(had_letter))
    return active


def printable_counts(campaign) -> dict:
    """How many letters each kind of batch would contain now (for the batches page)."""
    return {
        "new": invitation_codes(campaign, "new").count(),
        "all": invitation_codes(campaign, "all").count(),
        "reminders": reminder_codes(campaign).count(),
    }


def reminder_codes(campaign, *, min_days: int | None = None, sectors=None):
    """Active codes never used whose letter (invitation or re-issue) was marked posted at least
    ``min_days`` days ago (default: the letter settings' ``reminder_after_days``), and that had no
    letter since (no batch generated or posted within those days: a household is not reminded twice
    in a row, nor right after a re-issue). ``sectors``: sector pks, "none" for households without
    sector; None for all."""
    if min_days is None:
        min_days = letter_settings(campaign).reminder_after_days
    cutoff = timezone.now() - timedelta(days=min_days)
    posted_long_ago = BatchLetter.objects.filter(
        code=OuterRef("pk"), batch__sent_at__isnull=False, batch__sent_at__lte=cutoff,
        batch__kind__in=[BatchKind.INVITATION, BatchKind.REISSUE],
    )
    recent = BatchLetter.objects.filter(code=OuterRef("pk")).exclude(batch__status=BatchStatus.FAILED).filter(
        Q(batch__created_at__gt=cutoff) | Q(batch__sent_at__gt=cutoff))
    codes = (InvitationCode.objects.filter(campaign=campaign, revoked_at__isnull=True, use_count=0)
             .filter(Exists(posted_long_ago)).exclude(Exists(recent)))
    if sectors is not None:
        keys = {str(key) for key in sectors}
        wanted = Q(household__sector_id__in=[int(k) for k in keys if k.isdigit()])
        if "none" in keys:
            wanted |= Q(household__sector__isnull=True)
        codes = codes.filter(wanted)
    return codes


def reminder_choices(campaign) -> dict:
    """What the reminders form offers: the delay in days (from the letter settings), and per sector
    (then households without sector, when there are some) how many households a reminder would reach
    now. ``key`` is what the form posts back. Two queries."""
    after_days = letter_settings(campaign).reminder_after_days
    per_sector = dict(reminder_codes(campaign, min_days=after_days).order_by()
                      .values_list("household__sector_id").annotate(n=Count("pk")))
    rows = [{"key": str(sector.pk), "name": sector.name, "count": per_sector.get(sector.pk, 0)}
            for sector in sectors_of(campaign)]
    if per_sector.get(None):
        rows.append({"key": "none", "name": _("Without sector"), "count": per_sector[None]})
    return {"after_days": after_days, "sectors": rows, "total": sum(per_sector.values())}


def letter_deadline(campaign) -> datetime | None:
    """When ``{date_limite}`` falls: the end of the selection (volunteering) phase, else of the
    letters phase; None when the campaign has neither."""
    phases = {p.kind: p for p in campaign.phases.all()}
    phase = phases.get(PhaseKind.SELECTION) or phases.get(PhaseKind.INVITATION)
    return phase.ends_at if phase is not None else None


def deadline_warning(campaign, body: str | None = None) -> str:
    """A sentence for the organiser when the letter prints ``{date_limite}`` and that date is past
    (or missing); "" otherwise. ``body``: the text being edited, else the one letters use."""
    if body is None:
        body = letter_settings(campaign).body or default_body(4)
    if "date_limite" not in placeholders_in(body):
        return ""
    when = letter_deadline(campaign)
    if when is None:
        return _("The letter prints {date_limite}, but the campaign has no letters or selection phase: the date "
                 "would be left blank. Add the phase to the calendar, or take {date_limite} out of the text.")
    if timezone.localdate(when) < timezone.localdate():
        return _("The reply date printed in the letter ({date_limite}: %(date)s) is already past. Move the end of "
                 "the selection phase in the campaign's calendar, or take {date_limite} out of the text.") % {
            "date": formats.date_format(timezone.localtime(when), "j F Y")}
    return ""


def letters_generated(campaign) -> bool:
    """Whether any batch of letters was made: printed letters carry the campaign's address, which
    then must not change (``campaigns.services.campaign_update``'s ``slug_locked``)."""
    return LetterBatch.objects.filter(campaign=campaign).exists()


def sector_usage(campaign) -> dict[int, dict[str, int]]:
    """``{sector_id: {"households": n, "street_rules": n}}`` for the sectors page (two queries)."""
    usage: dict[int, dict[str, int]] = defaultdict(lambda: {"households": 0, "street_rules": 0})
    for sector_id, n in (Household.objects.filter(campaign=campaign, sector__isnull=False)
                         .order_by().values("sector_id").annotate(n=Count("pk")).values_list("sector_id", "n")):
        usage[sector_id]["households"] = n
    for sector_id, n in (StreetRule.objects.filter(campaign=campaign)
                         .order_by().values("sector_id").annotate(n=Count("pk")).values_list("sector_id", "n")):
        usage[sector_id]["street_rules"] = n
    return dict(usage)
# --- Correcting households: residents of a household, undoing an import, the export -------------


def household_residents(household) -> list[dict]:
    """Who joined with this household's codes, oldest first: public name, when, how (with an
    e-mail address, or without one: code and PIN) and the code used. Never the e-mail address:
    the page needs no more to tell the household's members apart. One query."""
    uses = (CodeUse.objects.filter(code__household=household).select_related("user", "code")
            .order_by("created_at", "pk"))
    return [{"name": use.user.public_name, "joined_at": use.created_at, "with_pin": bool(use.pin_hash),
             "code": use.code.code, "code_revoked": use.code.revoked_at is not None} for use in uses]


# Batches whose PDF is not made yet (or failed and may be retried): their letters are read again
# from the households, so a household in one of them cannot be removed.
UNFINISHED_BATCH = (BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.FAILED)


def household_blockers(campaign, households) -> dict[int, dict]:
    """Why some of these households (a queryset) cannot be removed, by household pk: ``used``
    (residents joined with one of its codes), ``posted`` (the date a letter of it was first marked
    posted), ``batch`` (the number of an unfinished batch holding its letter). Households absent
    are free. Three queries, whatever the number of households (subqueries, never a list of ids)."""
    ids = households.values("pk")
    found: dict[int, dict] = {}
    used = (InvitationCode.objects.filter(campaign=campaign, household__in=ids)
            .filter(Q(use_count__gte=1) | Exists(CodeUse.objects.filter(code=OuterRef("pk"))))
            .values_list("household_id", flat=True))
    for pk in used:
        found.setdefault(pk, {})["used"] = True
    letters = BatchLetter.objects.filter(batch__campaign=campaign, code__household__in=ids)
    posted = (letters.filter(batch__sent_at__isnull=False).values_list("code__household_id")
              .annotate(first=Min("batch__sent_at")).order_by())
    for pk, first in posted:
        found.setdefault(pk, {})["posted"] = first
    unfinished = (letters.filter(batch__status__in=UNFINISHED_BATCH).values_list("code__household_id")
                  .annotate(batch=Min("batch_id")).order_by())
    for pk, batch in unfinished:
        found.setdefault(pk, {})["batch"] = batch
    return found


def household_unposted_batches(campaign, households, *, leaving_out=()) -> list[dict]:
    """Batches already generated but not marked posted that hold letters of these households (a
    queryset; ``leaving_out``: pks of households to ignore): ``[{"batch": pk, "letters": n}]``.
    Their letters must not be posted once the households are gone."""
    skip = set(leaving_out)
    counts: dict[int, int] = defaultdict(int)
    rows = BatchLetter.objects.filter(batch__campaign=campaign, code__household__in=households.values("pk"),
                                      batch__status=BatchStatus.DONE, batch__sent_at__isnull=True)
    for batch_id, household_id in rows.values_list("batch_id", "code__household_id"):
        if household_id not in skip:
            counts[batch_id] += 1
    return [{"batch": pk, "letters": n} for pk, n in sorted(counts.items())]


def household_delete_check(campaign, household) -> dict:
    """What the household page says about deleting this household: ``blockers`` (see
    ``household_blockers``; empty when it may be deleted) and the unposted batches holding its letter."""
    one = Household.objects.filter(pk=household.pk)
    return {"blockers": household_blockers(campaign, one).get(household.pk, {}),
            "unposted": household_unposted_batches(campaign, one)}


def import_undo_plan(campaign, upload: HouseholdImport) -> dict:
    """What undoing this import would do: ``remove`` (its households that no resident joined with,
    whose letter was never posted and is in no unfinished batch), ``keep`` (the others, each with
    its reasons as in ``household_blockers``), ``unposted`` (generated batches holding letters of
    households to remove) and ``possible`` (the import can be undone and removes something)."""
    of_import = Household.objects.filter(campaign=campaign, source=upload)
    households = list(of_import.select_related("sector").order_by("address_line1", "pk"))
    blockers = household_blockers(campaign, of_import)
    remove = [h for h in households if h.pk not in blockers]
    keep = [{"household": h, **blockers[h.pk]} for h in households if h.pk in blockers]
    return {
        "remove": remove, "keep": keep,
        "unposted": household_unposted_batches(campaign, of_import, leaving_out=blockers) if remove else [],
        "possible": upload.status == ImportStatus.IMPORTED and bool(remove),
    }


def import_rejected_rows(upload: HouseholdImport):
    """The rows of the rejected-lines CSV of this import (see ``households_csv.rejected_rows``)."""
    return rejected_rows(ImportPreview.from_json(upload.preview or {}), pgettext("CSV column", "reason"))


EXPORT_CHUNK = 2000


def household_export_chunks(campaign):
    """The rows of the households export, by chunks of ``EXPORT_CHUNK`` households (keyset
    pagination on pk: constant memory and constant queries per chunk, whatever the campaign's size).

    One row per code (a household whose letter was re-issued has one row per code; a household
    without code, one row), with the code's state: revoked, used (at least one resident joined),
    sent (a letter with it was marked posted), else new.
    """
    states = {"revoked": pgettext("code state", "revoked"), "used": pgettext("code state", "used"),
              "sent": pgettext("code state", "sent"), "new": pgettext("code state", "new")}
    sent = BatchLetter.objects.filter(code=OuterRef("pk"), batch__sent_at__isnull=False)
    after = 0
    while True:
        households = list(Household.objects.filter(campaign=campaign, pk__gt=after).order_by("pk")
                          .select_related("sector", "source")[:EXPORT_CHUNK])
        if not households:
            return
        codes: dict[int, list] = defaultdict(list)
        for code in (InvitationCode.objects.filter(household__in=households).annotate(posted=Exists(sent))
                     .order_by("created_at", "pk")):
            codes[code.household_id].append(code)
        rows = []
        for h in households:
            source = ""
            if h.source_id:
                source = f"{h.source.filename} ({formats.date_format(timezone.localtime(h.source.created_at), 'Y-m-d')})"
            for code in codes.get(h.pk) or [None]:
                if code is None:
                    state, shown, uses = "", "", ""
                else:
                    key = ("revoked" if code.revoked_at else "used" if code.use_count else
                           "sent" if code.posted else "new")
                    state, shown = states[key], format_code(code.code)
                    uses = f"{code.use_count}/{code.max_uses}"
                rows.append([h.pk, h.name, h.address_line1, h.address_line2, h.address_line3, h.postcode, h.city,
                             h.sector.name if h.sector_id else "", shown, state, uses, source])
        yield rows
        after = households[-1].pk


def household_export_header() -> list[str]:
    return [_("household"), _("name"), _("address"), _("address (continued)"), _("address line 3"),
            _("postcode"), _("city"), _("sector"), _("code"), _("code state"), _("uses"), _("import")]


# --- Names of households and batches in the journal (``core.journal``) ---------------------------


def journal_targets_households(ids) -> dict[int, Target]:
    return {h.pk: Target(f"{h.address_line1}, {h.postcode} {h.city}".strip(", "),
                         reverse("letters:household", args=[h.campaign.slug, h.pk]))
            for h in Household.objects.filter(pk__in=ids).select_related("campaign")}


def journal_targets_batches(ids) -> dict[int, Target]:
    return {b.pk: Target(_("no. %(number)s") % {"number": b.pk},
                         reverse("letters:batch", args=[b.campaign.slug, b.pk]))
            for b in LetterBatch.objects.filter(pk__in=ids).select_related("campaign")}


def my_households(user) -> list[CodeUse]:
    """The households whose letter code this person joined with ("Mes données"), with their sector."""
    return list(CodeUse.objects.filter(user=user)
                .select_related("code__campaign", "code__household", "code__household__sector")
                .order_by("created_at"))


# --- Door to door: the households of some sectors, for an ambassador's round (fieldwork) ---------


def households_for_rounds(campaign, sector_ids) -> list[dict]:
    """The households of these sectors as a round needs them: id, sector, address (first line,
    postcode, city) and ``joined`` (someone of the household used one of its letter codes). Never the
    household's name: an ambassador's list carries addresses only. One query."""
    used = InvitationCode.objects.filter(household=OuterRef("pk"), use_count__gte=1)
    return list(Household.objects.filter(campaign=campaign, sector_id__in=list(sector_ids))
                .annotate(joined=Exists(used)).order_by("pk")
                .values("id", "sector_id", "address_line1", "postcode", "city", "joined"))

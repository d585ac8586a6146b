"""Writes about selections: quotas, the computed and published distribution, the public draw, the reserve.

Stages, each guarded under a row lock (``select_for_update``) so that two organisers clicking at
once cannot skip or repeat one:

    draft ──compute──▶ computing ──▶ draft (distribution computed) ──publish──▶ published
      ▲                    │   └──▶ infeasible ──relax──▶ draft
      └──── edit ──────────┴──────▶ failed
    published ──announce the random source──▶ announced ──enter the value and draw──▶ drawn

While ``computing``, ``computed_at`` holds the start of the run and identifies it: a run only
writes its result if the selection is still computing with that same marker, so a run that was
cancelled (or superseded by a new one) never overwrites anything.
"""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, Invalid
from concerto.core.http import require
from concerto.core.text import clean_block, clean_line
from concerto.volunteers.selectors import (
    volunteer_ids_by_pseudonym,
)

from . import computation, notifications, rules, tasks
from .computation import algorithms, selection_run
from .errors import (
    AlreadyDrawn,
    AnswerLinkInvalid,
    CannotArchive,
    CannotDelete,
    DrawTooEarly,
    IsArchived,
    NoReplacementKeepsQuotas,
    NotifyNotPreviewed,
    NotifyUnprepared,
    PoolTooSmall,
    SelectionArchived,
    SelectionNotFound,
    WrongStage,
)
from .models import (
    PUBLIC_STATUSES,
    SeatAnswer,
    SeatStatus,
    Selection,
    SelectionSeat,
    SelectionStatus,
)
from .selectors import pool_counts, pool_snapshot, selection_categories, workshop_dates

TITLE_MIN, TITLE_MAX = 3, 200
PANEL_MIN, PANEL_MAX = 2, 500
TIME_LIMIT_MIN, TIME_LIMIT_MAX = 5, 3600
DEFAULT_PANEL_SIZE = 12
DEFAULT_TIME_LIMIT = 60
# Pools up to this size are computed inside the organiser's request (a few seconds at most).
INLINE_POOL_MAX = 150
SOURCE_MIN, SOURCE_MAX = 5, 300
WITNESSES_MIN, WITNESSES_MAX = 3, 1000
RANDOM_VALUE_MAX = 200

EDITABLE = {SelectionStatus.DRAFT, SelectionStatus.INFEASIBLE, SelectionStatus.FAILED}


def _require_organiser(user, campaign) -> None:
    # Anyone else is told what a missing selection tells them (the refusal rule, docs/architecture.md).
    require(rules.can_manage_selection(user, campaign), SelectionNotFound)


def _locked(selection) -> Selection:
    locked = Selection.objects.select_for_update().get(pk=selection.pk)
    locked.campaign = selection.campaign
    return locked


# --- Settings and quotas ------------------------------------------------------------------------


def _int(raw, errors: dict, key: str, *, low: int, high: int, message: str) -> int | None:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        errors[key] = message
        return None
    if not low <= value <= high:
        errors[key] = message
        return None
    return value


def quota_field(index: int, bound: str) -> str:
    """Name of the form field (and error key) of a quota row's bound: ``q3_min``, ``q3_max``."""
    return f"q{index}_{bound}"


def validated_settings(*, campaign, title, panel_size, required_dates, time_limit, quotas,
                       one_per_household=False) -> dict:
    """Check every field; raise ``FieldErrors`` keyed by form field name, or return the clean values.

    ``quotas`` is a list of ``{"category", "value", "min", "max"}`` with raw bounds (as typed);
    an error on row ``i`` is keyed ``q{i}_min`` / ``q{i}_max``.
    """
    errors: dict = {}
    title = clean_line(title or "")
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        errors["title"] = _("The title must have between %(min)s and %(max)s characters.") % {
            "min": TITLE_MIN, "max": TITLE_MAX}
    panel = _int(panel_size, errors, "panel_size", low=PANEL_MIN, high=PANEL_MAX,
                 message=_("The panel size is a whole number between %(min)s and %(max)s.") % {
                     "min": PANEL_MIN, "max": PANEL_MAX})
    limit = _int(time_limit, errors, "time_limit", low=TIME_LIMIT_MIN, high=TIME_LIMIT_MAX,
                 message=_("The time limit is a whole number of seconds between %(min)s and %(max)s.") % {
                     "min": TIME_LIMIT_MIN, "max": TIME_LIMIT_MAX})
    categories = selection_categories(campaign)
    dates = _known_dates(campaign)
    required = [str(d) for d in (required_dates or [])]
    if any(d not in dates for d in required):
        errors["required_dates"] = _("Choose among the workshop dates of the call for volunteers.")
    required = [d for d in dates if d in required]  # the call's order, no duplicates

    clean_quotas = []
    per_category: dict[str, list[tuple[int, dict]]] = {}
    seen = set()
    bound_high = panel if panel is not None else PANEL_MAX
    for i, row in enumerate(quotas or []):
        category, value = str(row.get("category", "")), str(row.get("value", ""))
        if (category not in categories or not value or value not in categories[category]["values"]
                or (category, value) in seen):
            errors[quota_field(i, "min")] = _("This quota does not match the questions of the call for volunteers.")
            continue
        seen.add((category, value))
        message = _("Enter a whole number between 0 and %(max)s.") % {"max": bound_high}
        low = _int(row.get("min"), errors, quota_field(i, "min"), low=0, high=bound_high, message=message)
        high = _int(row.get("max"), errors, quota_field(i, "max"), low=0, high=bound_high, message=message)
        if low is not None and high is not None and low > high:
            errors[quota_field(i, "max")] = _("The maximum (%(max)s) is smaller than the minimum (%(min)s).") % {
                "max": high, "min": low}
        quota = {"category": category, "value": value, "min": low, "max": high}
        clean_quotas.append(quota)
        per_category.setdefault(category, []).append((i, quota))
    if panel is not None and per_category:
        pool = pool_snapshot(campaign, required)
        counts, pool_size = pool_counts(pool), len(pool)
        for category, rows in per_category.items():
            if any(q["min"] is None or q["max"] is None for _i, q in rows):
                continue
            first = rows[0][0]
            label = categories[category]["label"]
            total_min = sum(q["min"] for _i, q in rows)
            if total_min > panel:
                errors.setdefault(quota_field(first, "min"), _(
                    "The minimums of “%(category)s” add up to %(total)s, more than the panel size (%(panel)s)."
                ) % {"category": label, "total": total_min, "panel": panel})
            # When every volunteer of the pool has one of these values (talents: yes or no; a
            # question everyone answered), the maximums must leave room for a full panel.
            covered = sum(counts.get(category, {}).get(q["value"], 0) for _i, q in rows)
            total_max = sum(q["max"] for _i, q in rows)
            if pool_size and covered == pool_size and total_max < panel:
                errors.setdefault(quota_field(first, "max"), _(
                    "The maximums of “%(category)s” add up to %(total)s, fewer than the panel size (%(panel)s)."
                ) % {"category": label, "total": total_max, "panel": panel})
    if errors:
        raise FieldErrors(errors)
    return {"title": title, "panel_size": panel, "time_limit": limit, "required_dates": required,
            "quotas": clean_quotas, "one_per_household": bool(one_per_household)}


def _known_dates(campaign) -> list[str]:
    return [d["code"] for d in workshop_dates(campaign)]


def selection_create(*, by, campaign, title, panel_size, required_dates, time_limit, quotas, one_per_household=False) -> Selection:
    _require_organiser(by, campaign)
    fields = validated_settings(campaign=campaign, title=title, panel_size=panel_size,
                                required_dates=required_dates, time_limit=time_limit, quotas=quotas,
                                one_per_household=one_per_household)
    with transaction.atomic():
        selection = Selection.objects.create(campaign=campaign, created_by=by, status=SelectionStatus.DRAFT, **fields)
        log_action("selection.selection.created", actor=by, scope=campaign.slug, target=selection,
                   panel_size=selection.panel_size, quotas=len(selection.quotas))
    return selection


def _clear_results(selection) -> None:
    selection.pool = []
    selection.pool_sha256 = ""
    selection.distribution = {}
    selection.infeasibility = {}
    selection.lowest_probability = None
    selection.method = ""
    selection.complete = False
    selection.versions = {}
    selection.compute_seconds = None
    selection.computed_at = None
    selection.error = ""
    selection.progress = 0
    selection.progress_message = ""


RESULT_FIELDS = ["pool", "pool_sha256", "distribution", "infeasibility", "lowest_probability", "method",
                 "complete", "versions", "compute_seconds", "computed_at", "error", "progress", "progress_message"]


def selection_update(*, by, selection, title, panel_size, required_dates, time_limit, quotas, one_per_household=False) -> Selection:
    """Change the settings of a selection not yet published; any computed distribution is dropped."""
    _require_organiser(by, selection.campaign)
    fields = validated_settings(campaign=selection.campaign, title=title, panel_size=panel_size,
                                required_dates=required_dates, time_limit=time_limit, quotas=quotas,
                                one_per_household=one_per_household)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.status not in EDITABLE:
            raise WrongStage(_("This selection can no longer be changed."))
        for name, value in fields.items():
            setattr(selection, name, value)
        _clear_results(selection)
        selection.status = SelectionStatus.DRAFT
        selection.save(update_fields=[*fields, *RESULT_FIELDS, "status"])
        log_action("selection.selection.updated", actor=by, scope=selection.campaign.slug, target=selection,
                   panel_size=selection.panel_size, quotas=len(selection.quotas))
    return selection


def selection_relax(*, by, selection) -> Selection:
    """Apply the smallest relaxation found for infeasible quotas; the selection goes back to draft."""
    _require_organiser(by, selection.campaign)
    with transaction.atomic():
        selection = _locked(selection)
        relaxation = (selection.infeasibility or {}).get("relaxation") or []
        if selection.status != SelectionStatus.INFEASIBLE or not relaxation:
            raise WrongStage(_("There is no relaxation to apply to this selection."))
        quotas = [dict(q) for q in selection.quotas]
        index = {(q["category"], q["value"]): q for q in quotas}
        for change in relaxation:
            key = (change["category"], change["value"])
            if key in index:
                index[key]["min"], index[key]["max"] = int(change["new_min"]), int(change["new_max"])
            else:
                quotas.append({"category": key[0], "value": key[1], "min": int(change["new_min"]),
                               "max": int(change["new_max"])})
        selection.quotas = quotas
        _clear_results(selection)
        selection.status = SelectionStatus.DRAFT
        selection.save(update_fields=["quotas", *RESULT_FIELDS, "status"])
        log_action("selection.quotas.relaxed", actor=by, scope=selection.campaign.slug, target=selection,
                   changes=relaxation)
    return selection


# --- Stage 1: the distribution ------------------------------------------------------------------


def pool_commitments_digest(pool: list[dict]) -> str:
    """The published pool hash (``algorithms.commitments_digest``) of a snapshot with its salts."""
    algo = algorithms()
    return algo.commitments_digest([{"id": p["id"], "commitment": algo.commitment(p["salt"], p["id"], p["features"])}
                                    for p in pool])


def selection_compute(*, by, selection, inline: bool | None = None) -> Selection:
    """Snapshot the pool and compute the distribution: in this request for small pools, else as a task.

    ``inline=None`` decides from the pool size (at most ``INLINE_POOL_MAX``); nothing is computed
    inside a transaction, so progress UPDATEs reach pollers at once.
    """
    _require_organiser(by, selection.campaign)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.archived:
            raise SelectionArchived()
        if selection.status not in EDITABLE:
            raise WrongStage(_("This selection cannot be computed again at this stage."))
        pool = pool_snapshot(selection.campaign, selection.required_dates)
        if len(pool) < selection.panel_size:
            raise PoolTooSmall(len(pool), selection.panel_size)
        _clear_results(selection)
        # A secret salt per volunteer: the public file commits to each person's answers without
        # showing them (F8); each volunteer is shown their own salt to check their line.
        for entry in pool:
            entry["salt"] = secrets.token_hex(16)
        selection.pool = pool
        selection.pool_sha256 = pool_commitments_digest(pool)
        selection.status = SelectionStatus.COMPUTING
        selection.progress_message = computation.progress_step("waiting")
        selection.computed_at = timezone.now()
        selection.save(update_fields=[*RESULT_FIELDS, "status"])
        marker = selection.computed_at.isoformat()
        log_action("selection.computation.started", actor=by, scope=selection.campaign.slug, target=selection,
                   pool_size=len(pool), pool_sha256=selection.pool_sha256)
        run_inline = len(pool) <= INLINE_POOL_MAX if inline is None else inline
        if not run_inline:
            selection_id = selection.pk
            transaction.on_commit(lambda: tasks.compute_selection.enqueue(selection_id=selection_id, marker=marker))
    if run_inline:
        selection_run(selection_id=selection.pk, marker=marker)
        selection.refresh_from_db()
    return selection


def selection_cancel(*, by, selection) -> Selection:
    """Stop waiting for a computation (e.g. its worker died); the run, if still going, is ignored."""
    _require_organiser(by, selection.campaign)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.status != SelectionStatus.COMPUTING:
            raise WrongStage(_("This selection is not being computed."))
        selection.status = SelectionStatus.FAILED
        selection.error = _("Stopped by an organiser.")
        selection.computed_at = None
        selection.save(update_fields=["status", "error", "computed_at"])
        log_action("selection.computation.cancelled", actor=by, scope=selection.campaign.slug, target=selection)
    return selection


def is_computed(selection) -> bool:
    return bool(selection.distribution) and selection.status != SelectionStatus.COMPUTING


def selection_publish(*, by, selection) -> Selection:
    """Stage 1 made public: the pool's hash and the distribution, before any random value is known."""
    _require_organiser(by, selection.campaign)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.status != SelectionStatus.DRAFT or not selection.distribution:
            raise WrongStage(_("Compute the distribution before publishing it."))
        selection.status = SelectionStatus.PUBLISHED
        selection.published_at = timezone.now()
        selection.save(update_fields=["status", "published_at"])
        log_action("selection.distribution.published", actor=by, scope=selection.campaign.slug, target=selection,
                   pool_sha256=selection.pool_sha256, digest=selection.distribution.get("digest", ""))
    return selection


# --- Stage 2: the draw --------------------------------------------------------------------------


def random_format_from_fields(*, kind, count=None, low=None, high=None, length=None) -> dict:
    """The format dict from the announcement form's fields (raw strings); unchecked, see below."""
    def number(raw):
        try:
            return int(str(raw).strip())
        except (TypeError, ValueError):
            return None

    if kind == "lottery":
        return {"kind": kind, "count": number(count), "low": number(low), "high": number(high)}
    if kind in ("digits", "hex"):
        return {"kind": kind, "length": number(length)}
    return {"kind": str(kind or "")}


def _format_error(spec) -> str:
    kind = spec.get("kind") if isinstance(spec, dict) else None
    algo = algorithms()
    if kind == "lottery":
        return _("Give how many distinct numbers are drawn (1 to %(count)s) and their range (from a lowest to a "
                 "highest number, at most %(high)s), with at least as many numbers in the range as are drawn.") % {
            "count": algo.LOTTERY_COUNT_MAX, "high": algo.LOTTERY_HIGH_MAX}
    if kind == "digits":
        return _("Give the number of digits of the value (1 to %(max)s).") % {"max": algo.DIGITS_MAX}
    if kind == "hex":
        return _("Give the number of hexadecimal characters of the value (%(min)s to %(max)s).") % {
            "min": algo.HEX_MIN, "max": algo.HEX_MAX}
    return _("Choose the format of the random value.")


def random_value_error(error) -> str:
    """The French (translated) reason why a typed value is refused, from ``BadRandomValue``."""
    params = getattr(error, "params", {}) or {}
    messages_by_code = {
        "wrong_count": _("The announced format has exactly %(expected)s numbers; %(found)s were found in the "
                         "value."),
        "repeated": _("A number appears twice; the announced format has distinct numbers."),
        "out_of_range": _("The number %(number)s is not between %(low)s and %(high)s, the announced range."),
        "not_digits": _("The announced format has only digits: remove the letters."),
        "wrong_length": _("The announced format has exactly %(expected)s digits; %(found)s were found."),
        "not_hex": _("The announced format has exactly %(expected)s hexadecimal characters (0 to 9, a to f); "
                     "the value has %(found)s or other characters."),
    }
    message = messages_by_code.get(getattr(error, "code", ""))
    if message is None:
        return _("This value is not in the announced format.")
    return message % params


def selection_announce(*, by, selection, random_source, witnesses, random_format, random_known_at) -> Selection:
    """Record, before it is known, where the random value will come from, the moment it will be known
    (``random_known_at``, an aware datetime: the draw is refused before it),
    the exact format it will be written in, and who witnesses it.

    The format removes the last freedom left to whoever types the value: with the source, the date
    and the format public beforehand, one result has one canonical value and so one ticket.
    """
    _require_organiser(by, selection.campaign)
    algo = algorithms()
    source = clean_line(random_source or "")
    witnesses = clean_block(witnesses or "")
    errors = {}
    if not SOURCE_MIN <= len(source) <= SOURCE_MAX:
        errors["random_source"] = _("Describe the source in %(min)s to %(max)s characters.") % {
            "min": SOURCE_MIN, "max": SOURCE_MAX}
    if not WITNESSES_MIN <= len(witnesses) <= WITNESSES_MAX:
        errors["witnesses"] = _("Name the witnesses (%(min)s to %(max)s characters).") % {
            "min": WITNESSES_MIN, "max": WITNESSES_MAX}
    try:
        clean_format = algo.validate_random_format(random_format or {})
    except algo.BadRandomValue:
        clean_format = None
        errors["random_format"] = _format_error(random_format)
    # The form is precise to the minute: the current minute still counts as "not yet known".
    this_minute = timezone.now().replace(second=0, microsecond=0)
    if random_known_at is None:
        errors["random_known_at"] = _("Give the date and time at which the random value will be known.")
    elif random_known_at < this_minute:
        errors["random_known_at"] = _("The random value must not be known yet: give a moment from now on.")
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.archived_at:
            raise IsArchived()
        if selection.status != SelectionStatus.PUBLISHED:
            raise WrongStage(_("The random source is announced once, after the distribution is published and "
                               "before the draw."))
        selection.random_source = source
        selection.witnesses = witnesses
        selection.random_format = clean_format
        selection.random_known_at = random_known_at
        selection.announced_at = timezone.now()
        selection.status = SelectionStatus.ANNOUNCED
        selection.save(update_fields=["random_source", "witnesses", "random_format", "random_known_at",
                                      "announced_at", "status"])
        log_action("selection.source.announced", actor=by, scope=selection.campaign.slug, target=selection,
                   random_source=source, witnesses=witnesses, random_format=clean_format,
                   random_known_at=random_known_at.isoformat())
    return selection


def selection_draw(*, by, selection, random_value) -> Selection:
    """Draw the panel from the published distribution with the announced public random value.

    The value must parse in the announced format; its canonical form (not what was typed) is
    stored and drawn with. The panel is ``draw_panel(distribution, value)``; everyone else in the
    pool is on the reserve list in ``reserve_order`` — both pure functions of published data,
    re-checked by verify.py.
    """
    _require_organiser(by, selection.campaign)
    typed = clean_line(random_value or "")
    if not 1 <= len(typed) <= RANDOM_VALUE_MAX:
        raise FieldErrors({"random_value": _("Enter the random value (1 to %(max)s characters).") % {
            "max": RANDOM_VALUE_MAX}})
    algo = algorithms()
    with transaction.atomic():
        selection = _locked(selection)
        if selection.status == SelectionStatus.DRAWN:
            raise AlreadyDrawn()
        if selection.archived_at:
            raise IsArchived()
        if selection.status != SelectionStatus.ANNOUNCED or not selection.random_format:
            raise WrongStage(_("Publish the distribution and announce the random source before the draw."))
        if selection.random_known_at and timezone.now() < selection.random_known_at:
            raise DrawTooEarly(selection.random_known_at)
        try:
            value = algo.canonical_random_value(selection.random_format, typed)
        except algo.BadRandomValue as error:
            raise FieldErrors({"random_value": random_value_error(error)}) from None
        distribution = algo.Distribution.from_json(selection.distribution)
        panel_index, ticket = algo.draw_panel(distribution, value)
        panel = list(distribution.panels[panel_index])
        pool_ids = [p["id"] for p in selection.pool]
        reserve = algo.reserve_order(pool_ids, panel, value)
        volunteers = volunteer_ids_by_pseudonym(selection.campaign, pool_ids)
        seats = [SelectionSeat(selection=selection, volunteer_id=volunteers[p], status=SeatStatus.SELECTED)
                 for p in panel if p in volunteers]
        seats += [SelectionSeat(selection=selection, volunteer_id=volunteers[p], status=SeatStatus.RESERVE,
                                reserve_rank=rank)
                  for rank, p in enumerate(reserve, start=1) if p in volunteers]
        SelectionSeat.objects.bulk_create(seats)
        selection.random_value = value
        selection.ticket = str(ticket)
        selection.panel_index = panel_index
        selection.drawn_at = timezone.now()
        selection.drawn_by = by
        selection.status = SelectionStatus.DRAWN
        selection.save(update_fields=["random_value", "ticket", "panel_index", "drawn_at", "drawn_by", "status"])
        missing = sorted(set(pool_ids) - set(volunteers))
        log_action("selection.draw.run", actor=by, scope=selection.campaign.slug, target=selection,
                   random_value=value, typed_value=typed, ticket=str(ticket), panel_index=panel_index, panel=panel,
                   missing_volunteers=missing)
    return selection


# --- After the draw: the reserve and the notifications ------------------------------------------


def seat_replace(*, by, selection, seat_id, force: bool = False) -> SelectionSeat | None:
    """A panel member withdraws: the first reserve who keeps every quota takes the seat.

    If no reserve keeps the quotas, ``NoReplacementKeepsQuotas`` is raised unless the organiser
    confirmed (``force``): then the first reserve takes it anyway and the audit records it.
    Returns the replacement's seat (None when the reserve list is empty and ``force``).
    """
    _require_organiser(by, selection.campaign)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.status != SelectionStatus.DRAWN:
            raise WrongStage(_("Replacements happen after the draw."))
        if selection.archived_at:
            raise IsArchived()
        seat = (SelectionSeat.objects.select_for_update().select_related("volunteer")
                .filter(selection=selection, pk=seat_id).first())
        if seat is None or seat.status != SeatStatus.SELECTED:
            raise Invalid(_("This person is not on the panel."), code="not_on_panel")
        reason = "declined" if seat.answer == SeatAnswer.DECLINED else "organiser"
        replacement = _replace_seat(selection, seat, force=force, actor=by, reason=reason)
    return replacement


def _replace_seat(selection, seat, *, force: bool, actor, reason: str) -> SelectionSeat | None:
    """Give up ``seat`` (on the panel) and refill it from the reserve; inside the caller's
    transaction, with the selection locked. Raises ``NoReplacementKeepsQuotas`` when no reserve
    keeps the quotas and not ``force``. The withdrawn seat records when and how, for the public file."""
    if selection.archived:
        # The answers the quotas need are erased, and the published file is final.
        raise SelectionArchived()
    algo = algorithms()
    seats = list(SelectionSeat.objects.filter(selection=selection).select_related("volunteer")
                 .order_by("reserve_rank", "pk"))
    panel = [s.volunteer.pseudonym for s in seats if s.status == SeatStatus.SELECTED]
    reserve_seats = [s for s in seats if s.status == SeatStatus.RESERVE]
    reserve = [s.volunteer.pseudonym for s in reserve_seats if s.volunteer.withdrawn_at is None]
    chosen = algo.replacement_for(computation.people(selection.pool, selection.one_per_household),
                                  computation.quotas(selection), selection.panel_size, panel, seat.volunteer.pseudonym, reserve)
    kept = chosen is not None
    if chosen is None:
        if not force:
            raise NoReplacementKeepsQuotas(reserve[0] if reserve else None)
        chosen = reserve[0] if reserve else None
    # Reserves passed over because they withdrew: published, so the order can be re-checked.
    skipped = []
    for s in reserve_seats:
        if s.volunteer.pseudonym == chosen:
            break
        if s.volunteer.withdrawn_at is not None:
            skipped.append(s.volunteer.pseudonym)
    seat.status = SeatStatus.WITHDRAWN
    seat.left_at = timezone.now()
    seat.replacement_info = {"quotas_kept": kept, "skipped": skipped, "reason": reason}
    seat.save(update_fields=["status", "left_at", "replacement_info", "changed_at"])
    replacement = None
    if chosen is not None:
        replacement = next(s for s in seats if s.volunteer.pseudonym == chosen)
        replacement.status = SeatStatus.SELECTED
        replacement.replaces = seat
        replacement.notified_at = None  # told they are on the reserve; now they must be told they are in
        replacement.save(update_fields=["status", "replaces", "notified_at", "changed_at"])
    log_action("selection.seat.replaced", actor=actor, scope=selection.campaign.slug, target=selection,
               withdrawn=seat.volunteer.pseudonym, replacement=chosen,
               rank=replacement.reserve_rank if replacement else None, quotas_kept=kept, forced=not kept,
               skipped=skipped, reason=reason)
    return replacement


def seats_release_for_erased_volunteer(*, volunteer) -> dict:
    """The person behind ``volunteer`` deleted their account: free their panel seats without
    shrinking any panel. Called inside the account deletion's transaction, before the user row goes.

    For each drawn selection where they sit on the panel, the first reserve who keeps every quota
    takes the seat (as an organiser's "replace" would); if nobody does, the seat stays on the panel
    flagged "withdrew – replace" for the organisers to decide (``withdrawn_selected``). Their reserve
    places are skipped by later replacements (the volunteer is withdrawn). Everything is audited.
    Returns ``{"replaced": [...], "to_replace": [...]}`` (selection ids).
    """
    result = {"replaced": [], "to_replace": []}
    seats = (SelectionSeat.objects.filter(volunteer=volunteer, status=SeatStatus.SELECTED,
                                          selection__status=SelectionStatus.DRAWN)
             .select_related("selection__campaign").order_by("selection_id"))
    for seat in seats:
        selection = _locked(seat.selection)
        seat = SelectionSeat.objects.select_for_update().select_related("volunteer").get(pk=seat.pk)
        if seat.status != SeatStatus.SELECTED or selection.archived:
            continue  # an archived selection's seats no longer change (``SelectionArchived``)
        try:
            _replace_seat(selection, seat, force=False, actor=None, reason="account_deleted")
        except NoReplacementKeepsQuotas:
            result["to_replace"].append(selection.pk)
            log_action("selection.seat.to_replace", scope=selection.campaign.slug, target=selection,
                       withdrawn=seat.volunteer.pseudonym, reason="account_deleted")
        else:
            result["replaced"].append(selection.pk)
    return result


WORKSHOP_PLACE_MIN, WORKSHOP_PLACE_MAX = 3, 300
NOTICE_TEXT_MAX = 2000


def selection_workshop_update(*, by, selection, workshop_place, workshop_starts_at, notice_text) -> Selection:
    """The first workshop meeting (place, date and time) and the organisers' paragraph of the message
    to the selected people. After the draw; changing them requires a new preview before sending."""
    _require_organiser(by, selection.campaign)
    place = clean_line(workshop_place or "")
    text = clean_block(notice_text or "")
    errors = {}
    if not WORKSHOP_PLACE_MIN <= len(place) <= WORKSHOP_PLACE_MAX:
        errors["workshop_place"] = _("Give the place of the first workshop (%(min)s to %(max)s characters).") % {
            "min": WORKSHOP_PLACE_MIN, "max": WORKSHOP_PLACE_MAX}
    if workshop_starts_at is None:
        errors["workshop_starts_at"] = _("Give the date and time of the first workshop.")
    elif workshop_starts_at < timezone.now():
        errors["workshop_starts_at"] = _("The first workshop must be in the future.")
    if len(text) > NOTICE_TEXT_MAX:
        errors["notice_text"] = _("The message has at most %(max)s characters.") % {"max": NOTICE_TEXT_MAX}
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.status != SelectionStatus.DRAWN:
            raise WrongStage(_("People are notified after the draw."))
        selection.workshop_place = place
        selection.workshop_starts_at = workshop_starts_at
        selection.notice_text = text
        selection.save(update_fields=["workshop_place", "workshop_starts_at", "notice_text"])
        log_action("selection.notice.updated", actor=by, scope=selection.campaign.slug, target=selection,
                   workshop_place=place, workshop_starts_at=workshop_starts_at.isoformat(),
                   digest=notifications.notice_digest(selection))
    return selection


def selection_notify(*, by, selection, audit_url: str, previewed: str, language: str = "fr") -> dict:
    """Tell selected and reserve people not yet told: e-mail after commit, letters for those without one.

    ``previewed`` is the digest of the message the organiser saw in the preview
    (``notifications.notice_digest``): if the text, the place or the time changed since, nothing is
    sent. Returns ``{"emails": n, "letters": m, "at": datetime}``; the letters are the PDF of the seats
    notified at ``at`` without an e-mail address. A second call only reaches people not yet notified.
    """
    _require_organiser(by, selection.campaign)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.status != SelectionStatus.DRAWN:
            raise WrongStage(_("People are notified after the draw."))
        if selection.archived_at:
            raise IsArchived()
        if not selection.workshop_place or selection.workshop_starts_at is None:
            raise NotifyUnprepared()
        if previewed != notifications.notice_digest(selection):
            raise NotifyNotPreviewed()
        seats = list(SelectionSeat.objects.select_for_update()
                     .filter(selection=selection, notified_at__isnull=True,
                             status__in=[SeatStatus.SELECTED, SeatStatus.RESERVE],
                             volunteer__withdrawn_at__isnull=True, volunteer__user__isnull=False)
                     .select_related("volunteer__user"))
        now = timezone.now()
        SelectionSeat.objects.filter(pk__in=[s.pk for s in seats]).update(notified_at=now)
        by_email = [s.pk for s in seats if s.volunteer.user is not None and s.volunteer.user.email]
        letters = len(seats) - len(by_email)
        log_action("selection.seats.notified", actor=by, scope=selection.campaign.slug, target=selection,
                   emails=len(by_email), letters=letters, at=now.isoformat(), digest=previewed)
        if by_email:
            selection_id = selection.pk
            transaction.on_commit(lambda: tasks.send_selection_emails.enqueue(
                selection_id=selection_id, seat_ids=by_email, audit_url=audit_url, language=language))
    return {"emails": len(by_email), "letters": letters, "at": now}


def seat_answer(*, campaign, token: str, answer: str) -> SelectionSeat:
    """A selected person confirms or declines through the link of their notification.

    The signed token is the person's proof (they may have no account or no e-mail: letters carry
    the link too). Only a seat still on the panel answers; the answer may change until the organisers
    act on it. A decline is what the organisers see next to "call the next reserve".
    """
    if answer not in SeatAnswer.values:
        raise Invalid(_("Choose whether you take part or not."), code="invalid_answer")
    with transaction.atomic():
        seat_id = notifications.seat_from_token(token)
        seat = (SelectionSeat.objects.select_for_update().select_related("selection", "volunteer")
                .filter(pk=seat_id, selection__campaign=campaign).first() if seat_id else None)
        if seat is None:
            raise AnswerLinkInvalid()
        if seat.status != SeatStatus.SELECTED or seat.selection.status != SelectionStatus.DRAWN:
            raise WrongStage(_("Your place is no longer on the panel: the organisers have already given it to "
                               "someone from the reserve list. Contact them if this is a mistake."),
                             code="seat_not_on_panel")
        seat.answer = answer
        seat.answered_at = timezone.now()
        seat.save(update_fields=["answer", "answered_at", "changed_at"])
        log_action(f"selection.seat.{answer}", scope=campaign.slug, target=seat.selection,
                   pseudonym=seat.volunteer.pseudonym, via="answer_link")
    return seat


# --- Workshop panel, archive, deletion ------------------------------------------------------------


def selection_set_workshop_panel(*, by, selection) -> Selection:
    """Make this drawn selection the campaign's workshop panel, the only one public figures count
    (``selectors.selection_figures``); any other selection of the campaign stops being it."""
    _require_organiser(by, selection.campaign)
    with transaction.atomic():
        # Lock every selection of the campaign: two organisers choosing two panels at once queue here
        # (the conditional unique constraint is the last guard).
        list(Selection.objects.select_for_update().filter(campaign=selection.campaign).values_list("pk"))
        selection = _locked(selection)
        if selection.status != SelectionStatus.DRAWN:
            raise WrongStage(_("Only a drawn selection can be the workshop panel."), code="not_drawn")
        if selection.archived_at:
            raise IsArchived()
        previous = list(Selection.objects.filter(campaign=selection.campaign, is_workshop_panel=True)
                        .exclude(pk=selection.pk).values_list("pk", flat=True))
        Selection.objects.filter(pk__in=previous).update(is_workshop_panel=False)
        selection.is_workshop_panel = True
        selection.save(update_fields=["is_workshop_panel"])
        log_action("selection.workshop_panel.set", actor=by, scope=selection.campaign.slug, target=selection,
                   previous=previous)
    return selection


def selection_archive(*, by, selection) -> Selection:
    """Put away a selection that has been public (a rehearsal, a superseded draw): it leaves the lists,
    keeps its audit page and files at the same address, and can no longer change. Never erased."""
    _require_organiser(by, selection.campaign)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.status not in PUBLIC_STATUSES:
            raise CannotArchive()
        if selection.archived_at:
            raise IsArchived()
        if selection.is_workshop_panel:
            raise WrongStage(_("This selection is the workshop panel: choose another panel before archiving it."),
                             code="is_workshop_panel")
        selection.archived_at = timezone.now()
        selection.save(update_fields=["archived_at"])
        log_action("selection.selection.archived", actor=by, scope=selection.campaign.slug, target=selection,
                   status=selection.status)
    return selection


def selection_delete(*, by, selection) -> None:
    """Delete a selection that was never public (a draft, an infeasible or failed one). From
    publication on, a selection is only archived (``selection_archive``): its audit page stays."""
    _require_organiser(by, selection.campaign)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.status in PUBLIC_STATUSES:
            raise CannotDelete()
        if selection.status == SelectionStatus.COMPUTING:
            raise WrongStage(_("Stop the computation before deleting this selection."), code="computing")
        log_action("selection.selection.deleted", actor=by, scope=selection.campaign.slug, target=selection,
                   title=selection.title, status=selection.status)
        selection.delete()

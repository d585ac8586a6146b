"""Writes of the organiser's side of letters: one function per act, transactional, audit-logged.

Every service checks ``rules.can_manage_letters`` again, so no path (view, API, task) skips it; a
refusal is ``NotFound``, as on the pages and in the API (the refusal rule, docs/architecture.md).
PDF rendering never runs inside the service's transaction: a batch is created (rows only) and
committed, then rendered (``rendering.batch_render``), in the request for small batches or by a
django-tasks worker for large ones, enqueued on commit so the task finds the committed rows.

The resident's side, taking a place on a code (``code_use_take``), checks no rule: joining
decides who may redeem a code and calls it inside its own transaction.
"""

import hashlib
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.campaigns.errors import SectorNotFound
from concerto.campaigns.models import Campaign, Sector, SupportLevel
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, Invalid
from concerto.core.http import require
from concerto.core.text import clean_block, clean_line

from . import rendering, rules, samples, selectors, tasks
from .codes import format_code, new_code
from .errors import (
    BatchNotFound,
    BatchNotReady,
    HouseholdInUnfinishedBatch,
    HouseholdNotFound,
    HouseholdNotVacant,
    ImportHasErrors,
    ImportNotFound,
    ImportNothingToUndo,
    ImportNotImported,
    ImportNotPending,
    NothingToPrint,
    PlaceholderError,
    StreetRuleNotFound,
)
from .households_csv import (
    MAX_BYTES,
    ImportPreview,
    address_check,
    csv_lines,
    household_key,
    match_street_rule,
    normalise,
    parse_households,
    sector_lookup,
)
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
from .pdf import render_body

# Batches up to this size are rendered in the organiser's request (about 3.5 s for 1,000);
# larger ones go to the worker and show a progress page.
INLINE_LIMIT = 1000
UPLOAD_MAX_BYTES = MAX_BYTES  # the parser's limit, checked before the file is read


def _require(user, campaign) -> None:
    require(rules.can_manage_letters(user, campaign))


# --- Settings -----------------------------------------------------------------------------------


SETTINGS_LIMITS = {"sender_lines": 600, "place": 100, "title": 200, "body": 5000, "signature": 200,
                   "reminder_text": 1000}


def letter_settings_update(*, user, campaign: Campaign, sender_lines: str, place: str, title: str, body: str,
                           signature: str, residents_per_code, support_level: str,
                           reminder_after_days=None, reminder_text: str | None = None,
                           accept_smaller_text: bool = False, join_url: str = "") -> LetterSettings:
    """Save the letter and the campaign's support level. Nothing changes if any field is wrong.

    A text that does not fit on the page even in the smallest type is refused; one that fits only
    in smaller type than normal is refused unless ``accept_smaller_text`` (the page asks). The
    reminder's delay and paragraph stay as they are when None. ``join_url``: the join page, for a
    fit measured with the real link's length."""
    _require(user, campaign)
    current = selectors.letter_settings(campaign)
    values = {
        "sender_lines": clean_block(sender_lines or ""), "place": clean_line(place or ""),
        "title": clean_line(title or ""), "body": clean_block(body or ""), "signature": clean_line(signature or ""),
        "reminder_text": clean_block(current.reminder_text if reminder_text is None else reminder_text),
    }
    errors = {}
    try:
        after_days = current.reminder_after_days if reminder_after_days is None else int(reminder_after_days)
    except (TypeError, ValueError):
        after_days = 0
    if not 1 <= after_days <= 180:
        errors["reminder_after_days"] = _("Between 1 and 180 days.")
    for name, limit in SETTINGS_LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = _("At most %(max)s characters.") % {"max": limit}
    if len(values["sender_lines"].splitlines()) > 6:
        errors["sender_lines"] = _("At most 6 lines: they must fit above the address window.")
    if not values["body"]:
        errors["body"] = _("The letter needs a text.")
    else:
        sample = rendering.placeholder_values(
            campaign=campaign, household=None, code=format_code(samples.code()), link=samples.LINK,
            deadline=rendering.deadline(campaign) or samples.deadline())
        try:
            render_body(values["body"], sample)
        except PlaceholderError as exc:
            errors["body"] = str(exc)
        try:
            render_body(values["reminder_text"], sample)
        except PlaceholderError as exc:
            errors["reminder_text"] = str(exc)
    try:
        per_code = int(residents_per_code)
    except (TypeError, ValueError):
        per_code = 0
    if not 1 <= per_code <= 20:
        errors["residents_per_code"] = _("Between 1 and 20 residents per code.")
    if not errors:
        draft = LetterSettings(campaign=campaign, residents_per_code=per_code, **values)
        fit = rendering.letter_check(campaign, draft, join_url=join_url)["fit"]
        if not fit.fits:
            errors["body"] = rendering.fit_messages(fit)[0]
        elif not fit.normal and not accept_smaller_text:
            errors["body"] = rendering.fit_messages(fit)[0]
            errors["accept_smaller_text"] = _("Shorten the text, or tick this box to print it in smaller type.")
    if support_level not in SupportLevel.values:
        errors["support_level"] = _("Choose one of the proposed levels.")
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        letter, _created = LetterSettings.objects.select_for_update().get_or_create(campaign=campaign)
        for name, value in values.items():
            setattr(letter, name, value)
        letter.residents_per_code = per_code
        letter.reminder_after_days = after_days
        letter.updated_by = user
        letter.save()
        if campaign.support_level != support_level:
            Campaign.objects.filter(pk=campaign.pk).update(support_level=support_level)
            campaign.support_level = support_level
            log_action("letters.support_level.changed", actor=user, scope=campaign.slug, target=campaign,
                       support_level=support_level)
        log_action("letters.settings.updated", actor=user, scope=campaign.slug, target=letter)
    return letter


# --- Import -------------------------------------------------------------------------------------


def _rules_for_parsing(campaign) -> list[tuple[str, str]]:
    # Longest street first, so "rue des Lavandes prolongée" wins over "rue des Lavandes".
    rules_ = StreetRule.objects.filter(campaign=campaign).select_related("sector")
    pairs = [(r.street, r.sector.code) for r in rules_]
    return sorted(pairs, key=lambda p: (-len(normalise(p[0])), p[0]))


def upload_size_check(size: int) -> None:
    """Refuse a households file over the limit; views call it before reading the upload into memory."""
    if size > UPLOAD_MAX_BYTES:
        raise FieldErrors({"file": _("The file is too big: the limit is %(max)s MB.") % {
            "max": UPLOAD_MAX_BYTES // 1024 // 1024}})


def household_import_preview(*, user, campaign: Campaign, filename: str, data: bytes) -> HouseholdImport:
    """Parse an uploaded CSV file and keep the result; nothing is imported yet."""
    _require(user, campaign)
    upload_size_check(len(data))
    sectors = sector_lookup(Sector.objects.filter(campaign=campaign).values_list("code", "name"))
    preview = parse_households(data, sectors=sectors, street_rules=_rules_for_parsing(campaign),
                               existing_keys=selectors.existing_keys(campaign))
    with transaction.atomic():
        upload = HouseholdImport.objects.create(
            campaign=campaign, uploaded_by=user, filename=clean_line(filename or "")[:200] or "import.csv",
            sha256=hashlib.sha256(data).hexdigest(), row_count=len(preview.rows),
            error_count=len(preview.errors), preview=preview.to_json(),
        )
        log_action("letters.import.previewed", actor=user, scope=campaign.slug, target=upload,
                   rows=len(preview.rows), errors=len(preview.errors), duplicates=len(preview.duplicates))
    return upload


def _fresh_codes(count: int) -> list[str]:
    """``count`` new codes, distinct from each other and from every stored code."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {new_code() for _i in range(count - len(codes))}
        wanted -= codes
        for start in range(0, len(wanted), 2000):
            chunk = list(wanted)[start:start + 2000]
            wanted -= set(InvitationCode.objects.filter(code__in=chunk).values_list("code", flat=True))
        codes |= wanted
    return list(codes)


def _max_uses(campaign) -> int:
    return selectors.letter_settings(campaign).residents_per_code


def household_import_confirm(*, user, campaign: Campaign, import_id) -> int:
    """Create the previewed households, each with its code, in one transaction.

    Idempotent: the import row is locked and its status checked, so a second confirmation (double
    click, retry) creates nothing and raises ``ImportNotPending``. Addresses imported meanwhile by
    another file are skipped. Returns the number of households created.
    """
    _require(user, campaign)
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _confirm(user, campaign, import_id)
        except IntegrityError:
            # A code collided with one created at the same moment (astronomically rare): retry.
            if attempt == 2:
                raise
    return 0  # pragma: no cover


def _confirm(user, campaign, import_id) -> int:
    upload = HouseholdImport.objects.select_for_update().filter(campaign=campaign, pk=import_id).first()
    if upload is None:
        raise ImportNotFound()
    if upload.status != ImportStatus.PREVIEW:
        raise ImportNotPending()
    preview = ImportPreview.from_json(upload.preview)
    # Only an error of the whole file blocks it; rejected lines are left out (see households_csv).
    if preview.file_errors:
        raise ImportHasErrors()
    existing = selectors.existing_keys(campaign)
    sectors = dict(Sector.objects.filter(campaign=campaign).values_list("code", "pk"))
    rows = [row for row in preview.rows if row["key"] not in existing]
    households = Household.objects.bulk_create([
        Household(
            campaign=campaign, name=row["name"], address_line1=row["address_line1"],
            address_line2=row["address_line2"], address_line3=row["address_line3"], postcode=row["postcode"],
            city=row["city"], sector_id=sectors.get(row["sector"]), key=row["key"], source=upload,
        )
        for row in rows
    ], batch_size=1000)
    if households and households[0].pk is None:  # backends that do not return ids
        by_key = dict(Household.objects.filter(campaign=campaign, source=upload).values_list("key", "pk"))
        for household in households:
            household.pk = by_key[household.key]
    max_uses = _max_uses(campaign)
    codes = _fresh_codes(len(households))
    InvitationCode.objects.bulk_create([
        InvitationCode(campaign=campaign, household_id=h.pk, code=code, max_uses=max_uses)
        for h, code in zip(households, codes, strict=True)
    ], batch_size=1000)
    upload.status = ImportStatus.IMPORTED
    upload.imported_at = timezone.now()
    upload.save(update_fields=["status", "imported_at"])
    log_action("letters.import.confirmed", actor=user, scope=campaign.slug, target=upload,
               households=len(households), skipped=len(preview.rows) - len(rows), rejected=len(preview.rejected))
    return len(households)


def household_import_cancel(*, user, campaign: Campaign, import_id) -> HouseholdImport:
    _require(user, campaign)
    with transaction.atomic():
        upload = HouseholdImport.objects.select_for_update().filter(campaign=campaign, pk=import_id).first()
        if upload is None:
            raise ImportNotFound()
        if upload.status != ImportStatus.PREVIEW:
            raise ImportNotPending()
        upload.status = ImportStatus.CANCELLED
        upload.preview = {}
        upload.save(update_fields=["status", "preview"])
        log_action("letters.import.cancelled", actor=user, scope=campaign.slug, target=upload)
    return upload


def household_create(*, user, campaign: Campaign, address_line1: str, postcode: str, city: str,
                     address_line2: str = "", address_line3: str = "", name: str = "",
                     sector: Sector | None = None) -> Household:
    """One household with its code (used by the demo and tests; the import is the usual way)."""
    _require(user, campaign)
    lines = [clean_line(address_line1), clean_line(address_line2), clean_line(address_line3)]
    key = household_key(lines, postcode)
    with transaction.atomic():
        household = Household.objects.create(
            campaign=campaign, name=clean_line(name), address_line1=lines[0], address_line2=lines[1],
            address_line3=lines[2], postcode=postcode.strip(), city=clean_line(city), sector=sector, key=key,
        )
        InvitationCode.objects.create(campaign=campaign, household=household, code=_fresh_codes(1)[0],
                                      max_uses=_max_uses(campaign))
        log_action("letters.household.created", actor=user, scope=campaign.slug, target=household)
    return household


# --- Street rules -------------------------------------------------------------------------------


def street_rule_add(*, user, campaign: Campaign, street: str, sector_id) -> StreetRule:
    _require(user, campaign)
    street = clean_line(street or "")
    errors = {}
    if not 3 <= len(street) <= 200:
        errors["street"] = _("Type the street name (3 to 200 characters), e.g. “avenue Saint-Jérôme”.")
    elif not normalise(street):
        errors["street"] = _("Type the street name with letters.")
    try:
        sector = Sector.objects.filter(campaign=campaign, pk=int(sector_id)).first()
    except (TypeError, ValueError):
        sector = None
    if sector is None:
        errors["sector"] = _("Choose one of the campaign's sectors.")
    if not errors and any(normalise(r.street) == normalise(street)
                          for r in StreetRule.objects.filter(campaign=campaign)):
        errors["street"] = _("There is already a rule for this street.")
    if errors:
        raise FieldErrors(errors)
    try:
        with transaction.atomic():
            rule = StreetRule.objects.create(campaign=campaign, street=street, sector=sector)
            log_action("letters.street_rule.added", actor=user, scope=campaign.slug, target=rule,
                       street=street, sector=sector.code)
    except IntegrityError:
        raise FieldErrors({"street": _("There is already a rule for this street.")}) from None
    return rule


def street_rule_delete(*, user, campaign: Campaign, rule_id) -> None:
    _require(user, campaign)
    with transaction.atomic():
        rule = StreetRule.objects.filter(campaign=campaign, pk=rule_id).first()
        if rule is None:
            raise StreetRuleNotFound()
        log_action("letters.street_rule.deleted", actor=user, scope=campaign.slug, target=rule, street=rule.street)
        rule.delete()


def street_rules_apply(*, user, campaign: Campaign) -> int:
    """Give a sector to households that have none, from the street rules. Returns how many changed."""
    _require(user, campaign)
    pairs = _rules_for_parsing(campaign)
    sectors = dict(Sector.objects.filter(campaign=campaign).values_list("code", "pk"))
    by_sector: dict[int, list[int]] = {}
    with transaction.atomic():
        for pk, line1 in Household.objects.filter(campaign=campaign, sector__isnull=True,
                                                  sector_set_at__isnull=True).values_list("pk", "address_line1"):
            code = match_street_rule(line1, pairs)
            if code:
                by_sector.setdefault(sectors[code], []).append(pk)
        changed = 0
        for sector_pk, pks in by_sector.items():
            changed += Household.objects.filter(pk__in=pks, sector__isnull=True, sector_set_at__isnull=True).update(
                sector_id=sector_pk)
        log_action("letters.street_rules.applied", actor=user, scope=campaign.slug, households=changed)
    return changed


# --- Batches ------------------------------------------------------------------------------------

SCOPES = ("new", "all")


def _create_batch(user, campaign, kind, code_ids: list[int]) -> LetterBatch:
    if not code_ids:
        raise NothingToPrint()
    batch = LetterBatch.objects.create(campaign=campaign, kind=kind, total=len(code_ids), created_by=user)
    BatchLetter.objects.bulk_create(
        [BatchLetter(batch=batch, code_id=pk, position=i) for i, pk in enumerate(code_ids, start=1)],
        batch_size=2000,
    )
    return batch


def _ordered_code_ids(codes) -> list[int]:
    # Letters come out sorted the way a postman walks: sector, then street and number.
    return list(codes.order_by("household__sector__name", "household__address_line1", "household__pk")
                .values_list("pk", flat=True))


def batch_create(*, user, campaign: Campaign, kind: str = BatchKind.INVITATION, scope: str = "new",
                 join_url: str, sectors=None) -> LetterBatch:
    """A batch of invitations (``scope`` "new": households that never had a letter; "all") or of
    reminders (active codes never used whose letter was posted at least the settings' number of
    days ago; ``sectors``: sector pks and/or "none", None for all). Rendered after commit: at once
    when small (``INLINE_LIMIT``), else by the worker.

    ``join_url``: absolute URL of the campaign's join page; the QR code adds ``?code=``.
    """
    _require(user, campaign)
    if kind == BatchKind.INVITATION:
        if scope not in SCOPES:
            raise FieldErrors({"scope": _("Choose which households receive a letter.")})
        codes = selectors.invitation_codes(campaign, scope)
    elif kind == BatchKind.REMINDER:
        if sectors is not None and not list(sectors):
            raise FieldErrors({"sectors": _("Choose at least one sector to remind.")})
        codes = selectors.reminder_codes(campaign, sectors=sectors)
    else:
        raise FieldErrors({"kind": _("Unknown kind of batch.")})
    with transaction.atomic():
        batch = _create_batch(user, campaign, kind, _ordered_code_ids(codes))
        log_action("letters.batch.created", actor=user, scope=campaign.slug, target=batch, kind=kind,
                   letters=batch.total)
    batch_start(batch, join_url=join_url)
    return batch


def batch_start(batch: LetterBatch, *, join_url: str) -> None:
    """Render now (small batch) or hand over to the worker once the batch's rows are committed."""
    if batch.total <= INLINE_LIMIT:
        rendering.batch_render(batch_id=batch.pk, join_url=join_url)
    else:
        batch_id = batch.pk
        transaction.on_commit(lambda: tasks.render_batch.enqueue(batch_id=batch_id, join_url=join_url))


def batch_mark_sent(*, user, campaign: Campaign, batch_id, when: datetime | None = None) -> LetterBatch:
    """The organiser printed and posted the letters: they now count as sent. Idempotent."""
    _require(user, campaign)
    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().filter(campaign=campaign, pk=batch_id).first()
        if batch is None:
            raise BatchNotFound()
        if batch.status != BatchStatus.DONE:
            raise BatchNotReady()
        if batch.sent_at is None:
            batch.sent_at = when or timezone.now()
            batch.save(update_fields=["sent_at"])
            log_action("letters.batch.sent", actor=user, scope=campaign.slug, target=batch, letters=batch.total)
    return batch


def batch_retry(*, user, campaign: Campaign, batch_id, join_url: str) -> LetterBatch:
    """Render a failed batch again (same letters)."""
    _require(user, campaign)
    with transaction.atomic():
        updated = LetterBatch.objects.filter(campaign=campaign, pk=batch_id, status=BatchStatus.FAILED).update(
            status=BatchStatus.QUEUED, done=0, error="", started_at=None, finished_at=None)
        if not updated:
            if not LetterBatch.objects.filter(campaign=campaign, pk=batch_id).exists():
                raise BatchNotFound()
            raise Invalid(_("Only a failed batch can be generated again."), code="batch_not_failed")
        batch = LetterBatch.objects.get(pk=batch_id)
        log_action("letters.batch.retried", actor=user, scope=campaign.slug, target=batch)
    batch_start(batch, join_url=join_url)
    return batch


# --- Re-issue -----------------------------------------------------------------------------------

REASON_MAX = 200


def household_reissue(*, user, campaign: Campaign, household_id, reason: str, join_url: str) -> LetterBatch:
    """A lost letter: the active code is revoked, a new code is created and its letter rendered now.

    Residents who already joined with the old code stay verified (their uses are kept); the old
    code answers "revoked" at joining from now on.
    """
    _require(user, campaign)
    reason = clean_line(reason or "")
    if not 3 <= len(reason) <= REASON_MAX:
        raise FieldErrors({"reason": _("Say why the letter is re-issued (3 to 200 characters), e.g. “letter lost”.")})
    household = selectors.household_get(campaign, household_id)
    with transaction.atomic():
        old = InvitationCode.objects.select_for_update().filter(household=household, revoked_at__isnull=True).first()
        if old is not None:
            old.revoked_at = timezone.now()
            old.revoked_by = user
            old.revoke_reason = reason
            old.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        code = InvitationCode.objects.create(campaign=campaign, household=household, code=_fresh_codes(1)[0],
                                             max_uses=_max_uses(campaign))
        batch = _create_batch(user, campaign, BatchKind.REISSUE, [code.pk])
        log_action("letters.household.reissued", actor=user, scope=campaign.slug, target=household,
                   revoked=old.pk if old else None, reason=reason, batch=batch.pk)
    batch_start(batch, join_url=join_url)
    return batch


# --- Redeeming a code ---------------------------------------------------------------------------


def code_use_take(*, code: InvitationCode, user, pin_hash: str = "") -> CodeUse | None:
    """Take one of the code's places for ``user``: the new ``CodeUse`` (with ``pin_hash``, for a
    resident without e-mail), or None when no place is left, the code being revoked or used up in
    the meantime (``code`` is then refreshed, so the caller can tell which).

    The caller holds the transaction that also verifies the resident (this one nests as a savepoint)
    and has checked that ``user`` has no use of the code yet; when they take one at the same moment,
    the unique ``(code, user)`` constraint raises ``IntegrityError`` and nothing is counted.
    """
    with transaction.atomic():
        # The conditional UPDATE is the exact counter, whatever the number of simultaneous requests:
        # it locks the code's row before the use is written, and re-checks revocation under the lock.
        updated = InvitationCode.objects.filter(
            pk=code.pk, revoked_at__isnull=True, use_count__lt=F("max_uses")
        ).update(use_count=F("use_count") + 1)
        if not updated:
            code.refresh_from_db(fields=["revoked_at", "use_count", "max_uses"])
            return None
        use = CodeUse.objects.create(code=code, user=user, pin_hash=pin_hash)
        code.refresh_from_db(fields=["use_count"])
        log_action("letters.code.used", actor=user, scope=code.campaign.slug, target=code,
                   household=code.household_id)
    return use


def code_use_pin_set(*, code: InvitationCode, user, pin_hash: str) -> bool:
    """Replace the PIN of ``user``'s use of ``code`` (a resident without e-mail who chose one);
    False when there is no such use. Like ``code_use_take``, it checks no rule: joining's
    ``pin_reset`` checks the organiser and writes the audit entry, in its transaction."""
    return bool(CodeUse.objects.filter(code=code, user=user).exclude(pin_hash="").update(pin_hash=pin_hash))


# --- Preview of one letter ----------------------------------------------------------------------


def letter_preview_pdf(*, user, campaign: Campaign, join_url: str) -> bytes:
    """A one-page PDF of a sample letter (fictitious household and code), with the saved settings.
    Nothing is stored and no real address or code is printed: previews are passed around
    for proofreading."""
    _require(user, campaign)
    return rendering.preview_pdf(campaign, join_url=join_url)


# --- Sectors merged (issue 10): called by dashboard.services.sector_merge in its transaction -----


def households_sector_move(*, user, campaign: Campaign, source: Sector, target: Sector) -> dict:
    """Households and street rules of ``source`` go to ``target``; returns how many of each moved."""
    require(rules.can_manage_letters(user, campaign), SectorNotFound)
    if source.campaign_id != campaign.pk or target.campaign_id != campaign.pk:
        raise ValueError("both sectors must belong to the campaign")
    with transaction.atomic():
        households = Household.objects.filter(campaign=campaign, sector=source).update(sector=target)
        rules_moved = StreetRule.objects.filter(campaign=campaign, sector=source).update(sector=target)
    return {"households": households, "street_rules": rules_moved}
# --- Correcting households (edit, sector by hand, delete, undo an import, export) ---------------


def _household_locked(campaign, household_id) -> Household:
    try:
        household_id = int(household_id)
    except (TypeError, ValueError):
        raise HouseholdNotFound() from None
    household = Household.objects.select_for_update().filter(campaign=campaign, pk=household_id).first()
    if household is None:
        raise HouseholdNotFound()
    return household


def household_update(*, user, campaign: Campaign, household_id, address_line1: str, postcode: str, city: str,
                     address_line2: str = "", address_line3: str = "", name: str = "") -> Household:
    """Correct a household's name and address, cleaned and checked as a line of the import file.

    An address that another household of the campaign already has (same normalised key, as the
    import compares them) is refused on the address field: two letters would go to one letterbox.
    The codes do not change (the letter already posted stays valid), nor does the sector (set it by
    hand with ``household_sector_set``). Nothing changes when a field is wrong."""
    _require(user, campaign)
    values, errors = address_check({"name": name, "address_line1": address_line1, "address_line2": address_line2,
                                    "address_line3": address_line3, "postcode": postcode, "city": city})
    if errors:
        raise FieldErrors(errors)
    key = household_key([values["address_line1"], values["address_line2"], values["address_line3"]],
                        values["postcode"])
    duplicate = {"address_line1": _("Another household of this campaign already has this address: one letterbox "
                                    "receives one letter. Correct or delete that household instead.")}
    try:
        with transaction.atomic():
            household = _household_locked(campaign, household_id)
            if Household.objects.filter(campaign=campaign, key=key).exclude(pk=household.pk).exists():
                raise FieldErrors(duplicate)
            before = {field: getattr(household, field) for field in values}
            changed = {field: value for field, value in values.items() if before[field] != value}
            if not changed:
                return household
            for field, value in values.items():
                setattr(household, field, value)
            household.key = key
            household.save(update_fields=[*values, "key"])
            log_action("letters.household.updated", actor=user, scope=campaign.slug, target=household,
                       before={f: before[f] for f in changed}, after=changed)
    except IntegrityError:
        raise FieldErrors(duplicate) from None
    return household


def household_sector_set(*, user, campaign: Campaign, household_id, sector_id) -> Household:
    """Choose the household's sector by hand (``sector_id`` a sector of the campaign, or "none" for
    no sector): the street rules never change it afterwards. ``sector_id`` "rules" hands it back to
    the street rules (the first that matches its address now, else no sector).

    Residents who already joined with its code keep the sector they joined with."""
    _require(user, campaign)
    choice = str(sector_id or "").strip()
    sector = None
    if choice not in ("none", "rules"):
        try:
            sector = Sector.objects.filter(campaign=campaign, pk=int(choice)).first()
        except ValueError:
            sector = None
        if sector is None:
            raise FieldErrors({"sector": _("Choose one of the campaign's sectors.")})
    with transaction.atomic():
        household = _household_locked(campaign, household_id)
        if choice == "rules":
            code = match_street_rule(household.address_line1, _rules_for_parsing(campaign))
            sector = Sector.objects.filter(campaign=campaign, code=code).first() if code else None
            household.sector_set_at = None
        else:
            household.sector_set_at = timezone.now()
        before = household.sector.code if household.sector_id else None
        household.sector = sector
        household.save(update_fields=["sector", "sector_set_at"])
        log_action("letters.household.sector_set", actor=user, scope=campaign.slug, target=household,
                   before=before, after=sector.code if sector else None, by_hand=choice != "rules")
    return household


def _remove_households(user, campaign, households: list[Household], reason: str) -> int:
    """Revoke the codes of these households, keep the codes without household (for the audit trail
    and the batches that printed them), and delete the households. The caller holds the transaction,
    has locked the codes and checked that no resident joined with them."""
    pks = [h.pk for h in households]
    now = timezone.now()
    for start in range(0, len(pks), 2000):  # bounded lists of ids (SQLite limits query parameters)
        chunk = pks[start:start + 2000]
        InvitationCode.objects.filter(household_id__in=chunk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=user, revoke_reason=reason[:REASON_MAX])
        InvitationCode.objects.filter(household_id__in=chunk).update(household=None)
        Household.objects.filter(pk__in=chunk).delete()
    return len(pks)


def _address_of(household: Household) -> str:
    return ", ".join(household.address_lines)


def household_delete(*, user, campaign: Campaign, household_id, reason: str) -> None:
    """Delete a vacant household: nobody ever joined with its codes. Its codes are revoked and kept
    (joining then says the address is no longer invited); ``reason`` (3 to 200 characters, e.g.
    "logement vacant, courrier revenu") goes in the audit trail with the address.

    Refused with the reason when residents joined with one of its codes (``HouseholdNotVacant``) or
    when its letter is in a batch being generated or failed (``HouseholdInUnfinishedBatch``). A letter
    already posted does not prevent it: a vacant address returns its letter."""
    _require(user, campaign)
    reason = clean_line(reason or "")
    if not 3 <= len(reason) <= REASON_MAX:
        raise FieldErrors({"reason": _("Say why the household is deleted (3 to 200 characters), e.g. “vacant "
                                       "home, letter returned”.")})
    with transaction.atomic():
        household = _household_locked(campaign, household_id)
        # Locking the codes first: a resident joining at this moment either took a place before
        # (and is seen below) or finds the code revoked (code_use_take re-checks under the lock).
        list(InvitationCode.objects.select_for_update().filter(household=household))
        blockers = selectors.household_blockers(campaign, Household.objects.filter(pk=household.pk)).get(
            household.pk, {})
        if blockers.get("used"):
            raise HouseholdNotVacant()
        if blockers.get("batch"):
            raise HouseholdInUnfinishedBatch()
        codes = list(InvitationCode.objects.filter(household=household).values_list("pk", flat=True))
        log_action("letters.household.deleted", actor=user, scope=campaign.slug, target=household,
                   address=_address_of(household), sector=household.sector.code if household.sector_id else None,
                   codes=codes, reason=reason)
        _remove_households(user, campaign, [household], _("Household deleted: %(reason)s") % {"reason": reason})


def household_import_undo(*, user, campaign: Campaign, import_id) -> dict:
    """Undo an import: remove its households that nobody joined with, whose letter was never posted
    and is in no unfinished batch (their codes revoked and kept, as ``household_delete``); keep the
    others and say why. Returns ``{"removed": n, "kept": n}``.

    Refused when the import is not imported (``ImportNotImported``: never confirmed, or already
    undone) or when none of its households can be removed (``ImportNothingToUndo``). The plan is
    computed again under the import's lock, so the confirmation page may be stale but the act is not.
    """
    _require(user, campaign)
    with transaction.atomic():
        upload = HouseholdImport.objects.select_for_update().filter(campaign=campaign, pk=import_id).first()
        if upload is None:
            raise ImportNotFound()
        if upload.status != ImportStatus.IMPORTED:
            raise ImportNotImported()
        list(InvitationCode.objects.select_for_update().filter(household__source=upload))
        plan = selectors.import_undo_plan(campaign, upload)
        if not plan["remove"]:
            raise ImportNothingToUndo()
        removed = _remove_households(user, campaign, plan["remove"],
                                     _("Import undone: %(file)s") % {"file": upload.filename})
        upload.status = ImportStatus.UNDONE
        upload.undone_at = timezone.now()
        upload.save(update_fields=["status", "undone_at"])
        log_action("letters.import.undone", actor=user, scope=campaign.slug, target=upload,
                   removed=removed, kept=len(plan["keep"]), kept_households=[k["household"].pk for k in plan["keep"]])
    return {"removed": removed, "kept": len(plan["keep"])}


def households_export(*, user, campaign: Campaign):
    """The households and their codes as CSV lines (UTF-8 with BOM, ``;``, for Excel in France),
    a generator for a streaming answer. Codes are personal: organisers only, and each export is in
    the audit trail (written here, before the first line is read)."""
    _require(user, campaign)
    with transaction.atomic():
        log_action("letters.households.exported", actor=user, scope=campaign.slug,
                   households=Household.objects.filter(campaign=campaign).count())

    def rows():
        yield selectors.household_export_header()
        for chunk in selectors.household_export_chunks(campaign):
            yield from chunk

    return csv_lines(rows())


# --- Checking a letter before saving it ----------------------------------------------------------


def letter_text_check(*, user, campaign: Campaign, join_url: str, sender_lines: str = "", place: str = "",
                      title: str = "", body: str = "", signature: str = "", residents_per_code=4,
                      reminder_text: str = "", image: bool = True, **_ignored) -> dict:
    """The settings page's "Preview": the letter as typed (nothing saved) for the sample household,
    its fit on the page, the warnings, and the page as a PNG image (``rendering.letter_check``).
    Raises ``FieldErrors`` on the body for an unknown placeholder."""
    _require(user, campaign)
    try:
        per_code = min(max(int(residents_per_code), 1), 20)
    except (TypeError, ValueError):
        per_code = 4
    draft = LetterSettings(
        campaign=campaign, sender_lines=clean_block(sender_lines or ""), place=clean_line(place or ""),
        title=clean_line(title or ""), body=clean_block(body or ""), signature=clean_line(signature or ""),
        residents_per_code=per_code, reminder_text=clean_block(reminder_text or ""),
    )
    if not draft.body:
        raise FieldErrors({"body": _("The letter needs a text.")})
    try:
        return rendering.letter_check(campaign, draft, join_url=join_url, image=image)
    except PlaceholderError as exc:
        raise FieldErrors({"body": str(exc)}) from None

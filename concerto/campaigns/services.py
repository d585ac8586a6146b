"""Writes about organisations, campaigns, their consent texts, phase calendar and sectors.

``campaigns`` stands below ``residents``, which owns roles: these services cannot check who acts.
Every caller checks first, with ``residents.rules`` (``can_create_campaign``, ``can_manage_campaign``):
the back office in ``dashboard.views_campaigns`` and ``dashboard.services.campaign_open``; the
first-run command and the demo loader act for nobody (``by=None``, audited ``via: "system"``).
``by`` is always required, so no caller forgets to say who acted.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors
from concerto.core.text import clean_block, clean_line

from .errors import (
    CampaignAlreadyArchived,
    CampaignNotArchived,
    ConsentTextUnchanged,
    ElectionRoundNotFound,
    OrganisationExists,
    PhaseNotFound,
    SectorNotFound,
)
from .models import (
    PHASE_ORDER,
    Campaign,
    ConsentText,
    ElectionRound,
    Organisation,
    Phase,
    PhaseKind,
    Sector,
    SupportLevel,
)

# What a campaign's address may look like: it is printed on letters, so short, lowercase, no accents.
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 80
PHONE_RE = re.compile(r"[0-9+()./ \u00a0-]*")
CONSENT_MAX = 5000
NOTICE_MAX = 20000

# The fields a campaign form may set, with their defaults for a new campaign.
CAMPAIGN_FIELDS = {
    "name": "", "slug": "", "territory": "", "description": "",
    "support_level": SupportLevel.ANY_RESIDENT, "allow_email_join": True, "is_public": True,
    "contact_name": "", "contact_email": "", "contact_phone": "", "contact_note": "",
    "legal_notice": "", "privacy_notice": "", "languages": None,
}


def _audit(by) -> dict:
    return {} if by is not None else {"via": "system"}


def organisation_create_by_system(*, name: str, slug: str, website: str = "") -> Organisation:
    """The first-run command (``manage.py concerto_setup``) only: nobody is signed in yet."""
    name = clean_line(name)
    errors = {}
    if not name:
        errors["name"] = _("Give the organisation a name.")
    elif len(name) > 200:
        errors["name"] = _("The name is limited to 200 characters.")
    slug_error = _slug_problem(slug)
    if slug_error:
        errors["slug"] = slug_error
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        if Organisation.objects.filter(slug=slug).exists():
            raise OrganisationExists()
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(name=name, slug=slug, website=website)
        except IntegrityError:
            raise OrganisationExists() from None
        log_action("campaigns.organisation.created", actor=None, target=organisation, via="system")
    return organisation


def _slug_problem(slug: str) -> str | None:
    if not slug:
        return _("Choose an address for the campaign, e.g. “saint-jerome”.")
    if len(slug) > SLUG_MAX:
        return _("The address is limited to %(max)s characters.") % {"max": SLUG_MAX}
    if not SLUG_RE.fullmatch(slug):
        return _("Use only lowercase letters without accents, digits and single hyphens between words, "
                 "e.g. “saint-jerome”.")
    return None


def _languages_clean(value) -> list[str] | None:
    known = [code for code, _name in settings.LANGUAGES]
    if not isinstance(value, (list, tuple)) or not value:
        return None
    chosen = [code for code in known if code in value]  # the site's order, no duplicates
    if len(chosen) != len(set(value)):
        return None
    return chosen


def campaign_fields_clean(fields: dict, *, campaign: Campaign | None = None) -> dict:
    """The values to store, or ``FieldErrors`` with every problem at once (French sentences)."""
    data, errors = {}, {}
    for key in ("name", "territory", "contact_name", "contact_phone", "contact_note"):
        if key in fields:
            data[key] = clean_line(str(fields[key] or ""))
    for key in ("description", "legal_notice", "privacy_notice"):
        if key in fields:
            data[key] = clean_block(str(fields[key] or ""))
    if "name" in data and not data["name"]:
        errors["name"] = _("Give the campaign a name.")
    elif len(data.get("name", "")) > 200:
        errors["name"] = _("The name is limited to 200 characters.")
    if "territory" in data and not data["territory"]:
        errors["territory"] = _("Say which neighbourhood or town the campaign covers.")
    elif len(data.get("territory", "")) > 200:
        errors["territory"] = _("The territory is limited to 200 characters.")
    if "slug" in fields:
        slug = str(fields["slug"] or "").strip()
        problem = _slug_problem(slug)
        if problem is None and Campaign.objects.filter(slug=slug).exclude(pk=getattr(campaign, "pk", None)).exists():
            problem = _("Another campaign already uses this address: choose another one.")
        if problem:
            errors["slug"] = problem
        data["slug"] = slug
    if len(data.get("contact_name", "")) > 120:
        errors["contact_name"] = _("The contact name is limited to 120 characters.")
    if "contact_email" in fields:
        email = str(fields["contact_email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["contact_email"] = _("This e-mail address is not valid.")
        data["contact_email"] = email
    phone = data.get("contact_phone", "")
    if len(phone) > 40 or not PHONE_RE.fullmatch(phone) or (phone and not any(c.isdigit() for c in phone)):
        errors["contact_phone"] = _("Type a telephone number with digits, spaces, dots or hyphens only.")
    if len(data.get("contact_note", "")) > 300:
        errors["contact_note"] = _("This text is limited to 300 characters.")
    for key in ("legal_notice", "privacy_notice"):
        if len(data.get(key, "")) > NOTICE_MAX:
            errors[key] = _("This text is limited to %(max)s characters.") % {"max": NOTICE_MAX}
    if "support_level" in fields:
        if fields["support_level"] not in SupportLevel.values:
            errors["support_level"] = _("Choose who may support and propose.")
        data["support_level"] = fields["support_level"]
    for key in ("allow_email_join", "is_public"):
        if key in fields:
            data[key] = bool(fields[key])
    if "languages" in fields:
        languages = _languages_clean(fields["languages"])
        if languages is None:
            errors["languages"] = _("Choose at least one language among those the site offers.")
        data["languages"] = languages
    if errors:
        raise FieldErrors(errors)
    return data


def campaign_create(*, by, organisation: Organisation, name: str, slug: str, territory: str, **fields) -> Campaign:
    """A new campaign of ``organisation``; returns it. Keyword arguments: those of ``CAMPAIGN_FIELDS``.

    The caller has checked ``residents.rules.can_create_campaign(by, organisation)``; the back office
    goes through ``dashboard.services.campaign_open``, which also makes ``by`` an organiser of it.
    A campaign starts with no phase, theme or sector: the launch checklist lists what is missing.
    """
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"campaign_create: unknown fields {sorted(unknown)}")
    values = {key: default for key, default in CAMPAIGN_FIELDS.items() if default is not None}
    values.update(fields, name=name, slug=slug, territory=territory)
    if values.get("languages") is None:
        values["languages"] = [code for code, _name in settings.LANGUAGES]
    data = campaign_fields_clean(values)
    with transaction.atomic():
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(organisation=organisation, **data)
        except IntegrityError:  # the same address taken meanwhile
            raise FieldErrors({"slug": _("Another campaign already uses this address: choose another one.")}) from None
        log_action("campaigns.campaign.created", actor=by, scope=campaign.slug, target=campaign,
                   organisation=organisation.slug, **_audit(by))
    return campaign


def campaign_update(*, by, campaign: Campaign, slug_locked: bool, **fields) -> Campaign:
    """Change the campaign's settings (only the fields given). The caller has checked
    ``residents.rules.can_manage_campaign``.

    ``slug_locked``: letters were generated, and printed letters carry the address (``/c/<slug>/``);
    the caller reads it from ``letters.selectors.letters_generated`` (campaigns cannot). The address
    is then refused, with the reason, and nothing changes.
    """
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"campaign_update: unknown fields {sorted(unknown)}")
    data = campaign_fields_clean(fields, campaign=campaign)
    if slug_locked and data.get("slug", campaign.slug) != campaign.slug:
        raise FieldErrors({"slug": _("Letters were already generated with this address: it can no longer "
                                     "change, or residents could not find the campaign from their letter.")})
    changed = sorted(key for key, value in data.items() if getattr(campaign, key) != value)
    if not changed:
        return campaign
    old_slug = campaign.slug
    with transaction.atomic():
        for key in changed:
            setattr(campaign, key, data[key])
        try:
            with transaction.atomic():
                campaign.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            campaign.slug = old_slug
            raise FieldErrors({"slug": _("Another campaign already uses this address: choose another one.")}) from None
        extra = {"old_slug": old_slug} if "slug" in changed else {}
        log_action("campaigns.campaign.updated", actor=by, scope=campaign.slug, target=campaign, fields=changed,
                   **extra, **_audit(by))
    return campaign


def campaign_archive(*, by, campaign: Campaign) -> Campaign:
    """The campaign leaves the public lists and accepts no new participation; nothing is erased.
    The caller has checked ``residents.rules.can_manage_campaign``."""
    with transaction.atomic():
        now = timezone.now()
        if not Campaign.objects.filter(pk=campaign.pk, archived_at__isnull=True).update(archived_at=now,
                                                                                        updated_at=now):
            raise CampaignAlreadyArchived()
        campaign.archived_at = now
        log_action("campaigns.campaign.archived", actor=by, scope=campaign.slug, target=campaign, **_audit(by))
    return campaign


def campaign_restore(*, by, campaign: Campaign) -> Campaign:
    """Undo ``campaign_archive``. The caller has checked ``residents.rules.can_manage_campaign``."""
    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign.pk, archived_at__isnull=False).update(archived_at=None,
                                                                                         updated_at=timezone.now()):
            raise CampaignNotArchived()
        campaign.archived_at = None
        log_action("campaigns.campaign.restored", actor=by, scope=campaign.slug, target=campaign, **_audit(by))
    return campaign


def consent_text_add(*, by, campaign: Campaign, text: str) -> ConsentText:
    """A new version of the text residents accept when joining; earlier versions are kept as they were.
    The caller has checked ``residents.rules.can_manage_campaign``."""
    text = clean_block(text or "")
    if not text:
        raise FieldErrors({"text": _("Write the text residents accept when they join.")})
    if len(text) > CONSENT_MAX:
        raise FieldErrors({"text": _("This text is limited to %(max)s characters.") % {"max": CONSENT_MAX}})
    with transaction.atomic():
        # The campaign row's lock orders two editors: each gets its own version number.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        current = ConsentText.objects.filter(campaign=campaign).order_by("-version").first()
        if current is not None and current.text == text:
            raise ConsentTextUnchanged()
        version = (ConsentText.objects.filter(campaign=campaign).aggregate(v=Max("version"))["v"] or 0) + 1
        consent = ConsentText.objects.create(campaign=campaign, version=version, text=text,
                                             created_by=by if getattr(by, "is_authenticated", False) else None)
        log_action("campaigns.consent_text.added", actor=by, scope=campaign.slug, target=consent, version=version,
                   **_audit(by))
    return consent


# --------------------------------------------------------------------------------------------------
# The phase calendar and the sectors, edited by the campaign's organisers (issue 10).
# --------------------------------------------------------------------------------------------------

# Door to door collects supports while participation is open: the one pair of phases that may
# run at the same time. Every other pair is refused when their dates overlap.
CONCURRENT_PHASES = {frozenset({PhaseKind.PARTICIPATION, PhaseKind.DOOR_TO_DOOR})}
PHASE_SUMMARY_MAX = 300
SECTOR_NAME_MAX = 120
SECTOR_CODE_MAX = 40
_SECTOR_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The organiser role's value (``residents.models.Role.ORGANISER``): ``campaigns`` sits below
# ``residents`` in the import contracts, so it reads the role through the reverse relation.
_ORGANISER = "organiser"


def _may_organise(by, campaign: Campaign) -> bool:
    """The same answer as ``residents.rules.is_organiser``, for the services of this app."""
    if by is None or not getattr(by, "is_authenticated", False) or not by.is_active:
        return False
    if by.is_superuser:
        return True
    return campaign.memberships.filter(user=by, role=_ORGANISER).exists()


def _require_organiser(by, campaign: Campaign, error) -> None:
    # Staff-only: anyone else is told what a missing object tells (the one refusal rule).
    if not _may_organise(by, campaign):
        raise error()


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "j F Y H:i")


def _kind_label(kind: str) -> str:
    return str(PhaseKind(kind).label)


def _lock(campaign: Campaign) -> None:
    """Serialise the calendar's writers: two organisers saving at once cannot both pass the checks."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    campaign.__dict__.pop("_phases", None)  # campaigns.selectors.campaign_phases reads afresh


def phase_errors(*, campaign: Campaign, kind, starts_at, ends_at, summary: str = "",
                 phase_id: int | None = None, against_others: bool = True) -> dict:
    """What is wrong with these values for a phase of ``campaign`` (``phase_id``: the phase being edited).

    Rules: a known kind, one phase per kind, a start and an end, the end after the start, no
    overlap with another phase (door to door may run during participation), and the process order
    of ``PHASE_ORDER``: a phase may not start before a phase that comes earlier in the process.
    """
    errors: dict[str, str] = {}
    if kind not in PHASE_ORDER:
        errors["kind"] = _("Choose one of the phases of the process.")
    if starts_at is None:
        errors["starts_at"] = _("Give the date and time the phase starts.")
    if ends_at is None:
        errors["ends_at"] = _("Give the date and time the phase ends.")
    if len(summary) > PHASE_SUMMARY_MAX:
        errors["summary"] = _("The description is limited to %(max)s characters.") % {"max": PHASE_SUMMARY_MAX}
    if errors:
        return errors
    if ends_at <= starts_at:
        errors["ends_at"] = _("The phase must end after it starts.")
    if errors or not against_others:
        return errors
    others = [p for p in Phase.objects.filter(campaign=campaign).order_by("starts_at", "id") if p.pk != phase_id]
    if any(p.kind == kind for p in others):
        errors["kind"] = _("This campaign already has a “%(phase)s” phase: edit it instead.") % {
            "phase": _kind_label(kind)}
        return errors
    rank = PHASE_ORDER.index(kind)
    for other in others:
        other_rank = PHASE_ORDER.index(other.kind)
        values = {"phase": _kind_label(other.kind), "start": _when(other.starts_at), "end": _when(other.ends_at)}
        if other_rank < rank and starts_at < other.starts_at:
            errors.setdefault("starts_at", _(
                "The “%(phase)s” phase comes earlier in the process: this phase may not start before it "
                "(%(start)s).") % values)
        elif other_rank > rank and starts_at > other.starts_at:
            errors.setdefault("starts_at", _(
                "The “%(phase)s” phase comes later in the process: this phase must start before it "
                "(%(start)s).") % values)
        elif (starts_at < other.ends_at and other.starts_at < ends_at
              and frozenset({kind, other.kind}) not in CONCURRENT_PHASES):
            field = "starts_at" if other.starts_at <= starts_at else "ends_at"
            errors.setdefault(field, _(
                "These dates overlap the “%(phase)s” phase (%(start)s – %(end)s).") % values)
    return errors


def _phase_values(*, campaign, kind, starts_at, ends_at, summary, phase_id=None, against_others=True) -> dict:
    summary = clean_line(summary or "")
    errors = phase_errors(campaign=campaign, kind=kind, starts_at=starts_at, ends_at=ends_at, summary=summary,
                          phase_id=phase_id, against_others=against_others)
    if errors:
        raise FieldErrors(errors)
    return {"kind": kind, "starts_at": starts_at, "ends_at": ends_at, "summary": summary}


def _audit_phase(code: str, by, phase: Phase, **data) -> None:
    log_action(code, actor=by, scope=phase.campaign.slug, target=phase, kind=phase.kind,
               starts_at=phase.starts_at.isoformat(), ends_at=phase.ends_at.isoformat(),
               is_closed=phase.is_closed, **data)


def phase_create(*, by, campaign: Campaign, kind: str, starts_at, ends_at, summary: str = "",
                 is_closed: bool = False) -> Phase:
    """Add a phase to the campaign's calendar (organisers only). Raises ``FieldErrors`` for bad values."""
    _require_organiser(by, campaign, PhaseNotFound)
    with transaction.atomic():
        _lock(campaign)
        values = _phase_values(campaign=campaign, kind=kind, starts_at=starts_at, ends_at=ends_at, summary=summary)
        try:
            with transaction.atomic():
                phase = Phase.objects.create(campaign=campaign, is_closed=bool(is_closed), **values)
        except IntegrityError:  # the same kind added at the same instant elsewhere
            raise FieldErrors({"kind": _("This campaign already has a “%(phase)s” phase: edit it instead.") % {
                "phase": _kind_label(kind)}}) from None
        _audit_phase("campaigns.phase.created", by, phase)
    campaign.__dict__.pop("_phases", None)
    return phase


def _phase_for(campaign: Campaign, phase_id) -> Phase:
    try:
        phase_id = int(phase_id)
    except (TypeError, ValueError):
        raise PhaseNotFound() from None
    phase = Phase.objects.select_for_update().filter(campaign=campaign, pk=phase_id).first()
    if phase is None:
        raise PhaseNotFound()
    return phase


def phase_update(*, by, campaign: Campaign, phase_id, kind: str, starts_at, ends_at, summary: str = "",
                 is_closed: bool = False) -> Phase:
    """Change a phase's kind, dates, description or closing. Raises ``FieldErrors`` for bad values."""
    _require_organiser(by, campaign, PhaseNotFound)
    with transaction.atomic():
        _lock(campaign)
        phase = _phase_for(campaign, phase_id)
        # Same kind and dates: only the description or the closing changes, so a calendar saved
        # before these rules existed does not stop an organiser from closing a phase early.
        unmoved = (kind, starts_at, ends_at) == (phase.kind, phase.starts_at, phase.ends_at)
        values = _phase_values(campaign=campaign, kind=kind, starts_at=starts_at, ends_at=ends_at, summary=summary,
                               phase_id=phase.pk, against_others=not unmoved)
        before = {"kind": phase.kind, "starts_at": phase.starts_at.isoformat(),
                  "ends_at": phase.ends_at.isoformat(), "is_closed": phase.is_closed}
        for name, value in values.items():
            setattr(phase, name, value)
        phase.is_closed = bool(is_closed)
        phase.save()
        _audit_phase("campaigns.phase.updated", by, phase, before=before)
    campaign.__dict__.pop("_phases", None)
    return phase


def phase_delete(*, by, campaign: Campaign, phase_id) -> None:
    """Remove a phase from the calendar (what depends on it: ``campaigns.selectors.phase_dependents``)."""
    _require_organiser(by, campaign, PhaseNotFound)
    with transaction.atomic():
        _lock(campaign)
        phase = _phase_for(campaign, phase_id)
        _audit_phase("campaigns.phase.deleted", by, phase)
        phase.delete()
    campaign.__dict__.pop("_phases", None)


def _sector_name(campaign: Campaign, name: str, *, sector_id=None) -> str:
    name = clean_line(name or "")
    if not name:
        raise FieldErrors({"name": _("Give the sector a name.")})
    if len(name) > SECTOR_NAME_MAX:
        raise FieldErrors({"name": _("The name is limited to %(max)s characters.") % {"max": SECTOR_NAME_MAX}})
    taken = Sector.objects.filter(campaign=campaign, name__iexact=name).exclude(pk=sector_id)
    if taken.exists():
        raise FieldErrors({"name": _("Another sector of this campaign already has this name.")})
    return name


def _sector_code(campaign: Campaign, name: str, code: str | None) -> str:
    taken = set(Sector.objects.filter(campaign=campaign).values_list("code", flat=True))
    if code:  # given by the caller: checked, never changed
        code = code.strip().lower()
        if len(code) > SECTOR_CODE_MAX or not _SECTOR_CODE.fullmatch(code):
            raise FieldErrors({"code": _("The code is made of lower-case letters, digits and dashes "
                                         "(at most %(max)s).") % {"max": SECTOR_CODE_MAX}})
        if code in taken:
            raise FieldErrors({"code": _("Another sector of this campaign already has this code.")})
        return code
    base = slugify(name)[:SECTOR_CODE_MAX - 4].strip("-") or "secteur"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def sector_create(*, by, campaign: Campaign, name: str, code: str | None = None) -> Sector:
    """A new sector; its code (used in household files and quotas) comes from the name unless given."""
    _require_organiser(by, campaign, SectorNotFound)
    with transaction.atomic():
        _lock(campaign)
        name = _sector_name(campaign, name)
        sector = Sector.objects.create(campaign=campaign, name=name, code=_sector_code(campaign, name, code))
        log_action("campaigns.sector.created", actor=by, scope=campaign.slug, target=sector, name=sector.name,
                   sector_code=sector.code)
    return sector


def _sector_for(campaign: Campaign, sector_id) -> Sector:
    try:
        sector_id = int(sector_id)
    except (TypeError, ValueError):
        raise SectorNotFound() from None
    sector = Sector.objects.select_for_update().filter(campaign=campaign, pk=sector_id).first()
    if sector is None:
        raise SectorNotFound()
    return sector


def sector_rename(*, by, campaign: Campaign, sector_id, name: str) -> Sector:
    """A new name; the code stays, so household files and quotas that name it keep working."""
    _require_organiser(by, campaign, SectorNotFound)
    with transaction.atomic():
        _lock(campaign)
        sector = _sector_for(campaign, sector_id)
        name = _sector_name(campaign, name, sector_id=sector.pk)
        before, sector.name = sector.name, name
        sector.save(update_fields=["name"])
        log_action("campaigns.sector.renamed", actor=by, scope=campaign.slug, target=sector, name=name,
                   before=before)
    return sector


def sector_row_delete(*, by, campaign: Campaign, sector_id) -> None:
    """The row only, once every other app has moved or checked its rows: call
    ``dashboard.services.sector_delete`` or ``sector_merge``, which do that in one transaction and audit it."""
    _require_organiser(by, campaign, SectorNotFound)
    with transaction.atomic():
        _sector_for(campaign, sector_id).delete()


def sector_get_for_update(*, by, campaign: Campaign, sector_id) -> Sector:
    """The sector, locked until the caller's transaction ends (organisers only)."""
    _require_organiser(by, campaign, SectorNotFound)
    return _sector_for(campaign, sector_id)


# --------------------------------------------------------------------------------------------------
# The election calendar (issue 14): the rounds whose eves freeze the public pages (article L49).
# --------------------------------------------------------------------------------------------------

def _round_for(campaign: Campaign, number) -> ElectionRound | None:
    return ElectionRound.objects.filter(campaign=campaign, number=number).first()


def election_round_save(*, by, campaign: Campaign, number, vote_date, polls_close) -> ElectionRound:
    """Set the date of round ``number`` (1 or 2) and the time the polls close. Round 2 comes after
    round 1 (municipales: a week later); a date already past is refused for a new round."""
    _require_organiser(by, campaign, ElectionRoundNotFound)
    errors = {}
    if number not in (1, 2):
        errors["number"] = _("Choose round 1 or round 2.")
    if vote_date is None:
        errors["vote_date"] = _("Give the date of the vote.")
    if polls_close is None:
        errors["polls_close"] = _("Give the time the polls close (18:00, 19:00 or 20:00).")
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        _lock(campaign)
        existing = _round_for(campaign, number)
        other = _round_for(campaign, 2 if number == 1 else 1)
        if existing is None and vote_date < timezone.localdate():
            errors["vote_date"] = _("This date is past: give the date of a vote to come.")
        elif number == 2 and other is not None and vote_date <= other.vote_date:
            errors["vote_date"] = _("Round 2 comes after round 1 (%(date)s).") % {
                "date": formats.date_format(other.vote_date, "j F Y")}
        elif number == 1 and other is not None and vote_date >= other.vote_date:
            errors["vote_date"] = _("Round 1 comes before round 2 (%(date)s).") % {
                "date": formats.date_format(other.vote_date, "j F Y")}
        if errors:
            raise FieldErrors(errors)
        if existing is None:
            existing = ElectionRound.objects.create(campaign=campaign, number=number, vote_date=vote_date,
                                                    polls_close=polls_close)
        else:
            existing.vote_date, existing.polls_close = vote_date, polls_close
            existing.save()
        log_action("campaigns.election_round.saved", actor=by, scope=campaign.slug, target=existing, round=number,
                   date=vote_date.isoformat(), polls_close=polls_close.strftime("%H:%M"))
    campaign.__dict__.pop("_election_rounds", None)
    return existing


def election_round_delete(*, by, campaign: Campaign, number) -> None:
    _require_organiser(by, campaign, ElectionRoundNotFound)
    with transaction.atomic():
        _lock(campaign)
        existing = _round_for(campaign, number)
        if existing is None:
            raise ElectionRoundNotFound()
        log_action("campaigns.election_round.deleted", actor=by, scope=campaign.slug, target=existing, round=number)
        existing.delete()
    campaign.__dict__.pop("_election_rounds", None)

"""Writes about campaigns: their phase calendar and sectors. One function per act, audited."""

import re

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors
from concerto.core.text import clean_line

from .errors import PhaseNotFound, SectorNotFound
from .models import PHASE_ORDER, Campaign, Phase, PhaseKind, Sector

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

"""Households, batches of letters and their tracking: organisers of the campaign only.

Every endpoint needs a token (401 without) and the organiser role in the campaign: anyone else,
residents and other teams included, gets 404 ``not_found``, the answer for a campaign that does not
exist (the refusal rule, docs/architecture.md). Invitation codes are only ever served here,
to organisers, in the households list (``active_code``): they need them to reprint or read a
code over the phone. The PDF of a batch is downloaded from the website (``download_url``), where
the organiser is signed in; the API never serves the file.
"""

from datetime import date, datetime
from typing import Literal

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import FieldErrors
from concerto.core.http import require
from concerto.letters import rules, selectors, services
from concerto.letters.codes import format_code
from concerto.letters.models import BatchKind, BatchStatus

from .auth import token_required
from .pagination import paginate
from .schemas import NOT_FOUND, READ_ERRORS, WRITE_ERRORS, Error, PageInfo, PageParams

router = Router(tags=["letters"])

ORGANISER = {"auth": token_required}
READ = {**READ_ERRORS, **NOT_FOUND}


def _campaign(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_manage_letters(request.auth, campaign))
    return campaign


# --- Schemas ------------------------------------------------------------------------------------


class HouseholdFilters(PageParams):
    sector: str = Field("", max_length=40, pattern=r"^[-a-zA-Z0-9_]*$",
                        description='Code of a sector of the campaign, or "none" for households without sector.')
    used: Literal["used", "unused", "revoked"] | None = Field(
        None, description="Active code used at least once, never used, or a letter was re-issued.")
    q: str = Field("", max_length=100, pattern=r"^[^\x00]*$", description="Words of the address or the name.")


class HouseholdOut(Schema):
    id: int
    name: str
    address_lines: list[str] = Field(..., description="As printed in the envelope window.")
    address_line1: str
    address_line2: str
    address_line3: str
    postcode: str
    city: str
    sector: str | None = Field(..., description="Code of the household's sector.")
    active_code: str | None = Field(..., description="The code printed on the current letter (organisers only).")
    code_uses: int | None
    code_max_uses: int | None
    created_at: datetime

    @staticmethod
    def resolve_sector(obj) -> str | None:
        return obj.sector.code if obj.sector_id else None

    @staticmethod
    def resolve_active_code(obj) -> str | None:
        code = selectors.active_code(obj)
        return format_code(code.code) if code else None

    @staticmethod
    def resolve_code_uses(obj) -> int | None:
        code = selectors.active_code(obj)
        return code.use_count if code else None

    @staticmethod
    def resolve_code_max_uses(obj) -> int | None:
        code = selectors.active_code(obj)
        return code.max_uses if code else None


class HouseholdPage(PageInfo):
    items: list[HouseholdOut]


class BatchOut(Schema):
    id: int
    kind: Literal[tuple(BatchKind.values)]  # type: ignore[valid-type]
    status: Literal[tuple(BatchStatus.values)]  # type: ignore[valid-type]
    total: int = Field(..., description="Letters in the batch.")
    done: int = Field(..., description="Letters generated so far.")
    percent: int
    error: str = Field(..., description="Why the generation failed (status failed).")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    sent_at: datetime | None = Field(..., description="When the organiser marked it printed and posted.")
    download_url: str | None = Field(..., description="Website page that downloads the PDF (signed-in organisers).")

    @staticmethod
    def resolve_percent(obj) -> int:
        return selectors.batch_percent(obj)

    @staticmethod
    def resolve_download_url(obj) -> str | None:
        if not obj.is_downloadable:
            return None
        return reverse("letters:batch_download", args=[obj.campaign.slug, obj.pk])


class BatchPage(PageInfo):
    items: list[BatchOut]


class BatchIn(Schema):
    kind: Literal["invitation", "reminder"] = Field(
        "invitation", description="Invitations, or reminders for households whose code is still unused and "
                                  "whose letter was posted at least the letter settings' number of days ago.")
    scope: Literal["new", "all"] = Field(
        "new", description="Invitations only: households that never had a letter (invitation or re-issue), or all "
                           "households.")


class SectorFigures(Schema):
    sector: str | None = Field(..., description="Sector name; null for households without sector.")
    households: int
    letters_sent: int
    codes_used: int
    percent_used: float
    residents_by_code: int

    @staticmethod
    def resolve_sector(obj) -> str | None:
        return obj["name"]


class DayFigures(Schema):
    day: date
    letters_sent: int
    codes_first_used: int


class LetterStatsOut(Schema):
    households: int
    letters_sent: int = Field(..., description="Households whose letter is in a batch marked posted.")
    codes_used: int = Field(..., description="Codes used at least once.")
    percent_used: float = Field(..., description="codes_used / letters_sent, in percent.")
    residents_by_code: int = Field(..., description="Residents who joined with a code.")
    by_sector: list[SectorFigures]
    by_day: list[DayFigures]


# --- Endpoints ----------------------------------------------------------------------------------


@router.get("/{slug}/households", response={200: HouseholdPage, **READ},
            summary="Households of the campaign with their active code (organisers only)", **ORGANISER)


def list_households(request, slug: str, filters: Query[HouseholdFilters]):
    campaign = _campaign(request, slug)
    return paginate(
        selectors.household_list(campaign, sector=filters.sector, used=filters.used or "", q=filters.q), filters)


@router.get("/{slug}/letters/batches", response={200: BatchPage, **READ},
            summary="Batches of letters, newest first (organisers only)", **ORGANISER)


def list_batches(request, slug: str, pages: Query[PageParams]):
    campaign = _campaign(request, slug)
    return paginate(selectors.batch_list(campaign).select_related("campaign"), pages)


@router.get("/{slug}/letters/batches/{batch_id}", response={200: BatchOut, **READ},
            summary="One batch of letters and its progress (organisers only)", **ORGANISER)


def get_batch(request, slug: str, batch_id: int):
    campaign = _campaign(request, slug)
    batch = selectors.batch_get(campaign, batch_id)
    batch.campaign = campaign
    return batch


@router.post("/{slug}/letters/batches", response={202: BatchOut, **WRITE_ERRORS},
             summary="Generate a batch of invitations or reminders (202: poll the batch for its status)",
             **ORGANISER)


def create_batch(request, slug: str, payload: BatchIn | None = None):
    campaign = _campaign(request, slug)
    payload = payload or BatchIn()
    batch = services.batch_create(user=request.auth, campaign=campaign, kind=payload.kind, scope=payload.scope,
                                  join_url=selectors.join_url(campaign, request))
    batch.refresh_from_db()
    batch.campaign = campaign
    return Status(202, batch)


@router.get("/{slug}/letters/stats", response={200: LetterStatsOut, **READ},
            summary="Letters sent, codes used, by sector and by day (organisers only)", **ORGANISER)


def letter_stats(request, slug: str):
    campaign = _campaign(request, slug)
    figures = selectors.figures_with_rate(campaign)
    return {**figures, "by_sector": selectors.tracking_by_sector(campaign),
            "by_day": selectors.tracking_by_day(campaign)}


# --- Correcting households (the twins of the household page and of undoing an import) -----------

CONFLICT = {409: Error}


class HouseholdPatch(Schema):
    """Only the fields given change. Address fields are checked as a line of the import file."""

    name: str | None = Field(None, max_length=200)
    address_line1: str | None = Field(None, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    address_line3: str | None = Field(None, max_length=200)
    postcode: str | None = Field(None, max_length=12)
    city: str | None = Field(None, max_length=120)
    sector: str | None = Field(None, max_length=40, description=(
        'A sector code chosen by hand (the street rules never change it afterwards), "none" for no sector '
        'chosen by hand, or "rules" to hand the sector back to the street rules.'))


class HouseholdDeleteIn(Schema):
    reason: str = Field(..., max_length=200, description="Why (3 to 200 characters), kept in the audit trail.")


class ImportUndoOut(Schema):
    removed: int = Field(..., description="Households removed, their codes revoked.")
    kept: int = Field(..., description="Households kept: residents joined with their code, or their letter was "
                                       "posted, or it is in a batch being generated or failed.")


ADDRESS_FIELDS = ("name", "address_line1", "address_line2", "address_line3", "postcode", "city")


@router.patch("/{slug}/households/{household_id}", response={200: HouseholdOut, **WRITE_ERRORS, **CONFLICT},
              summary="Correct a household's address or choose its sector by hand (organisers only)", **ORGANISER)


def update_household(request, slug: str, household_id: int, payload: HouseholdPatch):
    campaign = _campaign(request, slug)
    household = selectors.household_get(campaign, household_id)
    given = payload.dict(exclude_unset=True)
    choice = given.get("sector")
    if choice is not None and choice not in ("none", "rules"):
        # Checked before anything is saved: a wrong sector changes nothing, the address included.
        sector = next((s for s in selectors.sectors_of(campaign) if s.code == choice), None)
        if sector is None:
            raise FieldErrors({"sector": _("Choose one of the campaign's sectors.")})
        choice = str(sector.pk)
    if any(given.get(field) is not None for field in ADDRESS_FIELDS):
        values = {field: given[field] if given.get(field) is not None else getattr(household, field)
                  for field in ADDRESS_FIELDS}
        services.household_update(user=request.auth, campaign=campaign, household_id=household.pk, **values)
    if choice is not None:
        services.household_sector_set(user=request.auth, campaign=campaign, household_id=household.pk,
                                      sector_id=choice)
    return selectors.household_get(campaign, household.pk)


@router.delete("/{slug}/households/{household_id}", response={204: None, **WRITE_ERRORS, **CONFLICT},
               summary="Delete a vacant household; its codes are revoked and kept (organisers only)", **ORGANISER)


def delete_household(request, slug: str, household_id: int, payload: HouseholdDeleteIn):
    campaign = _campaign(request, slug)
    services.household_delete(user=request.auth, campaign=campaign, household_id=household_id,
                              reason=payload.reason)
    return Status(204, None)


@router.post("/{slug}/households/imports/{import_id}/undo", response={200: ImportUndoOut, **WRITE_ERRORS, **CONFLICT},
             summary="Undo an import: remove its households nobody joined with and whose letter was not posted",
             **ORGANISER)


def undo_import(request, slug: str, import_id: int):
    campaign = _campaign(request, slug)
    return services.household_import_undo(user=request.auth, campaign=campaign, import_id=import_id)

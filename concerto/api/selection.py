"""Selections of workshop participants: the public audit, and the draw for organisers.

Reads accept anonymous callers and show published selections (stage 1 public onwards); drafts
answer 404 to anyone but the campaign's organisers (``selection_get_for``). The audit document is
``selection.json`` of the website, pseudonyms only: ``python verify.py selection.json`` re-checks it.
"""

from datetime import date, datetime
from typing import Any

from ninja import Field, Router, Schema

from concerto.campaigns.selectors import campaign_get
from concerto.core.http import require
from concerto.selection import rules, services
from concerto.selection.errors import NotComputed, SelectionNotFound
from concerto.selection.selectors import audit_document, selection_get_for, selections_for

from .auth import OPTIONAL_AUTH_DOC, token_optional, token_required
from .schemas import NOT_FOUND, READ_ERRORS, WRITE_ERRORS, Error

router = Router(tags=["selections"])

READ = {"auth": token_optional, "openapi_extra": OPTIONAL_AUTH_DOC}
WRITE = {"auth": token_required}


class SelectionOut(Schema):
    """One selection: its stage, and the public values of each stage once reached."""

    id: int
    title: str
    status: str = Field(..., description="draft, computing, infeasible, failed, published, announced or drawn.")
    panel_size: int
    pool_size: int = Field(..., description="Volunteers in the pool snapshot (0 before the computation).")
    pool_sha256: str
    method: str = Field(..., description="leximin or maximin; empty before the computation.")
    complete: bool = Field(..., description="False when the computation stopped at its time limit.")
    lowest_probability: float | None
    published_at: datetime | None
    announced_at: datetime | None
    random_source: str
    random_format: dict[str, Any] = Field(..., description="The exact format of the random value, fixed at the "
                                         "announcement: {\"kind\": \"lottery\", \"count\", \"low\", \"high\"}, "
                                         "{\"kind\": \"digits\", \"length\"} or {\"kind\": \"hex\", \"length\"}.")
    random_date: date | None = Field(None, description="The local day of random_known_at.")
    random_known_at: datetime | None = Field(None, description="The moment the random value is known, fixed at the "
                                             "announcement: the draw is refused before it (409 "
                                             "random_value_not_known_yet).")
    is_workshop_panel: bool = Field(..., description="The campaign's workshop panel: the only selection counted "
                                                     "in public figures.")
    archived_at: datetime | None = Field(None, description="Set when organisers archived it: listed only with "
                                                          "?archived=true, still readable here.")
    witnesses: str
    drawn_at: datetime | None
    random_value: str
    ticket: str
    panel_index: int | None

    @staticmethod
    def resolve_pool_size(obj) -> int:
        return len(obj.pool or [])


class DrawIn(Schema):
    random_value: str = Field(..., description="The announced public random value (1 to 200 characters). It must "
                                               "parse in the announced format (400 invalid_fields otherwise); its "
                                               "canonical form is stored and drawn with.")


@router.get("/{slug}/selections", response={200: list[SelectionOut], **READ_ERRORS, **NOT_FOUND},
            summary="Selections of a campaign (published ones; organisers also see drafts)", **READ)


def list_selections(request, slug: str, archived: bool = False):
    return selections_for(campaign_get(slug), request.auth, archived=archived)


@router.get("/{slug}/selections/{selection_id}", response={200: dict[str, Any], **READ_ERRORS, **NOT_FOUND},
            summary="The audit document of a selection (selection.json): pool, quotas, panels, draw", **READ)


def get_selection(request, slug: str, selection_id: int):
    selection = selection_get_for(request.auth, campaign_get(slug), selection_id)
    require(services.is_computed(selection), NotComputed)
    return audit_document(selection)


@router.post("/{slug}/selections/{selection_id}/draw",
             response={200: SelectionOut, 409: Error, **WRITE_ERRORS},
             summary="Draw the panel with the announced random value (organisers; 404 to anyone else, as for a "
                     "selection that does not exist; 409 if not announced, before the announced moment, or "
                     "already drawn)", **WRITE)


def draw_selection(request, slug: str, selection_id: int, payload: DrawIn):
    campaign = campaign_get(slug)
    # A staff-only act: refused before the lookup, so the answer is the same for every selection id.
    require(rules.can_manage_selection(request.auth, campaign), SelectionNotFound)
    selection = selection_get_for(request.auth, campaign, selection_id)
    return services.selection_draw(by=request.auth, selection=selection, random_value=payload.random_value)

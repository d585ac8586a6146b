"""Versions and amendments in the API (issue 15): read like the public pages, decide with a token.

Reads are public and anonymous, like the versions page: an action's versions with the diff of
each one against the previous (or of any two, ``?old=&new=``), and the campaign's amendments with
their decisions (decided ones only, unless the token is an organiser's). Deciding an amendment is
the organisers' act (a write token), through the same service as the page: a reason is required,
an accepted amendment makes a new version credited to its candidate, and a decision is final.
"""

from datetime import datetime
from typing import Literal

from ninja import Field, Router, Schema

from concerto.campaigns.selectors import campaign_get
from concerto.synthesis import diff, rules, selectors, services

from .auth import OPTIONAL_AUTH_DOC, token_optional, token_required
from .schemas import NOT_FOUND, READ_ERRORS, WRITE_ERRORS

router = Router(tags=["synthesis: versions and amendments"])

READ = {"auth": token_optional, "openapi_extra": OPTIONAL_AUTH_DOC}
WRITE = {"auth": token_required}


class VersionOut(Schema):
    number: int
    stage: str
    title: str
    summary: str
    body: str
    reason: str
    made_by: str = Field(..., description="Who made it, by role (never a resident's name).")
    amendment: int | None = Field(None, description="The amendment it integrates, crediting its candidate.")
    candidate: int | None
    created_at: datetime | None


class DiffRowOut(Schema):
    kind: Literal["equal", "changed", "inserted", "deleted", "moved_out", "moved_in"]
    old: str | None = Field(None, description="Left side, escaped text with <del> marks.")
    new: str | None = Field(None, description="Right side, escaped text with <ins> marks.")
    inline: str


class DiffFieldOut(Schema):
    name: Literal["title", "summary", "body"]
    changed: bool
    rows: list[DiffRowOut]


class DiffOut(Schema):
    old: int = Field(..., alias="from")
    new: int = Field(..., alias="to")
    changed: bool
    fields: list[DiffFieldOut]


class VersionsOut(Schema):
    action: int
    versions: list[VersionOut]
    diff: DiffOut | None


class AmendmentOut(Schema):
    id: int
    action: int
    candidate: int
    source: Literal["live", "written"]
    text: str
    quote_exact: str
    quote_prefix: str
    quote_suffix: str
    status: str
    opinion_until: datetime | None
    decision_reason: str
    decided_at: datetime | None
    version: int | None = Field(None, description="The version it made, when accepted.")

    @staticmethod
    def resolve_version(obj) -> int | None:
        version = getattr(obj, "version", None) if obj.status in ("accepted", "accepted_modified") else None
        return version.number if version else None

    @staticmethod
    def resolve_action(obj) -> int:
        return obj.action_id

    @staticmethod
    def resolve_candidate(obj) -> int:
        return obj.candidate_id


class DecisionIn(Schema):
    decision: Literal["accepted", "accepted_modified", "declined"]
    reason: str
    title: str = ""
    summary: str = ""
    body: str = ""


def _version_out(v, action) -> dict:
    return {"number": v.number, "stage": v.stage, "title": v.title, "summary": v.summary, "body": v.body,
            "reason": v.reason, "made_by": selectors.version_author_role(v, action),
            "amendment": v.amendment_id, "candidate": v.amendment.candidate_id if v.amendment_id else None,
            "created_at": v.created_at}


@router.get("/{slug}/actions/{action_id}/versions", response={200: VersionsOut, **READ_ERRORS, **NOT_FOUND},
            summary="An action's versions, and the diff of two of them (by default the last two)", **READ)
def list_versions(request, slug: str, action_id: int, old: int | None = None, new: int | None = None):
    action = selectors.public_action_get(campaign_get(slug), action_id)
    page = selectors.versions_page(action, old, new)
    comparison = page["comparison"]
    return {"action": action.pk, "versions": [_version_out(v, action) for v in page["versions"]],
            "diff": comparison.as_dict() if isinstance(comparison, diff.VersionDiff) else None}


@router.get("/{slug}/amendments", response={200: list[AmendmentOut], **READ_ERRORS, **NOT_FOUND},
            summary="The candidates' amendments with their decisions (organisers also see those not decided)",
            **READ)
def list_amendments(request, slug: str, status: str = "", candidate: str = "", theme: str = ""):
    campaign = campaign_get(slug)
    staff = rules.can_view_synthesis_back_office(request.auth, campaign)
    return selectors.amendment_list(campaign, status=status, candidate=candidate, theme=theme,
                                    decided_only=not staff)


@router.post("/{slug}/amendments/{amendment_id}/decision", response={200: AmendmentOut, **WRITE_ERRORS},
             summary="Decide an amendment: accept (with the new text), accept with changes, or decline; "
                     "a reason is required", **WRITE)
def decide(request, slug: str, amendment_id: int, payload: DecisionIn):
    campaign = campaign_get(slug)
    services.amendment_decide(by=request.auth, campaign=campaign, amendment_id=amendment_id,
                              decision=payload.decision, reason=payload.reason, title=payload.title,
                              summary=payload.summary, body=payload.body)
    return selectors.amendment_get(campaign, amendment_id)

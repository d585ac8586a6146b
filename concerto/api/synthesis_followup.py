"""The follow-up board in the API: after the election, the elected list's commitments with their
Obameter status, each commitment's dated timeline, and adding an update with a write token.

Reads are public and anonymous, like the board. Adding an update is for the campaign's organisers
(``synthesis.rules.can_manage_synthesis``), with a personal token made for writing; anyone else gets
the JSON 404 of a commitment that does not exist. It calls the page's service: same checks (title,
date neither in the future nor before the election, https evidence), same audit entry, same e-mails
to subscribers. A ``client_id`` already recorded with the same content answers 200 and adds nothing.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import FieldErrors
from concerto.synthesis import selectors, services

from .auth import OPTIONAL_AUTH_DOC, token_optional, token_required
from .schemas import NOT_FOUND, READ_ERRORS, WRITE_ERRORS

router = Router(tags=["follow-up"])

READ = {"auth": token_optional, "openapi_extra": OPTIONAL_AUTH_DOC}
StatusValue = Literal["not_rated", "in_the_works", "stalled", "kept", "compromise", "broken"]


class ElectedOut(Schema):
    candidate: int
    name: str
    list_name: str
    round_number: int
    election_day: dt.date | None


class TallyOut(Schema):
    status: StatusValue
    label: str
    count: int
    percent: int = Field(..., description="Share of the commitments, rounded.")


class CommitmentOut(Schema):
    id: int
    action: int
    title: str
    theme: str
    stance: str = Field(..., description="The list's position that made it a commitment: commits, favourable, "
                                         "with_changes.")
    status: StatusValue
    status_since: dt.date


class UpdateOut(Schema):
    id: int
    client_id: str
    date: dt.date
    status: StatusValue
    title: str
    note: str
    evidence_url: str


class BoardOut(Schema):
    elected: ElectedOut | None
    tally: list[TallyOut]
    commitments: list[CommitmentOut]


class TimelineOut(CommitmentOut):
    updates: list[UpdateOut] = Field(..., description="Latest first, by date.")


class UpdateIn(Schema):
    title: str = Field(..., max_length=140)
    date: dt.date
    status: StatusValue
    note: str = Field("", max_length=2000)
    evidence_url: str = Field("", max_length=200, description="https:// only.")
    client_id: str = Field(..., max_length=64, description="A UUID chosen by the client: a retry adds nothing.")


def _commitment(c) -> dict:
    return {"id": c.pk, "action": c.action_id, "title": c.action.title,
            "theme": c.action.theme.name if c.action.theme else "", "stance": c.stance, "status": c.status,
            "status_since": c.status_since}


def _update(u) -> dict:
    return {"id": u.pk, "client_id": str(u.client_id), "date": u.happened_on, "status": u.status, "title": u.title,
            "note": u.note, "evidence_url": u.evidence_url}


@router.get("/{slug}/followup", response={200: BoardOut, **READ_ERRORS, **NOT_FOUND},
            summary="The follow-up board: the elected list, its commitments and their statuses", **READ)
def board(request, slug: str):
    campaign = campaign_get(slug)
    chosen = selectors.elected_list(campaign)
    items = selectors.commitments(campaign)
    return {
        "elected": None if chosen is None else {
            "candidate": chosen.candidate_id, "name": chosen.candidate.name, "list_name": chosen.candidate.list_name,
            "round_number": chosen.round_number, "election_day": selectors.election_day(campaign)},
        "tally": [{**{k: row[k] for k in ("status", "count", "percent")}, "label": str(row["label"])}
                  for row in selectors.status_tally(c.status for c in items)],
        "commitments": [_commitment(c) for c in items],
    }


@router.get("/{slug}/followup/commitments/{commitment_id}", response={200: TimelineOut, **READ_ERRORS, **NOT_FOUND},
            summary="One commitment and its dated timeline", **READ)
def timeline(request, slug: str, commitment_id: int):
    found = selectors.commitment_get(campaign_get(slug), commitment_id)
    return {**_commitment(found), "updates": [_update(u) for u in selectors.commitment_timeline(found)]}


@router.post("/{slug}/followup/commitments/{commitment_id}/updates",
             response={200: UpdateOut, 201: UpdateOut, **WRITE_ERRORS},
             summary="Add a dated update (organisers): it sets the commitment's status", auth=token_required)
def add_update(request, slug: str, commitment_id: int, payload: UpdateIn):
    try:
        update, created = services.commitment_update_add(
            by=request.auth, campaign=campaign_get(slug), commitment_id=commitment_id, title=payload.title,
            happened_on=payload.date, status=payload.status, note=payload.note, evidence_url=payload.evidence_url,
            client_id=payload.client_id)
    except FieldErrors as exc:
        raise FieldErrors({("date" if k == "happened_on" else k): v for k, v in exc.errors.items()}) from None
    return (201 if created else 200), _update(update)

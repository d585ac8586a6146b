"""A workshop's wall in the API: its public minutes, ideas, themes and vote totals.

Public and anonymous (a token changes nothing), never a person's name nor one person's dots. What
the room has not revealed is not here either: ideas and themes from the reveal on, vote totals once
the vote is closed, the minutes once the wall is closed. Before that, the JSON 404 that a missing
workshop gets (``workshop_not_found``). The sessions themselves: ``api/workshops.py``.
"""

from datetime import datetime

from django.urls import reverse
from ninja import Router, Schema

from concerto.campaigns.selectors import campaign_get
from concerto.workshops import rules, selectors
from concerto.workshops.errors import WorkshopNotFound

from .auth import OPTIONAL_AUTH_DOC, token_optional
from .schemas import NOT_FOUND, READ_ERRORS

router = Router(tags=["workshops"], auth=token_optional)
READ = {"openapi_extra": OPTIONAL_AUTH_DOC}


class IdeaOut(Schema):
    id: int
    prompt: str
    text: str
    place: str
    theme_id: int | None
    merged_into: int | None
    proxy: bool
    dots: int | None = None


class WallThemeOut(Schema):
    id: int
    name: str
    idea_count: int
    dots: int | None = None


class VoteOut(Schema):
    kind: str
    id: int
    label: str
    dots: int
    voters: int
    rank: int
    tied: bool


class AttendanceOut(Schema):
    invited: int
    present: int
    excused: int
    absent: int
    walk_ins: int


class MinutesThemeOut(Schema):
    id: int
    name: str
    idea_count: int
    ideas: list[str]


class MinutesSheetOut(Schema):
    title: str
    problem: str
    proposal: str
    place: str
    actors: list[str]
    cost: str
    horizon: str
    action_id: int | None
    action_url: str | None


class MinutesOut(Schema):
    id: int
    number: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    attendance: AttendanceOut
    prompts: dict[str, int]
    themes: list[MinutesThemeOut]
    ungrouped: list[str]
    votes: list[VoteOut]
    sheets: list[MinutesSheetOut]
    pdf_url: str | None


def _workshop(slug, workshop_id):
    return selectors.workshop_get(campaign_get(slug), workshop_id)


def _revealed(slug, workshop_id):
    workshop = _workshop(slug, workshop_id)
    if not workshop.is_revealed or workshop.cancelled_at is not None:
        raise WorkshopNotFound()
    return workshop


def _public_data(workshop):
    # Anonymous rules: the same for every caller, whatever their token.
    return selectors.export_data(workshop, staff=False, with_votes=rules.can_see_vote_totals(None, workshop))


@router.get("/{slug}/workshops/{workshop_id}/minutes", response={200: MinutesOut, **READ_ERRORS, **NOT_FOUND},
            summary="The minutes of a closed workshop (counts, ideas by theme, votes, sheets; no names)", **READ)
def get_minutes(request, slug: str, workshop_id: int):
    workshop = _workshop(slug, workshop_id)
    if not workshop.is_closed:
        raise WorkshopNotFound()
    m = selectors.minutes(workshop)
    slug = workshop.campaign.slug
    return {
        "id": workshop.pk, "number": workshop.number, "title": workshop.title, "starts_at": workshop.starts_at,
        "ends_at": workshop.ends_at, "place": workshop.place, "attendance": m["attendance"],
        "prompts": {p["value"]: p["count"] for p in m["prompts"]},
        "themes": [{"id": t["id"], "name": t["name"], "idea_count": t["idea_count"],
                    "ideas": [i.text for i in t["ideas"]]} for t in m["themes"]],
        "ungrouped": [i.text for i in m["ungrouped"]],
        "votes": m["votes"],
        "sheets": [{"title": s.title, "problem": s.problem, "proposal": s.proposal, "place": s.place,
                    "actors": s.actors, "cost": s.cost, "horizon": s.horizon, "action_id": s.action_id,
                    "action_url": reverse("proposals:detail", args=[slug, s.action_id]) if s.action_id else None}
                   for s in m["sheets"]],
        "pdf_url": reverse("workshops:minutes_pdf", args=[slug, workshop.pk]) if selectors.minutes_pdf_ready(workshop) else None,
    }


@router.get("/{slug}/workshops/{workshop_id}/ideas", response={200: list[IdeaOut], **READ_ERRORS, **NOT_FOUND},
            summary="Ideas of a workshop's wall, from the reveal on (no authors; dots once the vote is closed)",
            **READ)
def list_ideas(request, slug: str, workshop_id: int):
    return _public_data(_revealed(slug, workshop_id))["ideas"]


@router.get("/{slug}/workshops/{workshop_id}/themes", response={200: list[WallThemeOut], **READ_ERRORS, **NOT_FOUND},
            summary="Themes of a workshop's wall, from the reveal on (dots once the vote is closed)", **READ)
def list_themes(request, slug: str, workshop_id: int):
    return _public_data(_revealed(slug, workshop_id))["themes"]


@router.get("/{slug}/workshops/{workshop_id}/votes", response={200: list[VoteOut], **READ_ERRORS, **NOT_FOUND},
            summary="Vote totals per theme and idea, ranked, once the vote is closed (zero-vote items kept)",
            **READ)
def list_votes(request, slug: str, workshop_id: int):
    workshop = _workshop(slug, workshop_id)
    if not rules.can_see_vote_totals(None, workshop) or workshop.cancelled_at is not None:
        raise WorkshopNotFound()
    return selectors.vote_table(workshop)

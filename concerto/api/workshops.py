"""Workshops of a campaign: public facts only (date, place, agenda, phase, counts, minutes link).

Never a name or an e-mail of an attendee: who was invited or present is counted, not listed.
"""

from datetime import datetime

from django.db.models import prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from ninja import Field, Router, Schema

from concerto.campaigns.selectors import campaign_get
from concerto.workshops.selectors import agenda_of, workshop_list, workshop_public_get

from .auth import OPTIONAL_AUTH_DOC, token_optional
from .schemas import NOT_FOUND, READ_ERRORS

router = Router(tags=["workshops"])

READ = {"auth": token_optional, "openapi_extra": OPTIONAL_AUTH_DOC}


class AgendaItemOut(Schema):
    title: str
    minutes: int = Field(..., description="Planned duration of the activity.")


class WorkshopOut(Schema):
    id: int
    number: int = Field(..., description="1, 2, … in the campaign.")
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    address: str
    access_notes: str
    phase: str = Field(..., description="planned, collect, reveal, cluster, vote, sheets or closed.")
    cancelled: bool
    cancel_reason: str
    invited: int = Field(..., description="How many people were invited (a count, never names).")
    present: int = Field(..., description="How many people were marked present.")
    agenda: list[AgendaItemOut]
    minutes_url: str | None = Field(None, description="The public minutes, once the workshop is closed.")

    @staticmethod
    def resolve_cancelled(obj) -> bool:
        return obj.cancelled_at is not None

    @staticmethod
    def resolve_invited(obj) -> int:
        return obj.invited_count

    @staticmethod
    def resolve_present(obj) -> int:
        return obj.present_count

    @staticmethod
    def resolve_agenda(obj) -> list:
        return agenda_of(obj)["items"]

    @staticmethod
    def resolve_minutes_url(obj, context) -> str | None:
        if obj.phase != "closed":
            return None
        try:
            path = reverse("workshops:minutes", args=[obj.campaign.slug, obj.pk])
        except NoReverseMatch:  # the minutes pages are not installed
            return None
        return context["request"].build_absolute_uri(path)


@router.get("/{slug}/workshops", response={200: list[WorkshopOut], **READ_ERRORS, **NOT_FOUND},
            summary="Workshops of a campaign, in date order (public facts and counts)", **READ)
def list_workshops(request, slug: str):
    workshops = workshop_list(campaign_get(slug))
    prefetch_related_objects(workshops, "agenda")  # one query for every agenda
    return workshops


@router.get("/{slug}/workshops/{workshop_id}", response={200: WorkshopOut, **READ_ERRORS, **NOT_FOUND},
            summary="One workshop: date, place, agenda, phase, counts and minutes link", **READ)
def get_workshop(request, slug: str, workshop_id: int):
    return workshop_public_get(campaign_get(slug), workshop_id)

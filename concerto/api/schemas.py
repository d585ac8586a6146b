"""Request and response shapes of the API. Every response, errors included, has a schema here,
so the OpenAPI document describes each status code an endpoint can answer."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from concerto.proposals.models import ActionStatus, CommentStatus, Origin

# --- Errors -------------------------------------------------------------------------------------


class Error(Schema):
    """Every 4xx answer: a stable machine code, a translated message and per-field messages."""

    code: str = Field(..., examples=["invalid_fields"])
    message: str = Field(..., examples=["Please correct the errors below."])
    errors: dict[str, str] = Field(default_factory=dict, examples=[{"title": "Too short."}])


# Status codes shared by every endpoint of a kind, merged into each operation's ``response``.
READ_ERRORS = {401: Error, 422: Error}
NOT_FOUND = {404: Error}
WRITE_ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


# --- Pagination ---------------------------------------------------------------------------------

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page (at most 100).")


class PageInfo(Schema):
    count: int = Field(..., description="Number of items across all pages.")
    page: int
    page_size: int
    pages: int = Field(..., description="Number of pages (0 when there is no item).")


# --- Campaigns ----------------------------------------------------------------------------------


class OrganisationOut(Schema):
    slug: str
    name: str
    website: str


class CampaignOut(Schema):
    slug: str
    name: str
    territory: str
    description: str
    organisation: OrganisationOut


class CampaignPage(PageInfo):
    items: list[CampaignOut]


class PhaseOut(Schema):
    kind: str
    label: str
    starts_at: datetime
    ends_at: datetime
    state: Literal["upcoming", "current", "past"]
    summary: str

    @staticmethod
    def resolve_starts_at(obj) -> datetime:
        return obj["phase"].starts_at

    @staticmethod
    def resolve_ends_at(obj) -> datetime:
        return obj["phase"].ends_at

    @staticmethod
    def resolve_summary(obj) -> str:
        return obj["phase"].summary

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj["label"])


class CampaignDetailOut(CampaignOut):
    phases: list[PhaseOut]

    @staticmethod
    def resolve_phases(obj) -> list:
        return obj.timeline


class ByChannel(Schema):
    """Supports per channel; ``null`` means "fewer than 5" (small groups are never shown)."""

    online: int | None
    door_to_door: int | None
    workshop: int | None
    paper: int | None


class StatsOut(Schema):
    """Figures of the campaign. A ``null`` value is a small group suppressed to protect people."""

    letters_sent: int | None
    codes_used: int | None
    volunteers: int | None
    workshop_participants: int | None
    workshops: int | None
    actions_from_workshops: int | None
    residents_participating: int | None
    supports: int | None
    contributions: int | None
    door_to_door_visits: int | None
    candidates: int | None
    reactions: int | None
    dossiers_sent: int | None
    by_channel: ByChannel


class ThemeOut(Schema):
    id: int
    name: str
    slug: str


# --- Actions ------------------------------------------------------------------------------------

OriginValue = Literal[tuple(Origin.values)]  # type: ignore[valid-type]
StatusValue = Literal[tuple(ActionStatus.values)]  # type: ignore[valid-type]


class ActionFilters(PageParams):
    theme: str = Field("", max_length=40, pattern=r"^[-a-zA-Z0-9_]*$", description="Slug of a theme of the campaign.")
    origin: OriginValue | None = Field(None, description="Where the action comes from.")
    status: Literal["published", "merged"] | None = Field(
        None, description="Only published or only merged actions (both by default)."
    )
    q: str = Field("", max_length=200, pattern=r"^[^\x00]*$", description="Words to find in title, summary, description and place.")
    sort: Literal["supports", "newest"] = Field("supports", description="Most supported first, or newest first.")


class ActionOut(Schema):
    id: int
    title: str
    summary: str
    theme: ThemeOut | None
    place: str
    origin: OriginValue
    status: StatusValue
    support_count: int
    comment_count: int
    published_at: datetime | None
    merged_into: int | None = Field(..., description="Id of the action this one was merged into.")
    supported_by_me: bool | None = Field(
        None, description="Whether the caller supports this action; null for anonymous callers."
    )

    @staticmethod
    def resolve_merged_into(obj) -> int | None:
        return obj.merged_into_id

    @staticmethod
    def resolve_supported_by_me(obj) -> bool | None:
        return getattr(obj, "supported_by_me", None)


class ActionDetailOut(ActionOut):
    body_html: str = Field(..., description="The description, as sanitised HTML.")
    rejection_reason: str | None = Field(
        None, description="Why moderation rejected it; only for its author and the moderators."
    )

    @staticmethod
    def resolve_rejection_reason(obj) -> str | None:
        if not getattr(obj, "show_rejection_reason", False):
            return None
        return obj.rejection_reason or None


class ActionPage(PageInfo):
    items: list[ActionOut]


class ActionIn(Schema):
    title: str = Field(..., description="5 to 140 characters.")
    summary: str = Field(..., description="10 to 300 characters.")
    body: str = Field("", description="Description (Markdown subset), at most 5000 characters.")
    theme_id: int | None = Field(None, description="Id of a theme of the campaign.")
    place: str = Field("", description="At most 140 characters.")


class SupportOut(Schema):
    action_id: int
    supported: bool = True
    created: bool = Field(..., description="False when the support already existed.")


# --- Comments -----------------------------------------------------------------------------------


class CommentOut(Schema):
    """A hidden comment shows only why moderation hid it: no body, no author."""

    id: int
    status: Literal[tuple(CommentStatus.values)]  # type: ignore[valid-type]
    created_at: datetime
    body: str | None
    author_name: str | None
    author_roles: list[str] = Field(default_factory=list, description="The author's team or candidate roles "
                                    "in the campaign (organiser, facilitator, moderator, ambassador, candidate).")
    hidden_reason: str | None

    @staticmethod
    def resolve_body(obj) -> str | None:
        return obj.body if obj.status == CommentStatus.VISIBLE else None

    @staticmethod
    def resolve_author_name(obj) -> str | None:
        return str(obj.author.public_name) if obj.status == CommentStatus.VISIBLE else None

    @staticmethod
    def resolve_author_roles(obj) -> list[str]:
        if obj.status != CommentStatus.VISIBLE:
            return []
        return [m.role for m in getattr(obj.author, "public_roles", [])]

    @staticmethod
    def resolve_hidden_reason(obj) -> str | None:
        return obj.hidden_reason if obj.status == CommentStatus.HIDDEN else None


class CommentPage(PageInfo):
    items: list[CommentOut]


class CommentIn(Schema):
    body: str = Field(..., description="2 to 2000 characters.")


class ReportIn(Schema):
    kind: str = Field("", description="Why: insult, personal, spam, off_topic or other (the default).")
    reason: str = Field("", description="Optional, at most 300 characters.")


class SimilarActionOut(Schema):
    id: int
    title: str
    support_count: int
    similarity: float = Field(..., description="From 0 to 1: how close the title is (accents and case ignored).")


class ReportOut(Schema):
    comment_id: int
    reported: bool = True
    created: bool = Field(..., description="False when you had already reported this comment.")


# --- Me -----------------------------------------------------------------------------------------


class MyCampaignRoles(Schema):
    slug: str
    name: str
    roles: list[str]


class MeOut(Schema):
    email: str
    display_name: str
    public_name: str
    campaigns: list[MyCampaignRoles] = Field(..., description="Your roles, campaign by campaign.")


class MySupportOut(Schema):
    action_id: int
    action_title: str
    action_status: StatusValue
    campaign: str = Field(..., description="Slug of the campaign.")
    channel: str
    created_at: datetime

    @staticmethod
    def resolve_action_title(obj) -> str:
        return obj.action.title

    @staticmethod
    def resolve_action_status(obj) -> str:
        return obj.action.status

    @staticmethod
    def resolve_campaign(obj) -> str:
        return obj.action.campaign.slug


class MySupportPage(PageInfo):
    items: list[MySupportOut]


class MyContributionOut(Schema):
    id: int
    campaign: str = Field(..., description="Slug of the campaign.")
    title: str
    summary: str
    theme: ThemeOut | None
    place: str
    status: StatusValue
    rejection_reason: str | None
    merged_into: int | None
    support_count: int
    comment_count: int
    created_at: datetime
    published_at: datetime | None

    @staticmethod
    def resolve_campaign(obj) -> str:
        return obj.campaign.slug

    @staticmethod
    def resolve_rejection_reason(obj) -> str | None:
        return obj.rejection_reason or None

    @staticmethod
    def resolve_merged_into(obj) -> int | None:
        return obj.merged_into_id


class MyContributionPage(PageInfo):
    items: list[MyContributionOut]

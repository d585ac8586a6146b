"""API: the call for volunteers (public), volunteering with a token, the volunteers (organisers only).

The call answers everyone and carries no personal data. The list of volunteers, with their
answers, answers organisers of the campaign only; any other token is told it does not exist (404,
as the website answers). ``/volunteers/me`` is the caller's own record: the same checks as the
website's form (``volunteers.services.volunteer_save``).
"""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status

from concerto.campaigns.selectors import campaign_get
from concerto.core.http import require
from concerto.volunteers import rules, selectors, services
from concerto.volunteers.errors import NoCall, NotAVolunteer

from .auth import OPTIONAL_AUTH_DOC, token_optional, token_required
from .pagination import paginate
from .schemas import NOT_FOUND, READ_ERRORS, WRITE_ERRORS, PageInfo, PageParams

router = Router(tags=["volunteers"])


class ChoiceOut(Schema):
    code: str
    label: str


class QuestionOut(Schema):
    code: str
    label: str
    options: list[ChoiceOut]


class CallOut(Schema):
    is_open: bool
    intro: str
    talents: list[ChoiceOut]
    workshop_dates: list[ChoiceOut]
    profile_questions: list[QuestionOut]
    consent_text: str
    consent_version: int


class VolunteerOut(Schema):
    pseudonym: str = Field(..., examples=["V-7K3Q"])
    public_name: str
    sector: str | None = Field(None, description="Sector code, from the household's letter.")
    talents: list[str]
    availability: list[str]
    profile: dict[str, str]
    consent_at: datetime
    consent_version: int
    withdrawn_at: datetime | None
    household: int | None = Field(None, description=(
        "Household whose letter code the volunteer joined with (one letter admits several residents); "
        "null without a letter."))
    household_volunteers: int | None = Field(None, description="Volunteers who joined with that household's letter.")

    @staticmethod
    def resolve_public_name(obj) -> str:
        return str(obj.user.public_name) if obj.user_id else ""  # the account was deleted

    @staticmethod
    def resolve_sector(obj) -> str | None:
        return obj.sector.code if obj.sector_id else None


class MyVolunteeringOut(Schema):
    pseudonym: str
    sector: str | None = None
    talents: list[str]
    availability: list[str]
    profile: dict[str, str]
    consent_at: datetime
    consent_version: int
    withdrawn_at: datetime | None
    created: bool = False

    @staticmethod
    def resolve_sector(obj) -> str | None:
        return obj.sector.code if obj.sector_id else None


class VolunteerPage(PageInfo):
    items: list[VolunteerOut]


class VolunteerIn(Schema):
    talents: list[str] = Field(default_factory=list, description="Talent codes from the call.")
    availability: list[str] = Field(default_factory=list, description="Workshop date codes from the call.")
    profile: dict[str, str] = Field(default_factory=dict, description="Question code → option code, every question.")
    consent: bool = Field(False, description="Must be true: agreement to the call's current consent text.")


def _call_or_404(campaign):
    call = selectors.call_for(campaign)
    if call is None:
        raise NoCall()
    return call


@router.get("/{slug}/volunteers/call", response={200: CallOut, **READ_ERRORS, **NOT_FOUND},
            summary="The call for volunteers: talents, workshop dates, profile questions, consent (public)",
            auth=token_optional, openapi_extra=OPTIONAL_AUTH_DOC)
def get_call(request, slug: str):
    return _call_or_404(campaign_get(slug))


@router.get("/{slug}/volunteers", response={200: VolunteerPage, **READ_ERRORS, **NOT_FOUND},
            summary="Volunteers and their answers, by pseudonym (organisers of the campaign only; 404 to anyone else)",
            auth=token_required)
def list_volunteers(request, slug: str, pages: Query[PageParams]):
    campaign = campaign_get(slug)
    require(rules.can_manage_volunteers(request.auth, campaign))
    page = paginate(selectors.volunteer_list(campaign), pages)
    # Sizes count the whole campaign, not just this page.
    households = selectors.volunteer_households(
        campaign, selectors.volunteer_list(campaign).select_related(None).only("pk", "user_id"))
    for volunteer in page["items"]:
        household = households.get(volunteer.pk) or {}
        volunteer.household, volunteer.household_volunteers = household.get("id"), household.get("size")
    return page


@router.get("/{slug}/volunteers/me", response={200: MyVolunteeringOut, **READ_ERRORS, **NOT_FOUND},
            summary="Your own answers as a volunteer (404 when you have not volunteered)", auth=token_required)
def get_mine(request, slug: str):
    volunteer = selectors.volunteer_of(request.auth, campaign_get(slug))
    if volunteer is None:
        raise NotAVolunteer()
    return volunteer


@router.post("/{slug}/volunteers/me", response={200: MyVolunteeringOut, 201: MyVolunteeringOut, **WRITE_ERRORS},
             summary="Volunteer, or change your answers (201 the first time, 200 after); "
                     "residents verified by letter, while the call is open",
             auth=token_required)
def save_mine(request, slug: str, payload: VolunteerIn):
    volunteer, created = services.volunteer_save(user=request.auth, campaign=campaign_get(slug), **payload.dict())
    volunteer.created = created
    return Status(201 if created else 200, volunteer)


@router.delete("/{slug}/volunteers/me", response={200: MyVolunteeringOut, **WRITE_ERRORS},
               summary="Withdraw: you are no longer a volunteer (allowed at any time)", auth=token_required)
def withdraw_mine(request, slug: str):
    return services.volunteer_withdraw(user=request.auth, campaign=campaign_get(slug))

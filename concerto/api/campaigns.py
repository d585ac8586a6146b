"""Public reads about campaigns: list, detail with the phase calendar, figures, themes."""

from ninja import Query, Router

from concerto.campaigns.selectors import campaign_get, campaign_list, phase_timeline
from concerto.dashboard.selectors import campaign_stats
from concerto.proposals.selectors import themes_for

from .auth import OPTIONAL_AUTH_DOC, token_optional
from .pagination import paginate
from .schemas import (
    NOT_FOUND,
    READ_ERRORS,
    CampaignDetailOut,
    CampaignPage,
    PageParams,
    StatsOut,
    ThemeOut,
)

router = Router(tags=["campaigns"], auth=token_optional)


@router.get("", response={200: CampaignPage, **READ_ERRORS}, openapi_extra=OPTIONAL_AUTH_DOC,
            summary="Public campaigns, newest first")
def list_campaigns(request, pages: Query[PageParams]):
    return paginate(campaign_list(), pages)


@router.get("/{slug}", response={200: CampaignDetailOut, **READ_ERRORS, **NOT_FOUND},
            openapi_extra=OPTIONAL_AUTH_DOC, summary="A campaign and its phase calendar")
def get_campaign(request, slug: str):
    campaign = campaign_get(slug)
    campaign.timeline = phase_timeline(campaign)
    return campaign


@router.get("/{slug}/stats", response={200: StatsOut, **READ_ERRORS, **NOT_FOUND},
            openapi_extra=OPTIONAL_AUTH_DOC, summary="Figures of the campaign (small groups suppressed)")
def get_stats(request, slug: str):
    return campaign_stats(campaign_get(slug))


@router.get("/{slug}/themes", response={200: list[ThemeOut], **READ_ERRORS, **NOT_FOUND},
            openapi_extra=OPTIONAL_AUTH_DOC, summary="Themes of the campaign")
def list_themes(request, slug: str):
    return themes_for(campaign_get(slug))

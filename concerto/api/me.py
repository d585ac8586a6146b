"""The caller's own account: profile and roles, own supports, own contributions. Token required."""

from ninja import Query, Router

from concerto.proposals.selectors import my_contributions, my_supports
from concerto.residents.selectors import my_memberships

from .auth import token_required
from .pagination import paginate
from .schemas import READ_ERRORS, MeOut, MyContributionPage, MySupportPage, PageParams

router = Router(tags=["me"], auth=token_required)


def _roles_by_campaign(memberships) -> list[dict]:
    campaigns: dict[int, dict] = {}
    for m in memberships:
        entry = campaigns.setdefault(m.campaign_id, {"slug": m.campaign.slug, "name": m.campaign.name, "roles": []})
        entry["roles"].append(m.role)
    return list(campaigns.values())


@router.get("", response={200: MeOut, **READ_ERRORS}, summary="Your account and your roles per campaign")
def get_me(request):
    user = request.auth
    return {
        "email": user.email,
        "display_name": user.display_name,
        "public_name": str(user.public_name),
        "campaigns": _roles_by_campaign(my_memberships(user)),
    }


@router.get("/supports", response={200: MySupportPage, **READ_ERRORS}, summary="Actions you support, newest first")
def list_my_supports(request, pages: Query[PageParams]):
    return paginate(my_supports(request.auth), pages)


@router.get("/contributions", response={200: MyContributionPage, **READ_ERRORS},
            summary="Actions you proposed, with their moderation status")
def list_my_contributions(request, pages: Query[PageParams]):
    return paginate(my_contributions(request.auth), pages)

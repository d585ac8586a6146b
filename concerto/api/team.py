"""The team of a campaign: its members and their roles, pending invitations; invite and cancel.

Organisers of the campaign only: anyone else gets 404 ``not_found``, the answer for a campaign that
does not exist (the refusal rule, docs/architecture.md). The same services as the team page
(``residents.services.team_invite``…), so the checks, limits and audit entries are the same. The
invitation link is mailed to the invited person and never returned by the API.
"""

from datetime import datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Router, Schema, Status

from concerto.campaigns.selectors import campaign_get
from concerto.core.http import require
from concerto.residents import rules, selectors, services
from concerto.residents.models import TEAM_ROLES

from .auth import token_required
from .schemas import NOT_FOUND, READ_ERRORS, WRITE_ERRORS

router = Router(tags=["team"])

ORGANISER = {"auth": token_required}
TeamRole = Literal[tuple(role.value for role in TEAM_ROLES)]  # type: ignore[valid-type]


def _campaign(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_grant_roles(request.auth, campaign))
    return campaign


class MemberOut(Schema):
    user_id: int
    public_name: str
    email: str | None
    roles: list[TeamRole]


class InvitationOut(Schema):
    id: int
    email: str
    role: TeamRole
    sent_at: datetime
    expires_at: datetime
    expired: bool
    sent_count: int = Field(..., description="How many times it was sent (each sending makes a new link).")


class TeamOut(Schema):
    members: list[MemberOut]
    invitations: list[InvitationOut] = Field(..., description="Pending: neither accepted nor cancelled.")


class InvitationIn(Schema):
    email: str = Field(..., max_length=254)
    role: TeamRole


def _invitation(invitation) -> dict:
    return {"id": invitation.pk, "email": invitation.email, "role": invitation.role, "sent_at": invitation.sent_at,
            "expires_at": invitation.expires_at, "expired": invitation.is_expired,
            "sent_count": invitation.sent_count}


@router.get("/{slug}/team", response={200: TeamOut, **READ_ERRORS, **NOT_FOUND},
            summary="Members of the team with their roles, and pending invitations (organisers only)", **ORGANISER)


def team(request, slug: str):
    campaign = _campaign(request, slug)
    return {
        "members": [{"user_id": m["user"].pk, "public_name": m["user"].public_name, "email": m["user"].email,
                     "roles": [role.value for role in m["roles"]]} for m in selectors.team_members(campaign)],
        "invitations": [_invitation(i) for i in selectors.team_invitations_pending(campaign)],
    }


@router.post("/{slug}/team/invitations", response={201: InvitationOut, **WRITE_ERRORS},
             summary="Invite a person by e-mail to take a role (organisers only; the link is mailed)", **ORGANISER)


def invite(request, slug: str, payload: InvitationIn):
    campaign = _campaign(request, slug)
    invitation, _url = services.team_invite(
        by=request.auth, campaign=campaign, email=payload.email, role=payload.role,
        build_url=lambda secret: request.build_absolute_uri(reverse("residents:team_accept", args=[secret])))
    return Status(201, _invitation(invitation))


@router.delete("/{slug}/team/invitations/{invitation_id}", response={204: None, **WRITE_ERRORS},
               summary="Cancel a pending invitation (organisers only)", **ORGANISER)


def revoke(request, slug: str, invitation_id: int):
    campaign = _campaign(request, slug)
    services.team_invitation_revoke(by=request.auth, campaign=campaign, invitation_id=invitation_id)
    return Status(204, None)

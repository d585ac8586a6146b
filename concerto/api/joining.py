"""API: joining a campaign with a letter code.

``POST /campaigns/{slug}/join`` redeems a code for the token's owner (the same rules, rate limits
and audit trail as the join page). ``GET /campaigns/{slug}/codes/check`` checks the FORMAT of a
code only (check character, alphabet, length): it never looks a code up, so it cannot be used to
find valid codes, and it is not rate limited.
"""

from ninja import Field, Query, Router, Schema, Status

from concerto.campaigns.selectors import campaign_get
from concerto.core.ratelimit import client_ip
from concerto.joining import selectors, services

from .auth import OPTIONAL_AUTH_DOC, token_optional, token_required
from .schemas import NOT_FOUND, READ_ERRORS, WRITE_ERRORS, Error

router = Router(tags=["joining"])


class JoinIn(Schema):
    code: str = Field(..., max_length=40, description="The code printed on the letter; dashes, spaces and case do not matter.",
                      examples=["K7QM-4XPT-9C"])


class JoinOut(Schema):
    verified: bool = Field(True, description="You are now a resident verified by letter.")
    campaign: str = Field(..., description="Slug of the campaign.")
    sector: str | None = Field(..., description="Name of the household's sector, if it has one.")


class CodeCheckParams(Schema):
    code: str = Field("", max_length=60, description="The code as typed.")


class CodeCheckOut(Schema):
    valid: bool = Field(..., description="Whether the code is well formed (it may still not exist).")
    code: str | None = Field(None, description="The code formatted for paper, when well formed.")
    reason: str | None = Field(None, description="empty, length, characters or check.")
    message: str | None = Field(None, description="What is wrong, in the language of the request.")


@router.post("/{slug}/join", response={201: JoinOut, 409: Error, **WRITE_ERRORS},
             summary="Join as a resident verified by letter with the household's code", auth=token_required)
def join(request, slug: str, payload: JoinIn):
    """400 ``code_empty``/``code_length``/``code_characters``/``code_check`` for a mistyped code (not
    counted as a failed attempt), 404 ``code_not_found`` (counted and logged), 409 ``code_revoked`` or
    ``code_used_up``, 429 when too many wrong codes came from your address or for the campaign,
    403 ``cannot_join`` for candidates. Joining twice with the same code answers 201 again and uses
    one place only."""
    campaign = campaign_get(slug)
    result = services.code_join_signed_in(user=request.auth, campaign=campaign, text=payload.code, ip=client_ip(request))
    sector = result.sector.name if result.sector is not None else None
    return Status(201, {"verified": True, "campaign": campaign.slug, "sector": sector})


@router.get("/{slug}/codes/check", response={200: CodeCheckOut, **READ_ERRORS, **NOT_FOUND},
            summary="Check how a code is typed (format and check character only, no lookup)",
            auth=token_optional, openapi_extra=OPTIONAL_AUTH_DOC)
def check_code(request, slug: str, params: Query[CodeCheckParams]):
    campaign_get(slug)
    return selectors.code_check(params.code)

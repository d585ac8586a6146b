"""Reads of joining, built for the page that shows them."""

from dataclasses import dataclass

from concerto.letters.codes import format_code, parse_code
from concerto.letters.errors import CodeError
from concerto.letters.selectors import campaigns_with_codes, code_uses_of
from concerto.residents.models import Verification
from concerto.residents.selectors import resident_memberships


def letter_status_for(user) -> list[dict]:
    """For "My space": in each campaign where the user is a resident, whether they are verified by
    letter, their sector, and whether they can sign in with a code + PIN. The code is never shown."""
    if user is None or not user.is_authenticated:
        return []
    memberships = resident_memberships(user)
    uses = {use.code.campaign_id: use for use in code_uses_of(user)}
    with_letters = campaigns_with_codes(m.campaign_id for m in memberships)
    rows = []
    for membership in memberships:
        use = uses.get(membership.campaign_id)
        rows.append({
            "campaign": membership.campaign,
            "verified_by_letter": membership.verification == Verification.LETTER,
            "sector": membership.sector.name if membership.sector else "",
            "joined_with_code_at": use.created_at if use else None,
            "pin_sign_in": bool(use and use.pin_hash),
            "letters_sent": membership.campaign_id in with_letters,
        })
    return rows


@dataclass(frozen=True)
class CodeCheck:
    """How a code is typed: ``code`` formatted for paper when well formed, else what is wrong."""

    valid: bool
    code: str | None = None
    reason: str | None = None
    message: str | None = None


def code_check(text: str) -> CodeCheck:
    """Format and check character only: no lookup and no counting, so it is safe to expose."""
    try:
        canonical = parse_code(text)
    except CodeError as exc:
        return CodeCheck(valid=False, reason=exc.reason, message=str(exc.message))
    return CodeCheck(valid=True, code=format_code(canonical))

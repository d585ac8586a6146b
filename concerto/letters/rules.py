"""Who may do what with households, letters and codes."""

from concerto.residents import rules as r
from concerto.residents.models import Role


def can_manage_letters(user, campaign) -> bool:
    """Households, letter text, PDF batches, tracking, re-issue: organisers only."""
    return r.is_organiser(user, campaign)


def can_join_with_code(user, campaign) -> bool:
    """Anyone with a code may join, signed in or not, except the campaign's candidates."""
    return Role.CANDIDATE not in r.roles_of(user, campaign)

"""Who may join a campaign with a letter code."""

from concerto.residents import rules as r
from concerto.residents.models import Role


def can_join_with_code(user, campaign) -> bool:
    """Anyone with a code may join, signed in or not, except the campaign's candidates."""
    return Role.CANDIDATE not in r.roles_of(user, campaign)


def can_reset_pins(user, campaign) -> bool:
    """Resetting a forgotten PIN (residents without e-mail): the campaign's organisers only."""
    return r.is_organiser(user, campaign)

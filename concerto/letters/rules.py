"""Who may do what with households, letters and codes (joining with a code: ``joining.rules``)."""

from concerto.residents import rules as r


def can_manage_letters(user, campaign) -> bool:
    """Households, letter text, PDF batches, tracking, re-issue: organisers only."""
    return r.is_organiser(user, campaign)

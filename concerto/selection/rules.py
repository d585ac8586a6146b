"""Who may volunteer, see volunteers, run a selection and read its audit."""

from concerto.residents import rules as r


def can_manage_selection(user, campaign) -> bool:
    """Call for volunteers, volunteers' answers, quotas, computing and drawing: organisers only."""
    return r.is_organiser(user, campaign)


def can_volunteer(user, campaign, call) -> bool:
    """Residents verified by a letter code, while the call is open."""
    return call is not None and call.is_open and r.is_letter_verified(user, campaign)


def can_view_selection(user, selection) -> bool:
    """The audit page is public once the distribution is published; drafts are the organisers'."""
    return selection.is_public or can_manage_selection(user, selection.campaign)

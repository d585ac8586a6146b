"""Who may run a selection and read its audit (volunteering has its own: ``volunteers.rules``)."""

from concerto.residents import rules as r


def can_manage_selection(user, campaign) -> bool:
    """Quotas, computing and drawing: organisers only (the same people as ``volunteers.rules.can_manage_volunteers``)."""
    return r.is_organiser(user, campaign)


def can_view_selection(user, selection) -> bool:
    """The audit page is public once the distribution is published; drafts are the organisers'."""
    return selection.is_public or can_manage_selection(user, selection.campaign)

"""Template filters that ask the role predicates (one query per request, cached on the user)."""

from django import template

from concerto.residents import rules

register = template.Library()


@register.filter
def organised_by(campaign, user) -> bool:
    """``{% if campaign|organised_by:user %}``: organiser links in the navigation."""
    return rules.is_organiser(user, campaign)

"""Template filters that ask the role predicates (one query per request, cached on the user)."""

from django import template

from concerto.residents import rules
from concerto.residents.models import Role

register = template.Library()


@register.filter
def organised_by(campaign, user) -> bool:
    """``{% if campaign|organised_by:user %}``: organiser links in the navigation."""
    return rules.is_organiser(user, campaign)


@register.filter
def managed_by(campaign, user) -> bool:
    """``{% if campaign|managed_by:user %}``: the link to the campaign's back office."""
    return rules.can_manage_campaign(user, campaign)


@register.filter
def uses_back_office(user) -> bool:
    """``{% if user|uses_back_office %}``: the link to the campaign back office on “Mon espace”."""
    return rules.can_use_campaign_back_office(user)


@register.filter
def candidate_in(campaign, user) -> bool:
    """``{% if campaign|candidate_in:user %}``: the link to a candidate's written reactions."""
    return Role.CANDIDATE in rules.roles_of(user, campaign)

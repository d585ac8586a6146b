"""The eve-of-vote freeze on every page of a campaign (article L49 of the electoral code)."""

from django import template

from ..selectors import election_freeze

register = template.Library()


@register.simple_tag
def election_freeze_now(campaign):
    """The election round frozen now, or None (the rounds are read once with the page's campaign)."""
    return election_freeze(campaign) if campaign is not None else None

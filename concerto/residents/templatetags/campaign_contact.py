"""``{{ campaign|public_contact }}`` for ``templates/campaigns/_contact.html``."""

from django import template

from concerto.campaigns import selectors

register = template.Library()


@register.filter
def public_contact(campaign) -> str:
    return selectors.public_contact(campaign) if campaign is not None else ""

"""Campaign texts shown on public pages: ``{{ campaign|public_contact }}`` (``campaigns/_contact.html``) and
``campaign|current_consent`` (``campaigns/_consent.html``)."""

from django import template

from concerto.campaigns import selectors

register = template.Library()


@register.filter
def public_contact(campaign) -> str:
    return selectors.public_contact(campaign) if campaign is not None else ""


@register.filter
def current_consent(campaign):
    """The consent text residents accept when they join now (``templates/campaigns/_consent.html``)."""
    return selectors.consent_current(campaign) if campaign is not None else None

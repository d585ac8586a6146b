"""``{% moderation_waiting campaign as n %}``: the "Moderation (n)" link of the staff navigation."""

from django import template

from concerto.proposals import rules, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def moderation_waiting(context, campaign):
    """How many decisions wait in the campaign's moderation queue, for its moderators and organisers;
    None for anyone else (no query then). One query per request and campaign: the answer is kept
    on the request, so a page that shows the link twice counts once."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if campaign is None or not rules.can_moderate(user, campaign):
        return None
    cache = request.__dict__.setdefault("_moderation_waiting", {})
    if campaign.pk not in cache:
        cache[campaign.pk] = selectors.moderation_waiting(campaign)
    return cache[campaign.pk]

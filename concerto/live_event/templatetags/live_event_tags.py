"""Template filters of the live event (the campaign menu's link to the control rooms)."""

from django import template

from .. import rules

register = template.Library()


@register.filter
def runs_live_events_of(user, campaign) -> bool:
    """``{% if user|runs_live_events_of:campaign %}``: organisers and facilitators."""
    return rules.can_run_events(user, campaign)


@register.filter
def clock(seconds) -> str:
    """Seconds as « 3 min 05 s » (control.js writes the same form as the clocks tick)."""
    total = int(float(seconds or 0))
    minutes, rest = divmod(total, 60)
    return f"{minutes}\u00a0min\u00a0{rest:02d}\u00a0s" if minutes else f"{rest}\u00a0s"

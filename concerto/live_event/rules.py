"""Every permission of the live event. Deny by default.

Who runs the set (running order, on air, positions, speaking time, questions): the campaign's
facilitators and organisers. Who sets it up (candidates, events, the election calendar, frames):
organisers. A candidate's account writes its own list's reactions only. The live page, the overlays,
the published reply order and the fairness report are public, as the set itself is.
"""

from concerto.campaigns.selectors import campaign_is_archived, election_freeze
from concerto.residents import rules as r
from concerto.residents.models import Role

from .models import EventStatus


def can_manage_live(user, campaign) -> bool:
    """Candidates, events, running orders, election calendar, allowed frames: organisers."""
    return r.is_organiser(user, campaign)


def can_run_event(user, event) -> bool:
    """The control room: organisers and the campaign's facilitators, while the event can change."""
    return r.has_role(user, event.campaign, Role.ORGANISER, Role.FACILITATOR)


def can_run_events(user, campaign) -> bool:
    """The control rooms' index and its link in the campaign's menu: the same people as above."""
    return r.has_role(user, campaign, Role.ORGANISER, Role.FACILITATOR)


def event_is_editable(event) -> bool:
    return event.status != EventStatus.ENDED and not campaign_is_archived(event.campaign)


def can_view_event(user, event) -> bool:
    """The live page, its overlays, the published order and the fairness report: anyone."""
    return True


def is_candidate(user, campaign) -> bool:
    return r.has_role(user, campaign, Role.CANDIDATE)


def can_write_reaction(user, candidate) -> bool:
    """A candidate's account writes its own list's reactions, outside the eve-of-vote freeze."""
    return (user is not None and user.is_authenticated and candidate.user_id == user.pk
            and is_candidate(user, candidate.campaign) and not campaign_is_archived(candidate.campaign)
            and election_freeze(candidate.campaign) is None)


def can_ask_question(user, event) -> bool:
    """A signed-in person (not a candidate) while the organisers have questions open."""
    return (user is not None and user.is_authenticated and event.questions_open
            and event.status != EventStatus.ENDED and not is_candidate(user, event.campaign)
            and not campaign_is_archived(event.campaign) and election_freeze(event.campaign) is None)

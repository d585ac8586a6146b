"""Every permission of the synthesis. Deny by default.

Versions, amendments, documents, dispatch and follow-up are decided by the campaign's organisers.
A candidate's account reads its own dossier only. Versions and their diffs, decided amendments, the
positions page, the open data, the published dispatch log and the follow-up board are public, as
the consultation's results are."""

from django.utils import timezone

from concerto.campaigns.selectors import campaign_is_archived
from concerto.residents import rules as r
from concerto.workshops import selectors as workshop_selectors

from .models import AmendmentStatus


def can_manage_synthesis(user, campaign) -> bool:
    """Versions, amendments' decisions, documents, dispatch, the elected list, follow-up updates."""
    return r.is_organiser(user, campaign) and not campaign_is_archived(campaign)


def can_view_synthesis_back_office(user, campaign) -> bool:
    """The organisers' synthesis pages stay readable once the campaign is archived."""
    return r.is_organiser(user, campaign)


def can_view_results(user, campaign) -> bool:
    """Versions, diffs, decided amendments, positions, open data, dispatch log, follow-up: anyone."""
    return True


def can_read_dossier(user, candidate) -> bool:
    """A candidate's account reads its own list's dossier; organisers read every dossier."""
    if user is None or not user.is_authenticated:
        return False
    return candidate.user_id == user.pk or r.is_organiser(user, candidate.campaign)


# -- amend --

def can_give_opinion(user, amendment) -> bool:
    """A resident present at the action's workshop, while the organisers ask for opinions."""
    if user is None or not user.is_authenticated:
        return False
    if amendment.status != AmendmentStatus.CONSULTING or amendment.opinion_until is None:
        return False
    if amendment.opinion_until <= timezone.now() or campaign_is_archived(amendment.campaign):
        return False
    return workshop_selectors.attended_action_workshop(user, amendment.action_id)

"""Who may volunteer, and who may see and manage the call and the volunteers' answers."""

from concerto.campaigns.selectors import campaign_is_archived
from concerto.residents import rules as r
from concerto.residents.models import Role

from .errors import (
    CandidateCannotVolunteer,
    NotLetterVerified,
    NotResident,
    SignInRequired,
    StaffCannotVolunteer,
    VolunteeringClosed,
)


def can_manage_volunteers(user, campaign) -> bool:
    """The call for volunteers, the volunteers' answers and their export: organisers only.

    The selection's organisers are the same people (``selection.rules.can_manage_selection``)."""
    return r.is_organiser(user, campaign)


def can_volunteer(user, campaign, call) -> bool:
    """Residents verified by a letter code, while the call is open."""
    return (call is not None and call.is_open and not campaign_is_archived(campaign)
            and r.is_letter_verified(user, campaign))


def volunteer_refusal(user, campaign, call):
    """Why this user may not send the volunteer form now, as a domain error; None when they may.

    Checked in this order so each person reads the reason that concerns them.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return SignInRequired()
    if call is None or not call.is_open or campaign_is_archived(campaign):
        return VolunteeringClosed()
    roles = r.roles_of(user, campaign)
    if Role.CANDIDATE in roles:
        return CandidateCannotVolunteer()
    if r.is_staff_of(user, campaign):
        return StaffCannotVolunteer()
    if Role.RESIDENT not in roles:
        return NotResident()
    if not r.is_letter_verified(user, campaign):
        return NotLetterVerified()
    if not can_volunteer(user, campaign, call):  # deny by default, whatever the order above says
        return NotLetterVerified()
    return None

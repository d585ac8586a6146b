"""Every permission of door to door and paper. Deny by default."""

from concerto.campaigns.models import PhaseKind
from concerto.campaigns.selectors import campaign_is_archived, phase_is_open
from concerto.residents import rules as r
from concerto.residents.models import Role


def door_phase_open(campaign) -> bool:
    return phase_is_open(campaign, PhaseKind.DOOR_TO_DOOR)


def is_ambassador(user, campaign) -> bool:
    return r.has_role(user, campaign, Role.AMBASSADOR)


def can_use_app(user, campaign) -> bool:
    """The ambassador's app: its pages and its cached data (the round, the actions)."""
    return is_ambassador(user, campaign) and not campaign_is_archived(campaign)


def device_is_active(device, user, campaign) -> bool:
    return (device is not None and device.revoked_at is None and device.enrolled_at is not None
            and device.ambassador_id == getattr(user, "pk", None) and device.campaign_id == campaign.pk)


def can_sync(user, campaign, device) -> bool:
    """Sending visits: an ambassador of this campaign, from an enrolled phone of theirs not withdrawn."""
    return can_use_app(user, campaign) and device_is_active(device, user, campaign)


def can_manage_fieldwork(user, campaign) -> bool:
    """Devices, rounds, flags, reviews, consent scripts: the organisers."""
    return r.is_organiser(user, campaign)


def can_view_fieldwork(user, campaign) -> bool:
    """The organiser's door-to-door view (figures, rounds): organisers."""
    return r.is_organiser(user, campaign)


def can_enter_paper(user, campaign) -> bool:
    """Typing paper forms: organisers and moderators (the staff who sort the post)."""
    return (r.is_organiser(user, campaign) or r.is_moderator(user, campaign)) and not campaign_is_archived(campaign)


def can_link_participation(user, participation) -> bool:
    """A resident recognises a door or paper participation of their household as their own."""
    return (user is not None and user.is_authenticated and participation.linked_at is None
            and participation.user_id != user.pk)

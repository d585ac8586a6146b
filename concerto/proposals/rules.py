"""Every permission about actions, supports and comments. Deny by default."""

from concerto.campaigns.errors import CampaignArchived, ElectionFreeze
from concerto.campaigns.models import PhaseKind
from concerto.campaigns.selectors import campaign_is_archived, election_freeze, phase_is_open
from concerto.residents import rules as r

from .errors import (
    ActionNotSupportable,
    CannotSupport,
    LetterRequired,
    ParticipationClosed,
    SignInToSupport,
)
from .models import PUBLIC_STATUSES, ActionStatus, Channel, Origin


def participation_open(campaign) -> bool:
    """Also False during the eve-of-vote freeze (``campaigns.selectors.phase_is_open``)."""
    return phase_is_open(campaign, PhaseKind.PARTICIPATION)


def frozen(campaign) -> bool:
    """The eve-of-vote freeze is on (the pages print a banner: shared pages' keys hold this)."""
    return election_freeze(campaign) is not None


def closed_error(campaign):
    """Why participation is closed now: the eve-of-vote freeze says so by name (article L49)."""
    if not campaign_is_archived(campaign) and election_freeze(campaign) is not None:
        return ElectionFreeze()
    return ParticipationClosed()


def can_view_action(user, action) -> bool:
    if action.status in PUBLIC_STATUSES:
        return True
    if user is not None and user.is_authenticated and action.author_id == user.pk:
        return True
    return r.is_moderator(user, action.campaign)


def can_see_rejection_reason(user, action) -> bool:
    """The author learns why; moderators know; nobody else sees rejected content at all."""
    return bool(user is not None and user.is_authenticated and action.author_id == user.pk) or r.is_moderator(
        user, action.campaign
    )


def can_take_part(user, campaign) -> bool:
    """Support, propose, comment: a resident, or someone allowed to join as one, while participation is open."""
    return (
        r.can_join_as_resident(user, campaign)
        and r.meets_support_level(user, campaign)
        and participation_open(campaign)
    )


def can_support(user, action) -> bool:
    return action.status == ActionStatus.PUBLISHED and can_take_part(user, action.campaign)


def support_refusal(user, action):
    """Why this person may not support this action now, as a domain error; None when they may.

    Checked in this order so each person reads the reason that concerns them (the support box
    offers to sign in, or to enter the letter's code). None exactly when ``can_support`` holds.
    """
    if action.status != ActionStatus.PUBLISHED:
        return ActionNotSupportable()
    if campaign_is_archived(action.campaign):
        return CampaignArchived()
    if not participation_open(action.campaign):
        return closed_error(action.campaign)
    if user is None or not user.is_authenticated:
        return SignInToSupport()
    if not r.meets_support_level(user, action.campaign):
        return LetterRequired()
    if not can_support(user, action):  # deny by default, whatever the order above says
        return CannotSupport()
    return None


def can_comment(user, action) -> bool:
    return action.status == ActionStatus.PUBLISHED and can_take_part(user, action.campaign)


def can_report_comment(user, comment) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and comment.author_id != user.pk
        and can_view_action(user, comment.action)
    )


def can_moderate(user, campaign) -> bool:
    return r.is_moderator(user, campaign)


def can_add_published_action(user, campaign, origin=None) -> bool:
    """Publishing an action directly, without moderation, is the organisers' decision; and the
    facilitators', for the action sheets a workshop retained (``origin`` workshop): the room
    decided them with a facilitator, the step that publishes them must not wait for an organiser."""
    if r.is_organiser(user, campaign):
        return True
    # "facilitator" is Role.FACILITATOR (residents.models is out of reach: the import contract).
    return origin == Origin.WORKSHOP and r.has_role(user, campaign, "facilitator")


def can_record_offline(user, campaign, channel) -> bool:
    """Recording supports and proposals on a resident's behalf: an ambassador at the door, or the
    staff typing paper forms (organisers, moderators). Never on an archived campaign."""
    if campaign_is_archived(campaign):
        return False
    # Role names as strings: residents.models is out of reach (the import contract).
    if channel == Channel.DOOR_TO_DOOR:
        return r.has_role(user, campaign, "ambassador", "organiser")
    if channel == Channel.PAPER:
        return r.has_role(user, campaign, "organiser", "moderator")
    return False


def can_withdraw(user, action) -> bool:
    """Its author takes back a contribution while no moderator has decided on it."""
    return bool(user is not None and user.is_authenticated and action.author_id == user.pk
                and action.status == ActionStatus.PENDING)

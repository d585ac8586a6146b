from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed, NotFound


class LinkInvalid(Invalid):
    code = "link_invalid"
    message = _("This sign-in link is invalid, expired or already used. Ask for a new one.")


class CannotJoin(NotAllowed):
    code = "cannot_join"
    message = _("You cannot take part in this campaign with this account.")


class PasswordRequired(NotAllowed):
    """A sign-in link was opened for a team or candidate account: those sign in with a password.

    Only whoever opens the mailed link sees this answer; asking for a link answers the same for
    every address, so the form does not reveal who holds a role."""

    code = "password_required"
    message = _(
        "This account belongs to a campaign team member or a candidate: it signs in with its password, "
        "not with a link. Use the staff sign-in page."
    )


class TokenReadOnly(NotAllowed):
    code = "token_read_only"
    message = _(
        "This API token is read-only: create a read-and-write token in “My space” to make changes."
    )


class EmailInvalid(Invalid):
    code = "email_invalid"
    message = _("Enter a valid e-mail address.")


# --- The team (issue 10) -------------------------------------------------------------------------


class InvitationInvalid(Invalid):
    """The invitation link matches no invitation (mistyped, or replaced by a newer one)."""

    code = "invitation_invalid"
    message = _("This invitation link is not valid: it may be incomplete, or a newer invitation replaced it. "
                "Ask the organiser who invited you to send it again.")


class InvitationExpired(Invalid):
    code = "invitation_expired"
    message = _("This invitation has expired. Ask the organiser who invited you to send it again.")


class InvitationRevoked(Invalid):
    code = "invitation_revoked"
    message = _("This invitation was cancelled by the campaign's organisers. If you think it is a mistake, "
                "contact them.")


class InvitationUsed(Invalid):
    code = "invitation_used"
    message = _("This invitation has already been accepted. Sign in with your e-mail address and password.")


class InvitationOtherAccount(NotAllowed):
    code = "invitation_other_account"
    message = _("This invitation was sent to another e-mail address than the one of the account you are "
                "signed in with. Sign out, then open the link again.")


class InvitationSignInFirst(NotAllowed):
    code = "invitation_sign_in_first"
    message = _("You already have an account with a password: sign in with it, then open the invitation "
                "link again to accept.")


class InvitationPending(Invalid):
    code = "invitation_pending"
    message = _("This person already has a pending invitation for this role: send it again from the list below.")


class AlreadyMember(Invalid):
    code = "already_member"
    message = _("This person already has this role in the campaign.")


class InvitationNotFound(NotFound):
    code = "invitation_not_found"
    message = _("This invitation does not exist or is no longer pending.")


class MemberNotFound(NotFound):
    code = "member_not_found"
    message = _("This person does not have this role in the campaign.")


class LastOrganiser(Invalid):
    code = "last_organiser"
    message = _("A campaign needs at least one organiser: invite another organiser before removing this one.")


class PasswordResetLinkInvalid(Invalid):
    code = "password_link_invalid"
    message = _("This link to choose a password is invalid, expired or already used. Ask for a new one.")


class WrongPassword(Invalid):
    code = "wrong_password"
    message = _("Your current password is not correct.")

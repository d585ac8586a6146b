from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed


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

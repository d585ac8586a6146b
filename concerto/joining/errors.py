"""Domain errors of joining: a stable code and a translated message.

Every refusal of a typed code is a ``letters.errors.CodeRejected`` (its format: ``CodeError``,
raised by ``letters.codes``; its lookup: below), so that pages show them on the code field.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from concerto.core.errors import Invalid, NotFound
from concerto.letters.errors import CodeRejected


class CodeNotFound(CodeRejected, NotFound):
    code = "code_not_found"
    message = _("This code does not exist for this campaign. Check each character against your letter, "
                "and that the letter is for this neighbourhood.")


class CodeRevoked(CodeRejected):
    code = "code_revoked"
    status = 409
    message = _("This code was replaced by a new letter sent to your household: use the code printed on the "
                "most recent letter, or ask the organisers.")


class CodeUsedUp(CodeRejected):
    code = "code_used_up"
    status = 409

    def __init__(self, count: int):
        super().__init__(ngettext(
            "This code has already been used by %(count)d person: the limit for one household is reached. "
            "Ask the organisers if someone else in your household needs to join.",
            "This code has already been used by %(count)d people: the limit for one household is reached. "
            "Ask the organisers if someone else in your household needs to join.",
            count,
        ) % {"count": count})


class PinSignInFailed(Invalid):
    """Not a ``CodeRejected``: it says nothing of which of the code or the PIN is wrong."""

    code = "code_pin_failed"
    message = _("This code and PIN do not match. Check the code on your letter and your PIN. If several people "
                "of your household joined with this code, also type your public name.")


class SignInRequired(Invalid):
    code = "sign_in_required"
    message = _("Sign in first, then type your code again.")


class PinResidentNotFound(NotFound):
    code = "pin_resident_not_found"
    message = _("Nobody signs in with a PIN with this code under this name: choose a person from the list.")


class CodeWithdrawn(CodeRejected):
    """A code whose household the organisers deleted (a vacant home, an import undone): revoked, without household."""

    code = "code_withdrawn"
    status = 409
    message = _("This code is no longer valid: the organisers removed this address from the invitations (for "
                "example a vacant home). If you live there, ask the organisers for a new letter.")

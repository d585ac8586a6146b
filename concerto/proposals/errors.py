from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed, NotFound


class ActionNotFound(NotFound):
    """Also an action this person may not see (pending, rejected): its existence is not revealed."""

    code = "not_found"  # what API clients have always read here
    message = _("This action does not exist.")


class CommentNotFound(NotFound):
    code = "not_found"
    message = _("This comment does not exist.")


class ParticipationClosed(NotAllowed):
    code = "participation_closed"
    message = _("Participation is not open in this campaign at the moment.")


class ActionNotSupportable(Invalid):
    code = "action_not_supportable"
    message = _("This action cannot receive supports: it is not published.")


class WrongStatus(Invalid):
    code = "wrong_status"
    message = _("This action is not in a state that allows this change.")


class SupportedBeforeErasure(NotAllowed):
    """The address supported this action with an account that was then deleted: that support is
    still counted (anonymised), so a new account with the same address cannot add another."""

    code = "supported_before_erasure"
    message = _(
        "Your e-mail address already supported this action with an account that was deleted. "
        "That support is still counted, so it cannot be given a second time."
    )


class SignInToSupport(NotAllowed):
    code = "sign_in_required"
    message = _("Sign in to support")


class LetterRequired(NotAllowed):
    code = "letter_required"
    message = _("Supports are reserved to residents of the households that received a letter.")


class CannotSupport(NotAllowed):
    code = "forbidden"  # what support_add has always answered here
    message = _("You cannot support actions in this campaign.")


class ThemeNotFound(NotFound):
    message = _("This theme does not exist.")


class ThemeInUse(Invalid):
    code = "theme_in_use"
    message = _("Actions carry this theme: merge it into another theme instead of deleting it.")


class NotTheAuthor(NotAllowed):
    code = "not_author"
    message = _("Only its author can withdraw a contribution.")


class NotPending(Invalid):
    code = "not_pending"
    message = _("Only a contribution waiting for moderation can be withdrawn.")

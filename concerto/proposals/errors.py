from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed


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

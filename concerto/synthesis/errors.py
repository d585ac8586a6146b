"""Synthesis errors: a stable code and a French sentence (through gettext) each."""

from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed, NotFound


class SynthesisNotFound(NotFound):
    code = "synthesis_not_found"
    message = _("This page does not exist, or you may not see it.")


class NotAllowedHere(NotAllowed):
    code = "synthesis_not_allowed"
    message = _("You may not do this in this campaign.")


class ActionNotPublished(Invalid):
    code = "action_not_published"
    message = _("Only a published action has versions.")


class NothingChanged(Invalid):
    code = "version_unchanged"
    message = _("This text is the same as the current version: there is nothing to record.")


class ReasonRequired(Invalid):
    code = "reason_required"
    message = _("Write the reason: it is shown with the change, to everyone.")


class VersionNotFound(NotFound):
    code = "version_not_found"
    message = _("This version of the action does not exist.")

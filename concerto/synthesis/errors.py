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


# -- documents --

class NoCandidate(Invalid):
    code = "documents_no_candidate"
    message = _("Add the candidates first: each list receives its own dossier.")


class DocumentsNotReady(Invalid):
    code = "documents_not_ready"
    message = _("The dossiers of the latest edition are not all ready: generate them, wait until each is "
                "ready, then send.")


class NoContactEmail(Invalid):
    code = "documents_no_contact_email"
    message = _("This candidate has no e-mail address for the dossier: add one on the candidate's page.")


class DocumentNotFound(NotFound):
    code = "document_not_found"
    message = _("This document does not exist, or you may not see it.")


class DossierLinkInvalid(NotFound):
    code = "dossier_link_invalid"
    message = _("This link does not work: it is mistyped, or a newer e-mail replaced it. Ask the organisers "
                "for a new one.")

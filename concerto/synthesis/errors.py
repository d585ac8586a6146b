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


# -- amend --

class AmendmentNotFound(NotFound):
    code = "amendment_not_found"
    message = _("This amendment does not exist.")


class AlreadyDecided(Invalid):
    code = "amendment_decided"
    message = _("This amendment has already been decided: its decision stays as it is.")


class QuoteNotFound(Invalid):
    code = "quote_not_found"
    message = _("This passage is not in the action's current text: copy it exactly from the text.")


class BadDecision(Invalid):
    code = "bad_decision"
    message = _("Choose a decision: accept, accept with changes, or decline.")


class OpinionClosed(Invalid):
    code = "opinion_closed"
    message = _("Opinions on this amendment are not open, or the date for them has passed.")


class OpinionNotAllowed(NotAllowed):
    code = "opinion_not_allowed"
    message = _("Only the residents who took part in this action's workshop give their opinion on it.")


class BadOpinionDate(Invalid):
    code = "opinion_date"
    message = _("Choose a date and time in the future for the end of the opinions.")


class BadOpinion(Invalid):
    code = "bad_opinion"
    message = _("Choose for, against or unsure.")
# -- followup --

class ElectionNotSet(Invalid):
    code = "election_not_set"
    message = _("The election calendar has no round yet: set the rounds before marking the elected list.")


class ElectionNotOver(Invalid):
    code = "election_not_over"
    message = _("The election is not over: the elected list can be marked once the polls of the last round "
                "have closed.")


class ElectedListUnchanged(Invalid):
    code = "elected_list_unchanged"
    message = _("This list is already the one marked as elected.")


class NoElectedList(Invalid):
    code = "no_elected_list"
    message = _("The elected list is not marked yet: there is no follow-up board.")


class CommitmentNotFound(NotFound):
    code = "commitment_not_found"
    message = _("This commitment does not exist.")


class FollowupImportErrors(Invalid):
    """A CSV of status updates with wrong lines: nothing was imported; ``lines`` lists (line, message)."""

    code = "followup_import_errors"
    message = _("The file has errors: nothing was imported. Correct the lines below and send it again.")

    def __init__(self, lines: list[tuple[int, str]]):
        super().__init__()
        self.lines = lines
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

"""Door-to-door and paper errors: a stable code and a French sentence (through gettext) each.

The sync endpoint answers each refused record with one of these codes and its sentence, so the
ambassador's phone can show why, in French, and keep the record for correction."""

from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed, NotFound


class FieldworkNotFound(NotFound):
    code = "fieldwork_not_found"
    message = _("This page does not exist, or you may not see it.")


class NotAmbassador(NotAllowed):
    code = "not_ambassador"
    message = _("Only the campaign's ambassadors can record door-to-door visits.")


class DeviceUnknown(NotAllowed):
    code = "device_unknown"
    message = _("This phone is not enrolled for the campaign: ask an organiser to show you the enrolment QR code.")


class DeviceRevoked(NotAllowed):
    code = "device_revoked"
    message = _("This phone was withdrawn by an organiser: it can no longer send visits. Give it back to them, "
                "or download your waiting visits so they can add them.")


class EnrolmentInvalid(Invalid):
    code = "enrolment_invalid"
    message = _("This enrolment code is expired or was already used: ask the organiser for a new one.")


class DoorPhaseClosed(Invalid):
    code = "door_phase_closed"
    message = _("Door-to-door visits are not open in this campaign now.")


class BatchTooLarge(Invalid):
    code = "batch_too_large"
    message = _("Too many visits in one sending: the phone sends them in smaller groups.")


class RecordInvalid(Invalid):
    """One record of a batch is wrong; the message says what, the rest of the batch is kept."""

    code = "record_invalid"
    message = _("This visit cannot be recorded as it is.")


class ConsentMissing(Invalid):
    code = "consent_missing"
    message = _("Consent was not recorded: nothing about this resident can be kept without it.")


class ConsentScriptUnknown(Invalid):
    code = "consent_script_unknown"
    message = _("The consent text read aloud is not one of this campaign's versions: update the app and read it again.")


class CaptureConflict(Invalid):
    code = "conflict"
    status = 409
    message = _("A different visit was already received with this identifier: it was kept apart for an organiser "
                "to check, and was not counted.")


class ProposalNotReadBack(Invalid):
    code = "proposal_not_read_back"
    message = _("A proposal must be read back to the resident before it is recorded.")


class RoundConflict(Invalid):
    code = "round_door_taken"
    message = _("Some of these doors are already on another ambassador's round that day.")


class SheetConflict(Invalid):
    code = "sheet_conflict"
    status = 409
    message = _("This paper form was already entered with different answers: the two entries are shown for a check.")


# --- Paper forms ---------------------------------------------------------------------------------

class SerialInvalid(Invalid):
    code = "serial_invalid"
    message = _("This form number cannot be right: check it against the form.")


class SheetUnknown(Invalid):
    code = "serial_unknown"
    message = _("No form with this number was printed for this campaign: check the number, or put the form "
                "aside for an organiser.")


class PaperConsentMissing(Invalid):
    code = "consent_missing"
    message = _("The « J'accepte » box is not ticked: nothing from this form can be kept. Put it aside; it "
                "is not entered.")


class NoConsentScript(Invalid):
    code = "consent_script_missing"
    message = _("Write the consent text first: it is printed on every form.")


class PrintCountInvalid(Invalid):
    code = "print_count_invalid"
    message = _("Ask for 1 to 500 forms at a time.")


class NothingToSupport(Invalid):
    code = "no_published_action"
    message = _("The campaign has no published action yet: there is nothing to tick on a form.")
# --- The ambassador's app (views/app.py): whole-request refusals of the sync endpoint -------------

class SignedOut(NotAllowed):
    code = "signed_out"
    status = 401
    message = _("You are signed out: sign in again (with the network), your waiting visits stay on the phone.")


class BadJson(Invalid):
    code = "bad_json"
    message = _("The sending is not readable (malformed JSON): the phone will send it again.")


class ServerBusy(Invalid):
    code = "busy"
    status = 503
    message = _("The server is busy: the phone will send again in a moment.")


class ProposalInvalid(Invalid):
    code = "proposal_invalid"
    message = _("A proposal needs a title of 5 to 140 characters and a text of 10 to 300 characters.")

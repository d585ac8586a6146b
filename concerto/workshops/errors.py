"""Workshop errors: a stable code and a French sentence (through gettext) each."""

from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed, NotFound


class WorkshopNotFound(NotFound):
    code = "workshop_not_found"
    message = _("This workshop does not exist, or you may not see it.")


class UnknownRoomCode(NotFound):
    code = "unknown_room_code"
    message = _("No workshop is open with this code. Check the six characters shown on the screen.")


class NotAttendee(NotAllowed):
    code = "not_attendee"
    message = _("Only the people invited to this workshop, or let in by its facilitators, can take part.")


class NotFacilitator(NotAllowed):
    code = "not_facilitator"
    message = _("Only the facilitators and organisers of this workshop can do this.")


class PhaseLocked(Invalid):
    code = "phase_locked"
    message = _("The wall is not at the step for this: ask the facilitator.")


class PhaseStepInvalid(Invalid):
    code = "phase_step_invalid"
    message = _("The wall moves one step at a time, forward or back.")


class WorkshopCancelled(Invalid):
    code = "workshop_cancelled"
    message = _("This workshop was cancelled.")


class IdeaEmpty(Invalid):
    code = "idea_empty"
    message = _("Write your idea before sending it.")


class IdeaTooLong(Invalid):
    code = "idea_too_long"


class ClientIdConflict(Invalid):
    code = "client_id_conflict"
    status = 409
    message = _("This idea was already sent with different words. Reload the page to see it.")


class NotYourIdea(NotAllowed):
    code = "not_your_idea"
    message = _("You can only change your own ideas.")


class TooManyDots(Invalid):
    code = "too_many_dots"


class VoteTimeOver(Invalid):
    code = "vote_time_over"
    message = _("Time is up for the vote: your dots were not changed.")


class SheetNotFound(NotFound):
    code = "sheet_not_found"
    message = _("This action sheet does not exist, or you may not see it.")


class SheetPublished(Invalid):
    code = "sheet_published"
    message = _("This sheet is already published as an action: it can no longer be changed here.")


class NothingToPublish(Invalid):
    code = "nothing_to_publish"
    message = _("No retained sheet is waiting to be published.")


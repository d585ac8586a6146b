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


class JoinRequestDecided(Invalid):
    code = "join_request_decided"
    message = _("This request was already answered.")


class AttendeeNotHere(Invalid):
    code = "attendee_not_here"
    message = _("Choose a person invited to this workshop who has not joined yet.")


class NameRequired(Invalid):
    code = "name_required"
    message = _("Give your first name so that the facilitator knows who you are.")
# --- themes and dots (cluster, dot-vote) ------------------------------------------------------------


class IdeaNotFound(Invalid):
    code = "idea_not_found"
    message = _("This idea is no longer on the wall. Reload the page.")


class ThemeNotFound(Invalid):
    code = "theme_not_found"
    message = _("This theme no longer exists. Reload the page.")


class ThemeNameEmpty(Invalid):
    code = "theme_name_empty"
    message = _("Give the theme a name.")


class ThemeNameTooLong(Invalid):
    code = "theme_name_too_long"
    message = _("A theme's name fits in 80 characters.")


class ThemeNameTaken(Invalid):
    code = "theme_name_taken"
    message = _("Another theme already has this name: choose another one, or put the ideas in that theme.")


class MergeInvalid(Invalid):
    code = "merge_invalid"
    message = _("An idea can only be merged into another idea still on the wall.")


class NotMerged(Invalid):
    code = "not_merged"
    message = _("This idea is not merged into another one.")


class SuggestionStale(Invalid):
    code = "suggestion_stale"
    message = _("This suggestion is out of date: its ideas were already grouped. Nothing was changed.")


class VoteTargetInvalid(Invalid):
    code = "vote_target_invalid"
    message = _("Dots go on a theme, or on an idea that is in no theme. Reload the page.")


class DotCountInvalid(Invalid):
    code = "dot_count_invalid"
    message = _("The number of dots must be a whole number, zero or more.")


class TooManyDotsOnItem(Invalid):
    code = "too_many_dots_on_item"


class VoteStarted(Invalid):
    code = "vote_started"
    message = _("Dots have already been placed: the vote's settings can no longer change.")
class SheetNotFound(NotFound):
    code = "sheet_not_found"
    message = _("This action sheet does not exist, or you may not see it.")


class SheetPublished(Invalid):
    code = "sheet_published"
    message = _("This sheet is already published as an action: it can no longer be changed here.")


class NothingToPublish(Invalid):
    code = "nothing_to_publish"
    message = _("No retained sheet is waiting to be published.")

# --- sessions, invitations, RSVP, attendance ------------------------------------------------------


class AgendaItemNotFound(NotFound):
    code = "agenda_item_not_found"
    message = _("This activity is no longer on the agenda.")


class AttendeeNotFound(NotFound):
    code = "attendee_not_found"
    message = _("This person is not on the list of this workshop.")


class PersonalLinkInvalid(NotFound):
    code = "personal_link_invalid"
    message = _("This link does not work (any more). A newer invitation may have replaced it: use the latest "
                "one, or ask the organisers.")


class NoPanel(Invalid):
    code = "no_panel"
    message = _("Choose the drawn panel of this workshop first (Edit the workshop).")


class WorkshopOver(Invalid):
    code = "workshop_over"
    message = _("This workshop is over: answers can no longer be changed.")


class AlreadyCancelled(Invalid):
    code = "already_cancelled"
    message = _("This workshop is already cancelled.")


class NobodyToInvite(Invalid):
    code = "nobody_to_invite"
    message = _("There is nobody to send this to.")

"""Domain errors of volunteering: a stable machine code and a translated message."""

from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed, NotFound


class VolunteeringClosed(NotAllowed):
    code = "volunteering_closed"
    message = _("The call for volunteers is closed.")


class NotLetterVerified(NotAllowed):
    code = "not_letter_verified"
    message = _("Volunteering is open to residents who joined with the code printed on the invitation "
                "letter sent to their household. Join with your letter's code first.")


class NotResident(NotAllowed):
    code = "not_resident"
    message = _("Volunteering is open to residents of the neighbourhood who received an invitation letter. "
                "Join the campaign with the code printed on your letter first.")


class CandidateCannotVolunteer(NotAllowed):
    code = "candidate_cannot_volunteer"
    message = _("Candidates in the election cannot volunteer for the workshops.")


class StaffCannotVolunteer(NotAllowed):
    code = "staff_cannot_volunteer"
    message = _("Members of the campaign team (organisers, facilitators, moderators, ambassadors) cannot "
                "volunteer for the workshops.")


class SignInRequired(NotAllowed):
    code = "sign_in_required"
    message = _("Sign in to volunteer.")


class NotAVolunteer(NotFound):
    code = "not_a_volunteer"
    message = _("You are not a volunteer in this campaign.")


class NoCall(NotFound):
    code = "no_call"
    message = _("This campaign has no call for volunteers.")


class AnswersAlreadyRecorded(Invalid):
    """The same person's form sent twice at once: the other request won."""

    code = "answers_already_recorded"
    message = _("Your answers were already recorded; reload the page.")

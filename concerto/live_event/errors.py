"""Live event errors: a stable code and a French sentence (through gettext) each."""

from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed, NotFound


class EventNotFound(NotFound):
    code = "event_not_found"
    message = _("This page does not exist, or you may not see it.")


class NotYourReaction(NotAllowed):
    code = "not_your_reaction"
    message = _("You can only write and change your own list's reactions.")


class CandidateInvalid(Invalid):
    code = "candidate_invalid"
    message = _("This candidate is not on this campaign's list.")


class ItemInvalid(Invalid):
    code = "item_invalid"
    message = _("This action is not on the running order of this event.")


class StanceInvalid(Invalid):
    code = "stance_invalid"
    message = _("Choose a position: commits to it, favourable, favourable with changes, reserved, "
                "unfavourable or no answer.")


class SummaryTooLong(Invalid):
    code = "summary_too_long"
    message = _("The summary of what they said must fit in 280 characters.")


class ClientIdInvalid(Invalid):
    code = "client_id_invalid"
    message = _("This entry has no valid identifier: reload the page and try again.")


class ClientIdConflict(Invalid):
    code = "client_id_conflict"
    message = _("This identifier was already used for another entry: reload the page and try again.")


class OrderAlreadyPublished(Invalid):
    code = "order_published"
    message = _("The reply order was published before the show: it can no longer change.")


class OrderNotPublished(Invalid):
    code = "order_not_published"
    message = _("Publish the candidates' reply order before starting the show.")


class RunningOrderEmpty(Invalid):
    code = "running_order_empty"
    message = _("The running order has no action yet.")


class NoCandidates(Invalid):
    code = "no_candidates"
    message = _("Add the candidates before publishing the reply order.")


class EventEnded(Invalid):
    code = "event_ended"
    message = _("This event has ended: its record can no longer change.")


class EventNotOnAir(Invalid):
    code = "event_not_on_air"
    message = _("The show has not started: start it first.")


class ElectionFreeze(Invalid):
    code = "election_freeze"
    message = _("Nothing new can be published from 00:00 on the eve of the vote until the polls close "
                "(article L49 of the electoral code). The pages stay readable.")


class QuestionsClosed(Invalid):
    code = "questions_closed"
    message = _("Questions from the audience are not open for this event now.")


class CandidateHasPositions(Invalid):
    code = "candidate_has_positions"
    message = _("This candidate cannot be removed: the reply order was published with them, or positions "
                "or speaking time of theirs are recorded, and the event's record keeps them.")


"""Domain errors of selections: a stable machine code and a translated message."""

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.errors import DomainError, Invalid, NotFound


class SelectionNotFound(NotFound):
    """Also a draft to anyone but the organisers, and any selection to a non-organiser on their pages."""

    code = "not_found"  # what API clients have always read here
    message = _("This selection does not exist.")


class NotComputed(NotFound):
    code = "not_found"
    message = _("The distribution of this selection is not computed yet.")


class WrongStage(DomainError):
    """The selection is not at the stage this act needs (e.g. a draw before the source is announced)."""

    code = "wrong_stage"
    status = 409
    message = _("This selection is not at the stage that allows this step.")


class AlreadyDrawn(WrongStage):
    code = "already_drawn"
    message = _("This selection has already been drawn: a draw cannot be repeated.")


class PoolTooSmall(Invalid):
    code = "pool_too_small"

    def __init__(self, pool_size: int, panel_size: int):
        super().__init__(_("The pool has %(pool)s volunteers, fewer than the %(panel)s places of the panel.") % {
            "pool": pool_size, "panel": panel_size})


class NoReplacementKeepsQuotas(Invalid):
    """No reserve keeps every quota; the organiser may confirm taking the first reserve anyway."""

    code = "no_replacement_keeps_quotas"

    def __init__(self, first_reserve: str | None):
        self.first_reserve = first_reserve
        if first_reserve:
            message = _("No one on the reserve list keeps every quota. Confirm to take the first reserve, "
                        "%(pseudonym)s, anyway.") % {"pseudonym": first_reserve}
        else:
            message = _("The reserve list is empty: no one can replace this person.")
        super().__init__(message)


class SelectionArchived(WrongStage):
    """The volunteers' answers were erased after the retention period (``erasure.volunteers_purge_expired``)."""

    code = "selection_archived"
    message = _("This selection is archived: the volunteers' answers were erased after the retention "
                "period, so it can no longer change.")


class DrawTooEarly(WrongStage):
    """The announced moment the random value is known has not come: nobody can know it yet."""

    code = "random_value_not_known_yet"

    def __init__(self, known_at):
        local = timezone.localtime(known_at)
        super().__init__(_("The announced random value is only known on %(date)s at %(time)s: the draw cannot "
                           "happen before.") % {"date": formats.date_format(local, "DATE_FORMAT"),
                                                "time": formats.time_format(local, "TIME_FORMAT")})


class CannotDelete(WrongStage):
    code = "cannot_delete"
    message = _("This selection has been public: it cannot be deleted, only archived, so that its audit page "
                "stays available.")


class CannotArchive(WrongStage):
    code = "cannot_archive"
    message = _("Only a selection that has been made public can be archived; a draft is deleted instead.")


class IsArchived(WrongStage):
    code = "archived"
    message = _("This selection is archived: it can still be checked, but no longer changed.")


class NotifyUnprepared(WrongStage):
    code = "notification_not_ready"
    message = _("Give the place, date and time of the first workshop, then preview the message, before "
                "notifying.")


class NotifyNotPreviewed(WrongStage):
    code = "notification_not_previewed"
    message = _("The message changed since your preview: preview it again, then send it.")


class AnswerLinkInvalid(NotFound):
    code = "not_found"
    message = _("This answer link is not valid. Copy the whole link from your message, or contact the "
                "organisers.")

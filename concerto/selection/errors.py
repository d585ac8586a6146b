"""Domain errors of selections: a stable machine code and a translated message."""

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

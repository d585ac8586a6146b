"""Domain errors of letters: a stable code and a translated message."""

from django.utils.translation import gettext_lazy as _

from concerto.core.errors import DomainError, Invalid, NotFound


class ImportHasErrors(Invalid):
    code = "import_has_errors"
    message = _("This file has errors: correct them and upload it again. Nothing was imported.")


class ImportNotPending(Invalid):
    code = "import_not_pending"
    message = _("This file was already imported or cancelled.")


class NothingToPrint(Invalid):
    code = "nothing_to_print"
    message = _("No household matches: there is no letter to generate.")


class BatchNotReady(Invalid):
    code = "batch_not_ready"
    message = _("The letters of this batch are not generated yet.")


class HouseholdNotFound(NotFound):
    code = "household_not_found"
    message = _("This household does not exist in this campaign.")


class BatchNotFound(NotFound):
    code = "batch_not_found"
    message = _("This batch of letters does not exist in this campaign.")


class ImportNotFound(NotFound):
    code = "import_not_found"
    message = _("This import does not exist.")


class StreetRuleNotFound(NotFound):
    code = "street_rule_not_found"
    message = _("This rule does not exist.")


class CodeRejected(DomainError):
    """Base of every refusal of a typed invitation code: its format here, its lookup in ``joining.errors``.

    Pages show these on the code field. It lives in letters because ``codes.parse_code`` raises
    one, and letters cannot import joining.
    """


class CodeError(CodeRejected, Invalid):
    """A typed code that cannot be right, caught before any lookup (``codes.parse_code``).

    ``reason`` is "empty", "length", "characters" or "check"; the machine code is ``code_<reason>``.
    """

    def __init__(self, reason: str, message):
        super().__init__(message, code=f"code_{reason}")
        self.reason = reason


class PlaceholderError(Invalid):
    """An unknown placeholder or an unbalanced brace in a letter's text; the message names it."""

    code = "placeholder"


# --- Correcting households ----------------------------------------------------------------------


class HouseholdNotVacant(Invalid):
    code = "household_not_vacant"
    status = 409
    message = _("Residents joined with this household's code: it cannot be deleted. Their accounts and "
                "supports depend on it. If the letter went to the wrong people, re-issue it instead.")


class HouseholdInUnfinishedBatch(Invalid):
    code = "household_in_unfinished_batch"
    status = 409
    message = _("This household's letter is in a batch that is being generated or that failed: wait until "
                "the batch is ready (or generate it again), then delete the household.")


class ImportNotImported(Invalid):
    code = "import_not_imported"
    status = 409
    message = _("Only an imported file can be undone: this one was never imported, or was already undone.")


class ImportNothingToUndo(Invalid):
    code = "import_nothing_to_undo"
    status = 409
    message = _("No household of this import can be removed: residents joined with their codes, or their "
                "letters were posted. Delete the vacant households one by one from their pages.")

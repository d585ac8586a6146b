"""Domain errors: a stable machine code and a translated message. Views turn them into form errors or 4xx.

A subclass names its code and message as class attributes, so most are two lines::

    class BatchNotReady(Invalid):
        code = "batch_not_ready"
        message = _("The letters of this batch are not generated yet.")

Pass ``message=`` only when the text depends on values known at raise time.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    status = 400
    message = _("This request cannot be carried out.")

    def __init__(self, message=None, *, code: str | None = None):
        if message is not None:
            self.message = message
        if code:
            self.code = code
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(DomainError):
    code = "forbidden"
    status = 403
    message = _("You are not allowed to do this.")


class NotFound(DomainError):
    """Also what a person who may not see a staff-only object is told: see docs/architecture.md."""

    code = "not_found"
    status = 404
    message = _("Not found.")


class Invalid(DomainError):
    code = "invalid"
    status = 400
    message = _("This request is not valid.")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    message = _("Too many attempts: wait a moment and try again.")


class FieldErrors(Invalid):
    """Several fields are wrong at once; ``errors`` maps field name to a translated message."""

    code = "invalid_fields"
    message = _("Please correct the errors below.")

    def __init__(self, errors: dict):
        super().__init__()
        self.errors = errors


class BackupError(Invalid):
    """A backup cannot be made, or a restore is refused; nothing was changed unless the message says
    so. ``code`` says why (docs/backups.md lists them)."""

    code = "backup_error"
    message = _("The backup or restore cannot be carried out.")

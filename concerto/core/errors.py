"""Domain errors: a stable machine code and a translated message. Views turn them into form errors or 4xx."""


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message, *, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Invalid(DomainError):
    code = "invalid"
    status = 400


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


class FieldErrors(Invalid):
    """Several fields are wrong at once; ``errors`` maps field name to a translated message."""

    code = "invalid_fields"

    def __init__(self, errors: dict):
        from django.utils.translation import gettext_lazy as _

        super().__init__(_("Please correct the errors below."))
        self.errors = errors

"""What every app's forms share: putting a domain error on the form that caused it."""

from .errors import DomainError, FieldErrors


def apply_errors(form, exc: DomainError, *, field_for=None) -> None:
    """Show ``exc`` on ``form``: each field error on its field, anything else above the form.

    ``form.field_aliases`` maps a service's field name to the form's when they differ.
    ``field_for(exc)`` may name the field a non-field error belongs to (e.g. the code field for
    every refused code); ``None`` keeps it above the form.
    """
    if isinstance(exc, FieldErrors):
        aliases = getattr(form, "field_aliases", {})
        for name, message in exc.errors.items():
            name = aliases.get(name, name)
            form.add_error(name if name in form.fields else None, message)
        return
    field = field_for(exc) if field_for else None
    form.add_error(field if field in form.fields else None, exc.message)

"""Every error the API answers is JSON shaped as ``schemas.Error``: ``{"code", "message", "errors"}``."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from concerto.core.errors import DomainError

from .auth import UNAUTHORIZED_MESSAGE


def error_body(code: str, message, errors: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "errors": {k: str(v) for k, v in (errors or {}).items()}}


def _field_name(loc) -> str:
    """``("body", "payload", "title")`` → ``title``; ``("query", "page_size")`` → ``page_size``."""
    parts = [str(p) for p in loc[1:] if p != "payload"] or [str(p) for p in loc]
    return ".".join(parts)


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return respond(request, exc.status, error_body(exc.code, exc.message, getattr(exc, "errors", None)))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, error_body("not_found", _("Not found.")))

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        response = respond(request, 401, error_body("unauthorized", UNAUTHORIZED_MESSAGE))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(ValidationError)
    def invalid_request(request, exc: ValidationError):
        errors: dict[str, str] = {}
        for item in exc.errors:
            errors.setdefault(_field_name(item.get("loc", ())), item.get("msg", ""))
        message = _("The request is not valid: see “errors” for each parameter or field.")
        return respond(request, 422, error_body("invalid_request", message, errors))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400:
            body = error_body("bad_request", _("The request body could not be read: send JSON."))
        else:
            body = error_body(f"http_{exc.status_code}", exc.message)
        return respond(request, exc.status_code, body)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        # Django would answer its HTML 400 page; API clients get JSON like every other error.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = _("The request body is too large (at most %(size)s).") % {"size": filesizeformat(limit)}
        return respond(request, 413, error_body("payload_too_large", message))

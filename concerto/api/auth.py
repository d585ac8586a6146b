"""Authentication of API callers: personal Bearer tokens, nothing else.

The API never reads the session cookie: the caller is ``request.auth``, set from the
``Authorization: Bearer <token>`` header only (``request.user`` is overwritten with it, so a
browser session cannot leak into an API call). With no cookie-based authentication there is no
ambient credential a third-party site could ride on, so CSRF protection does not apply to these
endpoints: django-ninja marks its views CSRF-exempt and no ``APIKeyCookie`` auth is used here.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from concerto.residents.services import api_token_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerToken(HttpBearer):
    """A personal token (``manage.py issue_token EMAIL``), sent as ``Authorization: Bearer <token>``.

    ``optional=True`` lets anonymous callers through (as ``AnonymousUser``) when the request has
    no ``Authorization`` header at all. A header that is present but wrong, revoked or not a
    Bearer token is always refused with 401, so a broken client never silently reads as anonymous.
    """

    openapi_description = (
        "Personal API token, created in “Mon espace” or with `manage.py issue_token EMAIL`. It expires "
        "(90 days by default, one year at most); a read-only token gets 403 `token_read_only` on writes."
    )

    def __init__(self, *, optional: bool = False) -> None:
        self.optional = optional
        super().__init__()

    def __call__(self, request: HttpRequest):
        if self.optional and self.header not in request.headers:
            user = AnonymousUser()
        else:
            user = super().__call__(request)
        if user:
            request.user = user  # never the session's user
        return user

    def authenticate(self, request: HttpRequest, token: str):
        # A read-only token is refused (403 JSON, code "token_read_only") on any method that writes.
        return api_token_authenticate(token.strip(), write=request.method not in SAFE_METHODS)


token_required = BearerToken()
token_optional = BearerToken(optional=True)

# OpenAPI: an empty requirement next to BearerToken means "authentication is optional".
OPTIONAL_AUTH_DOC = {"security": [{}]}

UNAUTHORIZED_MESSAGE = _("A valid API token is required: send it as “Authorization: Bearer <token>”.")

"""Helpers shared by views: the refusal rule, safe redirects and client address."""

import functools

from django.conf import settings
from django.contrib.messages import get_messages
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.vary import vary_on_headers

from .errors import DomainError, NotFound


def require(allowed: bool, error: type[DomainError] | DomainError = NotFound) -> None:
    """The one refusal rule (docs/architecture.md): raise ``error`` unless ``allowed``.

    On staff-only objects the default, ``NotFound``, gives the same answer whether the object
    does not exist or the person may not see it, so a refusal reveals nothing. Pass a
    ``NotAllowed`` subclass only on a public page whose refusal has a reason to show.
    Views let it propagate (``DomainErrorMiddleware`` answers 404 or 403); the API maps it to
    the same status with a JSON body.
    """
    if not allowed:
        raise error() if isinstance(error, type) else error


def safe_next(request, candidate: str | None, default: str = "/") -> str:
    """Only same-site relative paths; anything else (//evil, https://evil, javascript:) falls back."""
    if candidate and candidate.startswith("/") and not candidate.startswith("//") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def demo_mode() -> bool:
    return settings.CONCERTO_DEMO_MODE


def public_page_cache(view):
    """Mark a view's anonymous answers as shareable for CONCERTO_PUBLIC_CACHE_SECONDS.

    ``PublicPageCacheMiddleware`` stores and serves them. Only answers built for an anonymous
    visitor with no flash message are marked; anonymous public pages carry no CSRF token (the
    language switch is a link), so nothing personal can be shared between visitors.
    """
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if (request.method == "GET" and not request.user.is_authenticated
                and not len(get_messages(request))):
            response.public_cacheable = True
        return response

    return wrapped


# For views that answer an htmx request with a fragment and any other request with the whole
# page at the same URL: browsers (history restore, back button) and shared caches must keep the
# two apart, or a bare fragment can be shown as the page (issue 8, F14).
vary_on_htmx = vary_on_headers("HX-Request", "HX-Target")

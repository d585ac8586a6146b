"""Helpers shared by views: safe redirects and client address."""

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


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
    """Serve anonymous GETs from a cache for CONCERTO_PUBLIC_CACHE_SECONDS (counts at most that old).

    Signed-in people always get a fresh page with exact counts. Pages holding flash messages are
    neither served from nor stored in the cache, and anonymous public pages carry no CSRF token
    (the language switch is a link), so nothing personal can be shared between visitors.
    """
    import functools

    from django.contrib.messages import get_messages
    from django.core.cache import caches
    from django.utils.translation import get_language

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.CONCERTO_PUBLIC_CACHE_SECONDS
        if (request.method != "GET" or not seconds or request.user.is_authenticated
                or len(get_messages(request))):
            return view(request, *args, **kwargs)
        key = "page:{}:{}:{}:{}".format(
            get_language(), request.headers.get("HX-Request", ""), request.headers.get("HX-Target", ""),
            request.get_full_path(),
        )
        cache = caches["pages"]
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if response.status_code == 200 and not response.cookies:
                cache.set(key, response, seconds)
        return response

    return wrapped

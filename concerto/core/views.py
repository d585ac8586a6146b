import secrets

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .http import safe_next

# Caches that live in the web process itself: they cannot be "down", so checking them proves nothing.
IN_PROCESS_CACHES = (LocMemCache, DummyCache)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "database does not answer"
        return False
    return True


def _cache_ok() -> bool | None:
    """A set and a get of a short-lived key on the shared cache (Redis); None when the cache is in-process."""
    cache = caches["default"]
    if isinstance(cache, IN_PROCESS_CACHES):
        return None
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(4)
    try:
        cache.set(key, value, timeout=5)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception:  # noqa: BLE001 - any failure means "cache does not answer"
        return False
    return ok


@never_cache
def healthz(request):
    """Database (and shared cache) reachability, for load balancers and monitoring: 503 when degraded.

    Cheap on purpose: one ``SELECT 1``, one cache set/get, no session and no ORM query; never in
    the public page cache (the response is not marked ``public_cacheable``).
    """
    checks = {"database": _database_ok()}
    cache_ok = _cache_ok()
    if cache_ok is not None:
        checks["cache"] = cache_ok
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks}
    if not healthy:
        body["degraded"] = sorted(name for name, ok in checks.items() if not ok)
    return JsonResponse(body, status=200 if healthy else 503)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None, *, reason=None):
    """The 403 page; ``reason`` is a domain refusal's translated message, shown instead of the generic one."""
    return render(request, "errors/403.html", {"reason": reason}, status=403)


def set_language(request):
    """Switch the interface language with a plain link (no form, so public pages carry no CSRF token)."""
    language = request.GET.get("language", "")
    response = HttpResponseRedirect(safe_next(request, request.GET.get("next"), "/"))
    if language in {code for code, _name in settings.LANGUAGES}:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax",
            secure=request.is_secure(), httponly=True,
        )
    return response

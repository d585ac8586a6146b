"""Request-wide policies: the interface language, and the public page cache."""

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from .errors import NotAllowed, NotFound
from .views import forbidden, not_found


class LanguageMiddleware:
    """French by default: the language comes from the visitor's explicit choice (cookie), not the browser."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


class PublicPageCacheMiddleware:
    """Serve anonymous GETs of public pages from a per-process cache, before the rest of the stack.

    Placed near the top so a hit skips sessions, CSRF, CSP and the view (the stored response
    already carries every header they added). A request with a session or a flash-message
    cookie always goes through: signed-in residents see exact counts, even right after their
    own support. Visitors see counts at most CONCERTO_PUBLIC_CACHE_SECONDS old.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.cache = caches["pages"]
        self.supported = {code for code, _ in settings.LANGUAGES}

    def key(self, request) -> str | None:
        if request.method != "GET" or not settings.CONCERTO_PUBLIC_CACHE_SECONDS:
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return None
        lang = cookies.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in self.supported:
            lang = settings.LANGUAGE_CODE
        # A hash of a tuple: joining attacker-set headers with a separator would let a header
        # that contains the separator alias another page's key (issue 8, F16). The host is
        # validated (DisallowedHost, answered 400) before anything is served or stored.
        parts = (lang, request.headers.get("HX-Request", ""), request.headers.get("HX-Target", ""),
                 request.get_host(), request.get_full_path())
        return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()

    def __call__(self, request):
        key = self.key(request)
        if key is not None:
            entry = self.cache.get(key)
            if entry is not None:
                built_at, cached = entry
                # Refresh early: past half its age, one request (the winner of the lock) rebuilds
                # while the others keep serving this copy, still younger than the limit. Without
                # it every concurrent visitor rebuilds the page at once when it expires.
                seconds = settings.CONCERTO_PUBLIC_CACHE_SECONDS
                if time.monotonic() - built_at < seconds / 2 or not self.cache.add(f"{key}:lock", 1, seconds):
                    return cached
        response = self.get_response(request)
        if (key is not None and getattr(response, "public_cacheable", False)
                and response.status_code == 200 and not response.cookies):
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            self.cache.set(key, (time.monotonic(), response), settings.CONCERTO_PUBLIC_CACHE_SECONDS)
            self.cache.delete(f"{key}:lock")
        return response


class PrivateAnswersMiddleware:
    """Answers built for one person are never stored by a browser or a proxy (issue 8, F15).

    The rule: an answer to a request that carries a session cookie or an ``Authorization``
    header, or that signs someone in, is ``Cache-Control: no-store, private`` (with Django's
    never-cache headers). That covers every page with personal data or secrets (``/moi/`` and its
    one-time API token, ``/moi/donnees.json``, households and their codes, letters, volunteers,
    selection management) and the API called with a token, without a decorator to forget on
    each new view. Only anonymous, session-less answers may be stored, and those are exactly the
    public pages the page cache shares. Placed after the authentication middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META
                or (user is not None and user.is_authenticated)):
            add_never_cache_headers(response)
        return response


class DomainErrorMiddleware:
    """A ``NotFound`` or ``NotAllowed`` that a view lets through becomes the 404 or 403 page.

    Views then need no ``try``/``Http404`` around fetch-and-authorize helpers: the refusal rule
    is applied here once, as the API applies it in ``api/errors.py``. Other domain errors are
    the view's to show next to the form that caused them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            return not_found(request)
        if isinstance(exception, NotAllowed):
            return forbidden(request, reason=exception.message)
        return None

"""Fixed-window rate limits on the shared cache (Redis in production), keyed by account or address.

Supports and contributions are limited per account, never per IP alone: residents
share one address at a community centre or behind a mobile carrier.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from .errors import RateLimited


def _key(scope: str, ident: str, window: int) -> str:
    bucket = int(time.time() // window)
    digest = hashlib.sha256(ident.lower().encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{bucket}"


def hit(scope: str, ident: str) -> None:
    """Count one attempt; raise RateLimited once the limit of this window is passed."""
    limit, window = settings.CONCERTO_RATE_LIMITS[scope]
    key = _key(scope, ident, window)
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        minutes = max(1, window // 60)
        raise RateLimited(
            _("Too many attempts. Please wait %(minutes)s minute(s) and try again.") % {"minutes": minutes}
        )


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"

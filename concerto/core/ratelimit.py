"""Fixed-window rate limits on the shared cache (Redis in production), keyed by account or address.

Supports and contributions are limited per account, never per IP alone: residents
share one address at a community centre or behind a mobile carrier.

Every attempt is counted *before* it is checked, with the cache's atomic ``add``/``incr``
(atomic in Redis, and in the in-process cache within one process): a burst of simultaneous
requests cannot all read "budget left" and then all be checked. A failure budget (wrong PIN,
unknown code) takes a slot with ``take`` and gives it back with ``release`` when the attempt
turns out right, so that only failures stay counted.

Internal bulk work that plays many people at once (the demo loader) runs inside ``suspended()``:
nothing is counted or refused in that context, and requests served meanwhile are not affected.

The client's address is decided in one place, ``client_ip``: ``REMOTE_ADDR``, or, only when
that is a trusted reverse proxy (``CONCERTO_TRUSTED_PROXIES``), the address that proxy saw.
"""

import contextlib
import contextvars
import functools
import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext as _

from .errors import RateLimited

# A context variable, not a module flag: a suspension never leaks into other threads or requests.
_suspended = contextvars.ContextVar("concerto_ratelimit_suspended", default=False)


def _key(scope: str, ident: str, window: int) -> str:
    bucket = int(time.time() // window)
    digest = hashlib.sha256(ident.lower().encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{bucket}"


@dataclass(frozen=True)
class Slot:
    """One attempt counted in one window: ``count`` is this attempt's rank in the window."""

    scope: str
    key: str
    count: int
    limit: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit


def _redis_client():
    """The Redis client behind the default cache, or None for another backend."""
    backend = caches["default"]
    return backend._cache.get_client if isinstance(backend, RedisCache) else None


def _increment(key: str, timeout: int) -> int:
    """Add one to ``key`` atomically (creating it at 1); the new value."""
    get_client = _redis_client()
    if get_client is not None:
        # One round trip instead of three (add, then incr's exists + incrby), in one MULTI: the
        # window's expiry is set only when the counter is created, as ``add`` did. Django stores
        # integers as plain Redis integers, so ``cache.get``/``decr`` read the same counter.
        full_key = cache.make_and_validate_key(key)
        pipe = get_client(full_key, write=True).pipeline(transaction=True)
        pipe.set(full_key, 0, ex=timeout, nx=True)
        pipe.incr(full_key)
        return int(pipe.execute()[1])
    for _attempt in range(5):
        if cache.add(key, 1, timeout=timeout):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: add again
            continue
    return cache.incr(key)


def take(scope: str, ident: str) -> Slot:
    """Count one attempt now, atomically, and say whether it is within the limit (``slot.allowed``).

    The count stays even when the attempt is refused; ``release`` gives it back.
    """
    limit, window = settings.CONCERTO_RATE_LIMITS[scope]
    if _suspended.get():
        return Slot(scope=scope, key="", count=0, limit=limit)
    key = _key(scope, ident, window)
    return Slot(scope=scope, key=key, count=_increment(key, window + 1), limit=limit)


def release(slot: Slot) -> None:
    """Give back an attempt counted by ``take`` (it was right, or it was refused and checked nothing)."""
    if not slot.key:  # taken while suspended: nothing was counted
        return
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing left to give back
        cache.decr(slot.key)


def hit(scope: str, ident: str) -> None:
    """Count one attempt; raise RateLimited once the limit of this window is passed."""
    slot = take(scope, ident)
    if not slot.allowed:
        minutes = max(1, settings.CONCERTO_RATE_LIMITS[scope][1] // 60)
        raise RateLimited(
            _("Too many attempts. Please wait %(minutes)s minute(s) and try again.") % {"minutes": minutes}
        )


@contextlib.contextmanager
def suspended():
    """Count nothing and refuse nothing in this context while it lasts (``take``, ``hit``).

    For internal work with nobody behind it that acts for many accounts in seconds (the demo
    loader), never around a request. Counters in the shared cache are left untouched, so real
    visitors are neither throttled by it afterwards nor helped by it meanwhile.
    """
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


# --- The client's address -----------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_proxies() -> tuple:
    """``CONCERTO_TRUSTED_PROXIES`` as networks (a list of addresses or CIDR ranges; empty: none)."""
    return _networks(tuple(str(entry) for entry in getattr(settings, "CONCERTO_TRUSTED_PROXIES", ()) or ()))


def _address(text: str):
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address, proxies) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def _bucket(address) -> str:
    # One IPv6 subscriber gets a whole /64: counting each of its addresses apart would give one
    # person 2^64 budgets.
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_ip(request) -> str:
    """The address a rate limit counts the request against (an IPv6 client: its /64 network).

    ``REMOTE_ADDR`` is the peer that connected to us. Only when it is a trusted proxy
    (``CONCERTO_TRUSTED_PROXIES``) is ``X-Forwarded-For`` read, from the right: each trusted proxy
    appended the address it saw, so the right-most address that is not a trusted proxy is the
    client. Anything to its left was written by the client and is ignored. The ASGI server must not
    rewrite ``REMOTE_ADDR`` itself (uvicorn runs with ``--no-proxy-headers``).
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    address = _address(remote)
    if address is None:
        return remote or "unknown"
    proxies = trusted_proxies()
    if proxies and _is_trusted(address, proxies):
        hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            forwarded = _address(hop)
            if forwarded is None:
                break  # not written by our proxy: keep the proxy's own address
            if not _is_trusted(forwarded, proxies):
                return _bucket(forwarded)
    return _bucket(address)

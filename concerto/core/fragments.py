"""Rendered HTML that is the same for everyone, rendered once per process and shared by every viewer.

Half of what a signed-in page cost was rendering the same cards and comments for each person
(issue 11). A fragment here is keyed by a hash of everything it is rendered from, with the
language and time zone, and it is rendered from that data only (a plain dict, no model object,
no request): when an action's title, its support count or a comment's author's name changes,
the key changes, so a stale fragment can never be served and nothing has to be invalidated;
the old copy ages out of the bounded LRU. What belongs to the viewer (their supports, their
forms, the CSRF token) is never passed in: the caller adds it around the fragment.

Per process, in memory: a hit costs a hash and a dict lookup, no network round trip, and
nothing crosses processes. ``CONCERTO_FRAGMENT_CACHE_ENTRIES`` bounds it (0 turns it off).
"""

import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

DEFAULT_ENTRIES = 20_000


class _LRU:
    def __init__(self):
        self.entries: OrderedDict[bytes, SafeString] = OrderedDict()
        self.lock = threading.Lock()  # granian and the test server run requests in threads

    def get(self, key: bytes):
        with self.lock:
            html = self.entries.get(key)
            if html is not None:
                self.entries.move_to_end(key)
            return html

    def put(self, key: bytes, html: SafeString, limit: int) -> None:
        with self.lock:
            self.entries[key] = html
            self.entries.move_to_end(key)
            while len(self.entries) > limit:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_cache = _LRU()


def _key(template_name: str, data: dict) -> bytes:
    # repr() of str/int/bool/None/datetime/tuple is their content; lazy translations must be
    # turned into str by the caller (their repr is an object address), which _check enforces.
    parts = (template_name, translation.get_language(), timezone.get_current_timezone_name(),
             sorted(data.items()))
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).digest()


_PLAIN = (str, int, float, bool, type(None))


def _check(value) -> None:
    if isinstance(value, tuple):
        for item in value:
            _check(item)
    elif not isinstance(value, _PLAIN) and not hasattr(value, "isoformat"):
        raise TypeError(f"fragment data must be plain values, not {type(value).__name__}")


def fragment(template_name: str, data: dict) -> SafeString:
    """``template_name`` rendered from ``data`` alone (autoescaped, no request, no CSRF token)."""
    for value in data.values():
        _check(value)
    limit = getattr(settings, "CONCERTO_FRAGMENT_CACHE_ENTRIES", DEFAULT_ENTRIES)
    if not limit:
        return mark_safe(render_to_string(template_name, data))  # noqa: S308 - autoescaped template output
    key = _key(template_name, data)
    html = _cache.get(key)
    if html is None:
        html = mark_safe(render_to_string(template_name, data))  # noqa: S308 - autoescaped template output
        _cache.put(key, html, limit)
    return html


def fragments_clear() -> None:
    """Tests: start from an empty cache (never needed for correctness: keys follow the content)."""
    _cache.clear()

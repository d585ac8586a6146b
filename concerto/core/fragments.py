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
import re
import secrets
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
    _pages.clear()


# --------------------------------------------------------------------------------------------------
# Shared pages with a personal overlay (issue 11)
# --------------------------------------------------------------------------------------------------
# A whole signed-in page can be shared by everyone in the same situation (same page, same data,
# same language, same *kind* of viewer: never their identity) when the few parts that are the
# viewer's own are left as markers and filled in per request. A marker holds a random nonce
# drawn when the process starts, inside an HTML comment: text written by residents is escaped
# ("<" becomes "&lt;"), so it can never contain one, and every marker is replaced before the page
# leaves the process, so the nonce is never seen outside it.
# Whole pages are 10–60 kB (with the action page's variants): their own, smaller bound keeps a
# process's memory in check (1,000 pages ≈ 60 MB at most); 0 renders each page for its viewer.
DEFAULT_PAGES = 1_000
_pages = _LRU()
_NONCE = secrets.token_hex(16)
# Given to ``{% csrf_token %}`` as safe text, so it is printed as is, "<" included.
CSRF_MARK = mark_safe(f"<!--csrf-{_NONCE}-->")  # noqa: S308 - a constant
SUPPORT_MARK = mark_safe(f"<!--support-{_NONCE}-->")  # noqa: S308 - a constant
_MARKS = re.compile(rf"<!--(?:mine-{_NONCE}-(\d+)|report-{_NONCE}-(\d+)-(\d+)|(csrf)-{_NONCE}|(support)-{_NONCE})-->")


def mine_mark(pk: int) -> SafeString:
    """Where the "you support it" badge of action ``pk`` goes, if the viewer supports it."""
    return mark_safe(f"<!--mine-{_NONCE}-{int(pk)}-->")  # noqa: S308 - a constant and ints


def report_mark(pk: int, author_id) -> SafeString:
    """Where the report form of comment ``pk`` goes, unless the viewer wrote it."""
    return mark_safe(f"<!--report-{_NONCE}-{int(pk)}-{int(author_id or 0)}-->")  # noqa: S308 - a constant and ints


def shared_page(key_parts: tuple, render):
    """``render()``'s HTML (a string or a tuple of strings), shared by every request with the same
    ``key_parts`` (plain values only: the page's data, parameters and the viewer's kind), the
    language and the time zone."""
    for value in key_parts:
        _check(value)
    limit = getattr(settings, "CONCERTO_SHARED_PAGE_ENTRIES", DEFAULT_PAGES)
    if not limit:
        return render()
    key = _key("page", {"parts": key_parts})
    html = _pages.get(key)
    if html is None:
        html = render()
        _pages.put(key, html, limit)
    return html


def overlay(html: str, *, csrf_token: str, supported=(), mine_html: str = "", viewer_id=None,
            report_html: str = "", pk_mark: str = "", support_html: str = "") -> str:
    """Fill a shared page's markers for this viewer, in one pass: their CSRF token, the badge on
    the actions they support, a report form under each comment they did not write, their
    support box (the others' markers are removed)."""
    report_html = report_html.replace(CSRF_MARK, csrf_token)
    support_html = support_html.replace(CSRF_MARK, csrf_token)

    def fill(match):
        mine, report, author, csrf, support = match.groups()
        if csrf:
            return csrf_token
        if support:
            return support_html
        if mine is not None:
            return mine_html if int(mine) in supported else ""
        return report_html.replace(pk_mark, report) if int(author) != viewer_id else ""

    return _MARKS.sub(fill, html)

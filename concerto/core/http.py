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

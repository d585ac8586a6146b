"""Refuse settings that would expose a real deployment (issue 8, F9).

Called at the end of the settings modules a server can run with (``production``, ``dev``),
so that a mistake stops ``manage.py``, uvicorn and the task worker at start-up with a clear
message instead of serving. Plain functions, no Django import beyond the exception: settings
are not loaded yet when they run.
"""

from django.core.exceptions import ImproperlyConfigured

# Keys published in this repository or in Django's templates: anyone can sign sessions,
# sign-in links and password resets with them.
PUBLIC_SECRET_KEYS = frozenset({
    "",
    "concerto-demo-only-not-secret",
    "concerto-bench-only-not-secret",
    "concerto-tests-only",
    "changeme",
    "secret",
})
PUBLIC_SECRET_KEY_PREFIXES = ("django-insecure-",)


def is_public_secret_key(key: str) -> bool:
    key = (key or "").strip()
    return key in PUBLIC_SECRET_KEYS or key.startswith(PUBLIC_SECRET_KEY_PREFIXES) or len(key) < 32


def refuse_unsafe_settings(*, secret_key: str, debug: bool, demo_mode: bool, database: dict) -> None:
    """Demo mode only on a local SQLite file; a public or short key only with DEBUG or demo mode on."""
    engine = database.get("ENGINE", "")
    if demo_mode and not (engine.endswith("sqlite3") and str(database.get("NAME", "")) not in ("", ":memory:")):
        raise ImproperlyConfigured(
            "CONCERTO_DEMO_MODE is on but the database is not a local SQLite file: demo mode shows "
            "sign-in links on screen for any address and must never run on real data. Set "
            "CONCERTO_DEMO_MODE=0 (config.settings.dev turns it on by default), or use DJANGO_SETTINGS_MODULE=config.settings.production."
        )
    if not debug and not demo_mode and is_public_secret_key(secret_key):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is missing, shorter than 32 characters or a published key "
            "(such as the demo's). Set DJANGO_SECRET_KEY to a long random value, for example "
            "`python -c \"import secrets; print(secrets.token_urlsafe(50))\"`; for the demo, "
            "use DJANGO_SETTINGS_MODULE=config.settings.dev (make demo does)."
        )

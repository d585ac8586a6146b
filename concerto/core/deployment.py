"""Refuse settings that would expose a real deployment (issue 8, F9).

Run by ``CoreConfig.ready()``, on the final settings (whatever module built them), when any
process sets Django up: ``manage.py`` commands, uvicorn through ``config.asgi``, the task
worker. A mistake stops them at start-up with a clear message instead of serving.
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


# Settings modules for throw-away databases (pytest, the live-server suites, benchmarks): their
# published keys sign nothing anyone relies on. Every other module, custom ones included, gets the
# key check.
THROWAWAY_SETTINGS = frozenset({"config.settings.test", "config.settings.e2e", "config.settings.bench"})


def refuse_unsafe_settings(settings) -> None:
    """Demo mode only on a local SQLite file; a public or short key only with DEBUG or demo mode on."""
    database = settings.DATABASES["default"]
    engine = database.get("ENGINE", "")
    demo_mode = settings.CONCERTO_DEMO_MODE
    if demo_mode and not (engine.endswith("sqlite3") and str(database.get("NAME", "")) not in ("", ":memory:")):
        raise ImproperlyConfigured(
            "CONCERTO_DEMO_MODE is on but the database is not a local SQLite file: demo mode shows "
            "sign-in links on screen for any address and must never run on real data. Set "
            "CONCERTO_DEMO_MODE=0 (config.settings.dev turns it on by default), or use "
            "DJANGO_SETTINGS_MODULE=config.settings.production."
        )
    if settings.SETTINGS_MODULE in THROWAWAY_SETTINGS:
        return
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's own refusal of an empty key: answer with ours
        key = ""
    if not settings.DEBUG and not demo_mode and is_public_secret_key(key):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is missing, shorter than 32 characters or a published key "
            "(such as the demo's). Set DJANGO_SECRET_KEY to a long random value, for example "
            "`python -c \"import secrets; print(secrets.token_urlsafe(50))\"`; for the demo, "
            "use DJANGO_SETTINGS_MODULE=config.settings.dev (make demo does)."
        )

"""The real server for browser, security and API-fuzzing suites: a throw-away database,
mail written to files the tests read, tasks run in-process, generous rate limits."""

import os

from .dev import *  # noqa: F403
from .dev import CONCERTO_RATE_LIMITS

DEBUG = False
CONCERTO_DEMO_MODE = env_bool("CONCERTO_DEMO_MODE", False)  # noqa: F405
# Files by default; a browser test may point the server at its own SMTP server on the loopback
# (tests/smtp_sink.py): CONCERTO_E2E_SMTP_PORT.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
if os.environ.get("CONCERTO_E2E_SMTP_PORT"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(os.environ["CONCERTO_E2E_SMTP_PORT"])
EMAIL_FILE_PATH = os.environ.get("CONCERTO_MAIL_DIR", "var/e2e-mail")
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if env_bool("CONCERTO_E2E_PRODUCTION_LIMITS", False):  # noqa: F405
    # The rate-limit suite (tests/security/test_live_limits.py): production's limits, and new PINs and
    # passwords hashed as in production, so that checking one takes as long (races need that window).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                        "django.contrib.auth.hashers.MD5PasswordHasher"]
else:
    # The suites post hundreds of payloads from a few accounts; rate limits have their own tests.
    CONCERTO_RATE_LIMITS = {name: (100_000, window) for name, (_limit, window) in CONCERTO_RATE_LIMITS.items()}
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Journeys check public pages right after a moderator's decision; the cache has its own unit tests.
CONCERTO_PUBLIC_CACHE_SECONDS = 0

# Re-read static files when they change, so a running demo never serves a stale stylesheet.
WHITENOISE_AUTOREFRESH = True
# The door-to-door app's browser test cuts the network on purpose: retry sendings after 2 s, not 60.
CONCERTO_FIELDWORK_RETRY_SECONDS = 2

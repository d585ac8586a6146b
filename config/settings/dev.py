"""Local development and the demo: SQLite, DEBUG off unless asked, mail to the terminal."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "concerto-demo-only-not-secret"  # noqa: S105
CONCERTO_DEMO_MODE = env_bool("CONCERTO_DEMO_MODE", True)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Static files straight from the source folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None

# Re-read static files when they change, so a running demo never serves a stale stylesheet.
WHITENOISE_AUTOREFRESH = True

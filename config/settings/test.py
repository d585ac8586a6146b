"""Test settings: the same stack, fast hashing, mail kept in memory, tasks run inline."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

# One test database per run, so parallel runs (developers, CI legs) never share one.
_RUN = os.environ.get("CONCERTO_TEST_RUN_ID", str(os.getpid()))

SECRET_KEY = "concerto-tests-only"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CONCERTO_DEMO_MODE = False
# Tests compare pages right after writes; the public cache has its own tests.
CONCERTO_PUBLIC_CACHE_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not shared-cache memory, so threads in concurrency tests take real locks.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{_RUN}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_concerto_{_RUN}"}

# Static files straight from the source folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None

# Concurrency tests hold one connection per thread until a barrier releases them all:
# a bounded pool would block them. The pool is exercised by bench/support_burst.py.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
MEDIA_ROOT = VAR_DIR / f"media-test-{_RUN}"
# Live updates in-process unless a test asks for Redis (concerto/core/live/tests).
LIVE_BROKER = "memory"
LIVE_REDIS_URL = ""

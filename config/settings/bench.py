"""Benchmarks (``bench/run.py``): production-like settings that run over plain HTTP on loopback.

Built from ``.base`` like ``production.py`` (which needs its secrets in the environment):
DEBUG off, demo mode off, the manifest static storage of production, PostgreSQL pool or SQLite
tuning from ``base.tune_database``, Redis cache when ``REDIS_URL`` is set. Differences from
production, all needed to measure over ``http://127.0.0.1`` or to measure throughput:

- no HTTPS redirect, no HSTS, no ``Secure``/``__Host-`` cookies (there is no TLS proxy in front);
- the per-account rate limit of supports is raised, so the write benchmark measures the
  application, not the limiter (``bench/run.py`` says so in its tables);
- ``testserver`` is an allowed host, for the in-process query counts (``bench/queries.py``).
"""

import os

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, CONCERTO_RATE_LIMITS

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "concerto-bench-only-not-secret"  # noqa: S105
CONCERTO_DEMO_MODE = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

# Raised for throughput measurements; production keeps base's 120 supports per minute and account.
BENCH_SUPPORT_RATE_LIMIT = (1_000_000, 60)
CONCERTO_RATE_LIMITS = {**CONCERTO_RATE_LIMITS, "support": BENCH_SUPPORT_RATE_LIMIT}

_static_root = os.environ.get("BENCH_STATIC_ROOT")
if _static_root:
    # As in production: collectstatic (run by bench/run.py) into a throw-away folder, hashed names.
    STATIC_ROOT = _static_root
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    # Ad-hoc use without collectstatic: files straight from the source folders.
    WHITENOISE_USE_FINDERS = True
    STATIC_ROOT = None
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

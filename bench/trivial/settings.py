"""Smallest Django: one view returning a short HTML string; no apps, no middleware, no database."""

SECRET_KEY = "trivial-bench-only"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.trivial.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
TEMPLATES: list = []
USE_I18N = False
USE_TZ = True
LOGGING_CONFIG = None

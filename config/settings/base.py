"""Settings shared by every environment. Infrastructure comes from the environment."""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CONCERTO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "concerto.core",
    "concerto.campaigns",
    "concerto.residents",
    "concerto.proposals",
    "concerto.letters",
    "concerto.joining",
    "concerto.volunteers",
    "concerto.selection",
    "concerto.workshops",
    "concerto.fieldwork",
    "concerto.live_event",
    "concerto.synthesis",
    "concerto.dashboard",
    "concerto.api",
    "concerto.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "concerto.core.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "concerto.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "concerto.core.middleware.PrivateAnswersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "concerto.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "concerto.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'concerto.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}


def tune_database(db: dict) -> dict:
    """SQLite gets WAL and immediate write transactions so concurrent writers queue instead of failing."""
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    elif db["ENGINE"].endswith("postgresql"):
        # A bounded pool per process: a burst of requests waits for a connection instead of
        # exhausting PostgreSQL's max_connections (each ASGI request runs in its own thread).
        pool_max = int(os.environ.get("DB_POOL_MAX_SIZE", "10"))
        if pool_max > 0:
            db["CONN_MAX_AGE"] = 0
            db.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": pool_max, "timeout": 30}
    return db


tune_database(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "residents.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "residents:sign_in"
LOGIN_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Shared by every process: rate limits and sessions must be.
    CACHES = {"default": {"BACKEND": "concerto.core.cache.SharedClientRedisCache", "LOCATION": REDIS_URL}}
else:
    # One process (the demo): an in-process cache is shared by every request it serves.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Anonymous public pages, one second old at most: each process keeps its own copies, which
# costs no network round trip and cannot serve anything older than the allowed age.
CACHES["pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages",
                   "OPTIONS": {"MAX_ENTRIES": 2000}}
# Rendered cards and comments shared by everyone's pages (concerto.core.fragments), per process:
# keyed by their content, so never stale; this bounds their number (0: render each time).
CONCERTO_FRAGMENT_CACHE_ENTRIES = int(os.environ.get("CONCERTO_FRAGMENT_CACHE_ENTRIES", "20000"))
# Whole signed-in pages shared by viewers of the same kind (core.fragments.shared_page), per process.
CONCERTO_SHARED_PAGE_ENTRIES = int(os.environ.get("CONCERTO_SHARED_PAGE_ENTRIES", "1000"))

# Live updates (docs/live.md): a Redis Stream shared by every process when Redis is there,
# in-process otherwise (the demo: one process serves pages and streams).
LIVE_REDIS_URL = os.environ.get("LIVE_REDIS_URL", REDIS_URL)
LIVE_BROKER = "redis" if LIVE_REDIS_URL else "memory"
LIVE_REDIS_KEY = os.environ.get("LIVE_REDIS_KEY", "concerto:live")
LIVE_BACKLOG = 10_000  # events kept for catch-up (XADD MAXLEN ~)
LIVE_HEARTBEAT_SECONDS = 15
LIVE_RETRY_MS = 3_000
LIVE_MAX_STREAM_SECONDS = 1_800  # then the client reconnects, possibly to another node
LIVE_MAX_TOPICS = 20
LIVE_STUCK_SECONDS = 60  # a viewer whose events wait that long is disconnected
LIVE_REFRESH_SECONDS = 1.0  # at most one snapshot per topic and process in that time

# Sessions read through the cache (Redis in production), written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Concerto <concerto@localhost>")

# Demo mode shows sign-in links on the page; never enable it where real people sign in.
CONCERTO_DEMO_MODE = env_bool("CONCERTO_DEMO_MODE")
CONCERTO_MAGIC_LINK_TTL_MINUTES = 15
# A "forgot your password?" link works for an hour, once (Django's token changes with the password).
PASSWORD_RESET_TIMEOUT = 3600
# The volunteers' answers are erased this many months after the campaign's last phase ends
# (the promise of the default consent text; `manage.py purge_expired_data`, run daily).
CONCERTO_VOLUNTEER_ANSWERS_KEEP_MONTHS = 12
# (limit, window in seconds) per rate-limited act.
CONCERTO_RATE_LIMITS = {
    "sign_in_ip": (20, 3600),
    # Links per (address, connection), tight; per address, loose: a stranger cannot stop its owner
    # from getting a link, and mail to one address stays bounded (attack pass F13).
    "sign_in_email_ip": (5, 3600),
    "sign_in_email": (30, 3600),
    "password_ip": (20, 900),
    # Passwords per (account, connection), tight; per account, loose: the same reasoning.
    "password_email_ip": (10, 900),
    "password_email": (100, 900),
    "support": (120, 60),
    "contribution": (10, 3600),
    "comment": (30, 3600),
    "report": (20, 3600),
    # Letter codes: failed attempts per address (brute force); per campaign, an alert to the organisers,
    # never a block. Wrong PINs per address, per (code, address), per code, and per (code, account) from a
    # browser where that account signed in with its PIN before (docs/joining.md).
    "join_code_ip": (10, 900),
    "join_code_campaign": (300, 900),
    "code_pin_ip": (20, 900),
    "code_pin_code_ip": (5, 7 * 86400),
    "code_pin_code": (20, 7 * 86400),
    "code_pin_device": (10, 7 * 86400),
    "volunteer": (20, 3600),
    # Workshop personal links: wrong links per address (guessing is hopeless, 192-bit secrets; this
    # only keeps the page from being hammered), and answers per address.
    "workshop_link_ip": (30, 900),
    # The team (docs/backoffice.md, "The team"): invitations sent per organiser, and mails per invited
    # address and campaign (first sending and resending together).
    "team_invite": (50, 3600),
    "team_invite_email": (5, 86400),
    # "Forgot your password?": per connection, and per address (bounds the mail one address receives).
    "password_reset_ip": (10, 3600),
    "password_reset_email": (3, 3600),
    "password_change": (10, 900),
    # "Am I drawn?" on a selection's audit page, per address: pseudonyms are public there; this only
    # keeps the form from being used to scrape.
    "selection_lookup": (30, 600),
    # Workshop room codes typed (or a QR code with a wrong code) per address, and join requests per
    # address: a whole room may share one address (the community centre's wifi), hence generous.
    "room_code_ip": (40, 600),
    "room_request_ip": (30, 600),
    # Audience questions during a live event, per account (a hall shares one address).
    "live_question": (5, 600),
}
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated);
# empty: REMOTE_ADDR is the client. See concerto.core.ratelimit.client_ip and docs/operations.md.
CONCERTO_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("CONCERTO_TRUSTED_PROXIES", "").split(",") if p.strip()]
for _proxy in CONCERTO_TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the start instead of being ignored
# The ambassador's app (fieldwork/views/app.py): a failed sending is tried again after this many
# seconds, then twice as long each time (an hour at most between tries), never giving up.
CONCERTO_FIELDWORK_RETRY_SECONDS = 60
# Anonymous visitors may see support counts this many seconds old.
CONCERTO_PUBLIC_CACHE_SECONDS = 1

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"concerto": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Private files (letter PDFs, selection exports): never served directly, only through views
# that check permissions.
MEDIA_ROOT = Path(os.environ.get("CONCERTO_MEDIA_ROOT", VAR_DIR / "media"))
# Absolute base of links printed on paper (QR codes); falls back to the request's host.
CONCERTO_PUBLIC_URL = os.environ.get("CONCERTO_PUBLIC_URL", "")

"""``make stack`` (deploy/stack.py): the production topology on this machine, over plain local HTTP.

Built from ``.production``: DEBUG off, demo mode off, the secret key from the environment (the stack
script makes one in ``var/stack/secret_key``), PostgreSQL from ``DATABASE_URL``, Redis from
``REDIS_URL``, hashed static files (collectstatic into ``var/stack/static``). Differences, all needed
because there is no TLS in front of the local proxy (as in ``bench.py``):

- no HTTPS redirect, no HSTS, no ``upgrade-insecure-requests``, no ``Secure``/``__Host-`` cookies;
- mail is written to files in ``var/stack/mail`` (nobody receives the stack's sign-in links);
- the local proxy (127.0.0.1) is trusted for ``X-Forwarded-For`` unless told otherwise.
"""

import os
from pathlib import Path

from .production import *  # noqa: F403
from .production import CONTENT_SECURITY_POLICY, VAR_DIR

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
CONTENT_SECURITY_POLICY["DIRECTIVES"].pop("upgrade-insecure-requests", None)

STACK_DIR = Path(os.environ.get("CONCERTO_STACK_DIR", VAR_DIR / "stack"))
STATIC_ROOT = STACK_DIR / "static"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(STACK_DIR / "mail")
CONCERTO_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("CONCERTO_TRUSTED_PROXIES", "127.0.0.1").split(",")
                            if p.strip()]

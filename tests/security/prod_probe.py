"""Run by test_production_settings in a subprocess under config.settings.production: requests over
HTTPS through the test client, printed as JSON (headers and every cookie with its attributes)."""

import json
import os
import sys

sys.path.insert(0, os.getcwd())

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # the test client wants it; it swaps the mail backend for memory
call_command("migrate", verbosity=0, interactive=False)

from concerto.residents.models import User  # noqa: E402

User.objects.create_user("staff@example.org", password="a-long-staff-password-123")


def cookies_of(response):
    out = {}
    for name, morsel in response.cookies.items():
        out[name] = {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                     "samesite": morsel["samesite"], "path": morsel["path"], "domain": morsel["domain"],
                     "deleted": str(morsel["max-age"]) == "0", "value_set": bool(morsel.value)}
    return out


def record(response):
    return {"status": response.status_code, "headers": dict(response.headers), "cookies": cookies_of(response),
            "location": response.get("Location")}


HTTPS = {"secure": True, "HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "concerto.example.org"}
# collectstatic has not run here: plain static storage, nothing else changed.
with override_settings(STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                                 "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
                       WHITENOISE_USE_FINDERS=True):
    client = Client()
    result = {
        "http": record(Client().get("/connexion/", HTTP_HOST="concerto.example.org")),
        "sign_in_page": record(client.get("/connexion/", **HTTPS)),
        "home": record(client.get("/", **HTTPS)),
        "api": record(client.get("/api/v1/campaigns", **HTTPS)),
        "language": record(client.get("/langue/", {"language": "en", "next": "/"}, **HTTPS)),
    }
    result["password_sign_in"] = record(client.post(
        "/connexion/mot-de-passe/", {"email": "staff@example.org", "password": "a-long-staff-password-123"}, **HTTPS))
    result["me"] = record(client.get("/moi/", **HTTPS))
print("PROBE-JSON " + json.dumps(result))

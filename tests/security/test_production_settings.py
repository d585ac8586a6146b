"""Headers and cookies with the production settings, over HTTPS behind the reverse proxy.

The settings module is imported in a subprocess (``prod_probe.py``): importing it here would
change the shared CSP dictionary of the test settings.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .test_permission_matrix import header_problems

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prod")
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "DJANGO_SECRET_KEY": "probe-" + "k" * 60,
           "DATABASE_URL": f"sqlite:///{tmp / 'prod.sqlite3'}",
           "ALLOWED_HOSTS": "concerto.example.org",
           "CSRF_TRUSTED_ORIGINS": "https://concerto.example.org",
           "CONCERTO_VAR_DIR": str(tmp)}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("prod_probe.py"))], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False, timeout=120)
    line = [x for x in result.stdout.splitlines() if x.startswith("PROBE-JSON ")]
    assert result.returncode == 0 and line, result.stdout + result.stderr
    return json.loads(line[0].removeprefix("PROBE-JSON "))


class Answer:
    """Enough of a response for header_problems()."""

    def __init__(self, recorded):
        self.headers = {k.lower(): v for k, v in recorded["headers"].items()}

    def get(self, name, default=None):
        return self.headers.get(name.lower(), default)


def test_plain_http_is_redirected_to_https(probe):
    assert probe["http"]["status"] == 301
    assert probe["http"]["location"].startswith("https://concerto.example.org/")


@pytest.mark.parametrize("answer", ["sign_in_page", "home", "api", "me"])
def test_https_answers_carry_hsts_and_the_strict_policy(probe, answer):
    recorded = probe[answer]
    assert recorded["status"] == 200
    response = Answer(recorded)
    hsts = response.get("Strict-Transport-Security", "")
    max_age = int(hsts.split("max-age=")[1].split(";")[0]) if "max-age=" in hsts else 0
    assert max_age >= 180 * 24 * 3600 and "includeSubDomains" in hsts, hsts
    assert header_problems(response) == []
    assert "upgrade-insecure-requests" in response.get("Content-Security-Policy")


def test_the_session_cookie_is_host_only_secure_and_hidden_from_scripts(probe):
    cookies = probe["password_sign_in"]["cookies"]
    assert probe["password_sign_in"]["status"] == 302
    sessions = [name for name in cookies if "session" in name]
    assert sessions == ["__Host-sessionid"], cookies
    cookie = cookies["__Host-sessionid"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] in ("Lax", "Strict")
    assert cookie["path"] == "/" and not cookie["domain"]  # required by the __Host- prefix


def test_the_csrf_cookie_is_host_only_and_secure(probe):
    cookies = probe["sign_in_page"]["cookies"]
    assert list(cookies) == ["__Host-csrftoken"], cookies
    cookie = cookies["__Host-csrftoken"]
    assert cookie["secure"] and cookie["samesite"] in ("Lax", "Strict")
    assert cookie["path"] == "/" and not cookie["domain"]


def test_every_cookie_set_over_https_is_secure(probe):
    for answer, recorded in probe.items():
        if answer == "http":
            continue
        for name, cookie in recorded["cookies"].items():
            if cookie["deleted"]:
                continue  # an expired cookie that clears one (e.g. consumed messages) carries nothing
            assert cookie["secure"], f"{name} set without Secure on {answer}"
            assert cookie["samesite"] in ("Lax", "Strict"), f"{name} without SameSite on {answer}"

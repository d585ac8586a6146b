"""Security from day one: headers, CSRF, deploy checks."""

import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/connexion/", "/healthz", "/api/v1/campaigns"])
def test_every_answer_carries_a_strict_policy(client, path):
    r = client.get(path)
    csp = r["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Frame-Options"] == "DENY"


def test_forms_refuse_a_post_without_csrf_token(campaign, published_action, resident_alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident_alice)
    url = reverse("proposals:support", args=[campaign.slug, published_action.pk])
    assert client.post(url, {"op": "add"}).status_code == 403
    published_action.refresh_from_db()
    assert published_action.support_count == 0


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "A-very-long-random-production-secret-key-1234567890",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "ALLOWED_HOSTS": "concerto.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

"""A forgotten or wrong setting must stop the server, not serve the demo (issue 8, F9).

Each case starts a real process (``manage.py``, uvicorn) with a clean environment, since the
defaults under test are those of the entry points themselves.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "a-long-random-production-secret-key-" + "q" * 30


def clean_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "DATABASE_URL", "CONCERTO_DEMO_MODE",
                        "DEBUG", "REDIS_URL"}}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "CONCERTO_VAR_DIR": str(tmp_path),
                "ALLOWED_HOSTS": "concerto.example.org"})
    env.update(extra)
    return env


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False, timeout=120)


def test_manage_py_defaults_to_production_and_refuses_to_run_without_a_key(tmp_path):
    result = manage(clean_env(tmp_path), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr


def test_manage_py_defaults_to_production_settings(tmp_path):
    result = manage(clean_env(tmp_path, DJANGO_SECRET_KEY=GOOD_KEY), "shell", "-c",
                    "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.CONCERTO_DEMO_MODE)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["config.settings.production", "False"]


@pytest.mark.parametrize("key", ["concerto-demo-only-not-secret", "django-insecure-abc", "short"])
def test_production_refuses_a_published_or_short_key(tmp_path, key):
    result = manage(clean_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.production",
                              DJANGO_SECRET_KEY=key), "check")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_dev_settings_without_demo_mode_refuse_the_public_demo_key(tmp_path):
    result = manage(clean_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.dev", CONCERTO_DEMO_MODE="0"),
                    "check")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_demo_mode_is_refused_on_a_server_database(tmp_path):
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.dev",
                    DATABASE_URL="postgres://concerto@db.example.org:5432/concerto")
    result = manage(env, "check")
    assert result.returncode != 0 and "CONCERTO_DEMO_MODE" in result.stderr


def test_the_demo_still_runs_on_its_sqlite_file(tmp_path):
    result = manage(clean_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.dev"), "check")
    assert result.returncode == 0, result.stderr


def test_uvicorn_without_settings_refuses_to_start(tmp_path):
    """The ASGI entry point defaults to production too: no key, no server (and no demo)."""
    env = clean_env(tmp_path)
    process = subprocess.run(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=60)
    assert process.returncode != 0
    assert "DJANGO_SECRET_KEY" in process.stderr


def test_the_live_server_settings_may_use_postgresql(tmp_path):
    """config.settings.e2e turns demo mode off: the live suites may run on a PostgreSQL database."""
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.e2e",
                    DATABASE_URL="postgres://concerto@db.example.org:5432/concerto")
    result = manage(env, "check")
    assert result.returncode == 0, result.stderr

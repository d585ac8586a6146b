import json

from django.test import RequestFactory

from concerto.core.views import healthz


def test_healthz_answers_200_json_with_the_database_reachable(db):
    response = healthz(RequestFactory().get("/healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": True}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_routed_at_slash_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] is True



class _DownDatabase:
    """Stands for ``django.db.connection`` when the server does not answer."""

    def cursor(self):
        from django.db import OperationalError

        raise OperationalError("connection refused")


def test_healthz_answers_503_naming_the_database_when_it_does_not_answer(client, db, monkeypatch):
    monkeypatch.setattr("concerto.core.views.connection", _DownDatabase())
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": False, "degraded": ["database"]}
    assert "no-cache" in response["Cache-Control"]


class _SharedCache(dict):
    """Stands for a Redis cache (not in-process, so health checks it)."""

    def set(self, key, value, timeout=None):
        self[key] = value

    def delete(self, key):
        self.pop(key, None)


class _DownCache(_SharedCache):
    def set(self, *args, **kwargs):
        raise ConnectionError("redis is down")


def test_healthz_checks_a_shared_cache_and_answers_503_when_it_fails(client, db, monkeypatch):
    monkeypatch.setattr("concerto.core.views.caches", {"default": _SharedCache()})
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "cache": True}

    monkeypatch.setattr("concerto.core.views.caches", {"default": _DownCache()})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": True, "cache": False, "degraded": ["cache"]}


def test_healthz_is_not_served_from_the_public_page_cache(client, db, settings, monkeypatch):
    settings.CONCERTO_PUBLIC_CACHE_SECONDS = 60
    assert client.get("/healthz").status_code == 200

    monkeypatch.setattr("concerto.core.views.connection", _DownDatabase())
    assert client.get("/healthz").status_code == 503

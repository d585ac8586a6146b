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

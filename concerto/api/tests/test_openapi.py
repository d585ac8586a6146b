"""The OpenAPI document is served, complete, and there is no CDN-backed docs page."""

import pytest

from .conftest import BASE

PATHS = {
    "/api/v1/campaigns": {"get"},
    "/api/v1/campaigns/{slug}": {"get"},
    "/api/v1/campaigns/{slug}/stats": {"get"},
    "/api/v1/campaigns/{slug}/themes": {"get"},
    "/api/v1/campaigns/{slug}/actions": {"get", "post"},
    "/api/v1/campaigns/{slug}/actions/{action_id}": {"get"},
    "/api/v1/campaigns/{slug}/actions/{action_id}/comments": {"get", "post"},
    "/api/v1/campaigns/{slug}/actions/{action_id}/support": {"post", "delete"},
    "/api/v1/campaigns/{slug}/actions/{action_id}/withdraw": {"post"},
    "/api/v1/campaigns/{slug}/actions/similar": {"get"},
    "/api/v1/campaigns/{slug}/comments/{comment_id}/report": {"post"},
    "/api/v1/campaigns/{slug}/join": {"post"},
    "/api/v1/campaigns/{slug}/codes/check": {"get"},
    "/api/v1/campaigns/{slug}/households": {"get"},
    "/api/v1/campaigns/{slug}/households/{household_id}": {"patch", "delete"},
    "/api/v1/campaigns/{slug}/households/imports/{import_id}/undo": {"post"},
    "/api/v1/campaigns/{slug}/letters/batches": {"get", "post"},
    "/api/v1/campaigns/{slug}/letters/batches/{batch_id}": {"get"},
    "/api/v1/campaigns/{slug}/letters/stats": {"get"},
    "/api/v1/campaigns/{slug}/volunteers": {"get"},
    "/api/v1/campaigns/{slug}/volunteers/call": {"get"},
    "/api/v1/campaigns/{slug}/volunteers/me": {"get", "post", "delete"},
    "/api/v1/campaigns/{slug}/selections": {"get"},
    "/api/v1/campaigns/{slug}/selections/{selection_id}": {"get"},
    "/api/v1/campaigns/{slug}/selections/{selection_id}/draw": {"post"},
    "/api/v1/campaigns/{slug}/workshops": {"get"},
    "/api/v1/campaigns/{slug}/workshops/{workshop_id}": {"get"},
    "/api/v1/campaigns/{slug}/team": {"get"},
    "/api/v1/campaigns/{slug}/team/invitations": {"post"},
    "/api/v1/campaigns/{slug}/team/invitations/{invitation_id}": {"delete"},
    "/api/v1/me": {"get"},
    "/api/v1/me/supports": {"get"},
    "/api/v1/me/contributions": {"get"},
    "/api/v1/campaigns/{slug}/workshops/{workshop_id}/minutes": {"get"},
    "/api/v1/campaigns/{slug}/workshops/{workshop_id}/ideas": {"get"},
    "/api/v1/campaigns/{slug}/workshops/{workshop_id}/themes": {"get"},
    "/api/v1/campaigns/{slug}/workshops/{workshop_id}/votes": {"get"},
    "/api/v1/campaigns/{slug}/candidates": {"get"},
    "/api/v1/campaigns/{slug}/events": {"get"},
    "/api/v1/campaigns/{slug}/events/{event_id}": {"get"},
    "/api/v1/campaigns/{slug}/events/{event_id}/state": {"get"},
    "/api/v1/campaigns/{slug}/events/{event_id}/positions": {"get", "post"},
    "/api/v1/campaigns/{slug}/events/{event_id}/start": {"post"},
    "/api/v1/campaigns/{slug}/events/{event_id}/end": {"post"},
    "/api/v1/campaigns/{slug}/events/{event_id}/on-air": {"post"},
    "/api/v1/campaigns/{slug}/events/{event_id}/speaking": {"post"},
    "/api/v1/campaigns/{slug}/events/{event_id}/turns": {"get"},
    "/api/v1/campaigns/{slug}/events/{event_id}/turns/{turn_id}/correct": {"post"},
    "/api/v1/campaigns/{slug}/actions/{action_id}/versions": {"get"},
    "/api/v1/campaigns/{slug}/amendments": {"get"},
    "/api/v1/campaigns/{slug}/amendments/{amendment_id}/decision": {"post"},
    "/api/v1/campaigns/{slug}/positions": {"get"},
    "/api/v1/campaigns/{slug}/positions.csv": {"get"},
    "/api/v1/campaigns/{slug}/opendata/datapackage.zip": {"get"},
    "/api/v1/campaigns/{slug}/opendata/{filename}": {"get"},
    "/api/v1/campaigns/{slug}/followup": {"get"},
    "/api/v1/campaigns/{slug}/followup/commitments/{commitment_id}": {"get"},
    "/api/v1/campaigns/{slug}/followup/commitments/{commitment_id}/updates": {"post"},
    "/api/v1/campaigns/{slug}/synthesis/documents": {"get"},
    "/api/v1/campaigns/{slug}/synthesis/plan.pdf": {"get"},
    "/api/v1/campaigns/{slug}/synthesis/dispatches": {"get"},
}


@pytest.fixture
def document(client, db):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_document_lists_every_path_and_method(document):
    assert document["info"]["title"] == "Concerto API"
    assert document["info"]["version"] == "1"
    assert {p: set(ops) for p, ops in document["paths"].items()} == PATHS


def test_every_response_is_documented(document):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert "401" in codes and "422" in codes, (path, method)
            if method != "get":
                assert {"400", "403", "404", "429"} <= codes, (path, method)
            for code, response in op["responses"].items():
                if code == "204":
                    continue
                # JSON, or a file whose media type is named (the open data's CSV and zip, the plan's PDF).
                media = response["content"].get("application/json") or next(iter(response["content"].values()))
                assert "schema" in media, (path, method, code)


def test_security_is_bearer_and_optional_on_public_reads(document):
    scheme = document["components"]["securitySchemes"]["BearerToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert {} in document["paths"]["/api/v1/campaigns/{slug}/actions"]["get"]["security"]
    assert document["paths"]["/api/v1/campaigns/{slug}/actions"]["post"]["security"] == [{"BearerToken": []}]
    assert document["paths"]["/api/v1/me"]["get"]["security"] == [{"BearerToken": []}]


def test_error_schema(document):
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "errors"}


def test_no_docs_page(client, db):
    assert client.get(f"{BASE}/docs").status_code == 404


def test_unknown_api_paths_are_json_404(client, db):
    for path in ("/nope", "/campaigns/x/y/z", "/me/tokens"):
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert client.post(f"{BASE}/nope").json()["code"] == "not_found"

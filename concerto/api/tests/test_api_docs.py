"""docs/api.md lists every operation the API serves, so an undocumented route fails the build.

Each operation of the OpenAPI document must appear in docs/api.md as `METHOD /path`, with the
path relative to /api/v1 and the parameter names of the document (`{action_id}`, not `{id}`).
"""

import re
from pathlib import Path

from django.conf import settings

from .conftest import BASE

API_DOC = Path(settings.BASE_DIR) / "docs" / "api.md"
METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(client) -> list[str]:
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    operations = []
    for path, item in response.json()["paths"].items():
        assert path.startswith(BASE), path
        operations += [f"{method.upper()} {path.removeprefix(BASE) or '/'}" for method in item if method in METHODS]
    return operations


def test_every_api_operation_is_documented(client):
    operations = _operations(client)
    assert len(operations) >= 30  # the document really was read: campaigns to selections
    text = API_DOC.read_text(encoding="utf-8")
    missing = [op for op in operations if f"`{op}`" not in text]
    assert not missing, f"Document these operations in docs/api.md (as `METHOD /path`): {missing}"


def test_the_tables_list_no_operation_the_api_does_not_serve(client):
    served = set(_operations(client))
    text = API_DOC.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]  # the first cell of each table row
    listed = {m.group(1) for row in rows if (m := re.match(r"\| `((?:GET|POST|PUT|PATCH|DELETE) /[^`\s]*)`", row))}
    assert not listed - served, f"docs/api.md lists operations the API does not serve: {sorted(listed - served)}"

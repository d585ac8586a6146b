"""schemathesis against the live server's OpenAPI document: no 5xx, and every answer (status code,
content type, headers, body) conforms to the published schema, anonymously and with a Bearer token.

Path parameters are drawn mostly from real objects of the demo (its campaign slug, action and
comment ids), so the fuzzing reaches the handlers instead of stopping at 404s.
"""

import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.live

CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_headers_conformance", "response_schema_conformance", "ignored_auth",
])
MAX_EXAMPLES = "30"


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - the loopback live server
        return json.load(r)


def write_config(live, folder: Path) -> Path:
    base = f"{live.url}/api/v1/campaigns/saint-jerome"
    actions = [a["id"] for a in get_json(f"{base}/actions?page_size=100")["items"]]
    merged = [a["id"] for a in get_json(f"{base}/actions?page_size=20&status=merged")["items"]]
    comments = []
    for action_id in actions[:15]:
        comments += [c["id"] for c in get_json(f"{base}/actions/{action_id}/comments?page_size=100")["items"]]
    ids = sorted(set(actions[:40] + merged + [max(actions) + 1, max(actions) + 50]))  # a few unknown ids too
    config = folder / "schemathesis.toml"
    config.write_text(
        "[dictionaries.slugs]\nvalues = [\"saint-jerome\"]\n"
        f"[dictionaries.actions]\nvalues = {json.dumps(ids)}\n"
        f"[dictionaries.comments]\nvalues = {json.dumps(sorted(set(comments))[:60] or [1])}\n"
        "[parameters]\n"
        '"path.slug" = { dictionary = "slugs", probability = 0.8 }\n'
        '"path.action_id" = { dictionary = "actions", probability = 0.8 }\n'
        '"path.comment_id" = { dictionary = "comments", probability = 0.8 }\n',
        encoding="utf-8",
    )
    return config


def schemathesis(live, tmp_path, *extra):
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    config = write_config(live, tmp_path)
    # One worker: hypothesis' lambda descriptions race in threads on CPython 3.11 (SystemError in ast).
    cmd = [exe, "--config-file", str(config), "run", f"{live.url}/api/v1/openapi.json", "--checks", CHECKS,
           "--phases", "examples,coverage,fuzzing", "--max-examples", MAX_EXAMPLES, "--seed", "20260",
           "--generation-database", "none", "--workers", "1", "--no-color", "--request-timeout", "10",
           "--max-failures", "20", *extra]
    result = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    return result.stdout


def test_api_conforms_to_its_schema_anonymously(live, tmp_path):
    schemathesis(live, tmp_path)


def test_api_conforms_to_its_schema_with_a_token(live, tmp_path):
    token = live.manage("issue_token", "habitant005@example.org", "--name", "schemathesis", "--scope", "write").strip().splitlines()[-1]
    schemathesis(live, tmp_path, "-H", f"Authorization: Bearer {token}")

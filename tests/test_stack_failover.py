"""The serving topology (issue 11), for real: a two-node stack (deploy/stack.py) on free ports.

HAProxy in front; each node = granian WSGI + the stream process (``config.asgi:streams``) + a task
worker, in one process group; a fresh PostgreSQL database with the demo; Redis. Checks the routing
(pages to WSGI, ``/flux/`` to the stream process, neither serving the other's paths) and a node
SIGKILLed under load: requests succeed again within 2 s and no acknowledged write is lost.

Skipped when HAProxy, PostgreSQL (``PG_TEST_URL``) or Redis (``STACK_TEST_REDIS_URL``, default
``redis://127.0.0.1:6379/14``) is missing; under ``CI=true`` a missing HAProxy or PostgreSQL is a
failure (.ci/run installs HAProxy).
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest

from bench.failover import Reader, Viewer, Writer

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("PG_TEST_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("STACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)

TOKENS = """
import json, sys, time
import django
django.setup()
from concerto.campaigns.models import Campaign
from concerto.proposals.models import Action
from concerto.residents.models import User
from concerto.residents.services import api_token_create, resident_join
campaign = Campaign.objects.get(slug="saint-jerome")
actions = list(Action.objects.filter(campaign=campaign, status="published").order_by("id").values_list("id", flat=True)[:20])
tokens = []
for i in range(int(sys.argv[1])):
    user = User.objects.create_user(f"stacktest-{i:03d}@example.org")
    resident_join(user=user, campaign=campaign)
    tokens.append(api_token_create(user=user, name="stack test")[1])
print(json.dumps({"tokens": tokens, "actions": actions}))
"""

ROWS = """
import json, sys
import django
django.setup()
from concerto.proposals.models import Action, Support
rows = list(Support.objects.filter(user__email__startswith="stacktest-").values_list("user__email", "action_id"))
print(json.dumps({"rows": rows, "count": Action.objects.get(pk=int(sys.argv[1])).support_count}))
"""


def _skip_or_fail(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (under CI this is a failure)")
    pytest.skip(reason)


def _base_port() -> int:
    """A port P such that P..P+20 are free (proxy, nodes, stream processes, metrics)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + 20 > 65535:
            continue
        try:
            for port in range(base, base + 21):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free range of ports")


def _get(port: int, path: str) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def stack():
    if HAPROXY is None:
        _skip_or_fail("HAProxy is not installed (apt-get install haproxy)")
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        _skip_or_fail(f"PostgreSQL is not reachable at {PG_URL}")
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001
        # Not installed by .ci/run: a skip even under CI, said plainly.
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (the stack shares its cache and streams through it)")
    name = os.environ.get("STACK_TEST_DATABASE") or f"concerto_stacktest_{os.getpid()}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    database_url = PG_URL.rsplit("/", 1)[0] + "/" + name
    tmp = tempfile.mkdtemp(prefix="concerto-stack-")
    port = _base_port()
    options = ["--port", str(port), "--dir", tmp, "--database-url", database_url, "--redis-url", REDIS_URL,
               "--web-workers", "1", "--web-threads", "4"]
    script = str(ROOT / "deploy" / "stack.py")
    started = subprocess.run([sys.executable, script, "start", *options], cwd=ROOT, capture_output=True, text=True)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(DJANGO_SETTINGS_MODULE="config.settings.stack", DATABASE_URL=database_url, REDIS_URL=REDIS_URL,
                   CONCERTO_STACK_DIR=tmp, DJANGO_SECRET_KEY=(Path(tmp) / "secret_key").read_text().strip())

        def django(code: str, *args: str):
            out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, check=True,
                                 capture_output=True, text=True)
            return json.loads(out.stdout.strip().splitlines()[-1])

        yield {"port": port, "dir": Path(tmp), "django": django}
    finally:
        subprocess.run([sys.executable, script, "stop", *options], cwd=ROOT, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_routing(stack):
    port = stack["port"]
    web, streams = port + 1, port + 11
    # Pages through the proxy, and on each node directly.
    for p in (port, web, port + 2):
        status, kind, body = _get(p, "/c/saint-jerome/")
        assert status == 200 and kind.startswith("text/html"), (p, status)
    # /flux/ goes to the stream process: its health answers through the proxy, WSGI has no /flux/.
    assert _get(port, "/flux/healthz")[0] == 200
    assert _get(streams, "/flux/healthz")[0] == 200
    assert _get(web, "/flux/healthz") == (404, "text/plain; charset=utf-8", b"Not Found\n")
    assert _get(web, "/flux/?t=action.1")[0] == 404
    # The stream process serves nothing else.
    for path in ("/c/saint-jerome/", "/healthz", "/", "/api/v1/campaigns"):
        assert _get(streams, path) == (404, "text/plain; charset=utf-8", b"Not Found\n"), path


def test_forwarded_for_is_overwritten(stack):
    """A client's own X-Forwarded-For never reaches the application: HAProxy replaces it."""
    conn = http.client.HTTPConnection("127.0.0.1", stack["port"], timeout=10)
    conn.request("GET", "/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert conn.getresponse().status == 200
    conn.close()
    config = (stack["dir"] / "haproxy.cfg").read_text()
    assert "http-request del-header X-Forwarded-For" in config and "option forwardfor" in config


def test_node_killed_under_load(stack):
    port = stack["port"]
    data = stack["django"](TOKENS, "12")
    stop = threading.Event()
    actions = data["actions"]
    writers = [Writer(port, stop, token, actions[i % 5: i % 5 + 4], i, 0.3) for i, token in enumerate(data["tokens"])]
    readers = [Reader(port, stop, ["/c/saint-jerome/", f"/c/saint-jerome/actions/{actions[0]}/"], i) for i in range(3)]
    # Stream viewers (the live-update channel, when this branch has it): leastconn puts them on both nodes.
    viewers = [Viewer(port, threading.Event(), f"action:{actions[0]}") for _ in range(2)]
    for thread in [*viewers, *writers, *readers]:
        thread.start()
    time.sleep(2)
    node1 = int((stack["dir"] / "node1.pid").read_text())
    t_kill = time.monotonic()
    os.killpg(node1, signal.SIGKILL)
    time.sleep(5)
    stop.set()
    for thread in [*writers, *readers]:
        thread.join(30)
    time.sleep(1)  # the last writes' state reaches the viewers
    for viewer in viewers:
        viewer.close()
        viewer.join(10)
    events = [e for c in [*writers, *readers] for e in c.events]
    errors = [(t - t_kill, m, s) for t, m, s in events if isinstance(s, str) or s >= 500]
    assert all(0 <= t < 2 for t, _m, _s in errors), errors
    late = [e for e in events if e[0] > t_kill + 2]
    assert late and all(isinstance(s, int) and s < 500 for _t, _m, s in late)
    # No acknowledged write lost, none reversed, none doubled.
    found = stack["django"](ROWS, str(actions[0]))
    rows = [tuple(r) for r in found["rows"]]
    assert len(rows) == len(set(rows))
    for i, writer in enumerate(writers):
        email = f"stacktest-{i:03d}@example.org"
        for action, state in writer.state.items():
            if state == "present":
                assert (email, action) in set(rows), (email, action)
            elif state == "absent":
                assert (email, action) not in set(rows), (email, action)
    assert sum(w.acknowledged for w in writers) > 0
    # Streams: the viewer cut by the kill resumed on the other node with Last-Event-ID; ids only go
    # forward; every viewer ends on the database's count (the channel sends the latest state).
    if any(v.unavailable for v in viewers):
        # The writes and pages were checked above; say plainly that the streams were not.
        warnings.warn("the live-update channel does not serve /flux/ in this branch: stream failover not checked",
                      stacklevel=1)
        return
    assert any(v.resumed_with for v in viewers), [v.connections for v in viewers]
    for viewer in viewers:
        keys = [tuple(int(x) for x in i.split("-")) for i in viewer.ids]
        assert keys == sorted(set(keys)), viewer.ids
        assert json.loads(viewer.data[-1])["d"] == {"supports": found["count"]}

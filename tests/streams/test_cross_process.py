"""Live updates across processes: two real uvicorn servers sharing one database and Redis.

A support written through server A reaches a viewer connected to server B; a viewer that comes back
to B with its Last-Event-ID gets the latest state of what it missed, under the latest id. SQLite (a
file both servers open) and PostgreSQL (a fresh database, when reachable, as in test_live_limits).
Redis: LIVE_TEST_REDIS_URL (default redis://127.0.0.1:6379/3), under a key of the run's own; skipped
when Redis is not reachable (a failure with LIVE_TEST_REQUIRE_REDIS=1).
"""

import http.client
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from ..live import (
    ROOT,
    demo_postgres_template,
    free_port,
    fresh_postgres_database,
    start_live_server,
    stop_live_server,
)

pytestmark = pytest.mark.live

REDIS_URL = os.environ.get("LIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")

SET_UP = """
from concerto.campaigns.models import Campaign
from concerto.proposals.models import Action
from concerto.residents.models import User
from concerto.residents.services import api_token_create, resident_join
campaign = Campaign.objects.get(slug="saint-jerome")
action = Action.objects.filter(campaign=campaign, status="published").order_by("pk").first()
tokens = []
for i in range(3):
    user = User.objects.create_user(f"flux{i}@example.org")
    resident_join(user=user, campaign=campaign)
    tokens.append(api_token_create(user=user, name="flux")[1])
print(action.pk, " ".join(tokens))
"""


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("LIVE_TEST_REQUIRE_REDIS") == "1":  # .ci/run sets it: CI starts Redis
            raise
        pytest.skip(f"Redis is not reachable ({exc})")
    return client




def _second_server(first, server_env):
    """Another uvicorn on the same database and Redis (what a second node's stream process is)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-proxy-headers"],
        cwd=ROOT, env={**first.env, **server_env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310 - loopback only
                return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the second server did not start") from None
            time.sleep(0.1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def two_nodes(request):
    redis_client = _redis()
    key = f"concerto:live:test:{secrets.token_hex(6)}"
    server_env = {"LIVE_REDIS_URL": REDIS_URL, "LIVE_REDIS_KEY": key}
    database_url, drop, files = ("", None, None)
    if request.param == "postgresql":  # a copy of the run's demo on PostgreSQL (tests.live)
        database_url, drop = fresh_postgres_database("concerto_flux", demo=True)
        files = demo_postgres_template()[1]
    first, tmp = start_live_server(database_url=database_url, demo_files=files, server_env=server_env)
    second = None
    try:
        second, port = _second_server(first, server_env)
        yield first, port, redis_client, key
    finally:
        if second is not None:
            second.terminate()
            second.wait(10)
        stop_live_server(first, tmp)
        redis_client.delete(key)
        if drop:
            drop()


class Viewer:
    def __init__(self, port, topics, last_event_id=""):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
        self.conn.request("GET", "/flux/?" + "&".join(f"t={t}" for t in topics), headers=headers)
        self.response = self.conn.getresponse()
        assert self.response.status == 200, self.response.read()

    def next_event(self):
        event_id, data = None, None
        while True:
            line = self.response.fp.readline().decode()
            if not line:
                raise AssertionError("the stream ended")
            line = line.rstrip("\n")
            if line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and data is not None:
                return event_id, data

    def until(self, predicate, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event_id, event = self.next_event()
            if predicate(event):
                return event_id, event
        raise AssertionError("no such event in time")

    def close(self):
        self.conn.close()


def _api(server, method, path, token):
    request = urllib.request.Request(f"{server.url}/api/v1{path}", method=method, data=b"" if method == "POST" else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return response.status


def test_a_support_written_on_one_node_reaches_a_viewer_of_the_other_and_a_reconnect_misses_nothing(two_nodes):
    first, second_port, redis_client, key = two_nodes
    action_id, *tokens = first.manage("shell", "-c", SET_UP).strip().splitlines()[-1].split()
    topic = f"action:{action_id}"
    support = f"/campaigns/saint-jerome/actions/{action_id}/support"

    viewer = Viewer(second_port, [topic, "figures:saint-jerome"])
    snapshot = {}
    while len(snapshot) < 2:  # one snapshot per topic on a first connect
        _id, event = viewer.next_event()
        snapshot[event["t"]] = event["d"]
    count, total = snapshot[topic]["supports"], snapshot["figures:saint-jerome"]["supports"]

    assert _api(first, "POST", support, tokens[0]) == 201
    seen_id, _event = viewer.until(lambda e: e["t"] == topic and e["d"]["supports"] == count + 1)
    viewer.until(lambda e: e["t"] == "figures:saint-jerome" and e["d"]["supports"] == total + 1)
    viewer.close()

    # Away: three changes written on node A.
    assert _api(first, "POST", support, tokens[1]) == 201
    assert _api(first, "POST", support, tokens[2]) == 201
    assert _api(first, "DELETE", support, tokens[0]) == 204
    published = [(i.decode(), json.loads(f[b"d"])) for i, f in redis_client.xrange(key, f"({seen_id}", "+")
                 if f[b"t"].decode() == topic]
    assert [d["supports"] for _i, d in published] == [count + 2, count + 3, count + 2]

    again = Viewer(second_port, [topic], last_event_id=seen_id)
    event_id, event = again.next_event()
    assert event == {"t": topic, "d": {"supports": count + 2}}
    assert event_id == published[-1][0]  # the latest of what it missed, nothing older after it
    again.close()

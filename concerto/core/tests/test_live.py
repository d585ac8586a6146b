"""The live-update channel (concerto/core/live): brokers, catch-up, snapshots, heartbeats, bounded
viewers, refusals, and the /flux/ view driven through Django's ASGI handler (no server).

The view runs its authorisation and snapshots in other threads: these tests commit for real
(``transactional_db``). The Redis tests use the database in LIVE_TEST_REDIS_URL (default
redis://127.0.0.1:6379/3) under a key of their own, and are skipped when Redis is not reachable
(a failure with LIVE_TEST_REQUIRE_REDIS=1).
"""

import asyncio
import contextlib
import importlib
import json
import os
import secrets
import time

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.db import transaction

from concerto.core import live
from concerto.core.live import hub as hub_module
from concerto.core.live.brokers import MemoryBroker, RedisBroker
from concerto.core.live.events import Event
from concerto.core.live.hub import Hub, Viewer
from concerto.proposals.services import action_propose, support_add, support_withdraw
from concerto.residents.models import Role
from conftest import make_campaign, make_user

REDIS_URL = os.environ.get("LIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture(autouse=True)
def _fresh_channel(settings):
    settings.LIVE_BROKER = "memory"
    settings.LIVE_HEARTBEAT_SECONDS = 15
    hub_module.reset()
    yield
    hub_module.reset()


@pytest.fixture
def redis_settings(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("LIVE_TEST_REQUIRE_REDIS") == "1":  # .ci/run sets it: CI starts Redis
            raise
        pytest.skip(f"Redis is not reachable ({exc})")
    key = f"concerto:live:test:{secrets.token_hex(6)}"
    settings.LIVE_BROKER, settings.LIVE_REDIS_URL, settings.LIVE_REDIS_KEY = "redis", REDIS_URL, key
    hub_module.reset()
    yield settings
    redis.Redis.from_url(REDIS_URL).delete(key)


# --- brokers -----------------------------------------------------------------------------------------

def test_memory_broker_replays_after_an_id_and_refuses_what_it_no_longer_holds():
    broker = MemoryBroker(backlog=3, catchup_max=100)
    ids = [broker.publish("action:1", {"supports": n}) for n in range(5)]

    async def run():
        assert [e.data["supports"] for e in await broker.since(ids[2])] == [3, 4]
        assert await broker.since(ids[1]) == [Event(ids[2], "action:1", {"supports": 2}),
                                              Event(ids[3], "action:1", {"supports": 3}),
                                              Event(ids[4], "action:1", {"supports": 4})]
        assert await broker.since(ids[0]) is None  # ids[1] was trimmed: too old
        assert await broker.since(ids[4]) == []
        assert await broker.since("123-4") is None  # another process's (a restart): unknown
        assert await broker.since("garbage") is None

    asyncio.run(run())


def test_redis_broker_replays_after_an_id_across_clients_and_refuses_trimmed_or_foreign_ids(redis_settings):
    url, key = redis_settings.LIVE_REDIS_URL, redis_settings.LIVE_REDIS_KEY
    writer = RedisBroker(url=url, key=key, backlog=10_000, catchup_max=100)  # e.g. a WSGI process
    ids = [writer.publish("action:1", {"supports": n}, version=n) for n in range(5)]
    reader = RedisBroker(url=url, key=key, backlog=10_000, catchup_max=100)  # a stream process
    received = []

    async def run():
        await reader.start(received.append)
        try:
            missed = await reader.since(ids[1])
            assert [(e.id, e.data, e.version) for e in missed] == [(i, {"supports": n}, n)
                                                                    for n, i in enumerate(ids) if n > 1]
            assert await reader.since(ids[-1]) == []
            assert await reader.since("1-0") is None  # before the first kept event: maybe trimmed
            assert await reader.since("99999999999999-0") is None  # not from this stream
            assert reader.position() == ids[-1]
            new = writer.publish("figures:x", None)
            for _ in range(100):
                if received:
                    break
                await asyncio.sleep(0.02)
            assert received == [Event(new, "figures:x", None)]
        finally:
            await reader.stop()

    asyncio.run(run())


def test_redis_broker_publishes_several_events_in_one_round_trip(redis_settings):
    import redis

    broker = RedisBroker(url=REDIS_URL, key=redis_settings.LIVE_REDIS_KEY, backlog=10_000, catchup_max=100)
    ids = broker.publish_many([("action:1", {"supports": 3}, 7), ("figures:x", None, None)])
    entries = redis.Redis.from_url(REDIS_URL).xrange(redis_settings.LIVE_REDIS_KEY)
    assert [i.decode() for i, _f in entries] == ids
    assert [broker._event(i, f) for i, f in entries] == [Event(ids[0], "action:1", {"supports": 3}, 7),
                                                         Event(ids[1], "figures:x", None)]


def test_redis_broker_catch_up_is_bounded(redis_settings):
    broker = RedisBroker(url=REDIS_URL, key=redis_settings.LIVE_REDIS_KEY, backlog=10_000, catchup_max=3)
    first = broker.publish("action:1", {"supports": 0})
    for n in range(5):
        broker.publish("action:1", {"supports": n})

    async def run():
        await broker.start(lambda e: None)
        try:
            assert await broker.since(first) is None  # more than catchup_max: a snapshot is cheaper
        finally:
            await broker.stop()

    asyncio.run(run())


# --- publish after commit --------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_publish_waits_for_the_commit_and_a_rollback_publishes_nothing():
    broker = hub_module.broker()
    with transaction.atomic():
        live.publish("action:1", {"supports": 1})
        assert broker.position().endswith("-0")
    assert broker.position().endswith("-1")

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        live.publish("action:1", {"supports": 2})
        raise Undo
    assert broker.position().endswith("-1")


@pytest.mark.django_db(transaction=True)
def test_a_broker_failure_never_fails_the_write(monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    publish_module = importlib.import_module("concerto.core.live.publish")  # the package exports the function
    calls = []
    monkeypatch.setattr(hub_module.broker(), "publish_many", lambda events: (calls.append(events), down())[1])
    monkeypatch.setattr(publish_module, "_paused_until", 0.0)
    live.publish("action:1", {"supports": 1})  # no exception
    assert "publishing action:1 failed" in caplog.text
    live.publish("action:1", {"supports": 2})  # paused: not even tried (a hanging Redis costs one write)
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_support_publishes_the_new_count_with_a_version_and_a_figures_notice():
    campaign = make_campaign()
    alice = make_user("alice@example.org", campaign=campaign, role=Role.RESIDENT)
    bob = make_user("bob@example.org", campaign=campaign, role=Role.RESIDENT)
    from concerto.proposals.services import action_create_published_by_system

    action = action_create_published_by_system(campaign=campaign, title="Un banc sous le platane",
                                                summary="Pour s'asseoir à l'ombre l'été.", origin="workshop")
    broker = hub_module.broker()
    before = broker.position()
    support_add(user=alice, action=action)
    support_add(user=bob, action=action)
    support_withdraw(user=alice, action=action)
    events = asyncio.run(broker.since(before))
    states = [(e.topic, e.data) for e in events]
    assert states == [(f"action:{action.pk}", {"supports": 1}), ("figures:quartier-test", None),
                      (f"action:{action.pk}", {"supports": 2}), ("figures:quartier-test", None),
                      (f"action:{action.pk}", {"supports": 1}), ("figures:quartier-test", None)]
    versions = [e.version for e in events if e.topic.startswith("action:")]
    assert versions == sorted(versions) and len(set(versions)) == 3
    action.refresh_from_db()
    assert action.support_count == 1


# --- the hub: coalescing, versions, bounded memory -----------------------------------------------------

def _hub_with(viewer) -> Hub:
    h = Hub()
    h.add(viewer)
    return h


def test_a_slow_viewer_holds_one_event_per_topic_however_many_are_published():
    async def run():
        viewer = Viewer(["action:1", "action:2", "figures:x"])
        h = _hub_with(viewer)
        for n in range(10_000):
            h.deliver(Event(f"1-{n}", ["action:1", "action:2", "figures:x"][n % 3], {"supports": n}))
        assert len(viewer.pending) == 3
        assert sorted(e.data["supports"] for e in viewer.take()) == [9997, 9998, 9999]

    asyncio.run(run())


def test_a_late_older_state_never_overwrites_a_newer_one():
    async def run():
        viewer = Viewer(["action:1"])
        h = _hub_with(viewer)
        h.deliver(Event("1-1", "action:1", {"supports": 6}, version=11))
        h.deliver(Event("1-2", "action:1", {"supports": 5}, version=10))  # its commit came first
        assert [e.data for e in viewer.take()] == [{"supports": 6}]
        h.deliver(Event("1-3", "action:1", {"supports": 5}, version=10))
        assert viewer.take() == []

    asyncio.run(run())


def test_a_viewer_that_does_not_read_is_dropped(settings):
    settings.LIVE_STUCK_SECONDS = 0.05

    async def run():
        viewer = Viewer(["action:1"])
        viewer.task = asyncio.create_task(asyncio.sleep(60))
        h = _hub_with(viewer)
        h.deliver(Event("1-1", "action:1", {"supports": 1}))
        await asyncio.sleep(0.1)
        h.deliver(Event("1-2", "action:1", {"supports": 2}))
        await asyncio.sleep(0)
        assert viewer.dropped and viewer.task.cancelled()

    asyncio.run(run())


def test_memory_per_slow_viewer_stays_flat(settings):
    """Measured: the Python heap a viewer holds does not grow with the events published to it."""
    import tracemalloc

    settings.LIVE_STUCK_SECONDS = 3600

    async def run():
        viewers = [Viewer(["action:1", "figures:x"]) for _ in range(100)]
        h = Hub()
        for v in viewers:
            h.add(v)
        tracemalloc.start()
        for n in range(200):
            h.deliver(Event(f"1-{n}", "action:1", {"supports": n}))
        after_200 = tracemalloc.get_traced_memory()[0]
        for n in range(200, 5_000):
            h.deliver(Event(f"1-{n}", "action:1", {"supports": n}))
        after_5000 = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert all(len(v.pending) == 1 for v in viewers)
        assert after_5000 - after_200 < 50_000, (after_200, after_5000)

    asyncio.run(run())


# --- the /flux/ view through the ASGI handler -------------------------------------------------------

class Stream:
    """One request to Django's ASGI handler; ``read()`` returns the SSE text received so far."""

    def __init__(self, path, headers=(), cookies=""):
        self.path, self.headers, self.cookies = path, list(headers), cookies
        self.status = None
        self.response_headers = {}
        self.body = ""
        self.received = asyncio.Event()
        self.disconnect = asyncio.Event()
        self.task = None

    async def open(self):
        path, _, query = self.path.partition("?")
        headers = [(b"host", b"testserver")] + [(k.lower().encode(), v.encode()) for k, v in self.headers]
        if self.cookies:
            headers.append((b"cookie", self.cookies.encode()))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
                 "headers": headers, "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
        sent_request = False

        async def receive():
            nonlocal sent_request
            if not sent_request:
                sent_request = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await self.disconnect.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.response_headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            elif message["type"] == "http.response.body":
                self.body += message.get("body", b"").decode()
            self.received.set()

        self.task = asyncio.create_task(ASGIHandler()(scope, receive, send))
        return self

    async def wait_for(self, text, timeout=5.0):
        deadline = time.monotonic() + timeout
        while text not in self.body:
            if self.task.done() and text not in self.body:
                raise AssertionError(f"stream ended without {text!r}: {self.status} {self.body!r}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in {self.body!r}")
            self.received.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.received.wait(), 0.05)
        return self.body

    async def close(self):
        self.disconnect.set()
        await asyncio.wait_for(self.task, 5)

    def events(self):
        out = []
        for block in self.body.split("\n\n"):
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
            if "data" in fields:
                out.append((fields.get("id"), json.loads(fields["data"])))
        return out


@pytest.fixture
def world(transactional_db):
    campaign = make_campaign()
    from concerto.proposals.services import action_create_published_by_system

    action = action_create_published_by_system(campaign=campaign, title="Un banc sous le platane",
                                               summary="Pour s'asseoir à l'ombre l'été.", origin="workshop")
    alice = make_user("alice@example.org", campaign=campaign, role=Role.RESIDENT)
    bob = make_user("bob@example.org", campaign=campaign, role=Role.RESIDENT)
    pending = action_propose(user=bob, campaign=campaign, title="Une proposition en attente",
                             summary="Seuls son auteur et la modération la voient.")
    return {"campaign": campaign, "action": action, "alice": alice, "bob": bob, "pending": pending}


def _in_thread(fn):
    from asgiref.sync import sync_to_async

    return sync_to_async(fn, thread_sensitive=False)()


def test_first_connect_gets_a_snapshot_of_each_topic_then_live_states(world):
    action, alice = world["action"], world["alice"]

    async def run():
        s = await Stream(f"/flux/?t=action:{action.pk}&t=figures:quartier-test").open()
        await s.wait_for('"figures:quartier-test"')
        assert s.status == 200
        assert s.response_headers["content-type"] == "text/event-stream"
        assert s.response_headers["cache-control"] == "no-cache"
        assert s.response_headers["x-accel-buffering"] == "no"
        assert s.body.startswith("retry: 3000\n")
        snapshot = {e["t"]: e["d"] for _id, e in s.events()}
        assert snapshot[f"action:{action.pk}"] == {"supports": 0}
        assert snapshot["figures:quartier-test"]["residents_participating"] == 2
        await _in_thread(lambda: support_add(user=alice, action=action))
        await s.wait_for('{"supports":1}')
        await s.wait_for('"supports":1,')  # the figures, recomputed by the stream side
        await s.close()

    asyncio.run(run())


def test_reconnecting_with_last_event_id_gets_what_was_missed(world):
    action, alice, bob = world["action"], world["alice"], world["bob"]

    async def run():
        s = await Stream(f"/flux/?t=action:{action.pk}").open()
        await s.wait_for("supports")
        await _in_thread(lambda: support_add(user=alice, action=action))
        await s.wait_for('{"supports":1}')
        last_id = s.events()[-1][0]
        await s.close()
        # Missed while away: two changes; the latest state comes back, with its id.
        await _in_thread(lambda: support_add(user=bob, action=action))
        await _in_thread(lambda: support_withdraw(user=alice, action=action))
        for how in ("header", "query"):
            headers = [("Last-Event-ID", last_id)] if how == "header" else []
            query = f"&last_event_id={last_id}" if how == "query" else ""
            again = await Stream(f"/flux/?t=action:{action.pk}{query}", headers=headers).open()
            await again.wait_for("supports")
            await asyncio.sleep(0.1)
            events = again.events()
            assert [e["d"] for _id, e in events] == [{"supports": 1}], how
            assert events[0][0] > last_id
            await again.close()

    asyncio.run(run())


def test_a_last_event_id_too_old_or_unknown_gets_the_snapshot(world, settings):
    settings.LIVE_BACKLOG = 2
    hub_module.reset()
    action, alice, bob = world["action"], world["alice"], world["bob"]

    async def run():
        first = await Stream(f"/flux/?t=action:{action.pk}").open()
        await first.wait_for("supports")
        old_id = first.events()[-1][0]
        await first.close()
        await _in_thread(lambda: support_add(user=alice, action=action))  # two events each
        await _in_thread(lambda: support_add(user=bob, action=action))
        for last in (old_id, "1-1", "not-an-id"):
            s = await Stream(f"/flux/?t=action:{action.pk}", headers=[("Last-Event-ID", last)]).open()
            await s.wait_for("supports")
            assert s.events()[-1][1]["d"] == {"supports": 2}, last
            await s.close()

    asyncio.run(run())


def test_heartbeats_keep_an_idle_stream_open_and_the_lifetime_ends_it(world, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.1
    settings.LIVE_MAX_STREAM_SECONDS = 0.6

    async def run():
        s = await Stream("/flux/?t=figures:quartier-test").open()
        await s.wait_for(": hb\n\n")
        await asyncio.wait_for(s.task, 3)  # the server closed it: the browser reconnects elsewhere
        assert s.body.count(": hb") >= 2
        assert hub_module.hub.count() == 0

    asyncio.run(run())


def test_a_client_disconnect_ends_the_stream_and_leaks_no_task(world):
    async def run():
        baseline = len(asyncio.all_tasks())
        streams = [await Stream("/flux/?t=figures:quartier-test").open() for _ in range(20)]
        for s in streams:
            await s.wait_for("figures")
        assert hub_module.hub.count() == 20
        for s in streams:
            await s.close()
        await asyncio.sleep(0.05)
        assert hub_module.hub.count() == 0
        # Left: the test's own task (and the memory broker has no reader task).
        assert len(asyncio.all_tasks()) <= baseline

    asyncio.run(run())


def test_an_open_stream_holds_no_database_connection(world):
    from django.db import connections

    opened = []
    wrapper = type(connections["default"])
    real_connect = wrapper.connect

    def counting_connect(self):
        opened.append(self)
        return real_connect(self)

    async def run():
        s = await Stream(f"/flux/?t=action:{world['action'].pk}").open()
        await s.wait_for("supports")
        await asyncio.sleep(0.1)
        open_now = [c for c in opened if c.connection is not None]
        await s.close()
        return open_now

    wrapper.connect = counting_connect
    try:
        still_open = asyncio.run(run())
    finally:
        wrapper.connect = real_connect
    assert opened, "the view authorised without the database?"
    assert still_open == [], "an idle stream keeps a database connection"
    connections.close_all()


@pytest.mark.parametrize(("query", "status"), [
    ("", 400),
    ("?t=", 400),
    ("?t=nope:1", 400),
    ("?t=action", 400),
    ("?t=action:1%00", 400),
    ("?" + "&".join(f"t=action:{n}" for n in range(21)), 400),
    ("?t=action:999999", 404),
    ("?t=action:abc", 404),
    ("?t=figures:nowhere", 404),
])
def test_bad_or_unknown_topics_are_refused_with_a_translated_message(world, query, status):
    async def run():
        s = await Stream(f"/flux/{query}").open()
        await asyncio.wait_for(s.task, 5)
        return s

    s = asyncio.run(run())
    assert s.status == status
    assert s.response_headers["content-type"].startswith("text/plain")
    assert s.body and "Traceback" not in s.body


def test_a_pending_action_streams_only_to_who_may_see_it(world):
    from django.test import Client

    pending = world["pending"]
    bob_client = Client()
    bob_client.force_login(world["bob"])
    bob_cookie = f"sessionid={bob_client.cookies['sessionid'].value}"
    alice_client = Client()
    alice_client.force_login(world["alice"])
    alice_cookie = f"sessionid={alice_client.cookies['sessionid'].value}"

    async def run(cookies):
        s = await Stream(f"/flux/?t=action:{pending.pk}&t=figures:quartier-test", cookies=cookies).open()
        if cookies == bob_cookie:
            await s.wait_for("supports")
            await s.close()
        else:
            await asyncio.wait_for(s.task, 5)
        return s.status

    assert asyncio.run(run("")) == 404  # a visitor: it does not exist
    assert asyncio.run(run(alice_cookie)) == 404  # another resident: neither
    assert asyncio.run(run(bob_cookie)) == 200  # its author


def test_a_wsgi_process_does_not_serve_streams(world, client):
    assert client.get("/flux/?t=figures:quartier-test").status_code == 503
    assert client.get("/flux/?t=figures:nowhere").status_code == 404  # refused before that

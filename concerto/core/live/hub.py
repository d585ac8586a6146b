"""One hub per stream process: its viewers by topic, the fan-out, snapshots, bounded buffers."""

import asyncio
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from .brokers import MemoryBroker, RedisBroker
from .events import Event, id_key, newer
from .topics import kind_of

logger = logging.getLogger("concerto.live")


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


DEFAULTS = {
    "LIVE_BROKER": "memory",
    "LIVE_REDIS_URL": "",
    "LIVE_REDIS_KEY": "concerto:live",
    "LIVE_BACKLOG": 10_000,
    "LIVE_CATCHUP_MAX": 2_000,
    "LIVE_HEARTBEAT_SECONDS": 15,
    "LIVE_RETRY_MS": 3_000,
    "LIVE_MAX_STREAM_SECONDS": 1_800,
    "LIVE_MAX_TOPICS": 20,
    "LIVE_STUCK_SECONDS": 60,
    "LIVE_REFRESH_SECONDS": 1.0,
}


class Viewer:
    """One open stream. ``pending`` keeps the latest state per topic only: however slow the
    client, it holds at most one event per topic it watches."""

    __slots__ = ("topics", "pending", "wake", "task", "last_id", "stuck_since", "dropped")

    def __init__(self, topics):
        self.topics = frozenset(topics)
        self.pending: dict[str, Event] = {}
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.last_id = ""  # of the last event sent
        self.stuck_since: float | None = None
        self.dropped = False

    def offer(self, event: Event, stuck_after: float) -> None:
        current = self.pending.get(event.topic)
        if current is not None and not newer(event, current):
            return
        self.pending[event.topic] = event
        now = time.monotonic()
        if self.stuck_since is None:
            self.stuck_since = now
        elif now - self.stuck_since > stuck_after and not self.dropped:
            # Its events have waited that long: the client does not read. Close its stream; the
            # browser reconnects (Last-Event-ID) if it is alive after all.
            self.dropped = True
            if self.task is not None:
                self.task.cancel()
        self.wake.set()

    def take(self) -> list[Event]:
        events = sorted(self.pending.values(), key=lambda e: _key(e.id))
        self.pending.clear()
        self.stuck_since = None
        self.wake.clear()
        return events


def _key(event_id):
    return id_key(event_id) or (0, 0)


class Hub:
    def __init__(self):
        self.broker = None
        self.loop = None
        self.viewers: dict[str, set[Viewer]] = {}
        self.latest: dict[str, Event] = {}  # latest state fanned out per watched topic (versions)
        self._refresh: dict[str, str] = {}  # topic -> id of the newest "changed" notice not yet refreshed
        self._refresh_due: dict[str, float] = {}
        self._snapshots: dict[str, tuple[float, dict]] = {}
        self._inflight: dict[str, asyncio.Future] = {}
        self._ready: asyncio.Future | None = None

    # --- lifecycle ---------------------------------------------------------------------------------
    async def ensure_started(self) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            # The first viewer of this loop (a server's, or a test's fresh one): start over on it.
            self.__init__()
            self.loop = loop
            self._ready = loop.create_future()
            try:
                self.broker = broker()
                await self.broker.start(self.deliver)
            except BaseException as exc:
                self.loop = None
                self._ready.set_exception(exc)
                self._ready.exception()  # retrieved: the caller gets it raised
                raise
            self._ready.set_result(None)
        await asyncio.shield(self._ready)

    # --- viewers -----------------------------------------------------------------------------------
    def add(self, viewer: Viewer) -> None:
        for topic in viewer.topics:
            self.viewers.setdefault(topic, set()).add(viewer)
            self._tell_watchers(topic)

    def _tell_watchers(self, topic: str) -> None:
        """A kind that counts its audience (``register(watchers=...)``) hears this process's number
        of viewers of the topic, off the loop (it may write to the cache); its failure is logged."""
        found = kind_of(topic)
        if found is None or found[0].watchers is None:
            return
        kind, ident = found
        count = len(self.viewers.get(topic, ()))

        def tell():
            try:
                kind.watchers(ident, count)
            except Exception:
                logger.exception("live: counting the viewers of %s failed", topic)

        if self.loop is not None and self.loop.is_running():
            self.loop.run_in_executor(None, tell)
        else:
            tell()

    def remove(self, viewer: Viewer) -> None:
        for topic in viewer.topics:
            viewers = self.viewers.get(topic)
            if viewers is not None:
                viewers.discard(viewer)
                if not viewers:
                    del self.viewers[topic]
                    self.latest.pop(topic, None)
                    self._snapshots.pop(topic, None)

    def count(self) -> int:
        return len({v for viewers in self.viewers.values() for v in viewers})

    # --- fan-out (on the loop) ---------------------------------------------------------------------
    def deliver(self, event: Event) -> None:
        viewers = self.viewers.get(event.topic)
        if not viewers:
            return
        if event.data is None:
            self._schedule_refresh(event)
            return
        if not newer(event, self.latest.get(event.topic)):
            return  # an older state published from a commit that raced a later one
        self.latest[event.topic] = event
        self._snapshots[event.topic] = (time.monotonic(), event.data)
        stuck = setting("LIVE_STUCK_SECONDS")
        for viewer in list(viewers):
            viewer.offer(event, stuck)

    def _schedule_refresh(self, notice: Event) -> None:
        # Many "changed" notices in a burst cost one snapshot per LIVE_REFRESH_SECONDS per topic
        # and process, whatever the number of viewers or of writes.
        topic = notice.topic
        pending = topic in self._refresh
        self._refresh[topic] = notice.id
        if pending:
            return
        self._snapshots.pop(topic, None)
        now = time.monotonic()
        delay = max(0.0, self._refresh_due.get(topic, 0.0) - now)
        self.loop.call_later(delay, lambda: asyncio.ensure_future(self._do_refresh(topic)))

    async def _do_refresh(self, topic: str) -> None:
        try:
            event_id = self._refresh.get(topic)
            data = await self.snapshot(topic, fresh=True)
        except Exception:
            logger.exception("live: snapshot of %s failed", topic)
            self._refresh.pop(topic, None)
            return
        self._refresh_due[topic] = time.monotonic() + setting("LIVE_REFRESH_SECONDS")
        latest_id = self._refresh.pop(topic, event_id)
        if latest_id != event_id:  # another notice came while the snapshot ran: take one more
            self._schedule_refresh(Event(latest_id, topic, None))
        event = Event(event_id, topic, data)
        if topic in self.viewers:
            stuck = setting("LIVE_STUCK_SECONDS")
            for viewer in list(self.viewers[topic]):
                viewer.offer(event, stuck)

    # --- snapshots ---------------------------------------------------------------------------------
    async def snapshot(self, topic: str, *, fresh: bool = False) -> dict:
        """The topic's current state; one computation at a time per topic, reused for
        LIVE_REFRESH_SECONDS (a thousand viewers reconnecting cost one query)."""
        if not fresh:
            cached = self._snapshots.get(topic)
            if cached is not None and time.monotonic() - cached[0] < setting("LIVE_REFRESH_SECONDS"):
                return cached[1]
        inflight = self._inflight.get(topic)
        if inflight is None:
            inflight = self._inflight[topic] = asyncio.ensure_future(
                sync_to_async(_snapshot_now, thread_sensitive=False)(topic))
            inflight.add_done_callback(lambda _f: self._inflight.pop(topic, None))
        data = await asyncio.shield(inflight)
        self._snapshots[topic] = (time.monotonic(), data)
        return data

    async def initial(self, viewer: Viewer, last_event_id: str) -> list[Event]:
        """What a viewer gets on connect: the events it missed since ``last_event_id`` (the latest
        state per topic), or else a snapshot of each topic."""
        position = self.broker.position()  # read before the snapshots: what follows is newer
        missed = await self.broker.since(last_event_id) if last_event_id else None
        out = []
        if missed is not None:
            latest: dict[str, Event] = {}
            for event in missed:
                if event.topic in viewer.topics and newer(event, latest.get(event.topic)):
                    latest[event.topic] = event
            for topic, event in latest.items():
                if event.data is None:
                    event = Event(event.id, topic, await self.snapshot(topic))
                out.append(event)
        else:
            for topic in sorted(viewer.topics):
                out.append(Event(position, topic, await self.snapshot(topic)))
        return sorted(out, key=lambda e: _key(e.id))


def _snapshot_now(topic: str) -> dict:
    kind, ident = kind_of(topic)
    try:
        return kind.snapshot(ident)
    finally:
        # A stream process holds no database connection between snapshots (thousands of viewers
        # against PostgreSQL's max_connections).
        connections.close_all()


_broker = None
hub = Hub()


def broker():
    """The process's broker, from the settings (``reset()`` forgets it, for tests)."""
    global _broker
    if _broker is None:
        kind = setting("LIVE_BROKER")
        backlog, catchup = setting("LIVE_BACKLOG"), setting("LIVE_CATCHUP_MAX")
        if kind == "redis":
            _broker = RedisBroker(url=setting("LIVE_REDIS_URL"), key=setting("LIVE_REDIS_KEY"), backlog=backlog,
                                  catchup_max=catchup)
        else:
            _broker = MemoryBroker(backlog=backlog, catchup_max=catchup)
    return _broker


def reset() -> None:
    global _broker, hub
    _broker = None
    hub = Hub()

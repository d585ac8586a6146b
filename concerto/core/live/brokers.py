"""Where published events go and how a stream process reads them back.

``publish`` is synchronous (a view, a task: any thread of any process) and called after commit;
``start``, ``since`` and the reader run on the stream process's event loop.

* ``MemoryBroker``: one process (the demo, tests). A bounded backlog for catch-up; events reach
  the loop through ``call_soon_threadsafe`` since views publish from worker threads.
* ``RedisBroker``: every process. One Redis Stream (XADD MAXLEN ~ backlog): its ids are the SSE
  ids, global and monotonic across processes; each stream process runs one reader (XREAD BLOCK)
  that fans out to its local viewers; catch-up is an XRANGE after Last-Event-ID.
"""

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from .events import Event, id_key

logger = logging.getLogger("concerto.live")


def _too_old_or_unknown(after: tuple[int, int] | None, first: str | None, last: str | None) -> bool:
    """Can the events after ``after`` be replayed exactly from a backlog holding [first, last]?"""
    if after is None or first is None or last is None:
        return True
    # Before the first kept event, some may have been trimmed; after the last, the id is not ours
    # (another Redis, a restarted demo): both cases get a snapshot.
    return after < id_key(first) or after > id_key(last)


async def _quietly(closing) -> None:
    # Closing a connection to a Redis that went away must not hang a process's shutdown.
    with contextlib.suppress(Exception):
        await asyncio.wait_for(closing, 2)


class MemoryBroker:
    def __init__(self, *, backlog: int, catchup_max: int):
        self._lock = threading.Lock()
        self._events: deque[Event] = deque(maxlen=backlog)
        self._boot = int(time.time() * 1000)  # a restarted process never takes an old id for its own
        self._seq = 0
        self._sinks: list[tuple[asyncio.AbstractEventLoop, Callable]] = []
        self.catchup_max = catchup_max

    def publish(self, topic: str, data: dict | None, version: int | None = None) -> str:
        with self._lock:
            self._seq += 1
            event = Event(f"{self._boot}-{self._seq}", topic, data, version)
            self._events.append(event)
            sinks = list(self._sinks)
        for loop, deliver in sinks:
            try:
                loop.call_soon_threadsafe(deliver, event)
            except RuntimeError:  # that loop is closed (a finished test, a stopped server)
                with self._lock:
                    if (loop, deliver) in self._sinks:
                        self._sinks.remove((loop, deliver))
        return event.id

    def publish_many(self, events) -> list[str]:
        return [self.publish(topic, data, version) for topic, data, version in events]

    async def start(self, deliver: Callable) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            self._sinks = [(lp, d) for lp, d in self._sinks if not lp.is_closed()]
            self._sinks.append((loop, deliver))

    async def stop(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            self._sinks = [(lp, d) for lp, d in self._sinks if lp is not loop]

    def position(self) -> str:
        return f"{self._boot}-{self._seq}"

    async def since(self, after: str) -> list[Event] | None:
        key = id_key(after)
        with self._lock:
            events = list(self._events)
            first = events[0].id if events else None
            last = self.position()
        if key is not None and key == id_key(last):
            return []
        if not events:
            return None
        # The event just before the first kept one is still a valid place to resume from.
        first_key = id_key(first)
        if key is not None and key[0] == first_key[0] and key[1] == first_key[1] - 1:
            return events
        if _too_old_or_unknown(key, first, last):
            return None
        out = [e for e in events if id_key(e.id) > key]
        return None if len(out) > self.catchup_max else out


class RedisBroker:
    BLOCK_MS = 2000

    def __init__(self, *, url: str, key: str, backlog: int, catchup_max: int):
        self.url, self.key, self.backlog, self.catchup_max = url, key, backlog, catchup_max
        self._sync = None
        self._async = None
        self._last = "0-0"
        self._reader: asyncio.Task | None = None

    def _client(self):
        if self._sync is None:
            import redis

            self._sync = redis.Redis.from_url(self.url, socket_timeout=3, socket_connect_timeout=2)
        return self._sync

    def publish(self, topic: str, data: dict | None, version: int | None = None) -> str:
        return self.publish_many([(topic, data, version)])[0]

    def publish_many(self, events) -> list[str]:
        """One round trip for all (a support: its count and the campaign's figures).

        A timeout or a dropped connection is tried once more on a fresh connection before the caller
        pauses publishing: measured under a saturated CPU (bench/wall.py), a lone timeout otherwise
        silenced every wall for 5 s. Sending an event twice is harmless (viewers keep the newest
        version)."""
        import redis

        fields_list = [{"t": topic, "d": "" if data is None else json.dumps(data, separators=(",", ":")),
                        "v": "" if version is None else str(version)} for topic, data, version in events]
        for attempt in (1, 2):
            pipe = self._client().pipeline(transaction=False)
            for fields in fields_list:
                pipe.xadd(self.key, fields, maxlen=self.backlog, approximate=True)
            try:
                return [event_id.decode() for event_id in pipe.execute()]
            except (redis.exceptions.TimeoutError, redis.exceptions.ConnectionError):
                if attempt == 2:
                    raise
                self._sync = None  # a new client, new connections

    @staticmethod
    def _event(event_id: bytes, fields: dict) -> Event:
        data = fields.get(b"d", b"")
        version = fields.get(b"v", b"")
        return Event(event_id.decode(), fields[b"t"].decode(), json.loads(data) if data else None,
                     int(version) if version else None)

    async def start(self, deliver: Callable) -> None:
        import redis.asyncio

        self._async = redis.asyncio.Redis.from_url(self.url, socket_connect_timeout=2)
        newest = await self._async.xrevrange(self.key, "+", "-", count=1)
        self._last = newest[0][0].decode() if newest else "0-0"
        self._reader = asyncio.create_task(self._read(deliver), name="concerto-live-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.wait([self._reader], timeout=3)
            self._reader = None
        if self._async is not None:
            await _quietly(self._async.aclose())
            self._async = None

    async def _read(self, deliver: Callable) -> None:
        # A separate connection: XREAD BLOCK holds it for up to BLOCK_MS.
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(self.url, socket_connect_timeout=2,
                                              socket_timeout=self.BLOCK_MS / 1000 + 5)
        pause = 0.1
        try:
            while True:
                try:
                    answer = await client.xread({self.key: self._last}, block=self.BLOCK_MS, count=1000)
                    pause = 0.1
                except (OSError, redis.RedisError) as exc:
                    # Redis restarting: resume from the last id read, so nothing kept is missed.
                    logger.warning("live: Redis reader error, retrying: %s", exc)
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 5)
                    continue
                for _key, entries in answer or ():
                    for event_id, fields in entries:
                        self._last = event_id.decode()
                        try:
                            deliver(self._event(event_id, fields))
                        except Exception:  # one bad event or topic must not stop the process's reader
                            logger.exception("live: delivering %s failed", event_id)
        finally:
            await _quietly(client.aclose())

    def position(self) -> str:
        return self._last

    async def since(self, after: str) -> list[Event] | None:
        key = id_key(after)
        if key is None:
            return None
        first = await self._async.xrange(self.key, "-", "+", count=1)
        last = await self._async.xrevrange(self.key, "+", "-", count=1)
        first_id = first[0][0].decode() if first else None
        last_id = last[0][0].decode() if last else None
        if last_id is not None and key == id_key(last_id):
            return []
        if _too_old_or_unknown(key, first_id, last_id):
            return None
        entries = await self._async.xrange(self.key, f"({after}", "+", count=self.catchup_max + 1)
        if len(entries) > self.catchup_max:
            return None
        return [self._event(i, f) for i, f in entries]

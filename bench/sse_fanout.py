"""Stream fan-out: K concurrent SSE viewers on one or two stream processes, M events published to
the Redis Stream; prints the p50/p99 delivery latency and the servers' RSS per viewer.

    .venv/bin/python bench/sse_fanout.py --viewers 1000 --processes 2 --server uvicorn --events 20
    .venv/bin/python bench/sse_fanout.py --topic event --viewers 5000 --processes 2 --events 10

Each viewer is a raw asyncio socket (the lightest client, so the bench machine measures the
server, not itself) watching ``action:<id>`` and ``figures:saint-jerome`` of the demo, or with
``--topic event`` the live page's one topic ``event:<id>`` of the demo's TV set: each message is
then the full public state of the set (``event_public_state`` of the held show: 20 actions,
7 candidates, 140 positions with their summaries, about 20 KB), as every change sends it. Events are
XADDed straight into the stream by this script (what ``live.publish`` does after a commit), each
carrying its send time, so the latency is publish → bytes read by the viewer. The servers run the
e2e settings on a throw-away SQLite demo, and share Redis (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/3) under a key of their own, deleted at the end.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, log  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (granian runs its workers as children)."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def start_servers(args, base: Path, env: dict) -> list[tuple[subprocess.Popen, int]]:
    servers = []
    for _ in range(args.processes):
        port = free_port()
        if args.server == "granian":
            cmd = [str(ROOT / ".venv/bin/granian"), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", "1", "config.asgi:application"]
        else:
            cmd = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port",
                   str(port), "--log-level", "warning", "--no-proxy-headers"]
        log_file = open(base / f"server-{port}.log", "w")  # noqa: SIM115 - lives as long as the server
        servers.append((subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT), port))
    for process, port in servers:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit((base / f"server-{port}.log").read_text()) from None
                time.sleep(0.1)
    return servers


# The send time is the first key of a bench message: found without parsing 20 KB of JSON per viewer,
# so the client side stays light next to the servers.
# Each new viewer of ``event:<id>`` gets the state computed from the database on connect (about
# 15 queries): thousands of them take a while to be served, which is not the delivery measured here.
CONNECT_TIMEOUT = 300

SENT = re.compile(rb'"sent":\s*([0-9.]+)')


async def sse_sent_times(reader):
    """``(arrival time, send time or None)`` for each ``data:`` line of a stream."""
    buffer = b""
    while True:
        chunk = await reader.read(1 << 17)
        if not chunk:
            return
        now = time.time()
        buffer += chunk
        while True:
            start = buffer.find(b"\ndata: ")
            if start < 0:
                buffer = buffer[-8:]
                break
            end = buffer.find(b"\n", start + 7)
            if end < 0:
                buffer = buffer[start:]
                break
            found = SENT.search(buffer, start, end)
            buffer = buffer[end:]
            yield now, float(found.group(1)) if found else None


class Viewer:
    def __init__(self, port: int, path: str):
        self.port, self.path = port, path
        self.latencies: list[float] = []
        self.ready = asyncio.Event()
        self.received = 0

    async def run(self, stop: asyncio.Event):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        try:
            async for now, sent in sse_sent_times(reader):
                if stop.is_set():
                    break
                if sent is not None:
                    self.latencies.append(now - sent)
                    self.received += 1
                self.ready.set()
        finally:
            writer.close()


async def fan_out(args, ports, target, key, server_pids):
    import redis

    stop = asyncio.Event()
    if args.topic == "event":
        topic, state = f"event:{target['id']}", target["state"]
        path = f"/flux/?t={topic}"
    else:
        topic, state = f"action:{target['id']}", None
        path = f"/flux/?t={topic}&t=figures:saint-jerome"
    viewers, tasks = [], []
    # A first tenth warms the processes up (imports, pools, first allocations): the memory per
    # viewer is measured on the other nine tenths.
    warm = max(1, args.viewers // 10)
    baseline = None
    started = time.monotonic()
    for i in range(args.viewers):
        if i == warm:
            await asyncio.wait_for(asyncio.gather(*(v.ready.wait() for v in viewers)), CONNECT_TIMEOUT)
            await asyncio.sleep(1)
            baseline = sum(rss_kib(pid) for pid in server_pids)
        viewer = Viewer(ports[i % len(ports)], path)
        viewers.append(viewer)
        tasks.append(asyncio.create_task(viewer.run(stop)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)  # no SYN flood: connect in waves
    await asyncio.wait_for(asyncio.gather(*(v.ready.wait() for v in viewers)), CONNECT_TIMEOUT)
    log(f"{args.viewers} viewers connected in {time.monotonic() - started:.1f} s")
    await asyncio.sleep(1)
    connected = sum(rss_kib(pid) for pid in server_pids)
    if baseline is None:
        baseline = connected
    client = redis.Redis.from_url(REDIS_URL)
    for n in range(args.events):
        if state is None:
            fields = {"t": topic, "d": json.dumps({"sent": time.time(), "supports": n}), "v": ""}
        else:  # the next change of the set: the whole state, numbered one higher
            seq = state["seq"] + n + 1
            body = json.dumps({"sent": time.time(), **state, "seq": seq}, separators=(",", ":"))
            fields = {"t": topic, "d": body, "v": str(seq)}
        client.xadd(key, fields, maxlen=10_000, approximate=True)
        await asyncio.sleep(args.interval)
    await asyncio.sleep(2)
    stop.set()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    latencies = sorted(x for v in viewers for x in v.latencies)
    return viewers, latencies, baseline, connected


# What the viewers watch, printed as one JSON line by ``manage.py shell`` in the bench's database.
TARGETS = {
    "action": ("import json; from concerto.proposals.models import Action; "
               "print(json.dumps({'id': Action.objects.filter(status='published').order_by('pk').first().pk}))"),
    "event": ("import json; from concerto.live_event.models import Event; "
              "from concerto.live_event.selectors import event_public_state; "
              "e = Event.objects.filter(status='ended').order_by('pk').first(); s = event_public_state(e); "
              "print(json.dumps({'id': e.pk, 'state': s, 'bytes': len(json.dumps(s, separators=(',', ':')))}))"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=500)
    parser.add_argument("--processes", type=int, default=1, choices=[1, 2])
    parser.add_argument("--server", default="uvicorn", choices=["uvicorn", "granian"])
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between two events")
    parser.add_argument("--topic", default="action", choices=["action", "event"],
                        help="action: a support count and the figures; event: the TV set's full state")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    import redis

    redis.Redis.from_url(REDIS_URL).ping()
    key = f"concerto:live:bench:{secrets.token_hex(6)}"
    with tempfile.TemporaryDirectory(prefix="concerto-sse-") as tmp:
        base = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update({"DJANGO_SETTINGS_MODULE": "config.settings.e2e", "DATABASE_URL": f"sqlite:///{base / 'db.sqlite3'}",
                    "CONCERTO_VAR_DIR": str(base), "CONCERTO_MAIL_DIR": str(base), "PYTHONUNBUFFERED": "1",
                    "LIVE_REDIS_URL": REDIS_URL, "LIVE_REDIS_KEY": key})
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        target = json.loads(subprocess.run([*manage, "shell", "-c", TARGETS[args.topic]], cwd=ROOT, env=env,
                                           check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        servers = start_servers(args, base, env)
        try:
            viewers, latencies, baseline, connected = asyncio.run(
                fan_out(args, [p for _s, p in servers], target, key, [s.pid for s, _p in servers]))
        finally:
            for process, _port in servers:
                process.terminate()
            for process, _port in servers:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:  # thousands of open streams to close: do not lose the figures
                    process.kill()
                    process.wait()
            redis.Redis.from_url(REDIS_URL).delete(key)
    expected = args.viewers * args.events
    received = sum(v.received for v in viewers)
    result = {
        "topic": args.topic, "message_bytes": target.get("bytes"),
        "server": args.server, "processes": args.processes, "viewers": args.viewers, "events": args.events,
        "deliveries": received, "expected": expected,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "rss_warm_mib": round(baseline / 1024, 1), "rss_connected_mib": round(connected / 1024, 1),
        "rss_per_viewer_kib": round((connected - baseline) / max(args.viewers - max(1, args.viewers // 10), 1), 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

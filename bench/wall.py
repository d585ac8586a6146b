"""The workshop wall under a full room: N participants post an idea each at the same moment, then
place their dots at the same moment, while every participant, the facilitator and the projector
watch the wall's live topic; prints the delivery latency p50/p99 of every write to every viewer.

    .venv/bin/python bench/wall.py --participants 40 [--database postgres]

Production's shape on one machine: pages and forms on granian WSGI (2 workers × 4 threads),
streams on one uvicorn process (``config.asgi:streams``), the Redis broker between them
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/3, under a key of its own, deleted at the end).

Delivery of a write = from the moment its POST was acknowledged (the JSON answer carries the
wall's version after the write) to the moment a viewer has read an event of that version or a
later one (``event``), and then, as ``wall.js`` does, shows it: at once when nothing on that screen
changes (participants and the projector follow ``sv``, which a dot or a hidden idea does not move),
else when the fragment it refetches has arrived (``fragment``; ``fragment_room`` for participants
and projector, ``fragment_console`` for the facilitator's console, which follows every write).
The goal, checked at the end: no delivery missing, ``event`` and ``fragment_room`` p99 < 1 s.
"""

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PG_ADMIN_URL, free_port, log, pg_url, sse_events  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
CSRF = "b" * 32  # a cookie and header pair the bench sets itself (Django compares them)


# --- inside Django (``python bench/wall.py --setup`` / ``--phase``) -----------------------------------


def _django():
    import django

    django.setup()


def setup(participants: int) -> dict:
    """A workshop with ``participants`` attendees, each with a device session holding their seat, and
    a signed-in session of the organiser (who runs the wall); the wall opened for ideas."""
    _django()
    import datetime

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.utils import timezone

    from concerto.campaigns.models import Campaign
    from concerto.residents.models import User
    from concerto.workshops import services
    from concerto.workshops.models import Attendee, AttendeeSource

    campaign = Campaign.objects.get(slug="saint-jerome")
    organiser = User.objects.get(email="organisatrice@example.org")
    start = timezone.now()
    workshop = services.workshop_create(by=organiser, campaign=campaign, title="Atelier de mesure",
                                        starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                        place="Salle de mesure")
    sessions = []
    for n in range(participants):
        attendee = Attendee.objects.create(workshop=workshop, name=f"Participant {n + 1}",
                                           source=AttendeeSource.WALK_IN, joined_at=timezone.now())
        store = SessionStore()
        store["workshop_seats"] = {str(workshop.pk): attendee.pk}
        store.create()
        sessions.append(store.session_key)
    staff = SessionStore()
    staff[SESSION_KEY] = str(organiser.pk)
    staff[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    staff[HASH_SESSION_KEY] = organiser.get_session_auth_hash()
    staff.create()
    services.workshop_phase_set(by=organiser, workshop=workshop, phase="collect")
    return {"workshop": workshop.pk, "slug": campaign.slug, "sessions": sessions, "staff": staff.session_key}


def phase(workshop_id: int, target: str) -> dict:
    """Step the wall forward to ``target`` as the organiser (the facilitator's buttons do the same)."""
    _django()
    from concerto.residents.models import User
    from concerto.workshops import services
    from concerto.workshops.models import PHASE_ORDER, Idea, Workshop

    organiser = User.objects.get(email="organisatrice@example.org")
    workshop = Workshop.objects.get(pk=workshop_id)
    while workshop.phase != target:
        following = PHASE_ORDER[PHASE_ORDER.index(workshop.phase) + 1]
        workshop = services.workshop_phase_set(by=organiser, workshop=workshop, phase=following)
    return {"ideas": list(Idea.objects.filter(workshop=workshop).values_list("pk", flat=True))}


# --- the room (asyncio, raw sockets: the bench machine measures the server, not itself) --------------


async def http(port: int, method: str, path: str, *, session: str, body: dict | None = None) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = urllib.parse.urlencode(body or {}).encode()
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
            f"Cookie: sessionid={session}; csrftoken={CSRF}", "Accept: application/json"]
    if method == "POST":
        head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(data)}",
                 f"X-CSRFToken: {CSRF}", "Origin: http://127.0.0.1", "Referer: http://127.0.0.1/"]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + (data if method == "POST" else b""))
    await writer.drain()
    raw = await reader.read()
    writer.close()
    status = int(raw.split(b" ", 2)[1])
    return status, raw.split(b"\r\n\r\n", 1)[1]


class Viewer:
    """One screen on the wall: its stream, and the fragment it fetches, as ``wall.js`` does, when the
    version its page follows grows (``sv`` for participants and the projector, ``v`` for the console)."""

    def __init__(self, name: str, stream_port: int, page_port: int, topic: str, page: str, session: str,
                 key: str = "sv"):
        self.name, self.stream_port, self.page_port = name, stream_port, page_port
        self.topic, self.page, self.session, self.key = topic, page, session, key
        self.seen: dict[int, float] = {}  # version → when the event was read
        self.key_of: dict[int, int] = {}  # version → the page's own version at that moment
        self.fetched: dict[int, float] = {}  # version → when the screen showed it (fetched, or nothing to fetch)
        self.ready = asyncio.Event()
        self.wanted = 0  # the page's version the latest event asks for
        self.page_version = None  # the page's version on screen (from the first event: the page was loaded then)
        self.fetching = False

    async def run(self, stop: asyncio.Event):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.stream_port)
        writer.write((f"GET /flux/?t={self.topic} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                      f"Cookie: sessionid={self.session}\r\n\r\n").encode())
        await writer.drain()
        try:
            async for now, event in sse_events(reader):
                if stop.is_set():
                    break
                data = event.get("d") or {}
                version, own = data.get("v"), data.get(self.key)
                if isinstance(version, int) and isinstance(own, int):
                    self.seen.setdefault(version, now)
                    self.key_of.setdefault(version, own)
                    if self.page_version is None:
                        self.page_version = own
                    self.wanted = max(self.wanted, own)
                    if own <= self.page_version:
                        self.fetched.setdefault(version, now)  # nothing on this screen changes
                    else:
                        asyncio.create_task(self.fetch())
                self.ready.set()
        finally:
            writer.close()

    async def fetch(self):
        # wall.js: one fetch at a time; a newer version seen meanwhile is fetched right after.
        if self.fetching:
            return
        self.fetching = True
        try:
            while self.wanted > self.page_version:
                target = self.wanted
                status, _body = await http(self.page_port, "GET", f"{self.page}?fragment=1", session=self.session)
                done = time.time()
                if status != 200:
                    break
                self.page_version = max(self.page_version, target)
                for version, own in self.key_of.items():
                    if own <= self.page_version:
                        self.fetched.setdefault(version, done)
        finally:
            self.fetching = False


def delivery(writes: list[tuple[int, float]], viewers: list[Viewer], attr: str) -> tuple[list[float], int]:
    """Latencies (s) of every write to every viewer, and how many pairs were never delivered."""
    latencies, missing = [], 0
    for version, acked in writes:
        for viewer in viewers:
            times = [t for v, t in getattr(viewer, attr).items() if v >= version]
            if times:
                latencies.append(max(0.0, min(times) - acked))
            else:
                missing += 1
    return sorted(latencies), missing


def figures(latencies: list[float], missing: int) -> dict:
    if not latencies:
        return {"deliveries": 0, "missing": missing}
    return {"deliveries": len(latencies), "missing": missing,
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 1),
            "max_ms": round(latencies[-1] * 1000, 1)}


async def burst(requests) -> tuple[list[tuple[int, float]], list[int], float]:
    """Send all POSTs at once; (version, acknowledged at) of each success, statuses, wall time."""
    started = time.time()

    async def one(call):
        status, body = await call
        acked = time.time()
        version = None
        with contextlib.suppress(ValueError, AttributeError):
            version = json.loads(body).get("version")
        return status, version, acked

    results = await asyncio.gather(*(one(c) for c in requests))
    writes = [(v, t) for s, v, t in results if s in (200, 201) and isinstance(v, int)]
    return writes, [s for s, _v, _t in results], time.time() - started


async def room(args, info, page_port, stream_port, env):
    slug, workshop = info["slug"], info["workshop"]
    topic = f"wall:{workshop}"
    wall_page, console = f"/c/{slug}/ateliers/{workshop}/mur/", f"/c/{slug}/ateliers/{workshop}/animation/"
    viewers = [Viewer(f"participant {i + 1}", stream_port, page_port, topic, wall_page, s)
               for i, s in enumerate(info["sessions"])]
    viewers.append(Viewer("facilitator", stream_port, page_port, topic, console, info["staff"], key="v"))
    viewers.append(Viewer("projector", stream_port, page_port, topic, f"/c/{slug}/ateliers/{workshop}/salle/",
                          info["staff"]))
    stop = asyncio.Event()
    tasks = [asyncio.create_task(v.run(stop)) for v in viewers]
    await asyncio.wait_for(asyncio.gather(*(v.ready.wait() for v in viewers)), 60)
    log(f"{len(viewers)} screens watching {topic}")
    idea_url, dot_url = f"/c/{slug}/ateliers/{workshop}/mur/idees/", f"/c/{slug}/ateliers/{workshop}/mur/points/"

    ideas_writes, ideas_status, ideas_time = await burst([
        http(page_port, "POST", idea_url, session=s, body={
            "prompt": "propose", "text": f"Idée numéro {i + 1} : plus de bancs à l'ombre", "place": "",
            "client_id": str(uuid.uuid4())})
        for i, s in enumerate(info["sessions"])])
    await asyncio.sleep(args.settle)
    ideas = json.loads(subprocess.run([sys.executable, __file__, "--phase", str(workshop), "vote"], cwd=ROOT,
                                      env=env, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
    await asyncio.sleep(args.settle)
    dot_calls = []
    for i, s in enumerate(info["sessions"]):
        for k in range(args.dots):
            target = ideas["ideas"][(i * 7 + k * 3) % len(ideas["ideas"])]
            dot_calls.append(http(page_port, "POST", dot_url, session=s,
                                  body={"target": f"idea:{target}", "count": 1}))
    dots_writes, dots_status, dots_time = await burst(dot_calls)
    await asyncio.sleep(args.settle)
    stop.set()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for t in asyncio.all_tasks() - {asyncio.current_task()}:  # fetches still under way
        t.cancel()
    if os.environ.get("BENCH_WALL_DEBUG"):
        for label, writes in (("ideas", ideas_writes), ("dots", dots_writes)):
            log(label, "acked versions", sorted(v for v, _t in writes))
        for viewer in viewers[:2] + viewers[-2:]:
            log(viewer.name, "seen", sorted(viewer.seen))
    result = {}
    for label, writes, statuses, took in (("ideas", ideas_writes, ideas_status, ideas_time),
                                          ("dots", dots_writes, dots_status, dots_time)):
        result[label] = {
            "posts": len(statuses), "acknowledged": len(writes),
            "refused": {str(s): statuses.count(s) for s in sorted(set(statuses)) if s not in (200, 201)},
            "burst_s": round(took, 2),
            "event": figures(*delivery(writes, viewers, "seen")),
            "fragment": figures(*delivery(writes, viewers, "fetched")),
            # The room's screens (participants and projector), and the facilitator's console apart:
            # the console re-renders on every write, the others only when what they show changes.
            "fragment_room": figures(*delivery(writes, [v for v in viewers if v.key == "sv"], "fetched")),
            "fragment_console": figures(*delivery(writes, [v for v in viewers if v.key == "v"], "fetched")),
        }
    return result


def wait_up(port: int, process, log_path: Path, path: str):
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1):  # noqa: S310
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(log_path.read_text()) from None
            time.sleep(0.2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--dots", type=int, default=5, help="dots each participant places")
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait for the last deliveries")
    parser.add_argument("--setup", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--phase", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup(args.setup)))
        return
    if args.phase:
        print(json.dumps(phase(int(args.phase[0]), args.phase[1])))
        return

    import redis

    redis.Redis.from_url(REDIS_URL).ping()
    key = f"concerto:live:bench:{secrets.token_hex(6)}"
    with tempfile.TemporaryDirectory(prefix="concerto-wall-") as tmp:
        base = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        database = f"sqlite:///{base / 'db.sqlite3'}"
        pg_name = None
        if args.database == "postgres":
            import psycopg

            pg_name = f"concerto_bench_wall_{secrets.token_hex(3)}"
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
            database = pg_url(pg_name)
        env.update({"DJANGO_SETTINGS_MODULE": "config.settings.e2e", "DATABASE_URL": database,
                    "CONCERTO_VAR_DIR": str(base), "CONCERTO_MAIL_DIR": str(base), "PYTHONUNBUFFERED": "1",
                    "LIVE_REDIS_URL": REDIS_URL, "LIVE_REDIS_KEY": key, "PYTHONPATH": str(ROOT)})
        processes = []
        try:
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                           check=True)
            subprocess.run([sys.executable, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            info = json.loads(subprocess.run([sys.executable, __file__, "--setup", str(args.participants)], cwd=ROOT,
                                             env=env, check=True, capture_output=True,
                                             text=True).stdout.splitlines()[-1])
            page_port, stream_port = free_port(), free_port()
            commands = {
                page_port: [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                            "--port", str(page_port), "--workers", "2", "--blocking-threads", "4",
                            "config.wsgi:application"],
                stream_port: [sys.executable, "-m", "uvicorn", "config.asgi:streams", "--host", "127.0.0.1",
                              "--port", str(stream_port), "--log-level", "warning", "--no-proxy-headers"],
            }
            for port, cmd in commands.items():
                log_path = base / f"server-{port}.log"
                processes.append((subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log_path, "w"),  # noqa: SIM115
                                                   stderr=subprocess.STDOUT), port, log_path))
            for process, port, log_path in processes:
                wait_up(port, process, log_path, "/healthz" if port == page_port else "/flux/healthz")
            result = asyncio.run(room(args, info, page_port, stream_port, env))
        finally:
            for process, _port, _log in processes:
                process.terminate()
            for process, _port, _log in processes:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
            for _process, port, log_path in processes:  # what the servers complained about, if anything
                problems = [line for line in log_path.read_text(errors="replace").splitlines()
                            if "error" in line.lower() or "live:" in line]
                if problems:
                    log(f"server on {port}:\n  " + "\n  ".join(problems[:20]))
            redis.Redis.from_url(REDIS_URL).delete(key)
            if pg_name:
                import psycopg

                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    result = {"participants": args.participants, "screens": args.participants + 2, "database": args.database,
              **result}
    print(json.dumps(result, indent=2))
    # The goal: every write reaches every screen (events), and the room's screens show it, p99 < 1 s.
    worst = max(result[k][f].get("p99_ms", 1e9) for k in ("ideas", "dots") for f in ("event", "fragment_room"))
    missing = sum(result[k][f]["missing"] for k in ("ideas", "dots") for f in ("event", "fragment"))
    if missing or worst >= 1000:
        raise SystemExit(f"wall delivery goal missed: p99 {worst} ms, {missing} deliveries missing")


if __name__ == "__main__":
    main()

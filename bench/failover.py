"""Failover of the two-node stack (``make stack``): one node SIGKILLed under load, through the proxy.

    make stack && uv run python bench/failover.py [--duration 10] [--port 8080]

With the stack up, for ``--duration`` seconds through HAProxy:

- page readers: GET the demo campaign's home and action pages;
- writers: residents made for the run (``failover-…@example.org``, write tokens) support and
  withdraw over the API (``POST``/``DELETE /api/v1/campaigns/{slug}/actions/{id}/support``), each on
  its own (resident, action) pairs, paced under the production rate limit (120 per minute);
- two stream viewers (the proxy puts them on different nodes): ``GET /flux/?t=action:{id}``
  (server-sent events; ``--topic``) on an action the writers support; after a cut a viewer
  reconnects with ``Last-Event-ID`` after the stream's ``retry:`` delay, as EventSource does.

Halfway, node1's whole process group (WSGI, streams, worker) gets SIGKILL. Printed (one JSON object):
the time from the kill to the last error seen by a client (goal < 2 s), the acknowledged writes
against the rows in the database (0 lost, 0 duplicated), and for the viewers their reconnections,
the event ids they saw (only forward) and whether their last state is the database's (the channel
sends each topic's latest state, so a missed event shows as a stale count). The stream part says so and is skipped when the
stack does not serve ``/flux/`` yet. Afterwards the killed node is started again (``--no-restart``
leaves it down). Exit status 1 when a check fails.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.stack import Stack, add_options  # noqa: E402

ADDED = {200, 201}
SLUG = "saint-jerome"
RECOVERY_GOAL_S = 2.0


class Client(threading.Thread):
    """One keep-alive connection through the proxy; records (time, what, status or error name)."""

    def __init__(self, port, stop):
        super().__init__(daemon=True)
        self.port, self.stop = port, stop
        self.events = []
        self.conn = None

    def connect(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def call(self, method, path, *, body=None, headers=None):
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.events.append((time.monotonic(), method, type(exc).__name__))
            self.connect()
            return None, b""
        self.events.append((time.monotonic(), method, response.status))
        return response.status, data


class Reader(Client):
    def __init__(self, port, stop, paths, seed):
        super().__init__(port, stop)
        self.paths, self.rng = paths, random.Random(seed)

    def run(self):
        self.connect()
        while not self.stop.is_set():
            self.call("GET", self.rng.choice(self.paths))


class Writer(Client):
    """Toggles its own pairs; the last answer on a pair says what the database must hold."""

    def __init__(self, port, stop, token, actions, seed, pause):
        super().__init__(port, stop)
        self.token, self.actions, self.rng, self.pause = token, actions, random.Random(seed), pause
        self.state = {}  # action id -> "present" | "absent" | "unknown"
        self.acknowledged = 0

    def run(self):
        self.connect()
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        while not self.stop.is_set():
            action = self.rng.choice(self.actions)
            add = self.state.get(action, "absent") != "present"
            path = f"/api/v1/campaigns/{SLUG}/actions/{action}/support"
            status, body = self.call("POST" if add else "DELETE", path, body="{}" if add else None, headers=headers)
            if status is None or status >= 500:
                self.state[action] = "unknown"
            elif add and status in ADDED:
                self.state[action] = "present"
                self.acknowledged += 1
            elif not add and (status == 204 or (status == 404 and b'"no_support"' in body)):
                self.state[action] = "absent"
                self.acknowledged += 1
            # Other 4xx (429 from the rate limit) changed nothing.
            time.sleep(self.pause)


class Viewer(threading.Thread):
    """One server-sent events viewer that reconnects with Last-Event-ID, as a browser's EventSource does
    (after the ``retry:`` delay the stream asked for)."""

    def __init__(self, port, stop, topic):
        super().__init__(daemon=True)
        self.port, self.stop, self.topic = port, stop, topic
        self.ids, self.data, self.connections, self.resumed_with = [], [], 0, []
        self.unavailable = None
        self.retry = 0.05
        self.conn = None

    def close(self):
        self.stop.set()
        conn = self.conn
        if conn is not None and conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)

    def run(self):
        last_id = None
        while not self.stop.is_set():
            conn = self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            headers = {"Accept": "text/event-stream"}
            if last_id is not None:
                headers["Last-Event-ID"] = last_id
            try:
                conn.request("GET", f"/flux/?t={self.topic}", headers=headers)
                response = conn.getresponse()
                if response.status != 200 or "text/event-stream" not in response.getheader("Content-Type", ""):
                    if self.connections == 0:
                        self.unavailable = f"GET /flux/?t={self.topic} answered {response.status}"
                        return
                    time.sleep(0.2)
                    continue
                self.connections += 1
                if last_id is not None:
                    self.resumed_with.append(last_id)
                event_id, data = None, []
                while not self.stop.is_set():
                    line = response.fp.readline()
                    if not line:
                        break  # the node went away: reconnect
                    line = line.decode("utf-8").rstrip("\r\n")
                    if line.startswith("id:"):
                        event_id = line[3:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif line.startswith("retry:") and line[6:].strip().isdigit():
                        self.retry = int(line[6:].strip()) / 1000
                    elif line == "":
                        if event_id is not None:
                            last_id = event_id
                            self.ids.append(event_id)
                            self.data.append("\n".join(data))
                        event_id, data = None, []
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            if not self.stop.is_set():
                time.sleep(self.retry)


def _id_key(event_id: str):
    head, _sep, tail = event_id.partition("-")
    return (int(head), int(tail)) if head.isdigit() and tail.isdigit() else None


def make_residents(stack: Stack, count: int) -> tuple[list[str], list[int], dict]:
    """Residents with write tokens for this run, and the published actions of the demo campaign."""
    os.environ.update(stack.env())
    import django

    django.setup()
    from concerto.campaigns.models import Campaign
    from concerto.proposals.models import Action
    from concerto.residents.models import User
    from concerto.residents.services import api_token_create, resident_join

    campaign = Campaign.objects.get(slug=SLUG)
    actions = list(Action.objects.filter(campaign=campaign, status="published").order_by("id")
                   .values_list("id", flat=True)[:60])
    run = time.strftime("%Y%m%d%H%M%S")
    tokens = []
    for i in range(count):
        user = User.objects.create_user(f"failover-{run}-{i:03d}@example.org")
        resident_join(user=user, campaign=campaign)
        tokens.append(api_token_create(user=user, name="failover bench")[1])
    return tokens, actions, {"campaign": campaign, "run": run}


def check_database(writers, context) -> dict:
    from django.db.models import Count

    from concerto.proposals.models import Action, Support

    users = f"failover-{context['run']}-"
    rows = set(Support.objects.filter(user__email__startswith=users).values_list("user__email", "action_id"))
    duplicates = (Support.objects.filter(user__email__startswith=users).values("action_id", "user_id")
                  .annotate(n=Count("id")).filter(n__gt=1).count())
    lost = phantom = unknown = 0
    for i, writer in enumerate(writers):
        email = f"{users}{i:03d}@example.org"
        for action, state in writer.state.items():
            present = (email, action) in rows
            lost += state == "present" and not present
            phantom += state == "absent" and present
            unknown += state == "unknown"
    mismatched = [a.pk for a in Action.objects.filter(campaign=context["campaign"])
                  if a.support_count != Support.objects.filter(action=a).count()]
    return {"acknowledged_writes": sum(w.acknowledged for w in writers), "rows_of_the_run": len(rows),
            "lost": lost, "phantom": phantom, "duplicated": duplicates, "pairs_unknown_at_end": unknown,
            "support_count_mismatches": mismatched}


def stream_report(viewers: list, action_id: int) -> dict:
    """The channel sends each topic's latest state (intermediate states may be merged), so "no event
    missed" means: ids only go forward across reconnections, a cut viewer resumed with Last-Event-ID,
    and the last state every viewer saw is the database's."""
    if any(v.unavailable for v in viewers):
        unavailable = next(v.unavailable for v in viewers if v.unavailable)
        return {"skipped": f"{unavailable}: the live-update channel (/flux/) is not served by this "
                           "stack yet (not merged in this branch); the stream part of the failover is skipped."}
    from concerto.proposals.models import Action

    expected = Action.objects.get(pk=action_id).support_count
    report = []
    for viewer in viewers:
        keys = [_id_key(i) for i in viewer.ids]
        forward = all(k is not None for k in keys) and all(a < b for a, b in zip(keys, keys[1:], strict=False))
        last = json.loads(viewer.data[-1]) if viewer.data else {}
        report.append({
            "connections": viewer.connections, "resumed_with_last_event_id": viewer.resumed_with,
            "events": len(viewer.ids), "first_id": viewer.ids[0] if viewer.ids else None,
            "last_id": viewer.ids[-1] if viewer.ids else None, "ids_only_forward": forward,
            "last_state": last.get("d"), "database_support_count": expected,
            "up_to_date": (last.get("d") or {}).get("supports") == expected,
        })
    return {"topic": viewers[0].topic, "viewers": report,
            "reconnected_with_last_event_id": any(v["resumed_with_last_event_id"] for v in report),
            "ok": all(v["ids_only_forward"] and v["up_to_date"] for v in report)
            and any(v["resumed_with_last_event_id"] for v in report)}


def main() -> int:
    parser = add_options(argparse.ArgumentParser(description=__doc__,
                                                 formatter_class=argparse.RawDescriptionHelpFormatter))
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--writers", type=int, default=60)
    parser.add_argument("--no-restart", action="store_true")
    parser.add_argument("--topic", default="action:{id}", help="the stream topic of the watched action")
    args = parser.parse_args()
    stack = Stack(args)
    node1 = stack.running("node1")
    if node1 is None or stack.running("proxy") is None or not stack.wait_healthy(timeout=10):
        print("The stack is not running (or not healthy): `make stack` first.", file=sys.stderr)
        return 2
    tokens, actions, context = make_residents(stack, args.writers)
    watched = actions[0]
    topic = args.topic.format(id=watched)
    stop = threading.Event()
    # 1.5 writes per second and resident: under the production limit of 120 per minute.
    writers = [Writer(stack.port, stop, token, [watched, *random.Random(i).sample(actions[1:], 5)], i, 0.66)
               for i, token in enumerate(tokens)]
    pages = [f"/c/{SLUG}/", *(f"/c/{SLUG}/actions/{a}/" for a in actions[:10])]
    readers = [Reader(stack.port, stop, pages, seed=i) for i in range(args.readers)]
    # Two viewers: the proxy sends them to different nodes (leastconn), so one of them is cut by the kill.
    viewers_stop = threading.Event()
    viewers = [Viewer(stack.port, viewers_stop, topic) for _ in range(2)]
    started = time.monotonic()
    for thread in [*viewers, *writers, *readers]:
        thread.start()
    time.sleep(args.duration / 2)
    t_kill = time.monotonic()
    os.killpg(node1, signal.SIGKILL)
    print(f"SIGKILL to node1's process group {node1} at {t_kill - started:.1f} s", file=sys.stderr)
    time.sleep(max(0.0, args.duration - (time.monotonic() - started)))
    stop.set()
    for thread in [*writers, *readers]:
        thread.join(30)
    elapsed = time.monotonic() - started
    # Let the viewers receive the last writes' state, then stop them.
    time.sleep(3)
    for viewer in viewers:
        viewer.close()
    for viewer in viewers:
        viewer.join(10)
    clients = [*writers, *readers]
    events = [e for c in clients for e in c.events]
    errors = [e for e in events if isinstance(e[2], str) or e[2] >= 500]
    after = [t - t_kill for t, _m, _s in errors if t >= t_kill]
    statuses = {}
    for _t, method, status in events:
        statuses[f"{method} {status}"] = statuses.get(f"{method} {status}", 0) + 1
    report = {
        "duration_s": round(elapsed, 1), "requests": len(events),
        "requests_per_s": round(len(events) / elapsed, 1), "statuses": dict(sorted(statuses.items())),
        "errors_before_kill": sum(1 for t, _m, _s in errors if t < t_kill), "errors_after_kill": len(after),
        "last_error_after_kill_s": round(max(after), 2) if after else 0.0,
        "database": check_database(writers, context),
        "stream": stream_report(viewers, watched),
    }
    ok = (report["errors_before_kill"] == 0 and report["last_error_after_kill_s"] < RECOVERY_GOAL_S
          and report["database"]["lost"] == 0 and report["database"]["phantom"] == 0
          and report["database"]["duplicated"] == 0 and not report["database"]["support_count_mismatches"])
    stream = report["stream"]
    if "skipped" not in stream:
        ok = ok and stream["ok"]
    report["ok"] = ok
    print(json.dumps(report, indent=2, default=str))
    if "skipped" in stream:
        print("STREAM PART SKIPPED: " + stream["skipped"], file=sys.stderr)
    if not args.no_restart:
        subprocess.run([sys.executable, str(ROOT / "deploy" / "stack.py"), "start", "--port", str(stack.port),
                        "--nodes", str(stack.nodes), "--dir", str(stack.dir), "--database-url", stack.database_url,
                        "--redis-url", stack.redis_url], cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    print("OK" if ok else "FAILOVER CHECK FAILED", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Integrity under load and a crash: 200 residents support and withdraw at random for 30 s through
the API while one of the two server workers is killed with SIGKILL halfway (granian WSGI, the
default, respawns it; ``--server uvicorn``: uvicorn ASGI restarts it).

    uv run python bench/integrity.py --scale seed --database sqlite
    uv run python bench/integrity.py --scale city --database postgres --duration 30 --residents 200

Each resident is one thread with its own keep-alive connection and one request in flight at a
time, on its own (resident, action) pairs over a hot set of 30 actions, so the last answered
request of a pair tells what the database must hold:

- POST answered 201 (added) or 200 (already there)  → the support must exist;
- DELETE answered 204 (withdrawn) or 404 ``no_support`` → it must not exist;
- no answer (connection cut by the kill) or a 5xx → unknown until a later answer on that pair.

Afterwards, with the server stopped: lost supports (answered as added, not withdrawn since, but
missing), phantom supports (answered as withdrawn but present), duplicates (same resident and
action twice) and every Action.support_count against a fresh COUNT(*). Then the database is
restored (``generate.restore``). Prints one JSON line; exits 1 if any check fails.
"""

import argparse
import http.client
import json
import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    SERVERS,
    Redis,
    Server,
    concerto_app,
    django_env,
    log,
    plan_path,
    run_step,
)

ADDED = {200, 201}


class Resident(threading.Thread):
    def __init__(self, port, slug, token, actions, stop, seed):
        super().__init__(daemon=True)
        self.port, self.slug, self.token, self.actions, self.stop = port, slug, token, actions, stop
        self.rng = random.Random(seed)
        self.state = {}  # action id -> "present" | "absent" | "unknown" (last answer on this pair)
        self.events = []  # (time answered or failed, op, status or error name)
        self.conn = None

    def connect(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def run(self):
        self.connect()
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        while not self.stop.is_set():
            action = self.rng.choice(self.actions)
            believed = self.state.get(action, "absent")
            # Mostly toggle what we believe, sometimes repeat: retries and duplicates happen too.
            add = (believed != "present") if self.rng.random() < 0.8 else self.rng.random() < 0.5
            method = "POST" if add else "DELETE"
            path = f"/api/v1/campaigns/{self.slug}/actions/{action}/support"
            try:
                self.conn.request(method, path, body="{}" if add else None, headers=headers)
                response = self.conn.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                self.events.append((time.monotonic(), method, type(exc).__name__))
                self.state[action] = "unknown"
                self.connect()
                time.sleep(0.01)
                continue
            self.events.append((time.monotonic(), method, status))
            if add and status in ADDED:
                self.state[action] = "present"
            elif not add and (status == 204 or (status == 404 and b'"no_support"' in body)):
                self.state[action] = "absent"
            elif status >= 500:
                self.state[action] = "unknown"
            # 4xx other than these (e.g. 429) changed nothing: the service refused before writing.
        self.conn.close()


def run_load(server, plan, *, residents, duration, kill: bool) -> dict:
    stop = threading.Event()
    people = [Resident(server.port, plan["slug"], r["token"], r["actions"], stop, seed=i)
              for i, r in enumerate(plan["integrity"][:residents]) if r["actions"]]
    started = time.monotonic()
    for p in people:
        p.start()
    kill_info = {}
    time.sleep(duration / 2)
    if kill:
        before = server.worker_pids()
        victim = before[0]
        t_kill = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        log(f"integrity: SIGKILL worker {victim} (workers were {before})")
        restarted = None
        while time.monotonic() - t_kill < duration / 2:
            pids = server.worker_pids()
            if len(pids) >= len(before) and victim not in pids:
                restarted = time.monotonic() - t_kill
                break
            time.sleep(0.05)
        kill_info = {"killed_pid": victim, "at_s": round(t_kill - started, 2),
                     "new_worker_after_s": round(restarted, 2) if restarted is not None else None,
                     "workers_after": server.worker_pids()}
    time.sleep(max(0.0, duration - (time.monotonic() - started)))
    stop.set()
    for p in people:
        p.join(60)
    elapsed = time.monotonic() - started
    events = [e for p in people for e in p.events]
    statuses = {}
    for _t, method, status in events:
        key = f"{method} {status}"
        statuses[key] = statuses.get(key, 0) + 1
    errors = [e for e in events if isinstance(e[2], str) or e[2] >= 500]
    t_kill = started + kill_info["at_s"] if kill_info else None
    # Answers a client could act on: added/already there, withdrawn/was not there.
    successes = sum(1 for _t, m, s in events if isinstance(s, int) and (s in ADDED and m == "POST" or s in (204, 404)
                                                                        and m == "DELETE"))
    timeline = {}
    for t, _m, _s in errors:
        second = int(t - started)
        timeline[second] = timeline.get(second, 0) + 1
    return {
        "errors_by_second": timeline,
        "residents": len(people), "seconds": round(elapsed, 1), "requests": len(events),
        "requests_per_s": round(len(events) / elapsed, 1), "successes": successes,
        "errors": len(errors),
        "errors_during_kill": sum(1 for t, _m, _s in errors if t_kill and t_kill <= t <= t_kill + 5),
        "statuses": dict(sorted(statuses.items())), "kill": kill_info,
        "expected": {f"{p.token} {a}": s for p in people for a, s in p.state.items()},
    }


def check(plan, expected: dict) -> dict:
    """With the server stopped: compare the database with the answers the residents received."""
    os.environ.update(django_env(plan["scale"], plan["database"]))
    import django

    django.setup()
    from bench.generate import counter_mismatches, duplicate_supports, read_marker, restore
    from concerto.campaigns.models import Campaign
    from concerto.proposals.models import Support
    from concerto.residents.models import ApiToken

    campaign = Campaign.objects.get(slug=plan["slug"])
    token_user = {}
    for r in plan["integrity"]:
        import hashlib

        digest = hashlib.sha256(r["token"].encode()).hexdigest()
        token_user[r["token"]] = ApiToken.objects.get(token_hash=digest).user_id
    users = set(token_user.values())
    present = set(Support.objects.filter(action__campaign=campaign, user_id__in=users)
                  .values_list("user_id", "action_id"))
    lost = phantom = unknown = checked = 0
    for key, state in expected.items():
        token, action = key.rsplit(" ", 1)
        pair = (token_user[token], int(action))
        if state == "unknown":
            unknown += 1
            continue
        checked += 1
        if state == "present" and pair not in present:
            lost += 1
        elif state == "absent" and pair in present:
            phantom += 1
    mismatches = counter_mismatches(campaign)["support_count"]
    result = {"pairs_checked": checked, "pairs_unknown": unknown, "lost": lost, "phantom": phantom,
              "duplicates": duplicate_supports(campaign), "support_count_mismatches": mismatches}
    restore(read_marker())
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["seed", "city"], default="seed")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--no-kill", action="store_true", help="do not kill a worker")
    parser.add_argument("--server", choices=SERVERS, default="granian",
                        help="granian WSGI (respawns a killed worker) or uvicorn ASGI")
    parser.add_argument("--reuse-plan", action="store_true", help="use the existing plan (bench/run.py does)")
    args = parser.parse_args()
    if not (args.reuse_plan and plan_path(args.scale, args.database).exists()):
        run_step(["bench/generate.py", "--scale", args.scale, "--database", args.database], django_env())
    run_step(["bench/generate.py", "--scale", args.scale, "--database", args.database,
              "--integrity-residents", str(args.residents)], django_env())
    plan = json.loads(plan_path(args.scale, args.database).read_text())
    with Redis() as redis:
        env = django_env(args.scale, args.database, REDIS_URL=redis.url or None)
        with Server(concerto_app(args.server), env, kind=args.server) as server:
            log(f"integrity: {args.residents} residents for {args.duration:.0f} s on {server.base} "
                f"({args.scale}/{args.database})")
            load = run_load(server, plan, residents=args.residents, duration=args.duration, kill=not args.no_kill)
    expected = load.pop("expected")
    result = {"scale": args.scale, "database": args.database, "server": args.server, **load, **check(plan, expected)}
    result["ok"] = (result["lost"] == result["phantom"] == result["duplicates"]
                    == result["support_count_mismatches"] == 0 and (args.no_kill or bool(result["kill"].get(
                        "new_worker_after_s") is not None)))
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())

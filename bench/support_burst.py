"""HTTP integrity burst: parallel support requests against the real ASGI server.

    uv run python bench/support_burst.py                      # SQLite (throw-away file)
    uv run python bench/support_burst.py --database postgres  # PostgreSQL on 127.0.0.1:5432

1. 50 parallel POSTs of the same resident on the same action → exactly one support.
2. N residents (default 200) supporting one action at once → count == N == COUNT(*).
Prints requests/s of the burst and the checks; exits non-zero if a check fails.
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(database: str, tmp: Path) -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    env["CONCERTO_DEMO_MODE"] = "0"
    # Demo mode off needs a key of its own (concerto.core.deployment refuses the published one).
    env["DJANGO_SECRET_KEY"] = env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
    env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    if database == "postgres":
        import psycopg

        name = f"concerto_bench_{os.getpid()}"
        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.update(env)
    return env


def build_data(n_residents: int):
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    from concerto.proposals.models import Origin
    from concerto.proposals.services import action_create_published_by_system
    from concerto.residents.models import User
    from concerto.residents.services import api_token_create, resident_join
    from conftest import make_campaign

    campaign = make_campaign("bench")
    action = action_create_published_by_system(campaign=campaign, title="Action du banc d'essai",
                                     summary="Une action pour mesurer les soutiens.", origin=Origin.WORKSHOP)
    tokens = []
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for i in range(n_residents):
            user = User.objects.create_user(f"banc{i:05d}@example.org")
            resident_join(user=user, campaign=campaign)
            tokens.append(api_token_create(user=user, name="bench")[1])
    return campaign, action, tokens


def post_support(port, path, token, results, idx, barrier):
    barrier.wait()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body="{}", headers={"Authorization": f"Bearer {token}",
                                                      "Content-Type": "application/json"})
        results[idx] = conn.getresponse().status
    except Exception as exc:  # noqa: BLE001 - recorded as a failed request
        results[idx] = repr(exc)
    finally:
        conn.close()


def burst(port, path, tokens) -> tuple[list, float]:
    results = [None] * len(tokens)
    barrier = threading.Barrier(len(tokens))
    threads = [threading.Thread(target=post_support, args=(port, path, t, results, i, barrier))
               for i, t in enumerate(tokens)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        env = configure(args.database, Path(tmpdir))
        campaign, action, tokens = build_data(args.residents)
        # Rate limits are per account (120 supports/min): one request per account here.
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port), "--no-proxy-headers",
             "--workers", str(args.workers), "--log-level", os.environ.get("BENCH_LOG", "warning")], cwd=ROOT, env=env)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            path = f"/api/v1/campaigns/{campaign.slug}/actions/{action.pk}/support"
            from concerto.proposals.models import Action, Support

            same, t_same = burst(port, path, [tokens[0]] * 50)
            one = Support.objects.filter(action=action).count()
            codes_same = {c: same.count(c) for c in set(same)}
            many, t_many = burst(port, path, tokens[1:])
            action_row = Action.objects.get(pk=action.pk)
            count = Support.objects.filter(action=action).count()
            codes_many = {c: many.count(c) for c in set(many)}
        finally:
            server.terminate()
            server.wait(10)
    expected = args.residents  # resident 0 once + the others once each
    report = {
        "database": args.database, "workers": args.workers,
        "same_resident_50": {"status_codes": codes_same, "supports_after": one, "seconds": round(t_same, 3)},
        f"distinct_residents_{len(tokens) - 1}": {
            "status_codes": codes_many, "support_count": action_row.support_count, "count_star": count,
            "seconds": round(t_many, 3), "supports_per_second": round((len(tokens) - 1) / t_many, 1)},
    }
    print(json.dumps(report, indent=2, default=str))
    ok = one == 1 and action_row.support_count == count == expected
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

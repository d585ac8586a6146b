"""Where a page spends its time: in-process requests (Django test client) on the bench database.

    uv pip install pyinstrument        # not a project dependency
    uv run python bench/profile.py --scale city --database postgres --page list_signed_in
    uv run python bench/profile.py --scale city --database postgres --all   # ms per request, no profile

The cache is emptied before each request, so the profile shows what building the page costs
(anonymous visitors are served from the public page cache most of the time); ``--warm`` keeps it,
as under load (sessions and the shared fragments of signed-in pages are then cache hits). Run
``bench/generate.py`` first (``bench/run.py`` does) so the plan exists. The live server under
wrk can be sampled with py-spy instead: ``py-spy record --subprocesses --gil --pid <uvicorn pid>``.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database_url, plan_path  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["seed", "city"], default="city")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--page", help="a page of the plan: home, list, filtered, search, action, "
                                       "list_signed_in, action_signed_in, support")
    parser.add_argument("--all", action="store_true", help="time every page (no profiler)")
    parser.add_argument("-n", type=int, default=30, help="requests per page")
    parser.add_argument("--warm", action="store_true",
                        help="keep the cache between requests (steady state under load: sessions and "
                             "shared fragments cached) instead of emptying it before each one")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    os.environ["DATABASE_URL"] = database_url(args.scale, args.database)
    os.environ.pop("BENCH_STATIC_ROOT", None)
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    plan = json.loads(plan_path(args.scale, args.database).read_text())
    anonymous, signed_in = Client(), Client()
    for part in plan["cookie"].split(";"):
        name, value = part.strip().split("=", 1)
        signed_in.cookies[name] = value
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plan['sample_pair_token']}"}
    support = f"/api/v1/campaigns/{plan['slug']}/actions/{plan['sample_action']}/support"

    def request(page):
        if not args.warm:
            cache.clear()
        if page == "support":
            anonymous.post(support, data="{}", content_type="application/json", **auth)
            return anonymous.delete(support, **auth)
        if page in plan["pages"]:
            return anonymous.get(plan["pages"][page])
        return signed_in.get(plan["signed_in_pages"][page])

    pages = [*plan["pages"], *plan["signed_in_pages"], "support"]
    if args.all:
        for page in pages:
            request(page)
            with CaptureQueriesContext(connection) as ctx:
                started, cpu_started = time.perf_counter(), time.process_time()
                for _ in range(args.n):
                    request(page)
                ms = (time.perf_counter() - started) * 1000 / args.n
                cpu_ms = (time.process_time() - cpu_started) * 1000 / args.n
            sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000 / args.n
            # CPU: this process only (Python, Django, the driver), much less noisy than the wall
            # time on a shared machine; the database server's share is in the SQL figure.
            print(f"{page:<18} {ms:7.2f} ms/request  (CPU {cpu_ms:6.2f} ms, SQL {sql_ms:6.2f} ms, "
                  f"{len(ctx.captured_queries) / args.n:.1f} queries)")
            reset_queries()
        return 0
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed: uv pip install pyinstrument", file=sys.stderr)
        return 2
    page = args.page or "list_signed_in"
    request(page)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.n):
        request(page)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

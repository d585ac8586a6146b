"""Where a page spends its time: in-process requests (Django test client) on the bench database.

    uv pip install pyinstrument        # not a project dependency
    uv run python bench/profile.py --scale city --database postgres --page list_signed_in
    uv run python bench/profile.py --scale city --database postgres --all   # ms per request, no profile
    uv run python bench/profile.py --scale city --database postgres --page support --breakdown --warm

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
    parser.add_argument("--breakdown", action="store_true",
                        help="shares of CPU by part (SQL, templates, session, roles...) for --page, with cProfile")
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
    if args.breakdown:
        breakdown(request, args.page or "list_signed_in", args.n)
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


# (label, file suffix or "", function name) summed as cumulative CPU time.
PARTS = [
    ("SQL: ORM compile + driver + wait, all queries", "django/db/models/sql/compiler.py", "execute_sql"),
    ("template rendering (lazy queries included)", "django/template/backends/django.py", "render"),
    ("  of which shared fragments", "concerto/core/fragments.py", "fragment"),
    ("session load", "django/contrib/sessions/backends/cached_db.py", "load"),
    ("user loaded from the session", "django/contrib/auth/__init__.py", "get_user"),
    ("API token check", "", "api_token_authenticate"),
    ("campaign by slug", "", "campaign_get"),
    ("roles in the campaign", "", "_memberships"),
    ("phases", "", "campaign_phases"),
    ("the action", "", "action_get_for"),
    ("the action (support fetch)", "", "action_get_for_support"),
    ("support service (transaction included)", "concerto/proposals/services.py", "support_add"),
    ("withdraw service (transaction included)", "concerto/proposals/services.py", "support_withdraw"),
    ("rate limit", "concerto/core/ratelimit.py", "hit"),
    ("audit entry", "concerto/core/audit.py", "log_action"),
    ("the list view (what is not the middleware)", "concerto/proposals/views.py", "action_list"),
    ("the action page view (what is not the middleware)", "concerto/proposals/views.py", "action_detail"),
    ("cached state: token, roles, supports (one Redis round trip)", "concerto/core/state.py", "__init__"),
    ("the campaign's per-process copy (unpickled)", "concerto/core/state.py", "held"),
    ("shared page: key hash and lookup (render on a miss)", "concerto/core/fragments.py", "shared_page"),
    ("overlay: the viewer's token, badges, forms", "concerto/core/fragments.py", "overlay"),
    ("page key: the comments' printed values", "concerto/proposals/templatetags/action_fragments.py",
     "comment_data"),
    ("paginator: the COUNT query of the actions or comments", "django/core/paginator.py", "get_page"),
]


def breakdown(request, page: str, n: int) -> None:
    """Where the CPU of one request goes, as shares of the whole (cProfile, process CPU time)."""
    # This file is named profile.py and its folder is first on sys.path: cProfile would import
    # it instead of the standard library's profile module.
    here = Path(__file__).resolve().parent
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.modules.pop("profile", None)
    try:
        import cProfile
        import pstats
    finally:
        sys.path[:] = saved

    for _ in range(3):
        request(page)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(n):
        request(page)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}
    total = max(v[3] for v in stats.values())
    print(f"{page}: {total * 1000 / n:.2f} ms of CPU per request under cProfile (its overhead included)")
    for label, suffix, name in PARTS:
        share = sum(v[3] for k, v in stats.items() if k[2] == name and k[0].endswith(suffix))
        if share:
            print(f"  {label:<48} {share / total:6.1%}")


if __name__ == "__main__":
    sys.exit(main())

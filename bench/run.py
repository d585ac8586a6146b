"""``make bench``: Concerto under its production server configuration, measured with wrk.

    uv run python bench/run.py --scale seed --scale city --database sqlite --database postgres
    uv run python bench/run.py --quick          # ~1-minute smoke run (seed, SQLite), nothing written

For each scale (``seed`` = the demo, ``city`` = 10,000 actions, 20,000 residents, 100,000 supports,
50,000 comments; see ``bench/generate.py``) and database (throw-away SQLite file or PostgreSQL
database ``concerto_bench_<scale>``):

1. data: generated, or the city database reused when its marker matches;
2. SQL queries per page, counted in-process with the cache emptied (``bench/queries.py``);
3. the baseline: a trivial Django view (``bench/trivial``: no middleware, no database) under
   ``granian --interface wsgi --workers 2``, the server of pages and the API; every figure is also
   given as a ratio to it; the same view under ``uvicorn --workers 2`` (ASGI) is measured too;
4. the project under granian WSGI (``config.wsgi``) and, for
   comparison, under ``uvicorn config.asgi:application --workers 2`` (``--server`` picks one or both),
   with ``config.settings.bench`` (DEBUG off, manifest
   static files after collectstatic, Redis cache when redis-server is installed), driven from
   wrk on 127.0.0.1 (``wrk -t2 -cN -d10s --latency``, N = 10 and 50): campaign home, actions list,
   a filtered list, a search, an action page (anonymous: served by the 1-second public page cache),
   the list and action page signed in (a session cookie: always built, exact counts), and support
   writes through the API (``bench/wrk/support.lua``: POST then DELETE over 40,000 (token, action)
   pairs); after each write run the counters are checked and the database restored;
5. the integrity run (``bench/integrity.py``, under the first server): 200 residents for 30 s, one
   worker SIGKILLed halfway;
6. letter generation (``bench/letters.py``): the PDF mail-merge of 700 and 20,000 letters;
7. the fair selection (``bench/selection.py``): LEXIMIN/MAXIMIN for pools 120 → 12, 700 → 12,
   700 → 50 and 5,000 → 100, with the lowest selection probability next to each time.

``--part web``, ``--part letters``, ``--part selection`` run one part only (repeatable; default all).

Results are printed and, for full runs, prepended to ``docs/benchmarks.md`` (earlier runs kept).
"""

import argparse
import datetime
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BENCH,
    DATABASES,
    ROOT,
    SCALES,
    SERVER_LABELS,
    SERVERS,
    WORK_DIR,
    WORKERS,
    Redis,
    Server,
    concerto_app,
    django_env,
    loadavg,
    log,
    machine,
    plan_path,
    run_step,
    trivial_app,
    warm_up,
    wrk,
)

DOC = ROOT / "docs" / "benchmarks.md"
RUNS_MARKER = "<!-- runs: newest first; bench/run.py inserts each new run below this line -->"
PAGE_LABELS = {
    "home": "campaign home", "list": "actions list, page 1", "filtered": "filtered list (theme, newest)",
    "search": "search", "action": "action page", "list_signed_in": "actions list, signed in",
    "action_signed_in": "action page, signed in", "support": "support writes (API POST/DELETE)",
}
# Issue 11: anonymous pages ≥ 60 % of the trivial view under granian WSGI and p99 < 50 ms;
# signed-in pages ≥ 1,000 req/s and p99 < 100 ms; support writes ≥ 1,000/s (all at c50, city scale).
TARGET_RATIO = 0.60
TARGET_P99_MS = 50
TARGET_SIGNED_IN_RPS = 1000
TARGET_SIGNED_IN_P99_MS = 100
TARGET_WRITES = 1000
TARGET_QUERIES = 10
PARTS = ("web", "letters", "selection")
# Letters: seconds for (count); selection: seconds for the case (the 5,000 case: its own time limit).
LETTER_TARGETS = {700: 5.0, 20000: 120.0}
SELECTION_TARGETS = {"120-12": 10.0, "700-12": 30.0, "5000-100": 120.0}


def letters_part() -> list[dict]:
    from bench import letters

    return letters.run((700, 20000))


def selection_part() -> list[dict]:
    from bench import selection

    return selection.run()


def letters_markdown(rows: list[dict]) -> str:
    from bench import letters

    lines = ["### Letters: PDF mail-merge (`bench/letters.py`)", "",
             "One A4 letter per household with its code and QR code, Typst + segno, chunks compiled in "
             "2 processes and merged into one PDF. Targets: 700 letters < 5 s, 20,000 < 2 min.", "",
             letters.table(rows), ""]
    for r in rows:
        target = LETTER_TARGETS.get(r["letters"])
        if target:
            ok = r["seconds"] < target
            lines.append(f"- {r['letters']:,} letters: {r['seconds']} s (target < {target:g} s): "
                         f"{'met' if ok else '**missed**'}")
    lines.append("")
    return "\n".join(lines)


def selection_markdown(rows: list[dict]) -> str:
    from bench import selection

    lines = ["### Fair selection (`bench/selection.py`)", "",
             "Column generation on HiGHS (`concerto/selection/algorithms`). Targets: LEXIMIN 120 → 12 < 10 s; "
             "at least MAXIMIN quality for 700 → 12 < 30 s; 5,000 → 100 finishes within its time limit with "
             "the lowest probability reported.", "", selection.markdown(rows), ""]
    for r in rows:
        target = SELECTION_TARGETS.get(r["case"])
        if target:
            ok = r["seconds"] < target and r.get("optimal_lowest", True)
            lines.append(f"- {r['case']}: {r['seconds']} s, lowest probability {r['lowest']:.4f} "
                         f"(target < {target:g} s): {'met' if ok else '**missed**'}")
    lines.append("")
    return "\n".join(lines)


def collectstatic(static_root: Path) -> None:
    env = django_env(BENCH_STATIC_ROOT=str(static_root))
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0", "--clear"],
                   cwd=ROOT, env=env, check=True)


def versions() -> dict:
    out = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for module in ("django", "granian", "uvicorn", "uvloop", "httptools", "psycopg", "asgiref"):
        try:
            out[module] = __import__(module).__version__
        except (ImportError, AttributeError):
            out[module] = "?"
    try:
        import psycopg

        from bench.common import PG_ADMIN_URL

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            out["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - only a fact for the report
        out["postgresql"] = "?"
    return out


def bench_combo(scale: str, database: str, *, duration: int, conns: list[int], integrity_s: float,
                static_root: Path, servers: list[str]) -> dict:
    started = time.monotonic()
    log(f"== {scale} / {database}: data")
    gen = run_step(["bench/generate.py", "--scale", scale, "--database", database], django_env())
    plan = json.loads(plan_path(scale, database).read_text())
    log(f"{scale}/{database}: {'reused' if gen['reused'] else 'generated'} {gen['counts']}; counting queries")
    queries = run_step(["bench/queries.py", "--scale", scale, "--database", database], django_env())
    restored = run_step(["bench/generate.py", "--scale", scale, "--database", database, "--restore"], django_env())
    result = {"scale": scale, "database": database, "generated": gen, "facts": plan["facts"],
              "queries": queries, "rows": [], "write_checks": [], "queries_restore": restored}

    def measure(name, base, path, c, **kw):
        r = wrk(base + path, connections=c, duration=duration, **kw)
        r.update(page=name, path=path, connections=c, server=kw["server"].kind)
        result["rows"].append(r)
        log(f"  {kw['server'].kind:<8} {name:<17} c{c:<3} {r['rps']:8.1f} req/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:8.2f} ms  "
            f"cpu {r.get('cpu_ms_per_request')} ms/req  load {r['load']}  {r.get('status_counts', '')}")
        return r

    for kind in servers:
        log(f"{scale}/{database}: trivial view under {SERVER_LABELS[kind]}")
        with Server(trivial_app(kind), django_env(), ready_path="/healthz", kind=kind) as trivial:
            warm_up(trivial.base, ["/"])
            for c in conns:
                measure("trivial", trivial.base, "/", c, script=BENCH / "wrk" / "get.lua", server=trivial)

    with Redis() as redis:
        result["cache"] = redis.describe()
        env = django_env(scale, database, REDIS_URL=redis.url or None, BENCH_STATIC_ROOT=str(static_root))
        for kind in servers:
            log(f"{scale}/{database}: Concerto under {SERVER_LABELS[kind]}")
            with Server(concerto_app(kind), env, kind=kind) as server:
                cookie = {"Cookie": plan["cookie"]}
                warm_up(server.base, list(plan["pages"].values()))
                warm_up(server.base, list(plan["signed_in_pages"].values()), headers=cookie)
                for name, path in plan["pages"].items():
                    for c in conns:
                        measure(name, server.base, path, c, script=BENCH / "wrk" / "get.lua", server=server)
                for name, path in plan["signed_in_pages"].items():
                    for c in conns:
                        measure(name, server.base, path, c, script=BENCH / "wrk" / "get.lua", headers=cookie,
                                server=server)
                for c in conns:
                    measure("support", server.base, "/", c, script=BENCH / "wrk" / "support.lua", server=server,
                            env={"BENCH_PAIRS": plan["pairs_file"], "BENCH_SLUG": plan["slug"],
                                 "BENCH_THREADS": "2"})
                    check = run_step(["bench/generate.py", "--scale", scale, "--database", database, "--restore"],
                                     django_env())
                    check["connections"] = c
                    check["server"] = kind
                    result["write_checks"].append(check)
                    log(f"  support c{c}: after the run {check}")
    log(f"{scale}/{database}: integrity run ({integrity_s:.0f} s, one worker killed halfway)")
    try:
        result["integrity"] = run_step(["bench/integrity.py", "--scale", scale, "--database", database,
                                        "--reuse-plan", "--duration", str(integrity_s), "--server", servers[0]],
                                       django_env())
        result["integrity"]["server"] = servers[0]
    except RuntimeError as exc:  # a failed check exits 1 but still printed its JSON: run it again? no: report
        result["integrity"] = {"ok": False, "error": str(exc)}
    log(f"  integrity: {json.dumps({k: v for k, v in result['integrity'].items() if k != 'statuses'})}")
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


# --- Report ------------------------------------------------------------------------------------


def fmt_ms(v) -> str:
    if v is None:
        return "–"
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def find(rows, page, c, server=None):
    return next((r for r in rows if r["page"] == page and r["connections"] == c
                 and (server is None or r.get("server", "uvicorn") == server)), None)


def reference(rows, c):
    """The trivial view under granian WSGI (the reference of every ratio); older results: uvicorn."""
    return find(rows, "trivial", c, "granian") or find(rows, "trivial", c)


def targets(combo: dict, c_max: int) -> list[tuple[str, str, bool | None]]:
    """(target, figure, met) for one scale × database."""
    out = []
    rows = combo["rows"]
    trivial = reference(rows, c_max)
    main = next((r.get("server", "uvicorn") for r in rows if r["page"] != "trivial"), None)  # the first server
    if combo["scale"] == "city":
        for page in ("list", "action"):
            r = find(rows, page, c_max, main)
            if r and trivial:
                ratio = r["rps"] / trivial["rps"]
                ok = ratio >= TARGET_RATIO and r["p99"] < TARGET_P99_MS and not r["socket_errors"]
                out.append((f"{PAGE_LABELS[page]} ({SERVER_LABELS.get(main, main)}): ≥ 60 % of trivial "
                            f"(granian WSGI) req/s and p99 < 50 ms at c{c_max}",
                            f"{ratio:.0%}, p99 {fmt_ms(r['p99'])} ms", ok))
        for page in ("list_signed_in", "action_signed_in"):
            r = find(rows, page, c_max, main)
            if r:
                ok = (r["rps"] >= TARGET_SIGNED_IN_RPS and r["p99"] < TARGET_SIGNED_IN_P99_MS
                      and not r["socket_errors"])
                out.append((f"{PAGE_LABELS[page]} ({SERVER_LABELS.get(main, main)}): ≥ 1,000 req/s and "
                            f"p99 < 100 ms at c{c_max}", f"{r['rps']:,.0f} req/s, p99 {fmt_ms(r['p99'])} ms", ok))
    w = find(rows, "support", c_max, main)
    if w:
        out.append((f"support writes ≥ 1,000/s at c{c_max}", f"{w['rps']:.0f}/s", w["rps"] >= TARGET_WRITES))
    integ = combo.get("integrity", {})
    lost = integ.get("lost")
    dup = integ.get("duplicates")
    counters = [x.get("support_count_mismatches", 0) for x in combo["write_checks"]]
    out.append(("zero lost, zero duplicated supports (integrity run; counters = COUNT(*))",
                f"lost {lost}, phantom {integ.get('phantom')}, duplicated {dup}, counter mismatches "
                f"{integ.get('support_count_mismatches')} (+ {sum(counters)} after the wrk write runs)",
                integ.get("ok") is True and sum(counters) == 0))
    worst = max(((v["queries"], k) for k, v in combo["queries"].items() if not k.startswith("support")),
                default=(0, ""))
    out.append(("≤ 10 SQL queries per page", f"max {worst[0]} ({PAGE_LABELS.get(worst[1], worst[1])})",
                worst[0] <= TARGET_QUERIES))
    return out


def combo_markdown(combo: dict, duration: int) -> str:
    scale, database, facts = combo["scale"], combo["database"], combo["facts"]
    gen = combo["generated"]
    counts = gen["counts"]
    lines = [f"### {scale} · {'PostgreSQL' if database == 'postgres' else 'SQLite'}", ""]
    lines.append(
        f"Data: {counts['actions']:,} actions ({facts['public_actions']:,} public), {counts['residents']:,} residents, "
        f"{counts['supports']:,} supports, {counts['comments']:,} comments"
        f" ({'reused from an earlier run' if gen['reused'] else 'generated for this run'}). "
        f"Action page: action {facts['action_id']} ({facts['action_supports']} supports, "
        f"{facts['action_comments']} comments, the most supported). Filter: theme `{facts['theme']}` "
        f"({facts['theme_matches']:,} actions), sorted newest. Search: `{facts['search_word']}` "
        f"({facts['search_matches']:,} actions). Writes: {facts['writers']:,} residents with a token, "
        f"{facts['write_pairs']:,} (resident, action) pairs.")
    lines.append("")
    lines.append("| server | page | conc. | req/s | p50 ms | p99 ms | req/s ÷ trivial (granian) | p99 ÷ trivial "
                 "| worker CPU ms/req | errors | SQL queries |")
    lines.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    queries = combo["queries"]
    for r in combo["rows"]:
        trivial = reference(combo["rows"], r["connections"])
        counts_s = r.get("status_counts") or {}
        bad = r["socket_errors"] + sum(v for k, v in counts_s.items() if not k.startswith(("2", "3")))
        if r["page"] == "support":
            # 404 answers a DELETE that overtook its own slow POST: an answer, not an error.
            bad = r["socket_errors"] + sum(v for k, v in counts_s.items() if k not in ("200", "201", "204", "404"))
            q = f"{queries['support_post']['queries']} / {queries['support_delete']['queries']}"
        elif r["page"] == "trivial":
            q = "0"
        else:
            q = str(queries.get(r["page"], {}).get("queries", "?"))
        label = "trivial Django view" if r["page"] == "trivial" else PAGE_LABELS[r["page"]]
        server = SERVER_LABELS.get(r.get("server", "uvicorn"), "?")
        lines.append(
            f"| {server} | {label} | {r['connections']} | {r['rps']:,.0f} | {fmt_ms(r['p50'])} | {fmt_ms(r['p99'])} | "
            f"{r['rps'] / trivial['rps']:.2f} | {r['p99'] / trivial['p99']:.1f} | "
            f"{r.get('cpu_ms_per_request', '–')} | {bad} | {q} |")
    lines.append("")
    statuses = "; ".join(f"{r.get('server', 'uvicorn')} c{r['connections']}: " + ", ".join(f"{k}×{v:,}" for k, v in sorted(
        (r.get("status_counts") or {}).items())) for r in combo["rows"] if r["page"] == "support")
    checks = "; ".join(f"{x.get('server', 'uvicorn')} c{x['connections']}: {x['support_count_mismatches']} counter mismatches, "
                       f"{x['duplicates']} duplicates" for x in combo["write_checks"])
    lines.append(f"Support writes: statuses {statuses} (201 added, 204 withdrawn, 200 already there, "
                 f"404 not there: a DELETE that overtook its own slow POST). After each run: {checks}. "
                 "SQL queries: POST / DELETE. Errors: socket errors and timeouts (wrk `--timeout 5s`) and "
                 "unexpected statuses.")
    loads = sorted(float(r["load"]) for r in combo["rows"] if r["load"] != "?")
    if loads:
        lines.append(f"Load average (1 min) before each wrk run: {loads[0]:.1f} to {loads[-1]:.1f}.")
    lines.append("")
    integ = combo.get("integrity", {})
    if "requests" in integ:
        kill = integ.get("kill") or {}
        lines.append(
            f"Integrity ({integ['residents']} residents, {integ['seconds']:.0f} s, worker {kill.get('killed_pid')} "
            f"SIGKILLed at {kill.get('at_s')} s, replaced after {kill.get('new_worker_after_s')} s): "
            f"{integ['requests']:,} requests ({integ['requests_per_s']:,.0f}/s), {integ['successes']:,} answered "
            f"successes, {integ['errors']} errors of which {integ['errors_during_kill']} during the kill "
            f"(connections cut by it); pairs checked {integ['pairs_checked']:,} (unknown after a cut "
            f"request: {integ['pairs_unknown']}): **lost {integ['lost']}, phantom {integ['phantom']}, "
            f"duplicated {integ['duplicates']}, counter mismatches {integ['support_count_mismatches']}** "
            f"→ {'OK' if integ['ok'] else 'FAILED'}.")
    else:
        lines.append(f"Integrity run failed to report: {integ}")
    lines.append("")
    return "\n".join(lines)


def report_markdown(run: dict) -> str:
    m = run["machine"]
    v = run["versions"]
    c_max = max(run["conns"])
    when = run["started"]
    lines = [f"## {when} — {'quick smoke run' if run['quick'] else 'full run'}", ""]
    lines.append(f"- Command: `{run['command']}` ({run['seconds'] / 60:.1f} min)")
    lines.append(f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} memory, Linux {m['kernel']}; "
                 f"load average (1 min) {run['load_start']} at start, {run['load_end']} at end "
                 "(other work on the machine competes with the benchmark)")
    lines.append("")
    lines.append("  ```")
    lines += [f"  {line}" for line in m["free_h"].splitlines()]
    lines.append("  ```")
    lines.append(f"- Software: Python {v['python']}, Django {v['django']}, granian {v.get('granian', '?')}, "
                 f"uvicorn {v['uvicorn']} (uvloop {v['uvloop']}, "
                 f"httptools {v['httptools']}), psycopg {v['psycopg']}, PostgreSQL {v['postgresql']}, "
                 f"SQLite {v['sqlite']}, {m['wrk']}")
    if run["combos"]:  # the web part ran
        lines.append(f"- Servers: `granian --interface wsgi --workers {WORKERS} --blocking-threads 8` "
                     "(`config.wsgi`: pages, forms and the API as production "
                     f"serves them) and, for comparison, `uvicorn config.asgi:application --workers {WORKERS} "
                     "--no-access-log` on 127.0.0.1, settings `config.settings.bench`: DEBUG off, demo mode off, no HTTPS redirect and no secure "
                     "cookies (plain HTTP on loopback), manifest static files after collectstatic, PostgreSQL pool "
                     "≤ 10 connections per worker, SQLite in WAL with immediate write transactions, "
                     f"`CONN_MAX_AGE` 0 (production's default). Cache: {run.get('cache', 'not used')}. "
                     "**The per-account support rate limit is raised from 120/min to 1,000,000/min** so the write "
                     "benchmark measures throughput, not the limiter.")
        lines.append(f"- Load: wrk on the same machine, `wrk -t2 -c<conc.> -d{run['duration']}s --latency` "
                     "(writes: `-s bench/wrk/support.lua`). Anonymous pages are served from the public page "
                     "cache (`CONCERTO_PUBLIC_CACHE_SECONDS` = 1: counts at most 1 s old), so those rows mostly "
                     "measure cache hits; the *signed in* rows build every page (exact counts). SQL queries: one "
                     "request in-process with the cache emptied, i.e. the cost of building the page.")
        lines.append("- Worker CPU ms/req: user + system CPU time of the two server workers during the wrk run ÷ "
                     "requests served. It does not depend much on other load on the machine (req/s and latency "
                     "do) and bounds throughput: 2 workers can serve at most about 2,000 ÷ (CPU ms/req) req/s, "
                     "less what wrk and the database need on the same 2 CPUs.")
        lines.append("- Ratios: req/s of the page ÷ req/s of a trivial Django view (a short HTML string, no "
                     "middleware, no database: `bench/trivial`) under granian WSGI, measured in the same run, "
                     "same concurrency, whatever server the page ran under (so the uvicorn rows show what the "
                     "server choice costs); p99 ÷ that trivial view's p99.")
        lines.append("")
        lines.append("### Targets")
        lines.append("")
        lines.append("| scale · database | target | measured | |")
        lines.append("|---|---|---|---|")
        for combo in run["combos"]:
            for target, figure, ok in targets(combo, c_max):
                lines.append(f"| {combo['scale']} · {combo['database']} | {target} | {figure} | "
                             f"{'met' if ok else '**missed**'} |")
        lines.append("")
    for combo in run["combos"]:
        lines.append(combo_markdown(combo, run["duration"]))
    if run.get("letters"):
        lines.append(letters_markdown(run["letters"]))
    if run.get("selection"):
        lines.append(selection_markdown(run["selection"]))
    return "\n".join(lines)


def write_doc(section: str) -> None:
    header = (
        "# Benchmarks\n\n"
        "`make bench` runs `uv run python bench/run.py --scale seed --scale city --database sqlite "
        "--database postgres` (about 20 minutes on 2 CPUs); `uv run python bench/run.py --quick` is a "
        "1-minute smoke run that writes nothing here. What is measured and how: the docstring of "
        "`bench/run.py`; data: `bench/generate.py`; crash test: `bench/integrity.py`.\n\n"
        "Targets (issue 11, city scale on PostgreSQL, concurrency 50): anonymous actions list and action "
        "page ≥ 60 % of the trivial view's req/s under granian WSGI and p99 < 50 ms; signed-in list and "
        "action page ≥ 1,000 req/s and p99 < 100 ms; support writes ≥ 1,000/s with zero lost and zero "
        "duplicated; ≤ 10 SQL queries per page. Anonymous visitors may see counts up to 1 second old; signed-in "
        "residents see exact counts.\n\n"
        "Each run is added on top; earlier runs are kept below it.\n\n" + RUNS_MARKER + "\n"
    )
    text = DOC.read_text() if DOC.exists() else header
    if RUNS_MARKER not in text:
        text = text.rstrip("\n") + "\n\n" + RUNS_MARKER + "\n"
    head, tail = text.split(RUNS_MARKER, 1)
    DOC.write_text(head + RUNS_MARKER + "\n\n" + section.rstrip("\n") + "\n" + tail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", action="append", choices=SCALES, help="repeatable; default: seed")
    parser.add_argument("--database", action="append", choices=DATABASES, help="repeatable; default: sqlite")
    parser.add_argument("--part", action="append", choices=PARTS, help="repeatable; default: all")
    parser.add_argument("--server", action="append", choices=SERVERS,
                        help="repeatable; default: granian (WSGI, the reference) then uvicorn (ASGI, comparison)")
    parser.add_argument("--quick", action="store_true", help="1-minute smoke run: 2 s per wrk run, c10 only")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (default 10, quick 2)")
    parser.add_argument("--integrity-seconds", type=float, help="default 30, quick 8")
    parser.add_argument("--write", dest="write", action="store_true", default=None,
                        help="prepend the results to docs/benchmarks.md (default for full runs)")
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--render", metavar="RESULTS_JSON", type=Path,
                        help="only render the Markdown of saved raw results (with --write: prepend it)")
    args = parser.parse_args()
    if args.render:
        markdown = report_markdown(json.loads(args.render.read_text()))
        print(markdown)
        if args.write:
            write_doc(markdown)
        return 0
    scales = list(dict.fromkeys(args.scale or ["seed"]))
    databases = list(dict.fromkeys(args.database or ["sqlite"]))
    duration = args.duration or (2 if args.quick else 10)
    conns = [10] if args.quick else [10, 50]
    servers = list(dict.fromkeys(args.server or SERVERS))
    integrity_s = args.integrity_seconds or (8 if args.quick else 30)
    write = (not args.quick) if args.write is None else args.write

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    static_root = WORK_DIR / "static"
    started = time.monotonic()
    now = datetime.datetime.now(datetime.UTC)
    run = {
        "started": now.strftime("%Y-%m-%d %H:%M UTC"), "quick": args.quick, "duration": duration,
        "conns": conns, "machine": machine(), "versions": versions(), "load_start": loadavg(),
        "command": "uv run python bench/run.py " + " ".join(sys.argv[1:]), "combos": [],
    }
    log(f"bench: scales {scales}, databases {databases}, {duration} s per wrk run, concurrency {conns}; "
        f"work dir {WORK_DIR}")
    collectstatic(static_root)
    os.environ["BENCH_STATIC_ROOT"] = str(static_root)
    parts = list(dict.fromkeys(args.part or PARTS))
    for scale in scales if "web" in parts else []:
        for database in databases:
            combo = bench_combo(scale, database, duration=duration, conns=conns, integrity_s=integrity_s,
                                static_root=static_root, servers=servers)
            run["cache"] = combo.pop("cache")
            run["combos"].append(combo)
    if "letters" in parts and not args.quick:
        log("bench: letters (PDF mail-merge of 700 and 20,000 letters)")
        run["letters"] = letters_part()
    if "selection" in parts and not args.quick:
        log("bench: fair selection (120 → 12, 700 → 12, 700 → 50, 5,000 → 100)")
        run["selection"] = selection_part()
    run["seconds"] = time.monotonic() - started
    run["load_end"] = loadavg()
    out = WORK_DIR / f"results-{now.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(run, indent=1))
    markdown = report_markdown(run)
    print(markdown)
    if write:
        write_doc(markdown)
        log(f"bench: results prepended to {DOC.relative_to(ROOT)}; raw figures in {out}")
    failed = [c for c in run["combos"] if not c.get("integrity", {}).get("ok")]
    log(f"bench: done in {run['seconds'] / 60:.1f} min" + (f"; INTEGRITY FAILED in {len(failed)} run(s)" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

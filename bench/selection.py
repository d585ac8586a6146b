"""Timing of the fair selection (LEXIMIN/MAXIMIN over quota-satisfying panels, HiGHS).

    uv run python bench/selection.py            # Markdown table
    uv run python bench/selection.py --json     # the same rows as JSON
    uv run python bench/selection.py --case 120-12 --case 700-12

Pools are generated (``concerto/selection/tests/pools.py``, seeded): sector (8 values), age band
(5), gender (3), tenure (2), years in the neighbourhood (4), digital access (2) and 7 talents held by
10-40% of people each. Two kinds of quotas:

* ``proportional``: floor/ceil of panel size × the pool's share, widened by 1; talents: at least 1
  (2 from a panel of 50). The uniform lottery (everybody at panel/pool) is then usually reachable.
* ``census``: volunteers are biased (older owners volunteer more) and quotas follow the
  neighbourhood's shares: some people must be selected more often than others, the LEXIMIN
  levels are real work.

``run(cases=None) -> list[dict]`` is what ``bench/run.py`` calls.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from concerto.selection.algorithms import find_distribution, panel_meets_quotas  # noqa: E402
from concerto.selection.tests.pools import make_pool, make_quotas  # noqa: E402

# name, pool, panel, method, quotas kind, time limit (s)
CASES = [
    ("120-12", 120, 12, "leximin", "proportional", 60.0),
    ("700-12", 700, 12, "leximin", "proportional", 60.0),
    ("700-50", 700, 50, "leximin", "proportional", 60.0),
    ("5000-100", 5000, 100, "leximin", "proportional", 120.0),
    ("120-12-census", 120, 12, "leximin", "census", 60.0),
    ("700-12-census", 700, 12, "maximin", "census", 60.0),
    ("700-50-census", 700, 50, "maximin", "census", 60.0),
    ("5000-100-census", 5000, 100, "leximin", "census", 120.0),
]
TARGETS = {"120-12": 10.0, "700-12": 30.0}


def run_case(name, pool_size, panel_size, method, kind, time_limit, seed=1) -> dict:
    census = kind == "census"
    people = make_pool(pool_size, seed=seed, biased=census)
    quotas = make_quotas(people, panel_size, census=census)
    started = time.monotonic()
    dist = find_distribution(people, quotas, panel_size, method=method, time_limit=time_limit)
    seconds = time.monotonic() - started
    by_id = {p.id: p for p in people}
    valid = all(panel_meets_quotas(panel, by_id, quotas, panel_size) for panel in dist.panels)
    return {
        "case": name,
        "pool": pool_size,
        "panel": panel_size,
        "quotas": kind,
        "method": method,
        "time_limit": time_limit,
        "seconds": round(seconds, 2),
        "lowest": dist.lowest,
        "lp_lowest": dist.lp_lowest,
        "uniform": panel_size / pool_size,
        "complete": dist.complete,
        "optimal_lowest": dist.optimal_lowest,
        "columns": dist.columns,
        "panels": len(dist.panels),
        "levels": dist.levels_fixed,
        "valid": valid and sum(dist.weights) == 10**9,
        "target": TARGETS.get(name),
    }


def run(cases=None) -> list[dict]:
    """Run the named cases (all by default); one dict per case."""
    chosen = [c for c in CASES if cases is None or c[0] in cases]
    return [run_case(*c) for c in chosen]


def markdown(rows: list[dict]) -> str:
    lines = [
        "| case | pool | panel | quotas | method | seconds | lowest probability | (panel/pool) | complete | optimal lowest | columns | panels |",
        "|---|---:|---:|---|---|---:|---:|---:|---|---|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['pool']} | {r['panel']} | {r['quotas']} | {r['method']} | {r['seconds']:.2f} "
            f"| {r['lowest']:.6f} | {r['uniform']:.6f} | {'yes' if r['complete'] else 'no'} "
            f"| {'yes' if r['optimal_lowest'] else 'no'} | {r['columns']} | {r['panels']} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    parser.add_argument("--case", action="append", help="run only this case (repeatable)")
    args = parser.parse_args()
    rows = run(args.case)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(markdown(rows))
    return 0 if all(r["valid"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

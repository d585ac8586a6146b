"""SQL queries per page, counted in-process (Django test client + CaptureQueriesContext) on the bench DB.

    uv run python bench/queries.py --scale city --database postgres

Each page is requested once to warm up, then counted with the cache emptied first: the count is
what building the page costs (anonymous visitors are then served from the public page cache for
CONCERTO_PUBLIC_CACHE_SECONDS without any query). Signed-in pages send the plan's session cookie.
The support write is counted as one POST then one DELETE by a writer resident (API token), on a
pair that does not exist in the data; ``bench/generate.py --restore`` removes what it wrote.
Prints one JSON line: {page: {"queries": n, "status": code, "bytes": size, "sql": [...]}}.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database_url, plan_path  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["seed", "city"], required=True)
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--sql", action="store_true", help="include the SQL text of each query")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    os.environ["DATABASE_URL"] = database_url(args.scale, args.database)
    os.environ.pop("BENCH_STATIC_ROOT", None)  # static files from the source folders; no collectstatic here
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    plan = json.loads(plan_path(args.scale, args.database).read_text())
    client = Client()
    out = {}

    def count(name, method, path, before=None, **kwargs):
        getattr(client, method)(path, **kwargs)  # warm-up: templates, translations, connection
        if before:
            before()  # put the row in the state the counted request expects
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(path, **kwargs)
        out[name] = {"queries": len(ctx.captured_queries), "status": response.status_code,
                     "bytes": len(response.content)}
        if args.sql:
            out[name]["sql"] = [q["sql"] for q in ctx.captured_queries]

    for name, path in plan["pages"].items():
        count(name, "get", path)
    cookies = dict(part.strip().split("=", 1) for part in plan["cookie"].split(";"))
    for name, value in cookies.items():
        client.cookies[name] = value
    for name, path in plan["signed_in_pages"].items():
        count(name, "get", path)
    client.cookies.clear()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plan['sample_pair_token']}"}
    support = f"/api/v1/campaigns/{plan['slug']}/actions/{plan['sample_action']}/support"
    count("support_post", "post", support, before=lambda: client.delete(support, **auth),
          data="{}", content_type="application/json", **auth)
    count("support_delete", "delete", support,
          before=lambda: client.post(support, data="{}", content_type="application/json", **auth), **auth)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The final plan and the 7 candidates' dossiers: time their generation on the demo data.

    CONCERTO_VAR_DIR=/tmp/demo DJANGO_SETTINGS_MODULE=config.settings.dev uv run python bench/synthesis_documents.py

Needs a database with the demo loaded (``manage.py load_demo``). Builds each document's data
(``synthesis.plan``; a dossier reuses the plan's data, as ``rendering`` does) and compiles it with Typst (PDF/UA-1), as ``rendering.render_document`` does,
without storing anything. Prints per document the seconds spent on data and on Typst, the pages
and size, then the total for the plan and for the 7 dossiers (issue 15 asks < 10 s for the 7), and
the process's CPU time (on a shared machine the wall clock also counts the neighbours' work).
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _pages(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False)  # noqa: S603, S607
    for line in out.stdout.decode(errors="replace").splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


def run(slug: str = "saint-jerome") -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    from concerto.campaigns.models import Campaign
    from concerto.live_event import selectors as live_selectors
    from concerto.synthesis.plan import dossier_data, plan_data
    from concerto.synthesis.rendering import compile_pdf

    campaign = Campaign.objects.get(slug=slug)
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        plan: dict = {}
        jobs = [("plan", lambda: plan.update(plan_data(campaign)) or plan)]
        # As rendering does: each dossier reuses the plan's data of its edition.
        jobs += [(f"dossier {c.ballot_order}", (lambda c=c: dossier_data(c, plan=plan)))
                 for c in live_selectors.candidate_list(campaign)]
        for name, build in jobs:
            wall, cpu = time.perf_counter(), _cpu()
            data = build()
            built, built_cpu = time.perf_counter(), _cpu()
            pdf = compile_pdf(data)
            done, done_cpu = time.perf_counter(), _cpu()
            rows.append({"document": name, "data_s": round(built - wall, 3), "typst_s": round(done - built, 3),
                         "total_s": round(done - wall, 3), "cpu_s": round(done_cpu - cpu, 3),
                         "pages": _pages(pdf), "bytes": len(pdf), "data_cpu_s": round(built_cpu - cpu, 3)})
    dossiers = [r for r in rows if r["document"].startswith("dossier")]
    return {"rows": rows, "dossiers": len(dossiers),
            "dossiers_total_s": round(sum(r["total_s"] for r in dossiers), 2),
            "dossiers_cpu_s": round(sum(r["cpu_s"] for r in dossiers), 2),
            "plan_total_s": rows[0]["total_s"]}


def main() -> None:
    result = run(sys.argv[1] if len(sys.argv) > 1 else "saint-jerome")
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    print("| document | data (s) | Typst (s) | total (s) | CPU (s) | pages | size |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in result["rows"]:
        print(f"| {r['document']} | {r['data_s']} | {r['typst_s']} | {r['total_s']} | {r['cpu_s']} | {r['pages']} | "
              f"{r['bytes'] // 1024} kB |")
    print(f"\n{result['dossiers']} dossiers: {result['dossiers_total_s']} s wall clock, "
          f"{result['dossiers_cpu_s']} s CPU; the plan: {result['plan_total_s']} s")


if __name__ == "__main__":
    main()

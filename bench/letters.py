"""Invitation letters' PDF: time ``render_letters`` for realistic batches.

    uv run python bench/letters.py                      # 700 and 20,000 letters, Markdown table
    uv run python bench/letters.py --counts 700 --json  # JSON lines

Fake households of Aix-en-Provence (13090): French street names, house numbers, optional names
and address complements, a formatted code per household, its join URL in the QR code and in the
text ({lien}), the default letter text. Each count runs in a fresh process so that peak RSS
(this process, and the largest worker process) belongs to that count alone. No Django needed.
``run(counts)`` returns one dict per count, for bench/run.py.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STREETS = [
    "avenue des Lavandes", "rue des Cigales", "chemin de Saint-Jérôme", "avenue Gaston Berger",
    "rue du Docteur Aubin", "allée des Oliviers", "impasse des Micocouliers", "boulevard des Poilus",
    "rue Paul Cézanne", "traverse des Pinchinats", "avenue Jules Isaac", "rue Émile Zola",
    "chemin des Platanes", "résidence Les Facultés", "rue Frédéric Mistral", "avenue Saint-Jérôme",
]
COMPLEMENTS = ["Bâtiment A", "Bâtiment B, escalier 2", "Résidence Les Cèdres", "Appartement 12", "Villa 3"]
NAMES = ["Martin", "Bernard", "Dubois", "Roux", "Fournier", "Girard", "Bonnet", "Mercier", "Lambert",
         "Fontaine", "Chevalier", "Nguyen", "Benali", "Da Silva", "Garcia", "Haddad", "Moreau", "Lefèvre"]
CIVILITIES = ["M.", "Mme", "M. et Mme", "Famille"]
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O/1/I/L (the real alphabet is the codes module's)
BASE_URL = "https://concerto.example.org/c/saint-jerome/rejoindre?code="


def fake_letters(count: int, seed: int = 2026):
    from concerto.letters.pdf import DEFAULT_LETTER_TEXT, LetterData, render_body

    rng = random.Random(seed)
    letters = []
    for n in range(count):
        raw = "".join(rng.choice(ALPHABET) for _ in range(10))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        url = BASE_URL + code
        lines = []
        if rng.random() < 0.7:
            lines.append(f"{rng.choice(CIVILITIES)} {rng.choice(NAMES)}")
        street = rng.choice(STREETS)
        lines.append(f"{rng.randint(1, 180)} {street}")
        if rng.random() < 0.3:
            lines.append(rng.choice(COMPLEMENTS))
        lines.append("13090 AIX-EN-PROVENCE")
        body = render_body(DEFAULT_LETTER_TEXT, {
            "nom": lines[0] if len(lines) > 2 else "", "quartier": "Saint-Jérôme", "lien": url,
            "date_limite": "15 mars 2026", "secteur": street, "code": code,
        })
        letters.append(LetterData(address_lines=lines, body=body, code=code, qr_url=url,
                                  reference=f"Secteur {street} · n° {n + 1}"))
    return letters


COMMON = {
    "sender_lines": ["Collectif Saint-Jérôme en concertation", "12 rue des Écoles", "13090 Aix-en-Provence",
                     "04 42 00 00 00 · bonjour@concerto.example.org"],
    "title": "Invitation : construisons ensemble le plan d'actions du quartier",
    "place_date": "Aix-en-Provence, le 3 février 2026",
    "signature": "L'équipe de la concertation Saint-Jérôme",
    "join_hint": "Sans appareil photo ? Tapez concerto.example.org/r puis votre code.",
}


def measure(count: int) -> dict:
    """One count, in this process."""
    from concerto.letters.pdf import CHUNK_SIZE, WORKERS, render_letters

    letters = fake_letters(count)
    progress = []
    load = os.getloadavg()[0]
    cpu0 = os.times()
    start = time.perf_counter()
    data = render_letters(letters, progress=lambda done, total: progress.append(
        (done, round(time.perf_counter() - start, 2))), **COMMON)
    seconds = time.perf_counter() - start
    cpu1 = os.times()
    cpu = sum(getattr(cpu1, f) - getattr(cpu0, f) for f in ("user", "system", "children_user", "children_system"))
    pages = len(__import__("re").findall(rb"/Type\s*/Page\b(?!s)", data))
    assert pages == count, (pages, count)
    return {
        "letters": count, "seconds": round(seconds, 2), "pages_per_s": round(count / seconds, 1),
        "pdf_mb": round(len(data) / 1e6, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
        "cpu_s": round(cpu, 1), "load_before": round(load, 1),
        "chunk_size": CHUNK_SIZE, "workers": WORKERS, "first_progress_s": progress[0][1] if progress else None,
    }


def run(counts=(700, 20000)) -> list[dict]:
    results = []
    for count in counts:
        out = subprocess.run([sys.executable, __file__, "--one", str(count)], check=True,
                             capture_output=True, text=True, cwd=ROOT)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def table(results: list[dict]) -> str:
    rows = ["| letters | seconds | pages/s | PDF size MB | peak RSS MB (main / worker) | CPU s (all processes) | load before |",
            "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows.append(f"| {r['letters']:,} | {r['seconds']} | {r['pages_per_s']} | {r['pdf_mb']} | "
                    f"{r['peak_rss_mb']} / {r['worker_peak_rss_mb']} | {r['cpu_s']} | {r['load_before']} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", default="700,20000")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    counts = tuple(int(c) for c in args.counts.split(",") if c)
    if not args.json:
        print("\n".join(table([]).splitlines()[:2]), flush=True)
    for count in counts:  # one line per count, as soon as it is measured
        (r,) = run((count,))
        print(json.dumps(r) if args.json else table([r]).splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()

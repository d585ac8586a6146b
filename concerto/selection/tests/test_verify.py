"""The standalone verifier: passes on a genuine published file, fails clearly on any tampering."""

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from concerto.selection import verify
from concerto.selection.algorithms import (
    build_audit_document,
    canonical_random_value,
    draw_panel,
    find_distribution,
    pool_digest,
    reserve_order,
)
from concerto.selection.algorithms.model import pool_json
from concerto.selection.tests.pools import make_pool, make_quotas

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def published():
    people = make_pool(60, seed=21, biased=True, talents=3)
    quotas = make_quotas(people, 8, census=True)
    dist = find_distribution(people, quotas, 8)
    # Announced format: the five main numbers of the EuroMillions, 1 to 50; canonical value.
    random_format = {"kind": "lottery", "count": 5, "low": 1, "high": 50}
    value = canonical_random_value(random_format, "Euromillions 45 40 31 22 14")
    index, ticket = draw_panel(dist, value)
    panel = list(dist.panels[index])
    reserve = reserve_order([p.id for p in people], panel, value)
    doc = build_audit_document(
        people=people,
        quotas=quotas,
        panel_size=8,
        distribution=dist,
        draw={"random_value": value, "ticket": ticket, "panel_index": index, "panel": panel},
        reserve=reserve,
        meta={"campaign": "saint-jerome", "title": "Ateliers de mars", "dates": {"drawn": "2026-03-01"},
              "random_format": random_format, "random_date": "2026-03-01"},
    )
    return json.loads(json.dumps(doc))  # exactly what a file holds


def run(doc, tmp_path, capsys, *args):
    path = tmp_path / "selection.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code = verify.main([str(path), *args])
    return code, capsys.readouterr().out


def test_document_shape(published):
    assert published["format"] == "concerto-selection/2"
    assert published["verify_command"] == "python verify.py selection.json"
    assert published["meta"]["versions"]["algorithm"]
    assert published["meta"]["versions"]["highspy"]
    assert published["meta"]["versions"]["python"]
    assert set(published["distribution"]) >= {"panels", "weights", "digest", "lowest", "method", "complete"}
    assert published["draw"]["panel"] == published["distribution"]["panels"][published["draw"]["panel_index"]]


def test_genuine_file_passes(published, tmp_path, capsys):
    code, out = run(published, tmp_path, capsys)
    assert code == 0, out
    assert "Résultat : tout est conforme." in out
    assert "[ÉCHEC]" not in out


def tampered(published, change):
    doc = copy.deepcopy(published)
    change(doc)
    return doc


def test_tampered_pool_fails(published, tmp_path, capsys):
    def change(doc):
        doc["pool"][0]["commitment"] = "0" * 64

    code, out = run(tampered(published, change), tmp_path, capsys)
    assert code == 1
    assert "L'empreinte du vivier ne correspond pas" in out


def test_tampered_weights_fail(published, tmp_path, capsys):
    def change(doc):
        doc["distribution"]["weights"][0] += 1
        doc["distribution"]["weights"][-1] -= 1

    code, out = run(tampered(published, change), tmp_path, capsys)
    assert code == 1
    assert "L'empreinte de la distribution ne correspond pas" in out


def test_weights_not_summing_fail(published, tmp_path, capsys):
    code, out = run(tampered(published, lambda d: d["distribution"]["weights"].__setitem__(0, 1)), tmp_path, capsys)
    assert code == 1
    assert "Poids invalides" in out


def test_tampered_random_value_fails(published, tmp_path, capsys):
    code, out = run(tampered(published, lambda d: d["draw"].__setitem__("random_value", "autre valeur")), tmp_path, capsys)
    assert code == 1
    assert "Le ticket publié" in out


def test_tampered_panel_fails(published, tmp_path, capsys):
    def change(doc):
        outsider = next(p["id"] for p in doc["pool"] if p["id"] not in doc["draw"]["panel"])
        doc["draw"]["panel"] = sorted([*doc["draw"]["panel"][1:], outsider])

    code, out = run(tampered(published, change), tmp_path, capsys)
    assert code == 1
    assert "Le panel publié ne correspond pas au panel tiré." in out


def test_tampered_panel_index_fails(published, tmp_path, capsys):
    def change(doc):
        doc["draw"]["panel_index"] = (doc["draw"]["panel_index"] + 1) % len(doc["distribution"]["panels"])

    code, out = run(tampered(published, change), tmp_path, capsys)
    assert code == 1
    assert "n'est pas celui que désigne le ticket" in out


def test_tampered_reserve_fails(published, tmp_path, capsys):
    def change(doc):
        doc["reserve"][0], doc["reserve"][1] = doc["reserve"][1], doc["reserve"][0]

    code, out = run(tampered(published, change), tmp_path, capsys)
    assert code == 1
    assert "liste de réserve" in out.lower()


def test_tampered_marginals_and_lowest_fail(published, tmp_path, capsys):
    def change(doc):
        first = next(iter(doc["marginals"]))
        doc["marginals"][first] += 0.01
        doc["distribution"]["lowest"] += 0.01

    code, out = run(tampered(published, change), tmp_path, capsys)
    assert code == 1
    assert "Probabilités publiées différentes" in out
    assert "Probabilité minimale publiée" in out


def test_panel_breaking_a_quota_fails(published, tmp_path, capsys):
    """Swap someone into a published panel (and fix the digest so only the quota check can see it)."""

    def change(doc):
        people = {p["id"]: p["features"] for p in doc["pool"]}
        shown = set(doc["published_categories"])
        for q in (q for q in doc["quotas"] if q["min"] > 0 and q["category"] in shown):
            for index, panel in enumerate(doc["distribution"]["panels"]):
                having = [pid for pid in panel if people[pid].get(q["category"]) == q["value"]]
                hidden = [pid for pid in panel if not people[pid]]
                if having and len(having) + len(hidden) == q["min"]:
                    outsider = next((pid for pid in people if pid not in panel and people[pid]
                                     and people[pid].get(q["category"]) != q["value"]), None)
                    if outsider:
                        doc["distribution"]["panels"][index] = sorted(
                            [outsider if pid == having[0] else pid for pid in panel])
                        return
        pytest.skip("no tight quota on published answers")

    code, out = run(tampered(published, change), tmp_path, capsys)
    assert code == 1
    assert "Panels non conformes" in out


def test_unreadable_or_foreign_file_fails(tmp_path, capsys):
    path = tmp_path / "selection.json"
    path.write_text("{not json", encoding="utf-8")
    assert verify.main([str(path)]) == 1
    assert "Fichier illisible" in capsys.readouterr().out
    path.write_text(json.dumps({"format": "autre"}), encoding="utf-8")
    assert verify.main([str(path)]) == 1
    assert "Format inconnu" in capsys.readouterr().out


def test_no_draw_yet_passes(published, tmp_path, capsys):
    def change(doc):
        doc["draw"] = None
        doc["reserve"] = None

    code, out = run(tampered(published, change), tmp_path, capsys)
    assert code == 0, out
    assert "Pas encore de tirage publié." in out


def test_recompute_finds_the_same_distribution(published, tmp_path, capsys):
    """Format 2 hides answers, so only a file with the whole pool (format 1, kept by the organisers
    or published before) can be recomputed."""
    code, out = run(published, tmp_path, capsys, "--recompute")
    assert "Recalcul impossible" in out
    full = copy.deepcopy(published)
    people = make_pool(60, seed=21, biased=True, talents=3)
    full["format"] = "concerto-selection/1"
    full["pool"] = pool_json(people)
    full["pool_sha256"] = pool_digest(people)
    code, out = run(full, tmp_path, capsys, "--recompute")
    assert code == 0, out
    assert "Recalcul : mêmes panels et mêmes poids." in out


def test_runs_standalone_with_only_the_standard_library(published, tmp_path):
    """Copied alone into an empty folder and run by path, as a citizen would."""
    shutil.copy(ROOT / "concerto" / "selection" / "verify.py", tmp_path / "verify.py")
    (tmp_path / "selection.json").write_text(json.dumps(published), encoding="utf-8")
    ok = subprocess.run(
        [sys.executable, "-I", "verify.py", "selection.json"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "tout est conforme" in ok.stdout
    bad = copy.deepcopy(published)
    bad["draw"]["random_value"] = "12"
    (tmp_path / "selection.json").write_text(json.dumps(bad), encoding="utf-8")
    ko = subprocess.run(
        [sys.executable, "-I", "verify.py", "selection.json"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert ko.returncode == 1
    assert "ÉCHEC" in ko.stdout


def test_runs_as_a_module(published, tmp_path):
    path = tmp_path / "selection.json"
    path.write_text(json.dumps(published), encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "concerto.selection.verify", str(path)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_verifier_imports_nothing_from_concerto_at_module_level():
    source = (ROOT / "concerto" / "selection" / "verify.py").read_text(encoding="utf-8")
    top_imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert all(
        line.split()[1].split(".")[0] in {"__future__", "argparse", "datetime", "hashlib", "json", "re",
                                         "sys", "fractions"}
        for line in top_imports
    ), top_imports

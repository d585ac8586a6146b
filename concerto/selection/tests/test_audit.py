"""The draw is reproducible from the published files alone: download selection.json and verify.py
from the public page, run ``python verify.py selection.json`` → exit 0; tamper with it → exit 1."""

import json
import subprocess
import sys

import pytest
from django.urls import reverse

from concerto.selection.models import SeatStatus, SelectionSeat

from .factories import drawn_selection, make_pool, published_selection


def _download(client, campaign, selection, tmp_path):
    args = [campaign.slug, selection.pk]
    document = client.get(reverse("selection:audit_json", args=args))
    script = client.get(reverse("selection:verify_script", args=args))
    assert document.status_code == 200 and script.status_code == 200
    (tmp_path / "selection.json").write_bytes(document.content)
    (tmp_path / "verify.py").write_bytes(script.content)
    return json.loads(document.content)


def _run(tmp_path):
    return subprocess.run([sys.executable, "verify.py", "selection.json"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def drawn(campaign, organiser_dina):
    make_pool(campaign, 12)
    return drawn_selection(campaign, organiser_dina, value="7 12 23 38 41")


def test_published_files_verify(client, campaign, drawn, tmp_path):
    document = _download(client, campaign, drawn, tmp_path)
    assert document["draw"]["random_value"] == "7-12-23-38-41"
    assert document["draw"]["panel_index"] == drawn.panel_index
    assert document["draw"]["ticket"] == int(drawn.ticket)
    assert document["pool_sha256"] == drawn.pool_sha256
    panel = sorted(SelectionSeat.objects.filter(selection=drawn, status=SeatStatus.SELECTED)
                   .values_list("volunteer__pseudonym", flat=True))
    assert document["draw"]["panel"] == panel
    reserve = list(SelectionSeat.objects.filter(selection=drawn, status=SeatStatus.RESERVE)
                   .order_by("reserve_rank").values_list("volunteer__pseudonym", flat=True))
    assert document["reserve"] == reserve
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_before_the_draw_the_distribution_verifies(client, campaign, organiser_dina, tmp_path):
    make_pool(campaign, 12)
    selection = published_selection(campaign, organiser_dina)
    document = _download(client, campaign, selection, tmp_path)
    assert document["draw"] is None
    assert _run(tmp_path).returncode == 0


@pytest.mark.parametrize("tamper", ["random_value", "panel", "pool", "weights", "reserve"])
def test_tampered_files_fail(client, campaign, drawn, tmp_path, tamper):
    document = _download(client, campaign, drawn, tmp_path)
    if tamper == "random_value":
        document["draw"]["random_value"] = "7-12-23-38-42"
    elif tamper == "panel":
        outsider = next(p["id"] for p in document["pool"] if p["id"] not in document["draw"]["panel"])
        document["draw"]["panel"][0] = outsider
    elif tamper == "pool":
        document["pool"][0]["commitment"] = "0" * 64
    elif tamper == "weights":
        document["distribution"]["weights"][0] += 1
        document["distribution"]["weights"][-1] -= 1
    else:
        document["reserve"] = list(reversed(document["reserve"]))
    (tmp_path / "selection.json").write_text(json.dumps(document), encoding="utf-8")
    result = _run(tmp_path)
    assert result.returncode == 1, result.stdout


def test_verify_main_in_process(client, campaign, drawn, tmp_path):
    from concerto.selection import verify

    _download(client, campaign, drawn, tmp_path)
    assert verify.main([str(tmp_path / "selection.json")]) == 0


def test_replacements_are_in_the_document_but_do_not_break_verification(client, campaign, drawn, organiser_dina,
                                                                          tmp_path):
    from concerto.selection import services

    seat = SelectionSeat.objects.filter(selection=drawn, status=SeatStatus.SELECTED).first()
    services.seat_replace(by=organiser_dina, selection=drawn, seat_id=seat.pk, force=True)
    document = _download(client, campaign, drawn, tmp_path)
    assert document["meta"]["replacements"][0]["withdrawn"] == seat.volunteer.pseudonym
    assert _run(tmp_path).returncode == 0

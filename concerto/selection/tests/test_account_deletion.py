"""Deleting a drawn volunteer's account keeps the seat and records the change (issue 8, F6): before,
the seat cascaded away, the public panel and the stats fell to 11 and verify.py still passed."""

import copy
import json

import pytest
from django.urls import reverse

from concerto.core.models import AuditEntry
from concerto.dashboard.services import account_delete
from concerto.selection import selectors, services, verify
from concerto.selection.models import SeatStatus, SelectionSeat
from concerto.volunteers.models import Volunteer

from .factories import (
    announced_selection,
    drawn_selection,
    make_pool,
    suggested_quotas,
)


def _verify(doc, tmp_path, capsys):
    path = tmp_path / "selection.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code = verify.main([str(path)])
    return code, capsys.readouterr().out


def _document(client, campaign, selection):
    client.logout()
    return client.get(reverse("selection:audit_json", args=[campaign.slug, selection.pk])).json()


def _panel(selection):
    return SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED)


def test_deleting_a_drawn_volunteers_account_keeps_the_panel_full(client, campaign, organiser_dina, tmp_path,
                                                                    capsys):
    make_pool(campaign, 12)
    selection = drawn_selection(campaign, organiser_dina, quotas=[])
    services.selection_set_workshop_panel(by=organiser_dina, selection=selection)
    seat = _panel(selection).select_related("volunteer__user").first()
    pseudonym, user = seat.volunteer.pseudonym, seat.volunteer.user
    account_delete(user=user)

    assert _panel(selection).count() == selection.panel_size == 4
    seat.refresh_from_db()
    assert seat.status == SeatStatus.WITHDRAWN and seat.replacement_info["reason"] == "account_deleted"
    volunteer = Volunteer.objects.get(pseudonym=pseudonym, campaign=campaign)
    assert volunteer.user_id is None and volunteer.withdrawn_at is not None
    assert selectors.selection_figures(campaign)["workshop_participants"] == 4
    entry = AuditEntry.objects.get(code="selection.seat.replaced")
    assert entry.data["withdrawn"] == pseudonym and entry.data["reason"] == "account_deleted"

    doc = _document(client, campaign, selection)
    assert len(doc["meta"]["current_panel"]) == 4 and pseudonym not in doc["meta"]["current_panel"]
    assert doc["meta"]["replacements"][0]["withdrawn"] == pseudonym
    code, out = _verify(doc, tmp_path, capsys)
    assert code == 0, out
    # The organisers' page still lists the seat, without a name.
    client.force_login(organiser_dina)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("selection:manage", args=[campaign.slug, selection.pk])).content.decode()
    assert pseudonym in html and "account deleted" in html


def test_without_a_quota_keeping_reserve_the_seat_waits_for_the_organisers(client, campaign, organiser_dina,
                                                                           tmp_path, capsys):
    volunteers = make_pool(campaign, 8)
    for v in volunteers:
        v.talents = ["dessin"] if v.pseudonym == "V-0001" else []
        v.save()
    quotas = [q for q in suggested_quotas(campaign, 4) if q["category"] == "talent:dessin"]
    selection = drawn_selection(campaign, organiser_dina, quotas=quotas)
    seat = SelectionSeat.objects.select_related("volunteer__user").get(selection=selection,
                                                                       volunteer__pseudonym="V-0001")
    account_delete(user=seat.volunteer.user)
    seat.refresh_from_db()
    assert seat.status == SeatStatus.SELECTED and _panel(selection).count() == 4
    assert [s.pk for s in selectors.withdrawn_selected(selection)] == [seat.pk]
    assert AuditEntry.objects.filter(code="selection.seat.to_replace").exists()
    doc = _document(client, campaign, selection)
    assert doc["meta"]["to_replace"] == ["V-0001"]
    assert _verify(doc, tmp_path, capsys)[0] == 0
    # The organiser then decides; the forced replacement is recorded and still verifies.
    services.seat_replace(by=organiser_dina, selection=selection, seat_id=seat.pk, force=True)
    assert _panel(selection).count() == 4
    assert _verify(_document(client, campaign, selection), tmp_path, capsys)[0] == 0


def test_deleting_between_publication_and_draw_does_not_shrink_the_panel(campaign, organiser_dina):
    volunteers = make_pool(campaign, 12)
    selection = announced_selection(campaign, organiser_dina, quotas=[])
    account_delete(user=volunteers[0].user)
    assert Volunteer.objects.filter(pk=volunteers[0].pk, user__isnull=True).exists()
    selection = services.selection_draw(by=organiser_dina, selection=selection, random_value="4 2 6")
    assert _panel(selection).count() == 4
    assert SelectionSeat.objects.filter(selection=selection, status=SeatStatus.RESERVE).count() == 8
    if _panel(selection).filter(volunteer=volunteers[0]).exists():
        assert selectors.withdrawn_selected(selection)  # flagged for the organisers, not dropped


def test_a_volunteer_in_no_pool_is_deleted_with_the_account(campaign, organiser_dina):
    volunteers = make_pool(campaign, 3)
    account_delete(user=volunteers[0].user)
    assert not Volunteer.objects.filter(pk=volunteers[0].pk).exists()


@pytest.mark.parametrize("tamper", ["drop_member", "swap_member", "drop_record"])
def test_verify_refuses_a_current_panel_that_differs(client, campaign, organiser_dina, tmp_path, capsys, tamper):
    make_pool(campaign, 12)
    selection = drawn_selection(campaign, organiser_dina, quotas=[])
    seat = _panel(selection).first()
    services.seat_replace(by=organiser_dina, selection=selection, seat_id=seat.pk)
    doc = _document(client, campaign, selection)
    assert _verify(doc, tmp_path, capsys)[0] == 0
    bad = copy.deepcopy(doc)
    if tamper == "drop_member":
        bad["meta"]["current_panel"] = bad["meta"]["current_panel"][1:]
    elif tamper == "swap_member":
        outsider = next(r for r in bad["reserve"] if r not in bad["meta"]["current_panel"])
        bad["meta"]["current_panel"][0] = outsider
    else:
        bad["meta"]["replacements"] = []
    code, out = _verify(bad, tmp_path, capsys)
    assert code == 1, out
    assert "panel actuel publié" in out


def test_a_replacement_out_of_reserve_order_is_refused(client, campaign, organiser_dina, tmp_path, capsys):
    make_pool(campaign, 12)
    selection = drawn_selection(campaign, organiser_dina, quotas=[])
    services.seat_replace(by=organiser_dina, selection=selection, seat_id=_panel(selection).first().pk)
    doc = _document(client, campaign, selection)
    change = doc["meta"]["replacements"][0]
    second = doc["reserve"][1]
    doc["meta"]["current_panel"] = sorted([p for p in doc["meta"]["current_panel"] if p != change["replacement"]]
                                          + [second])
    change.update(replacement=second, rank=2)
    code, out = _verify(doc, tmp_path, capsys)
    assert code == 1 and "Remplacements non conformes" in out

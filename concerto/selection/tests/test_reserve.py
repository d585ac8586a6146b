"""The reserve list replaces a panel member who withdraws, keeping the quotas when anyone can."""

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.core.errors import NotFound
from concerto.core.models import AuditEntry
from concerto.selection import algorithms, selectors, services
from concerto.selection.errors import NoReplacementKeepsQuotas, WrongStage
from concerto.selection.models import SeatStatus, SelectionSeat

from .factories import (
    announced_selection,
    drawn_selection,
    make_pool,
    suggested_quotas,
)


def _quota_objects(selection):
    return [algorithms.Quota.from_json(q) for q in selection.quotas]


def _people(selection):
    return {p["id"]: algorithms.Person(p["id"], p["features"]) for p in selection.pool}


def _panel(selection):
    return sorted(SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED)
                  .values_list("volunteer__pseudonym", flat=True))


def test_replacement_keeps_quotas_and_is_the_first_reserve_that_does(campaign, organiser_dina):
    make_pool(campaign, 12)
    selection = drawn_selection(campaign, organiser_dina)
    people, quotas = _people(selection), _quota_objects(selection)
    before = _panel(selection)
    seat = SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED).select_related(
        "volunteer").first()
    reserve = list(SelectionSeat.objects.filter(selection=selection, status=SeatStatus.RESERVE)
                   .order_by("reserve_rank").values_list("volunteer__pseudonym", flat=True))
    replacement = services.seat_replace(by=organiser_dina, selection=selection, seat_id=seat.pk)
    assert replacement is not None and replacement.replaces_id == seat.pk
    seat.refresh_from_db()
    assert seat.status == SeatStatus.WITHDRAWN
    after = _panel(selection)
    assert len(after) == 4 and seat.volunteer.pseudonym not in after
    assert algorithms.panel_meets_quotas(after, people, quotas, 4)
    # Every reserve ranked before the chosen one would have broken a quota.
    remaining = [p for p in before if p != seat.volunteer.pseudonym]
    for earlier in reserve[:reserve.index(replacement.volunteer.pseudonym)]:
        assert not algorithms.panel_meets_quotas([*remaining, earlier], people, quotas, 4)
    entry = AuditEntry.objects.get(code="selection.seat.replaced")
    assert entry.data["quotas_kept"] is True and entry.data["replacement"] == replacement.volunteer.pseudonym
    public = selectors.public_seats(selection)
    assert public["replacements"][0]["withdrawn"] == seat.volunteer.pseudonym
    assert public["replacements"][0]["rank"] == replacement.reserve_rank


def _rare_talent_selection(campaign, organiser):
    volunteers = make_pool(campaign, 8)
    for v in volunteers:
        v.talents = ["dessin"] if v.pseudonym == "V-0001" else []
        v.save()
    quotas = [q for q in suggested_quotas(campaign, 4) if q["category"] == "talent:dessin"]
    return drawn_selection(campaign, organiser, quotas=quotas)


def test_no_reserve_keeps_quotas_needs_confirmation(campaign, organiser_dina):
    selection = _rare_talent_selection(campaign, organiser_dina)
    seat = SelectionSeat.objects.get(selection=selection, volunteer__pseudonym="V-0001")
    assert seat.status == SeatStatus.SELECTED  # the only one with the talent is on every panel
    first = SelectionSeat.objects.filter(selection=selection, status=SeatStatus.RESERVE).order_by(
        "reserve_rank").select_related("volunteer").first()
    with pytest.raises(NoReplacementKeepsQuotas) as exc:
        services.seat_replace(by=organiser_dina, selection=selection, seat_id=seat.pk)
    assert exc.value.first_reserve == first.volunteer.pseudonym
    seat.refresh_from_db()
    assert seat.status == SeatStatus.SELECTED
    replacement = services.seat_replace(by=organiser_dina, selection=selection, seat_id=seat.pk, force=True)
    assert replacement.pk == first.pk
    entry = AuditEntry.objects.get(code="selection.seat.replaced")
    assert entry.data["quotas_kept"] is False and entry.data["forced"] is True


def test_confirmation_through_the_page(client, campaign, organiser_dina):
    selection = _rare_talent_selection(campaign, organiser_dina)
    seat = SelectionSeat.objects.get(selection=selection, volunteer__pseudonym="V-0001")
    client.force_login(organiser_dina)
    url = reverse("selection:replace", args=[campaign.slug, selection.pk, seat.pk])
    response = client.post(url)
    assert response.status_code == 409
    assert 'name="force" value="1"' in response.content.decode()
    assert client.post(url, {"force": "1"}).status_code == 302
    seat.refresh_from_db()
    assert seat.status == SeatStatus.WITHDRAWN
    html = client.get(reverse("selection:detail", args=[campaign.slug, selection.pk])).content.decode()
    assert "V-0001" in html


def test_withdrawn_reserves_are_skipped(campaign, organiser_dina):
    make_pool(campaign, 12)
    selection = drawn_selection(campaign, organiser_dina, quotas=[])
    reserve = list(SelectionSeat.objects.filter(selection=selection, status=SeatStatus.RESERVE)
                   .order_by("reserve_rank").select_related("volunteer"))
    reserve[0].volunteer.withdrawn_at = timezone.now()
    reserve[0].volunteer.save()
    seat = SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED).first()
    replacement = services.seat_replace(by=organiser_dina, selection=selection, seat_id=seat.pk)
    assert replacement.pk == reserve[1].pk


def test_self_withdrawn_panel_member_is_flagged_for_the_organiser(client, campaign, organiser_dina):
    make_pool(campaign, 12)
    selection = drawn_selection(campaign, organiser_dina)
    seat = SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED).select_related(
        "volunteer").first()
    seat.volunteer.withdrawn_at = timezone.now()
    seat.volunteer.save()
    assert [s.pk for s in selectors.withdrawn_selected(selection)] == [seat.pk]
    client.force_login(organiser_dina)
    html = client.get(reverse("selection:manage", args=[campaign.slug, selection.pk])).content.decode()
    assert "withdrew – replace" in html or "désisté" in html


def test_replace_only_after_the_draw_by_organisers(campaign, organiser_dina, resident_alice):
    make_pool(campaign, 12)
    selection = announced_selection(campaign, organiser_dina)
    with pytest.raises(WrongStage):
        services.seat_replace(by=organiser_dina, selection=selection, seat_id=1)
    selection = services.selection_draw(by=organiser_dina, selection=selection, random_value="1 2 3")
    seat = SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED).first()
    with pytest.raises(NotFound):
        services.seat_replace(by=resident_alice, selection=selection, seat_id=seat.pk)
    reserve = SelectionSeat.objects.filter(selection=selection, status=SeatStatus.RESERVE).first()
    with pytest.raises(Exception) as exc:
        services.seat_replace(by=organiser_dina, selection=selection, seat_id=reserve.pk)
    assert getattr(exc.value, "code", "") == "not_on_panel"

"""The random value's format, announced before the draw: every spelling of one result gives one
ticket or is refused (issue 8, F2: 112 spellings of the same Loto numbers reached 33 of 35 panels)."""

import copy
import itertools
import json

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from concerto.core.errors import FieldErrors
from concerto.selection import services, verify
from concerto.selection.algorithms import (
    BadRandomValue,
    Distribution,
    canonical_random_value,
    draw_panel,
    random_format_example,
)
from concerto.selection.algorithms.draw import draw_ticket
from concerto.selection.errors import DrawTooEarly
from concerto.selection.models import SelectionSeat, SelectionStatus

from .factories import announced_selection, make_pool, published_selection

LOTO = {"kind": "lottery", "count": 5, "low": 1, "high": 49}
NUMBERS = [7, 12, 23, 38, 41]


def spellings():
    """The kind of spellings a person could type for the same five numbers: orders, separators,
    leading zeros, words around them (well over a hundred)."""
    orders = [NUMBERS, list(reversed(NUMBERS)), [23, 7, 41, 12, 38]]
    separators = [" ", "-", ", ", " - ", ";", "/", "  ", " – "]
    writers = [str, lambda n: f"{n:02d}"]
    around = [("", ""), ("Loto ", ""), ("Loto du 10 mars : ", ""), ("", " (tirage du soir)")]
    for order, sep, write, (before, after) in itertools.product(orders, separators, writers, around):
        yield before + sep.join(write(n) for n in order) + after


def test_every_spelling_of_the_same_numbers_gives_one_value_and_one_ticket():
    digest = "ab" * 32
    values, tickets, accepted, refused = set(), set(), 0, 0
    for typed in spellings():
        try:
            value = canonical_random_value(LOTO, typed)
        except BadRandomValue:
            refused += 1  # e.g. "Loto du 10 mars : ..." has six numbers: refused, never another ticket
            continue
        accepted += 1
        values.add(value)
        tickets.add(draw_ticket(digest, value))
    assert accepted > 100 and refused
    assert values == {"7-12-23-38-41"}
    assert len(tickets) == 1


@pytest.mark.parametrize("typed", ["7 12 23 38", "7 12 23 38 41 3", "7 7 12 23 38", "7 12 23 38 50",
                                   "0 7 12 23 38", "Loto 2026 : 7 12 23 38 41", ""])


def test_values_outside_the_format_are_refused(typed):
    with pytest.raises(BadRandomValue):
        canonical_random_value(LOTO, typed)


def test_digits_and_hex_formats():
    digits = {"kind": "digits", "length": 6}
    assert {canonical_random_value(digits, t) for t in ["123456", "123 456", "12-34-56", " 123.456 "]} == {"123456"}
    for bad in ["12345", "1234567", "12345a", "１２３４５６"]:
        with pytest.raises(BadRandomValue):
            canonical_random_value(digits, bad)
    beacon = {"kind": "hex", "length": 16}
    assert {canonical_random_value(beacon, t) for t in ["0123456789ABCDEF", "0x0123456789abcdef",
                                                       "01:23:45:67:89:ab:cd:ef", "0123 4567 89ab cdef"]} == {
        "0123456789abcdef"}
    for bad in ["0123456789abcdeg", "0123456789abcde", "0123456789abcdef0"]:
        with pytest.raises(BadRandomValue):
            canonical_random_value(beacon, bad)
    for spec in (LOTO, digits, beacon):
        example = random_format_example(spec)
        assert canonical_random_value(spec, example) == example


# --- Through the services, the pages and the API ------------------------------------------------------


@pytest.fixture
def pool(campaign):
    return make_pool(campaign, 12)


def test_announcement_must_fix_format_and_date(campaign, pool, organiser_dina):
    selection = published_selection(campaign, organiser_dina)
    yesterday = timezone.now() - timezone.timedelta(days=1)
    with pytest.raises(FieldErrors) as exc:
        services.selection_announce(by=organiser_dina, selection=selection, random_source="Les numéros du Loto",
                                    witnesses="Maître Dupont", random_format={"kind": "lottery", "count": 5},
                                    random_known_at=yesterday)
    assert {"random_format", "random_known_at"} <= set(exc.value.errors)
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.PUBLISHED and not selection.random_format


def test_draw_uses_the_canonical_value_and_refuses_other_formats(campaign, pool, organiser_dina):
    selection = announced_selection(campaign, organiser_dina, count=5)
    for typed in ["7 12 23 38", "Loto 7 12 23 38 41 numéro chance 3", "7 12 23 38 99"]:
        with pytest.raises(FieldErrors) as exc:
            services.selection_draw(by=organiser_dina, selection=selection, random_value=typed)
        assert "random_value" in exc.value.errors
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ANNOUNCED and not selection.random_value
    assert not SelectionSeat.objects.filter(selection=selection).exists()
    selection = services.selection_draw(by=organiser_dina, selection=selection, random_value="41, 38, 23, 12, 07")
    assert selection.random_value == "7-12-23-38-41"
    index, ticket = draw_panel(Distribution.from_json(selection.distribution), "7-12-23-38-41")
    assert (selection.panel_index, selection.ticket) == (index, str(ticket))


def test_draw_before_the_announced_date_is_refused(campaign, pool, organiser_dina):
    selection = published_selection(campaign, organiser_dina)
    services.selection_announce(by=organiser_dina, selection=selection, random_source="Les numéros du Loto",
                                witnesses="Maître Dupont", random_format=LOTO,
                                random_known_at=timezone.now() + timezone.timedelta(days=3))
    with pytest.raises(DrawTooEarly):
        services.selection_draw(by=organiser_dina, selection=selection, random_value="7 12 23 38 41")
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ANNOUNCED


def test_pages_show_the_format_before_the_draw_and_refuse_other_values(client, campaign, pool, organiser_dina):
    selection = published_selection(campaign, organiser_dina)
    client.force_login(organiser_dina)
    client.cookies["django_language"] = "en"
    args = [campaign.slug, selection.pk]
    manage = client.get(reverse("selection:manage", args=args)).content.decode()
    assert 'name="format_kind"' in manage and "name=\"random_known_at\"" in manage
    refused = client.post(reverse("selection:announce", args=args), {
        "random_source": "Les cinq numéros du Loto du 10 mars", "witnesses": "Maître Dupont",
        "random_known_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "format_kind": "lottery", "lottery_count": "5"})
    assert refused.status_code == 400 and "distinct numbers" in refused.content.decode()
    response = client.post(reverse("selection:announce", args=args), {
        "random_source": "Les cinq numéros du Loto du 10 mars", "witnesses": "Maître Dupont",
        "random_known_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "format_kind": "lottery",
        "lottery_count": "5", "lottery_low": "1", "lottery_high": "49"})
    assert response.status_code == 302
    selection.refresh_from_db()
    assert selection.random_format == LOTO
    client.logout()  # forgets every cookie, the language one too
    client.cookies["django_language"] = "en"
    public = client.get(reverse("selection:detail", args=args)).content.decode()
    assert "5 distinct whole numbers from 1 to 49" in public
    assert random_format_example(LOTO) in public
    client.force_login(organiser_dina)
    refused = client.post(reverse("selection:draw", args=args), {"random_value": "7 12 23 38"})
    assert refused.status_code == 400 and 'id="id_random_value_error"' in refused.content.decode()
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ANNOUNCED


# --- verify.py ------------------------------------------------------------------------------------------


def _verify(doc, tmp_path, capsys):
    path = tmp_path / "selection.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code = verify.main([str(path)])
    return code, capsys.readouterr().out


def _with_value(doc, value):
    """The file as a dishonest organiser would publish it: another spelling, ticket and panel recomputed."""
    doc = copy.deepcopy(doc)
    dist = Distribution.from_json(doc["distribution"])
    index, ticket = draw_panel(dist, value)
    doc["draw"].update(random_value=value, ticket=ticket, panel_index=index, panel=list(dist.panels[index]))
    doc["reserve"] = None
    return doc


def test_verify_refuses_a_non_canonical_value(client, campaign, pool, organiser_dina, tmp_path, capsys):
    selection = announced_selection(campaign, organiser_dina, count=5)
    services.selection_draw(by=organiser_dina, selection=selection, random_value="7 12 23 38 41")
    doc = client.get(reverse("selection:audit_json", args=[campaign.slug, selection.pk])).json()
    assert _verify(doc, tmp_path, capsys)[0] == 0
    for spelling in ["7 12 23 38 41", "07-12-23-38-41", "41-38-23-12-7"]:
        code, out = _verify(_with_value(doc, spelling), tmp_path, capsys)
        assert code == 1 and "forme canonique" in out, out
    no_format = copy.deepcopy(doc)
    no_format["meta"]["random_format"] = None
    code, out = _verify(no_format, tmp_path, capsys)
    assert code == 1 and "aucun format annoncé" in out


def test_migration_reopens_announcements_without_format(campaign, pool, organiser_dina):
    import importlib

    migration = importlib.import_module("concerto.selection.migrations.0002_random_format")
    selection = announced_selection(campaign, organiser_dina)
    type(selection).objects.filter(pk=selection.pk).update(random_format={})
    migration.reopen_announcements_without_format(apps, None)
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.PUBLISHED and selection.announced_at is None

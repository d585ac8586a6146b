"""Quota messages name sectors and answers by their labels, never « place-amandiers » (sector) (issue 10)."""

import pytest
from django.urls import reverse
from django.utils import translation

from concerto.selection import selectors, services
from concerto.selection.models import Selection, SelectionStatus

from .factories import create_selection, make_pool

pytestmark = pytest.mark.django_db


def _failed(campaign, organiser, quotas):
    make_pool(campaign, 8)
    selection = create_selection(campaign, organiser, quotas=[])
    # Stored quotas the form would refuse (a sector's quota changed behind the form's back): the
    # algorithms refuse them, as data.
    Selection.objects.filter(pk=selection.pk).update(quotas=quotas)
    selection.refresh_from_db()
    selection = services.selection_compute(by=organiser, selection=selection, inline=True)
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.FAILED
    return selection


def test_a_failed_computation_names_the_sector_not_its_code(client, campaign, organiser_dina):
    selection = _failed(campaign, organiser_dina, [{"category": "sector", "value": "nord", "min": 3, "max": 1}])
    with translation.override("en"):
        assert selectors.failure_text(selection) == (
            "The quota “Nord (Sector)” has a minimum (3) above its maximum (1).")
    client.force_login(organiser_dina)
    page = client.get(reverse("selection:manage", args=[campaign.slug, selection.pk])).content.decode()
    failure = page[page.index('<p class="error">'):][:400]
    assert "Nord" in failure and "« nord »" not in failure and "(sector)" not in failure


def test_a_quota_on_a_removed_answer_reads_as_such(campaign, organiser_dina):
    selection = _failed(campaign, organiser_dina, [{"category": "ancienne", "value": "x", "min": 2, "max": 1}])
    with translation.override("en"):
        text = selectors.failure_text(selection)
    assert "ancienne" not in text and "no longer" in text


def test_conflicts_on_unknown_categories_never_show_codes():
    selection = Selection(infeasibility={"conflicts": [
        {"code": "too_few_volunteers", "category": "sector", "value": "place-amandiers", "min": 2, "available": 1}]})
    with translation.override("en"):
        [text] = selectors.conflict_messages(selection, {})
    assert "place-amandiers" not in text and "sector" not in text.replace("Sector", "")

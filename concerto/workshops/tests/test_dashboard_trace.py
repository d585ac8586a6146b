"""An action's path (dashboard) from a workshop sheet: the wall's ideas appear once the workshop is
closed, as in its minutes; the people present, never who wrote an idea."""

import pytest
from django.urls import reverse

from concerto.workshops import services
from concerto.workshops.models import Idea, Phase

from .sheets_world import fill_wall, make_workshop, move_to
from .test_sheets import sheet


@pytest.fixture
def workshop(campaign, organiser_dina, facilitator_fanny):
    w = make_workshop(campaign, organiser_dina, facilitators=[facilitator_fanny])
    fill_wall(w, facilitator=facilitator_fanny)
    return move_to(w, Phase.SHEETS, facilitator_fanny)


def test_trace_shows_the_ideas_once_the_workshop_is_closed(client, campaign, workshop, facilitator_fanny):
    ideas = list(Idea.objects.filter(workshop=workshop, merged_into__isnull=True).order_by("pk")[:2])
    s = sheet(facilitator_fanny, workshop, idea_ids=[i.pk for i in ideas])
    services.sheet_status_set(by=facilitator_fanny, workshop=workshop, sheet_id=s.pk, status="retained")
    services.sheets_publish(by=facilitator_fanny, workshop=workshop)
    s.refresh_from_db()
    url = reverse("dashboard:action_trace", args=[campaign.slug, s.action_id])

    trace = client.get(url).context["trace"]
    assert trace["workshop"]["workshop"]["number"] == workshop.number
    assert trace["workshop"]["workshop"]["present"] == 11  # 12 on the list, one excused
    assert trace["workshop"]["ideas"] == []  # not closed: the wall is not public yet

    move_to(workshop, Phase.CLOSED, facilitator_fanny)
    page = client.get(url)
    assert [i["text"] for i in page.context["trace"]["workshop"]["ideas"]] == [i.text for i in ideas]
    html = page.content.decode()
    assert reverse("workshops:minutes", args=[campaign.slug, workshop.pk]) in html
    assert "Personne 0" not in html  # who wrote an idea is never shown

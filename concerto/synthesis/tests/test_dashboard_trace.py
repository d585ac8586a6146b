"""An action's trace page (dashboard) with a held show: every candidate's position and a replay link."""

from django.urls import reverse
from django.utils.html import escape


def test_trace_with_live_event(client, campaign, held_show, candidates, actions):
    action = actions[0]
    response = client.get(reverse("dashboard:action_trace", args=[campaign.slug, action.pk]))
    assert response.status_code == 200
    reactions = response.context["trace"]["reactions"]
    assert [r["candidate"].pk for r in reactions["rows"]] == [c.pk for c in candidates]
    assert reactions["positions"] == len(candidates)
    assert reactions["events"] and reactions["replays"]
    html = response.content.decode()
    for candidate in candidates:
        assert escape(candidate.list_name) in html

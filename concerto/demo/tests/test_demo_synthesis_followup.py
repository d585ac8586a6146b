"""The demo's follow-up board: a fictional elected list marked after the demo's last round, its
commitments from its favourable positions, a few dated updates with evidence after the election."""

import datetime as dt

import pytest

from concerto.campaigns.models import Campaign
from concerto.campaigns.selectors import election_rounds
from concerto.core.models import AuditEntry
from concerto.demo.services import SLUG
from concerto.synthesis import selectors

pytestmark = pytest.mark.django_db


def test_the_follow_up_board_of_the_demo(demo):
    campaign = Campaign.objects.get(slug=SLUG)
    elected = selectors.elected_list(campaign)
    last = election_rounds(campaign)[-1]
    assert elected is not None and elected.round_number == last.number
    assert elected.marked_at.date() == last.vote_date + dt.timedelta(days=1)  # the morning after the vote
    board = selectors.commitments(campaign)
    assert len(board) >= 6
    assert {c.stance for c in board} <= set(selectors.COMMITMENT_STANCES)
    updates = selectors.board_updates(campaign)
    assert len(updates) == 9
    assert all(u.happened_on > last.vote_date and u.evidence_url.startswith("https://") for u in updates)
    assert all(u.created_at.date() == u.happened_on for u in updates)  # recorded on their day
    statuses = {c.status for c in board}
    assert {"kept", "compromise", "broken", "stalled", "in_the_works", "not_rated"} <= statuses
    assert [y["number"] for y in selectors.term_years(campaign, today=last.vote_date)] == [1, 2]
    assert AuditEntry.objects.filter(code="synthesis.commitment.updated", scope=SLUG).count() == 9

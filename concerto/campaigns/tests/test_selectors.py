"""The phase calendar decides what may happen now."""

from datetime import timedelta

from concerto.campaigns.models import Campaign, Phase, PhaseKind
from concerto.campaigns.selectors import campaign_list, phase_is_open, phase_timeline


def _participation(campaign) -> Phase:
    return Phase.objects.get(campaign=campaign, kind=PhaseKind.PARTICIPATION)


def test_a_phase_is_open_from_its_start_included_to_its_end_excluded(campaign):
    phase = _participation(campaign)
    assert phase_is_open(campaign, PhaseKind.PARTICIPATION, now=phase.starts_at)
    assert phase_is_open(campaign, PhaseKind.PARTICIPATION, now=phase.ends_at - timedelta(microseconds=1))
    assert not phase_is_open(campaign, PhaseKind.PARTICIPATION, now=phase.ends_at)
    assert not phase_is_open(campaign, PhaseKind.PARTICIPATION, now=phase.starts_at - timedelta(seconds=1))


def test_a_past_participation_phase_is_closed(closed_campaign):
    assert not phase_is_open(closed_campaign, PhaseKind.PARTICIPATION)


def test_a_campaign_without_that_phase_is_closed(campaign):
    _participation(campaign).delete()
    assert not phase_is_open(campaign, PhaseKind.PARTICIPATION)


def test_the_timeline_lists_every_phase_in_order_with_its_state(campaign):
    timeline = phase_timeline(campaign)
    assert len(timeline) == len(PhaseKind.values)
    starts = [row["phase"].starts_at for row in timeline]
    assert starts == sorted(starts)
    states = {row["kind"]: row["state"] for row in timeline}
    assert states[PhaseKind.PARTICIPATION] == "current"
    assert states[PhaseKind.INVITATION] == "past"


def test_only_public_campaigns_are_listed(campaign, other_campaign):
    Campaign.objects.filter(pk=other_campaign.pk).update(is_public=False)
    assert list(campaign_list()) == [campaign]

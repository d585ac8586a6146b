"""Reads for door to door and paper, built for the pages that use them (no N+1).

Sections: the ambassador's app; devices and rounds; the organiser's view; review; paper; linking.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q

from concerto.letters import selectors as letter_selectors

from .models import (
    COUNTED_BATCH,
    OPENED_OUTCOMES,
    Channel,
    LinkDismissal,
    Outcome,
    Participation,
    Visit,
)

# --- Figures: the campaign's door-to-door and paper numbers -------------------------------------


def door_visit_count(campaign) -> int:
    """Doors knocked (absent included) in counted batches: the public ``door_to_door_visits``."""
    return Visit.objects.filter(campaign=campaign, batch__status__in=COUNTED_BATCH).count()


def visit_figures(campaign) -> dict:
    """Doors knocked, opened and talked at, and the residents who took part at a door or on paper,
    counted only from counted batches (a held or rejected batch counts nothing). One query for the
    visits, one for the participations."""
    visits = Visit.objects.filter(campaign=campaign, batch__status__in=COUNTED_BATCH).aggregate(
        visits=Count("id"),
        opened=Count("id", filter=Q(outcome__in=OPENED_OUTCOMES)),
        talked=Count("id", filter=Q(outcome=Outcome.TALKED)),
    )
    # Participations exist only once applied, so they are counted already; a paper one has no visit.
    by_channel = dict(Participation.objects.filter(campaign=campaign).order_by()
                      .values_list("channel").annotate(n=Count("id")).values_list("channel", "n"))
    return {
        "door_to_door_visits": visits["visits"],
        "doors_opened": visits["opened"],
        "doors_talked": visits["talked"],
        "door_participants": by_channel.get(Channel.DOOR_TO_DOOR, 0),
        "paper_participants": by_channel.get(Channel.PAPER, 0),
    }


# --- Linking: a resident recognises their door or paper participation ---------------------------


@dataclass(frozen=True)
class LinkCandidate:
    """A door or paper participation of the resident's household they may recognise as theirs.
    Only the day, the channel and the initials written down are shown: never what was supported or
    proposed (another member of the household may have said it)."""

    id: int
    channel: str
    at: datetime
    initials: str


def link_households(user, campaign) -> set[int]:
    """The household of the letter code ``user`` joined this campaign with. If you change this,
    change ``services._households_of`` too: the prompt and the link must agree."""
    if user is None or not user.is_authenticated:
        return set()
    return {h for h in letter_selectors.households_of_users(campaign, [user.pk]).values() if h}


def link_candidates(user, campaign) -> list[LinkCandidate]:
    """What the campaign home asks a signed-in resident: participations of their own household, not
    yet linked, not theirs already, and not dismissed by them. Two queries at most."""
    households = link_households(user, campaign)
    if not households:
        return []
    rows = (Participation.objects.filter(campaign=campaign, household_id__in=households, linked_at__isnull=True)
            .exclude(user=user)
            .exclude(Exists(LinkDismissal.objects.filter(participation=OuterRef("pk"), user=user)))
            .order_by("consent_at", "pk")
            .values_list("pk", "channel", "consent_at", "initials"))
    return [LinkCandidate(id=pk, channel=channel, at=at, initials=initials) for pk, channel, at, initials in rows]

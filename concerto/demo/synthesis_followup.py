"""Demo: the follow-up board of Saint-Jérôme after a fictional election, through the synthesis services.

How the dates are chosen. The demo's election rounds (``demo.live_event._election_rounds``) follow
the synthesis phase, so when the demo is loaded the election is usually still to come. The
follow-up needs it past: this part is played on a clock of its own, set after the fictional
election (``_followup_clock``), the way the live-event demo plays its show on yesterday's clock.

- the elected list is marked the morning after the polls of the last round closed (E + 1 day);
- the updates are dated from E + 3 weeks to E + 14 months (the term's first year complete, its
  second begun), each recorded the day it happened; the services are given that day as "today".

Their dates may therefore lie after the day the demo is loaded: the board, like the rest of the
demo, tells a plausible story, not the present. The list picked as elected is the one with the
most commitments (its latest positions "commits", "favourable", "with changes"), so that the
board is full; nothing in the demo says any real list won anything.
"""

import datetime as dt
import uuid
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.utils import timezone

from concerto.campaigns.selectors import election_rounds
from concerto.live_event import selectors as live_selectors
from concerto.synthesis import selectors, services

# (days after the election day, status, title, note, evidence path) per commitment, in board order;
# commitments not listed stay "not yet rated".
STORIES = [
    [(21, "in_the_works", "Inscrit au premier budget du mandat",
      "Le conseil municipal a voté les crédits d'études au budget primitif.", "conseil/2026-budget-primitif"),
     (190, "kept", "Réalisé et inauguré", "Les travaux sont terminés ; le comité de quartier a visité le chantier.",
      "actualites/inauguration")],
    [(45, "in_the_works", "Étude confiée aux services techniques", "", "conseil/deliberation-42"),
     (300, "compromise", "Réalisé en partie", "Deux rues sur les cinq prévues ; le reste est reporté sans date.",
      "conseil/deliberation-87")],
    [(60, "in_the_works", "Concertation lancée avec les commerçants", "", "actualites/concertation-commerces"),
     (250, "stalled", "Projet suspendu", "Le financement régional attendu n'a pas été obtenu.",
      "conseil/commission-finances")],
    [(120, "broken", "Abandonné", "La municipalité a renoncé au projet, jugé trop coûteux.",
      "conseil/deliberation-103")],
    [(380, "in_the_works", "Marché public attribué", "Les travaux commencent au printemps.",
      "marches-publics/avis-2027-12")],
    [(30, "kept", "Mis en place dès l'été", "", "actualites/ete-au-quartier")],
]
EVIDENCE_SITE = "https://mairie-saint-jerome.example.org/"


class _Clock:
    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at


@contextmanager
def _followup_clock(at):
    # The services and the audit trail read django.utils.timezone.now: the follow-up happens at its
    # own (fictional) time. The loader is a one-off command or a test fixture, never a request.
    clock = _Clock(at)
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


def _at(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def load_followup(*, campaign, organiser) -> dict:
    """Mark a fictional elected list after the demo's last round, and add a few dated updates with
    evidence to its commitments. Returns the figures for ``load_demo``'s summary."""
    # A fresh instance: campaigns.selectors caches the rounds on it, maybe from before they were set.
    campaign = type(campaign).objects.get(pk=campaign.pk)
    rounds = election_rounds(campaign)
    candidates = live_selectors.candidate_list(campaign)
    if not rounds or not candidates:
        return {"followup_commitments": 0, "followup_updates": 0}
    election_day = rounds[-1].vote_date
    chosen = max(candidates, key=lambda c: (sum(
        1 for s in selectors.candidate_stances(campaign, c).values() if s in selectors.COMMITMENT_STANCES),
        -c.ballot_order))
    with _followup_clock(_at(election_day + timedelta(days=1), 9)) as clock:
        services.elected_list_mark(by=organiser, campaign=campaign, candidate_id=chosen.pk)
        board = selectors.commitments(campaign)
        planned = sorted(((days, commitment, story) for commitment, steps in zip(board, STORIES, strict=False)
                          for days, *story in steps), key=lambda row: row[0])
        added = 0
        for days, commitment, (status, title, note, path) in planned:
            day = election_day + timedelta(days=days)
            clock.at = _at(day, 17)
            _update, created = services.commitment_update_add(
                by=organiser, campaign=campaign, commitment_id=commitment.pk, title=title, happened_on=day,
                status=status, note=note, evidence_url=EVIDENCE_SITE + path, client_id=str(uuid.uuid4()), today=day)
            added += created
    return {"followup_commitments": len(board), "followup_updates": added, "followup_list": chosen.list_name}

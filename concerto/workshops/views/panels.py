"""What each wall phase adds to the wall pages' context, for a facilitator (``runner=True``) or a
participant's seat. The wall views (wall.py) render ``workshops/wall/_panel_<phase>.html`` for
facilitators and ``workshops/wall/_seat_<phase>.html`` for participants with this context."""

from ..models import Phase
from . import sheets, vote, wall


def phase_context(request, workshop, *, seat, runner: bool) -> dict:
    builders = {
        Phase.PLANNED: wall.planned_context,
        Phase.COLLECT: wall.collect_context,
        Phase.REVEAL: wall.reveal_context,
        Phase.CLUSTER: vote.cluster_context,
        Phase.VOTE: vote.vote_context,
        Phase.SHEETS: sheets.sheets_context,
        Phase.CLOSED: sheets.closed_context,
    }
    return builders[workshop.phase](request, workshop, seat=seat, runner=runner)

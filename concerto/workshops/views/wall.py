"""wall views."""

urlpatterns: list = []
room_urlpatterns: list = []


def planned_context(request, workshop, *, seat, runner: bool) -> dict:
    return {}  # filled by its owner (see /work/wt/BRIEF.md)


def collect_context(request, workshop, *, seat, runner: bool) -> dict:
    return {}  # filled by its owner (see /work/wt/BRIEF.md)


def reveal_context(request, workshop, *, seat, runner: bool) -> dict:
    return {}  # filled by its owner (see /work/wt/BRIEF.md)

"""sheets views."""

urlpatterns: list = []
room_urlpatterns: list = []


def sheets_context(request, workshop, *, seat, runner: bool) -> dict:
    return {}  # filled by its owner (see /work/wt/BRIEF.md)


def closed_context(request, workshop, *, seat, runner: bool) -> dict:
    return {}  # filled by its owner (see /work/wt/BRIEF.md)

"""vote views."""

urlpatterns: list = []
room_urlpatterns: list = []


def cluster_context(request, workshop, *, seat, runner: bool) -> dict:
    return {}  # filled by its owner (see /work/wt/BRIEF.md)


def vote_context(request, workshop, *, seat, runner: bool) -> dict:
    return {}  # filled by its owner (see /work/wt/BRIEF.md)

"""The ``event:<id>`` (public) and ``eventroom:<id>`` (control room) live topics.

``event`` carries the whole public state of the set (``selectors.event_public_state``): the live
page and the overlays apply it as it comes, and restore it whole from any single message.
``eventroom`` adds what only the people running the set see (the gap against equal time, questions
waiting), and only they may watch it.
"""

from concerto.core import live

from .models import Event


def _event(ident: str):
    if not ident.isdigit():
        return None
    return Event.objects.filter(pk=int(ident)).select_related("campaign").first()


def authorize_public(user, ident: str) -> bool:
    from . import rules

    event = _event(ident)
    return event is not None and rules.can_view_event(user, event)


def authorize_room(user, ident: str) -> bool:
    from . import rules

    event = _event(ident)
    return event is not None and rules.can_run_event(user, event)


def snapshot_public(ident: str) -> dict:
    from .selectors import event_public_state

    event = _event(ident)
    return event_public_state(event) if event is not None else {}


def snapshot_room(ident: str) -> dict:
    from .selectors import event_room_state

    event = _event(ident)
    return event_room_state(event) if event is not None else {}


def record_watchers(ident: str, count: int) -> None:
    """The live page's audience peak (``selectors.audience_peak``): the most viewers of the public
    topic one stream process held at once, kept in the cache with when it was reached."""
    from .selectors import audience_peak_record

    audience_peak_record(ident, count)


def register() -> None:
    live.register("event", authorize=authorize_public, snapshot=snapshot_public, watchers=record_watchers)
    live.register("eventroom", authorize=authorize_room, snapshot=snapshot_room)

"""Topic kinds: what may be streamed, who may watch it, and its current state.

Core knows no domain: each app registers its kinds in ``AppConfig.ready`` (like
``core.journal.register_target``). A topic is ``<kind>:<ident>``, e.g. ``action:42`` or
``figures:saint-jerome``.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

_TOPIC = re.compile(r"([a-z][a-z0-9_-]{0,31}):([A-Za-z0-9_-]{1,64})")


@dataclass(frozen=True)
class TopicKind:
    name: str
    # authorize(user, ident) -> bool: may this user (AnonymousUser included) watch the topic?
    # Runs at connect, in a thread, with database access; deny by default (False, or raise).
    authorize: Callable
    # snapshot(ident) -> dict: the full current state, sent when a viewer's Last-Event-ID is too
    # old or unknown, on a first connect, and after a "changed" notice (publish without data).
    snapshot: Callable
    # watchers(ident, count), optional: told, in a worker thread, how many viewers of this stream
    # process watch the topic each time one more connects (live_event keeps its audience peak).
    watchers: Callable | None = None


_kinds: dict[str, TopicKind] = {}


def register(name: str, *, authorize: Callable, snapshot: Callable, watchers: Callable | None = None) -> None:
    _kinds[name] = TopicKind(name, authorize, snapshot, watchers)


def kind_of(topic: str) -> tuple[TopicKind, str] | None:
    """(kind, ident) of a well-formed topic of a registered kind, else None."""
    match = _TOPIC.fullmatch(topic or "")
    if match is None or match.group(1) not in _kinds:
        return None
    return _kinds[match.group(1)], match.group(2)

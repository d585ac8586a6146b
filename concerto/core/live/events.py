"""An event of the channel, its id (the SSE id), and the Server-Sent Events wire format."""

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    id: str  # "<ms>-<seq>": a Redis Stream id, or the memory broker's own of the same shape
    topic: str
    data: dict | None  # the full state; None: "changed", the stream process takes a snapshot
    version: int | None = None  # orders two states of one topic published from racing commits


def id_key(event_id: str) -> tuple[int, int] | None:
    """The id as a comparable pair; None if malformed (a client may send anything)."""
    head, sep, tail = (event_id or "").partition("-")
    if not sep or not head.isdigit() or not tail.isdigit() or len(event_id) > 40:
        return None
    return int(head), int(tail)


def newer(a: Event, b: Event | None) -> bool:
    """Is ``a`` a later state of its topic than ``b``? Versions when both have one, else stream order."""
    if b is None:
        return True
    if a.version is not None and b.version is not None:
        return a.version > b.version
    return id_key(a.id) > id_key(b.id)


def sse_frame(event: Event) -> str:
    # One line of JSON: json.dumps never emits a newline, so "data:" cannot be split or forged.
    body = json.dumps({"t": event.topic, "d": event.data}, separators=(",", ":"), ensure_ascii=False)
    return f"id: {event.id}\ndata: {body}\n\n"

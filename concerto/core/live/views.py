"""``GET /flux/?t=<topic>&t=<topic>``: one Server-Sent Events stream per browser tab.

Served by the ASGI stream process only (the proxy routes ``/flux/`` there); a WSGI process answers 503.
"""

import asyncio
import random
import time

from asgiref.sync import SyncToAsync, sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import hub as hub_module
from .events import Event, id_key, sse_frame
from .hub import Viewer, setting
from .topics import kind_of


def _refuse(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _authorized(request, topics: list[str]) -> bool:
    """Deny by default, at connect, then let go of the database: an idle stream holds no connection.
    (Under WSGI nothing streams, and the request's own connection stays Django's to close.)"""
    try:
        user = request.user
        user.is_authenticated  # noqa: B018 - loads the session and the user now, in this thread
        for topic in topics:
            kind, ident = kind_of(topic)
            if not kind.authorize(user, ident):
                return False
        return True
    finally:
        if isinstance(request, ASGIRequest):
            connections.close_all()


@require_GET
async def stream(request):
    topics = list(dict.fromkeys(request.GET.getlist("t")))
    if not topics:
        return _refuse(400, _("Name at least one topic."))
    if len(topics) > setting("LIVE_MAX_TOPICS"):
        return _refuse(400, _("Too many topics in one stream (at most %(max)s).") % {"max": setting("LIVE_MAX_TOPICS")})
    if any(kind_of(t) is None for t in topics):
        return _refuse(400, _("Unknown topic."))
    # The one refusal rule: what you may not see does not exist (404), as for the pages.
    if not await sync_to_async(_authorized)(request, topics):
        return _refuse(404, _("Not found."))
    if not isinstance(request, ASGIRequest):
        # A WSGI process would buffer the endless answer: the proxy sends /flux/ to the ASGI process.
        return _refuse(503, _("Live updates are served by the stream process."))
    last_event_id = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id", "")
    if last_event_id and id_key(last_event_id) is None:
        last_event_id = ""  # not one of ours: a snapshot puts the viewer right
    hub = hub_module.hub
    await hub.ensure_started()
    viewer = Viewer(topics)
    hub.add(viewer)  # before reading what was missed, so nothing falls between the two
    response = StreamingHttpResponse(_events(hub, viewer, last_event_id), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _release_request_thread() -> None:
    """Django's ASGI handler gives each request a one-thread executor for its sync middleware and
    keeps it until the answer ends: for a stream, an idle thread (and its stack) per viewer. The
    middleware has run by now; shut that thread down. A later sync call of this request (closing
    the answer) gets a new one from asgiref, which shuts it down at the request's end."""
    context = SyncToAsync.thread_sensitive_context.get(None)
    executor = SyncToAsync.context_to_thread_executor.pop(context, None) if context is not None else None
    if executor is not None:
        executor.shutdown(wait=False)


async def _events(hub, viewer: Viewer, last_event_id: str):
    try:
        viewer.task = asyncio.current_task()
        _release_request_thread()
        # Lifetime with some jitter, so the viewers of a node do not all reconnect in the same second.
        lifetime = setting("LIVE_MAX_STREAM_SECONDS")
        deadline = time.monotonic() + lifetime * random.uniform(0.9, 1.0)  # noqa: S311 - not a secret
        heartbeat = setting("LIVE_HEARTBEAT_SECONDS")
        yield f"retry: {setting('LIVE_RETRY_MS')}\n: open\n\n"
        chunk = _frames(viewer, await hub.initial(viewer, last_event_id))
        viewer.pending = {t: e for t, e in viewer.pending.items() if _after(e, viewer.last_id)}
        if chunk:
            yield chunk
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if not viewer.pending:
                try:
                    await asyncio.wait_for(viewer.wake.wait(), timeout=min(heartbeat, remaining))
                except TimeoutError:
                    yield ": hb\n\n"
                    continue
            chunk = _frames(viewer, viewer.take())
            if chunk:
                yield chunk
    finally:
        hub.remove(viewer)


def _after(event: Event, last_id: str) -> bool:
    return not last_id or (id_key(event.id) or (0, 0)) > (id_key(last_id) or (0, 0))


def _frames(viewer: Viewer, events: list[Event]) -> str:
    # Sorted by id; several snapshots of one connect share the position's id, hence "base".
    base, out = viewer.last_id, []
    for event in events:
        if _after(event, base):
            out.append(sse_frame(event))
            viewer.last_id = event.id
    return "".join(out)

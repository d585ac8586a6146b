"""ASGI entry points.

- ``application``: the whole project in one process (``make demo``, the live test server): pages,
  forms, the API and the streams.
- ``streams``: the stream process of the production topology (issue 11). It serves only paths under
  ``/flux/`` (server-sent events); anything else gets a plain 404, so a page routed here by mistake
  is never served by the slow path. ``/flux/healthz`` is Django's ``/healthz`` (database, Redis),
  for the proxy's active health check.
"""

import os

from django.core.asgi import get_asgi_application

from config.topology import STREAM_HEALTH_PATH, STREAM_PREFIX

# Production unless told otherwise: a forgotten variable must not serve the demo (issue 8, F9).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()

_NOT_FOUND = b"Not Found\n"


async def streams(scope, receive, send):
    if scope["type"] == "lifespan":
        # Django has no lifespan events: say "started"/"stopped" so the server needs no fallback.
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope.get("path") or "/"
    if scope["type"] == "http" and path == STREAM_HEALTH_PATH:
        await application({**scope, "path": "/healthz", "raw_path": b"/healthz"}, receive, send)
    elif scope["type"] == "http" and path.startswith(STREAM_PREFIX):
        await application(scope, receive, send)
    elif scope["type"] == "http":
        await send({"type": "http.response.start", "status": 404,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(_NOT_FOUND)).encode())]})
        await send({"type": "http.response.body", "body": _NOT_FOUND})
    else:  # websocket: none is served
        await send({"type": "websocket.close", "code": 1000})

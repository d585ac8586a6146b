"""WSGI entry point: pages, forms and the API (granian ``--interface wsgi``), everything but streams.

Server-sent events live under ``/flux/`` and are served by the stream process (``config.asgi:streams``):
a stream held open here would pin one of the few WSGI threads for as long as the viewer stays, so
this entry point answers them with a plain 404 instead of serving them slowly (issue 11).
"""

import os

from django.core.wsgi import get_wsgi_application

from config.topology import STREAM_PREFIX

# Production unless told otherwise: a forgotten variable must not serve the demo (issue 8, F9).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
_django = get_wsgi_application()


def application(environ, start_response):
    if (environ.get("PATH_INFO") or "/").startswith(STREAM_PREFIX):
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "10")])
        return [b"Not Found\n"]
    return _django(environ, start_response)

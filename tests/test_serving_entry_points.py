"""The two serving paths (issue 11), in process: WSGI never serves streams, the stream app nothing else.

The whole topology behind HAProxy is tested in tests/test_stack_failover.py (marker ``live``).
"""

import asyncio
import io

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from config.asgi import streams
from config.wsgi import application as wsgi

NOT_FOUND = (404, b"Not Found\n")


@pytest.fixture(autouse=True)
def _close_the_stream_threads_connections():
    """The ASGI app runs Django's sync code in asgiref's executor thread: close the connections it
    opened there, or the test database cannot be dropped at the end of the run."""
    yield
    asyncio.run(sync_to_async(connections.close_all)())


def call_wsgi(path: str):
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
               "wsgi.errors": io.StringIO(), "REMOTE_ADDR": "127.0.0.1"}
    body = b"".join(wsgi(environ, start_response))
    return seen["status"], body


def call_streams(path: str, scope_type: str = "http"):
    sent, requests = [], [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays until the response is over

    async def send(message):
        sent.append(message)

    scope = {"type": scope_type, "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80)}
    asyncio.run(streams(scope, receive, send))
    if scope_type != "http":
        return sent
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/flux/", "/flux/healthz", "/flux/anything/else"])
def test_wsgi_never_serves_streams(path):
    assert call_wsgi(path) == NOT_FOUND


@pytest.mark.django_db(transaction=True)  # a real request closes and reopens the connection
def test_wsgi_serves_pages():
    status, body = call_wsgi("/healthz")
    assert status == 200 and b'"database": true' in body


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/", "/healthz", "/c/saint-jerome/", "/api/v1/campaigns", "/flux", "/fluxx/"])
def test_stream_process_serves_nothing_but_streams(path):
    assert call_streams(path) == NOT_FOUND


@pytest.mark.django_db(transaction=True)
def test_stream_process_health_is_djangos():
    status, body = call_streams("/flux/healthz")
    assert status == 200 and b'"database": true' in body


def test_stream_process_lifespan_and_websockets():
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message["type"])

    asyncio.run(streams({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert call_streams("/flux/", scope_type="websocket") == [{"type": "websocket.close", "code": 1000}]

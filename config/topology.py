"""Which process serves what (issue 11): streams under ``/flux/`` on ASGI, the rest on WSGI.

Kept free of Django imports: the entry points read it before Django is set up, and the reverse
proxy configurations (``deploy/``) route on the same prefix.
"""

# Every server-sent event stream lives under this prefix, and nothing else does.
STREAM_PREFIX = "/flux/"
# The stream process's own health check (the proxy's active check): Django's /healthz, reached
# under the prefix so that the stream process never answers any other path.
STREAM_HEALTH_PATH = STREAM_PREFIX + "healthz"

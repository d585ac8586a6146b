"""The baseline under a WSGI server (granian): the same trivial Django view as ``asgi.py``."""
import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.trivial.settings"
application = get_wsgi_application()

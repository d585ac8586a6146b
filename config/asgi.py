import os

from django.core.asgi import get_asgi_application

# Production unless told otherwise: a forgotten variable must not serve the demo (issue 8, F9).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()

"""WSGI entry point for the benchmarks while the project has no ``config/wsgi.py`` of its own.

``bench/run.py`` serves ``config.wsgi:application`` when that file exists, this one otherwise:
both are Django's plain WSGI handler for ``DJANGO_SETTINGS_MODULE`` (``config.settings.bench``).
"""
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

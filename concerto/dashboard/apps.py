from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "concerto.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from . import live  # the app registry is ready: models may be imported now

        live.register()

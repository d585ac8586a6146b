from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "concerto.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from . import live  # the app registry is ready: models may be imported now

        live.register()

        # -- dashboard participation --: the link from an action's page to its trace.
        from concerto.proposals.selectors import register_action_extra

        from .selectors import action_trace_link

        register_action_extra(action_trace_link)

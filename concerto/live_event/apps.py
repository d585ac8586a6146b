from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveEventConfig(AppConfig):
    name = "concerto.live_event"
    label = "live_event"
    verbose_name = _("Live event")

    def ready(self):
        from . import live

        live.register()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "concerto.workshops"
    label = "workshops"
    verbose_name = _("Workshops")

    def ready(self):
        from . import live

        live.register()

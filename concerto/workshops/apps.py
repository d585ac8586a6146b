from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "concerto.workshops"
    label = "workshops"
    verbose_name = _("Workshops")

    def ready(self):
        from concerto.proposals.selectors import register_origin_note

        from . import live, selectors

        live.register()
        # An action published from a sheet names its workshop on its page (proposals cannot import
        # workshops: it calls what is registered here).
        register_origin_note(selectors.action_origin_note)

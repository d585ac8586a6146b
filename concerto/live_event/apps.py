from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveEventConfig(AppConfig):
    name = "concerto.live_event"
    label = "live_event"
    verbose_name = _("Live event")

    def ready(self):
        from concerto.proposals.selectors import register_action_section

        from . import live, selectors

        live.register()
        # The candidates' written reactions on each published action's page (proposals imports
        # nothing of live_event).
        register_action_section(selectors.action_reactions_section)

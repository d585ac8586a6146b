from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveEventConfig(AppConfig):
    name = "concerto.live_event"
    label = "live_event"
    verbose_name = _("Live event")

    def ready(self):
        from concerto.proposals.selectors import register_action_extra

        from . import live, report

        live.register()
        # The action's page links to its time on the set in the replay (proposals cannot import
        # live_event: it calls what is registered here).
        register_action_extra(report.action_replay_links)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveEventConfig(AppConfig):
    name = "concerto.live_event"
    label = "live_event"
    verbose_name = _("Live event")

    def ready(self):
        from concerto.proposals.selectors import register_action_extra, register_action_section

        from . import live, report, selectors

        live.register()
        # proposals cannot import live_event: the action's page calls what is registered here.
        # Its time on the set in the replay:
        register_action_extra(report.action_replay_links)
        # The candidates' written reactions:
        register_action_section(selectors.action_reactions_section)

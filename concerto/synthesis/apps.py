from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthesisConfig(AppConfig):
    name = "concerto.synthesis"
    label = "synthesis"
    verbose_name = _("Synthesis")

    def ready(self):
        from concerto.proposals.selectors import register_action_extra

        from . import selectors

        # -- amend --
        # The action's page links to its versions once it has two.
        register_action_extra(selectors.versions_link)
        # -- followup --: an action's page links to its commitment on the follow-up board.
        register_action_extra(selectors.action_followup_links)

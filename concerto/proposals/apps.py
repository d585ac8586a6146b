from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "concerto.proposals"
    label = "proposals"
    verbose_name = _("Actions and contributions")

    def ready(self):
        from concerto.core.journal import register_target

        from . import live, selectors  # the app registry is ready: models may be imported now

        register_target("proposals.action", selectors.journal_targets_actions)
        register_target("proposals.comment", selectors.journal_targets_comments)
        live.register()

        from concerto.core.state import track_models

        from .models import Theme

        track_models(Theme)  # cached campaign data (concerto.core.state)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionConfig(AppConfig):
    name = "concerto.selection"
    verbose_name = _("Selection")

    def ready(self):
        from concerto.core.journal import register_target

        from . import selectors  # the app registry is ready: models may be imported now

        register_target("selection.selection", selectors.journal_targets_selections)

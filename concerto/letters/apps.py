from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "concerto.letters"
    verbose_name = _("Letters and codes")

    def ready(self):
        from concerto.core.journal import register_target

        from . import selectors  # the app registry is ready: models may be imported now

        register_target("letters.household", selectors.journal_targets_households)
        register_target("letters.letterbatch", selectors.journal_targets_batches)

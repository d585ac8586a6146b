from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "concerto.residents"
    label = "residents"
    verbose_name = _("Residents and accounts")

    def ready(self):
        from concerto.core.journal import register_target

        from . import selectors  # the app registry is ready: models may be imported now

        register_target("residents.user", selectors.journal_targets_users)

        from concerto.core.state import track_viewer_models

        from .models import Membership, OrganisationMembership

        track_viewer_models(Membership, OrganisationMembership)  # cached roles (concerto.core.state)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "concerto.proposals"
    label = "proposals"
    verbose_name = _("Actions and contributions")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JoiningConfig(AppConfig):
    name = "concerto.joining"
    label = "joining"
    verbose_name = _("Joining with a code")

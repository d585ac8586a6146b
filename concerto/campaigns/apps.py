from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "concerto.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from concerto.core.state import track_models

        from .models import Campaign, ElectionRound, Organisation, Phase, Sector

        track_models(Organisation, Campaign, Phase, Sector, ElectionRound)  # cached campaign data (concerto.core.state)

"""Domain errors of campaigns: a stable code and a translated message."""

from django.utils.translation import gettext_lazy as _

from concerto.core.errors import NotFound


class CampaignNotFound(NotFound):
    code = "not_found"  # what API clients have always read for an unknown campaign
    message = _("This campaign does not exist.")

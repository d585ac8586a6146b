"""Domain errors of campaigns: a stable code and a translated message."""

from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotFound


class CampaignNotFound(NotFound):
    code = "not_found"  # what API clients have always read for an unknown campaign
    message = _("This campaign does not exist.")


class PhaseNotFound(NotFound):
    message = _("This phase does not exist.")


class SectorNotFound(NotFound):
    message = _("This sector does not exist.")


class SectorInUse(Invalid):
    code = "sector_in_use"
    message = _("Households, street rules, residents, actions or volunteers carry this sector: merge it into "
                "another sector instead of deleting it.")


class SectorInQuotas(Invalid):
    code = "sector_in_quotas"

    def __init__(self, titles: list[str]):
        super().__init__(_("The quotas of a selection not yet drawn name this sector (%(titles)s): change "
                           "those quotas first.") % {"titles": ", ".join(f"« {t} »" for t in titles)})

"""Domain errors of campaigns: a stable code and a translated message."""

from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed, NotFound


class CampaignNotFound(NotFound):
    code = "not_found"  # what API clients have always read for an unknown campaign
    message = _("This campaign does not exist.")


class OrganisationNotFound(NotFound):
    code = "organisation_not_found"
    message = _("This organisation does not exist.")


class OrganisationExists(Invalid):
    code = "organisation_exists"
    message = _("An organisation with this address already exists: nothing was changed.")


class CampaignArchived(NotAllowed):
    """A public act (joining, supporting, proposing…) on a campaign that ended."""

    code = "campaign_archived"
    message = _("This campaign is archived: it no longer accepts participation. Its pages stay readable.")


class CampaignAlreadyArchived(Invalid):
    code = "campaign_already_archived"
    message = _("This campaign is already archived.")


class CampaignNotArchived(Invalid):
    code = "campaign_not_archived"
    message = _("This campaign is not archived.")


class ConsentTextUnchanged(Invalid):
    code = "consent_text_unchanged"
    message = _("This text is the same as the current version: no new version was made.")


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


class ElectionRoundNotFound(NotFound):
    message = _("This election round does not exist.")


class ElectionFreeze(NotAllowed):
    code = "election_freeze"
    message = _("Nothing new can be published from 00:00 on the eve of the vote until the polls close "
                "(article L49 of the electoral code). The pages stay readable.")

"""Acts that span several apps, composed from their services."""

from django.db import transaction
from django.utils.translation import gettext as _

from concerto.campaigns import services as campaign_services
from concerto.campaigns import services as campaigns_services
from concerto.campaigns.errors import SectorInQuotas, SectorInUse, SectorNotFound
from concerto.campaigns.models import Sector
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors
from concerto.core.http import require
from concerto.letters.services import households_sector_move
from concerto.proposals.services import actions_sector_move, participation_erase
from concerto.residents import rules as resident_rules
from concerto.residents.services import account_delete as account_row_delete
from concerto.residents.services import campaign_creator_grant, memberships_sector_move
from concerto.selection.erasure import volunteer_account_erase
from concerto.selection.selectors import selections_with_sector_quota
from concerto.volunteers.services import volunteers_sector_move

from .selectors import sector_usage


def account_delete(*, user) -> None:
    """Erase a person: their comments and reports go, their supports stay counted, anonymised."""
    with transaction.atomic():
        participation_erase(user=user)
        volunteer_account_erase(user=user)  # before the row goes: drawn seats are kept and refilled
        account_row_delete(user=user)


def campaign_open(*, by, organisation, **fields):
    """An organisation administrator opens a campaign and becomes its first organiser, in one
    transaction. ``fields``: those of ``campaigns.services.campaign_create``. Checks ``by`` itself."""
    require(resident_rules.can_create_campaign(by, organisation))
    with transaction.atomic():
        campaign = campaigns_services.campaign_create(by=by, organisation=organisation, **fields)
        campaign_creator_grant(by=by, campaign=campaign)
    return campaign
# --------------------------------------------------------------------------------------------------
# Sectors deleted or merged (issue 10): every app that points at a sector moves or checks its rows,
# through its own service, in one transaction.
# --------------------------------------------------------------------------------------------------


def _sector_unquoted(campaign, sector) -> None:
    titles = selections_with_sector_quota(campaign, sector.code)
    if titles:
        raise SectorInQuotas(titles)


def sector_delete(*, by, campaign, sector_id) -> None:
    """Delete a sector nothing carries (``SectorInUse`` otherwise: merge it with ``sector_merge``)."""
    require(resident_rules.is_organiser(by, campaign), SectorNotFound)
    with transaction.atomic():
        sector = campaign_services.sector_get_for_update(by=by, campaign=campaign, sector_id=sector_id)
        if sector_usage(campaign, sector.pk)["total"]:
            raise SectorInUse()
        _sector_unquoted(campaign, sector)
        campaign_services.sector_row_delete(by=by, campaign=campaign, sector_id=sector.pk)
        log_action("campaigns.sector.deleted", actor=by, scope=campaign.slug, target=f"campaigns.sector:{sector.pk}",
                   name=sector.name, sector_code=sector.code)


def sector_merge(*, by, campaign, sector_id, into_id) -> Sector:
    """Everything in sector ``sector_id`` (households, street rules, residents, actions, volunteers) moves to
    ``into_id``, then the sector is deleted. Returns the sector kept."""
    require(resident_rules.is_organiser(by, campaign), SectorNotFound)
    try:
        into_id = int(into_id)
    except (TypeError, ValueError):
        raise FieldErrors({"into": _("Choose the sector to merge into.")}) from None
    with transaction.atomic():
        source = campaign_services.sector_get_for_update(by=by, campaign=campaign, sector_id=sector_id)
        try:
            target = campaign_services.sector_get_for_update(by=by, campaign=campaign, sector_id=into_id)
        except SectorNotFound:
            raise FieldErrors({"into": _("Choose one of the other sectors of this campaign.")}) from None
        if target.pk == source.pk:
            raise FieldErrors({"into": _("A sector cannot be merged into itself.")})
        _sector_unquoted(campaign, source)
        moved = households_sector_move(user=by, campaign=campaign, source=source, target=target)
        moved["residents"] = memberships_sector_move(by=by, campaign=campaign, source=source, target=target)
        moved["actions"] = actions_sector_move(by=by, campaign=campaign, source=source, target=target)
        moved["volunteers"] = volunteers_sector_move(by=by, campaign=campaign, source=source, target=target)
        campaign_services.sector_row_delete(by=by, campaign=campaign, sector_id=source.pk)
        log_action("campaigns.sector.merged", actor=by, scope=campaign.slug, target=target, name=source.name,
                   sector_code=source.code, into_name=target.name, into_code=target.code, **moved)
    return target

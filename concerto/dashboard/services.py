"""Acts that span several apps, composed from their services."""

from django.db import transaction

from concerto.campaigns import services as campaigns_services
from concerto.core.http import require
from concerto.proposals.services import participation_erase
from concerto.residents import rules as resident_rules
from concerto.residents.services import account_delete as account_row_delete
from concerto.residents.services import campaign_creator_grant
from concerto.selection.erasure import volunteer_account_erase


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

"""Acts that span several apps, composed from their services."""

from django.db import transaction

from concerto.proposals.services import participation_erase
from concerto.residents.services import account_delete as account_row_delete
from concerto.selection.erasure import volunteer_account_erase


def account_delete(*, user) -> None:
    """Erase a person: their comments and reports go, their supports stay counted, anonymised."""
    with transaction.atomic():
        participation_erase(user=user)
        volunteer_account_erase(user=user)  # before the row goes: drawn seats are kept and refilled
        account_row_delete(user=user)

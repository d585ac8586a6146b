"""Taking a place on a code (``services.code_use_take``), as joining does inside its transaction."""

import pytest
from django.db import transaction
from django.utils import timezone

from concerto.core.models import AuditEntry
from concerto.letters import selectors
from concerto.letters.codes import new_code
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.letters.services import code_use_take
from conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(campaign):
    household = Household.objects.create(campaign=campaign, address_line1="5 rue Basse", postcode="13013",
                                         city="Marseille", key="5 rue basse")
    return InvitationCode.objects.create(campaign=campaign, household=household, code=new_code(), max_uses=2)


def test_places_are_counted_until_none_is_left(code):
    first, second, third = (make_user(f"voisine{i}@example.org") for i in range(3))
    assert code_use_take(code=code, user=first) is not None
    use = code_use_take(code=code, user=second, pin_hash="hash")
    assert use.pin_hash == "hash" and code.use_count == 2
    assert code_use_take(code=code, user=third) is None
    assert code.use_count == 2 and code.revoked_at is None  # used up, not revoked
    assert selectors.code_use_of(code, third) is None
    assert AuditEntry.objects.filter(code="letters.code.used", data__household=code.household_id).count() == 2


def test_a_code_revoked_meanwhile_gives_no_place_and_says_so(code):
    InvitationCode.objects.filter(pk=code.pk).update(revoked_at=timezone.now())
    assert code.revoked_at is None  # the caller's copy is stale
    assert code_use_take(code=code, user=make_user("voisine@example.org")) is None
    assert code.revoked_at is not None and not CodeUse.objects.exists()


def test_the_place_is_given_back_when_the_callers_transaction_fails(code):
    user = make_user("voisine@example.org")
    with pytest.raises(RuntimeError), transaction.atomic():
        code_use_take(code=code, user=user)
        raise RuntimeError("the resident could not be verified")
    code.refresh_from_db()
    assert code.use_count == 0 and not CodeUse.objects.exists()

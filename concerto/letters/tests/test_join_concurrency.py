"""A household's code counts its uses exactly, even when its members all join at the same time.

Each thread is one request: it loads its own objects, waits at a barrier so that all of them hit
the database together, and closes its connection at the end (Django opens one per thread).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from concerto.letters.codes import new_code
from concerto.letters.joining import CodeUsedUp, code_redeem
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.residents.models import Membership, Verification
from conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20
BARRIER_TIMEOUT = 30


def _redeem(user_id, code_id, barrier):
    from concerto.residents.models import User

    try:
        user = User.objects.get(pk=user_id)
        code = InvitationCode.objects.select_related("campaign", "household__sector").get(pk=code_id)
        barrier.wait(timeout=BARRIER_TIMEOUT)
        return ("ok", code_redeem(user=user, code=code))
    except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
        return ("error", exc)
    finally:
        connection.close()


def _run(pairs):
    barrier = threading.Barrier(len(pairs))
    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        futures = [pool.submit(_redeem, uid, cid, barrier) for uid, cid in pairs]
        return [f.result(timeout=120) for f in futures]


def _code(campaign, max_uses):
    household = Household.objects.create(campaign=campaign, address_line1="3 rue Haute", postcode="13013",
                                         city="Marseille", key="3 rue haute")
    return InvitationCode.objects.create(campaign=campaign, household=household, code=new_code(), max_uses=max_uses)


def test_twenty_people_at_once_on_a_code_for_four(campaign):
    code = _code(campaign, 4)
    users = [make_user(f"membre{i}@example.org") for i in range(THREADS)]
    results = _run([(u.pk, code.pk) for u in users])
    ok = [value for status, value in results if status == "ok"]
    errors = [value for status, value in results if status == "error"]
    assert len(ok) == 4
    assert len(errors) == THREADS - 4 and all(isinstance(e, CodeUsedUp) for e in errors), errors
    code.refresh_from_db()
    assert code.use_count == 4 == CodeUse.objects.filter(code=code).count()
    assert Membership.objects.filter(campaign=campaign, verification=Verification.LETTER).count() == 4


def test_one_person_twenty_times_at_once_counts_once(campaign):
    code = _code(campaign, 4)
    user = make_user("presse@example.org")
    results = _run([(user.pk, code.pk)] * THREADS)
    assert [value for status, value in results if status == "error"] == []
    code.refresh_from_db()
    assert code.use_count == 1 == CodeUse.objects.filter(code=code).count()

"""A household's code counts its uses exactly, even when its members all join at the same time.

Each thread is one request: it loads its own objects, waits at a barrier so that all of them hit
the database together, and closes its connection at the end (Django opens one per thread).
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection

from concerto.core.errors import RateLimited
from concerto.core.models import AuditEntry
from concerto.joining.errors import CodeNotFound, CodeUsedUp, PinSignInFailed
from concerto.joining.services import code_join_with_pin, code_lookup, code_redeem, pin_sign_in
from concerto.letters.codes import new_code
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.residents.models import Membership, Verification
from conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20
BARRIER_TIMEOUT = 30
IP = "203.0.113.9"


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


# --- Failure budgets under a burst --------------------------------------------------------------


def _burst(fn, args_list):
    barrier = threading.Barrier(len(args_list))

    def one(args):
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT)
            return ("ok", fn(**args))
        except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
            return ("error", exc)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(args_list)) as pool:
        return [f.result(timeout=120) for f in [pool.submit(one, a) for a in args_list]]


@pytest.fixture
def slow_hash(monkeypatch):
    """Checking a PIN takes a while, as PBKDF2 does in production: a window for the burst to race in."""
    from concerto.joining import services

    real = services.check_password

    def slow(*args, **kwargs):
        time.sleep(0.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "check_password", slow)


def test_a_burst_of_pins_checks_no_more_than_the_budget(campaign, slow_hash):
    code = _code(campaign, 4)
    owner = code_join_with_pin(campaign=campaign, text=code.code, ip="192.0.2.1", display_name="Marco", pin="4071",
                               pin_again="4071").user
    budget = settings.CONCERTO_RATE_LIMITS["code_pin_code_ip"][0]
    pins = [f"{5000 + i}" for i in range(29)] + ["4071"]
    results = _burst(pin_sign_in, [{"text": code.code, "pin": pin, "ip": IP} for pin in pins])
    wrong = [v for status, v in results if status == "error" and isinstance(v, PinSignInFailed)]
    refused = [v for status, v in results if status == "error" and isinstance(v, RateLimited)]
    signed_in = [v for status, v in results if status == "ok"]
    assert len(wrong) + len(refused) + len(signed_in) == len(pins), results
    # At most the budget's number of PINs were checked; the rest were refused unchecked.
    assert len(wrong) + len(signed_in) <= budget
    assert signed_in in ([], [owner])
    assert AuditEntry.objects.filter(code="letters.pin.failed").count() == len(wrong)


def test_a_burst_of_wrong_codes_looks_up_no_more_than_the_budget(campaign):
    budget = settings.CONCERTO_RATE_LIMITS["join_code_ip"][0]
    results = _burst(code_lookup, [{"campaign": campaign, "text": new_code(), "ip": IP} for _ in range(30)])
    not_found = [v for status, v in results if status == "error" and isinstance(v, CodeNotFound)]
    refused = [v for status, v in results if status == "error" and isinstance(v, RateLimited)]
    assert len(not_found) + len(refused) == 30, results
    assert len(not_found) == budget

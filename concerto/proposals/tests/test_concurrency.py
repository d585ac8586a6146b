"""One resident, one support, exact counts: under many simultaneous requests, on SQLite and PostgreSQL.

Each thread is one request: it loads its own objects, waits at a barrier so that all of them hit
the database together, and closes its connection at the end (Django opens one per thread).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from concerto.proposals.errors import ActionNotSupportable
from concerto.proposals.models import Action, ActionStatus, Support
from concerto.proposals.services import (
    action_create_published_by_system,
    action_merge,
    support_add,
    support_withdraw,
)
from concerto.residents.models import Membership, Role, User
from conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

# All at once on SQLite; PostgreSQL allows 100 connections by default, so batches of 40 there.
MAX_PARALLEL = 200 if connection.vendor == "sqlite" else 40
BARRIER_TIMEOUT = 30


def _as_request(fn, user_id: int, action_id: int, barrier: threading.Barrier):
    """Run ``fn(user, action)`` like a request of its own; return ("ok", value) or ("error", exception)."""
    try:
        user = User.objects.get(pk=user_id)
        action = Action.objects.select_related("campaign").get(pk=action_id)
        barrier.wait(timeout=BARRIER_TIMEOUT)
        return ("ok", fn(user=user, action=action))
    except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
        return ("error", exc)
    finally:
        connection.close()


def _run_in_batches(calls, batch_size=MAX_PARALLEL):
    """Run ``(fn, user_id, action_id)`` calls, ``batch_size`` at a time, each batch released together."""
    results = []
    with ThreadPoolExecutor(max_workers=batch_size) as pool:
        for start in range(0, len(calls), batch_size):
            batch = calls[start:start + batch_size]
            barrier = threading.Barrier(len(batch))
            futures = [pool.submit(_as_request, fn, uid, aid, barrier) for fn, uid, aid in batch]
            results.extend(f.result(timeout=120) for f in futures)
    return results


def _errors(results):
    return [value for status, value in results if status == "error"]


def _count_and_rows(action) -> tuple[int, int]:
    action.refresh_from_db()
    return action.support_count, Support.objects.filter(action=action).count()


def _residents(campaign, n):
    return [make_user(f"voisin{i}@example.org", campaign=campaign, role=Role.RESIDENT) for i in range(n)]


def test_fifty_simultaneous_supports_by_one_resident_count_once(resident_alice, published_action):
    n = 50
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        results[i] = _as_request(support_add, resident_alice.pk, published_action.pk, barrier)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert _errors(results) == []
    assert sorted(value for _status, value in results) == [False] * (n - 1) + [True]
    assert _count_and_rows(published_action) == (1, 1)


def test_two_hundred_residents_supporting_at_once_are_all_counted(campaign, published_action):
    residents = _residents(campaign, 200)

    results = _run_in_batches([(support_add, r.pk, published_action.pk) for r in residents])

    assert _errors(results) == []
    assert all(value is True for _status, value in results)
    assert _count_and_rows(published_action) == (200, 200)


def test_simultaneous_first_supports_by_an_outsider_join_once_and_count_once(
    resident_elsewhere, campaign, published_action
):
    results = _run_in_batches([(support_add, resident_elsewhere.pk, published_action.pk)] * 20)

    assert _errors(results) == []
    assert sorted(value for _status, value in results) == [False] * 19 + [True]
    assert Membership.objects.filter(user=resident_elsewhere, campaign=campaign, role=Role.RESIDENT).count() == 1
    assert _count_and_rows(published_action) == (1, 1)


def test_simultaneous_supports_and_withdrawals_keep_the_count_exact(campaign, published_action):
    residents = _residents(campaign, 60)
    already = residents[:30]
    for r in already:
        support_add(user=r, action=published_action)
    # Everyone both adds and withdraws at the same moment: a double click on the toggle button,
    # or two tabs. Interleaved so each batch mixes both kinds on the same people.
    calls = []
    for r in residents:
        calls.append((support_add, r.pk, published_action.pk))
        calls.append((support_withdraw, r.pk, published_action.pk))

    results = _run_in_batches(calls)

    assert _errors(results) == []
    count, rows = _count_and_rows(published_action)
    assert count == rows
    # Each person ends with at most one support, and each call's answer tells the truth.
    assert Support.objects.filter(action=published_action).values("user").distinct().count() == rows
    added = sum(1 for (fn, _u, _a), (_s, v) in zip(calls, results, strict=True) if fn is support_add and v)
    withdrawn = sum(1 for (fn, _u, _a), (_s, v) in zip(calls, results, strict=True) if fn is support_withdraw and v)
    assert rows == len(already) + added - withdrawn


def test_merging_while_residents_support_and_withdraw_keeps_both_counts_exact(
    campaign, moderator_marc, published_action
):
    duplicate = action_create_published_by_system(
        campaign=campaign, title="Un feu devant l'école", summary="Un feu tricolore pour traverser en sécurité.",
        origin="workshop",
    )
    residents = _residents(campaign, 24)
    for r in residents[:16]:
        support_add(user=r, action=duplicate)
    for r in residents[8:20]:
        support_add(user=r, action=published_action)

    def merge(*, user, action):
        return action_merge(moderator=user, campaign=action.campaign, action_id=action.pk,
                            into_id=published_action.pk)

    calls = [(merge, moderator_marc.pk, duplicate.pk)]
    for r in residents:
        calls.append((support_withdraw, r.pk, duplicate.pk))
        calls.append((support_add, r.pk, published_action.pk))
        calls.append((support_add, r.pk, duplicate.pk))

    results = _run_in_batches(calls, batch_size=len(calls))

    # Supporting the duplicate once it is merged is refused with a domain error; nothing else fails.
    unexpected = [e for e in _errors(results) if not isinstance(e, ActionNotSupportable)]
    assert unexpected == []
    duplicate.refresh_from_db()
    assert duplicate.status == ActionStatus.MERGED
    assert _count_and_rows(duplicate) == (0, 0)
    count, rows = _count_and_rows(published_action)
    assert count == rows
    assert Support.objects.filter(action=published_action).values("user").distinct().count() == rows

from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from concerto.core import ratelimit
from concerto.core.errors import RateLimited


@pytest.fixture
def clock(monkeypatch):
    now = SimpleNamespace(value=1_700_000_040.0)
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now.value))
    return now


@pytest.fixture
def limits(settings):
    settings.CONCERTO_RATE_LIMITS = {"test": (3, 60)}


def test_attempts_past_the_limit_are_refused_with_a_stable_code(clock, limits):
    for _ in range(3):
        ratelimit.hit("test", "alice")
    with pytest.raises(RateLimited) as exc:
        ratelimit.hit("test", "alice")
    assert exc.value.code == "rate_limited"
    assert exc.value.status == 429


def test_limits_are_per_identity_and_case_insensitive(clock, limits):
    for _ in range(3):
        ratelimit.hit("test", "Alice@Example.org")
    with pytest.raises(RateLimited):
        ratelimit.hit("test", "alice@example.org")
    ratelimit.hit("test", "bob@example.org")


def test_a_new_window_starts_afresh(clock, limits):
    for _ in range(3):
        ratelimit.hit("test", "alice")
    clock.value += 60
    ratelimit.hit("test", "alice")


def test_nothing_is_counted_or_refused_while_suspended_and_only_in_that_context(clock, limits):
    with ratelimit.suspended():
        for _ in range(10):
            ratelimit.hit("test", "alice")
        slot = ratelimit.take("test", "alice")
        ratelimit.release(slot)
        with ThreadPoolExecutor(1) as other:  # another thread (another request) is not suspended
            counted = other.submit(lambda: ratelimit.take("test", "bob").count).result()
    assert slot.allowed and counted == 1
    assert [ratelimit.take("test", "alice").count for _ in range(2)] == [1, 2]


def test_client_ip_falls_back_to_unknown():
    assert ratelimit.client_ip(SimpleNamespace(META={"REMOTE_ADDR": "203.0.113.9"})) == "203.0.113.9"
    assert ratelimit.client_ip(SimpleNamespace(META={})) == "unknown"


def test_take_counts_before_the_check_and_release_gives_the_slot_back(clock, limits):
    slots = [ratelimit.take("test", "alice") for _ in range(3)]
    assert [s.count for s in slots] == [1, 2, 3] and all(s.allowed for s in slots)
    over = ratelimit.take("test", "alice")
    assert not over.allowed
    ratelimit.release(over)
    ratelimit.release(slots[0])  # a right attempt: only failures stay counted
    assert ratelimit.take("test", "alice").allowed
    assert not ratelimit.take("test", "alice").allowed


def test_release_after_the_window_ended_is_harmless(clock, limits):
    slot = ratelimit.take("test", "alice")
    clock.value += 60
    ratelimit.release(slot)
    assert ratelimit.take("test", "alice").count == 1


# --- client_ip: whose X-Forwarded-For is believed -----------------------------------------------


def request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return SimpleNamespace(META=meta)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.CONCERTO_TRUSTED_PROXIES = []
    assert ratelimit.client_ip(request("127.0.0.1", "203.0.113.5")) == "127.0.0.1"
    assert ratelimit.client_ip(request("198.51.100.7", "203.0.113.5, 127.0.0.1")) == "198.51.100.7"


def test_an_untrusted_peer_cannot_choose_its_address(settings):
    settings.CONCERTO_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert ratelimit.client_ip(request("198.51.100.7", "203.0.113.5")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(settings):
    settings.CONCERTO_TRUSTED_PROXIES = ["127.0.0.1"]
    assert ratelimit.client_ip(request("127.0.0.1", "203.0.113.5")) == "203.0.113.5"
    assert ratelimit.client_ip(request("127.0.0.1", " 203.0.113.5 ")) == "203.0.113.5"


def test_a_spoofed_chain_is_read_from_the_right(settings):
    settings.CONCERTO_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # The client wrote "1.2.3.4, 5.6.7.8"; our proxies appended the address they saw (203.0.113.5)
    # and each other's (10.0.0.2).
    chain = "1.2.3.4, 5.6.7.8, 203.0.113.5, 10.0.0.2"
    assert ratelimit.client_ip(request("127.0.0.1", chain)) == "203.0.113.5"
    for spoofed in ("10.9.9.9, 203.0.113.5", "127.0.0.1, 203.0.113.5"):
        assert ratelimit.client_ip(request("127.0.0.1", spoofed)) == "203.0.113.5"


def test_garbage_or_only_proxies_keep_the_proxy_address(settings):
    settings.CONCERTO_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert ratelimit.client_ip(request("127.0.0.1", "203.0.113.5, not-an-ip")) == "127.0.0.1"
    assert ratelimit.client_ip(request("127.0.0.1", "10.0.0.3")) == "127.0.0.1"
    assert ratelimit.client_ip(request("127.0.0.1", "")) == "127.0.0.1"
    assert ratelimit.client_ip(request("127.0.0.1")) == "127.0.0.1"


def test_ipv6_clients_are_counted_per_64_network(settings):
    settings.CONCERTO_TRUSTED_PROXIES = ["::1"]
    one = ratelimit.client_ip(request("2001:db8:1:2::10"))
    assert one == ratelimit.client_ip(request("2001:db8:1:2:ffff::1")) == "2001:db8:1:2::/64"
    assert ratelimit.client_ip(request("2001:db8:1:3::10")) != one
    assert ratelimit.client_ip(request("::1", "2001:db8:1:2::99")) == one
    assert ratelimit.client_ip(request("::ffff:203.0.113.5")) == "203.0.113.5"


def _production_setting(value):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "CONCERTO_TRUSTED_PROXIES": value}
    return subprocess.run(
        [sys.executable, "-c", "from config.settings import production; print(production.CONCERTO_TRUSTED_PROXIES)"],
        cwd=Path(__file__).resolve().parents[3], env=env, capture_output=True, text=True)


def test_production_reads_the_trusted_proxies_from_the_environment_and_refuses_a_typo():
    result = _production_setting("127.0.0.1, 10.0.0.0/8")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['127.0.0.1', '10.0.0.0/8']"
    assert _production_setting("127.0.0.1, 10.0.0.0/33").returncode != 0


@pytest.mark.skipif(not __import__("os").environ.get("TEST_REDIS_URL"),
                    reason="set TEST_REDIS_URL=redis://127.0.0.1:6379/<free db> to run it against Redis")
def test_on_redis_one_round_trip_counts_expires_and_gives_back(settings):
    """The Redis path (one MULTI: SET NX EX, INCR) counts like add + incr, sets the window's
    expiry once, and leaves a counter that ``release`` (decr) and ``cache.get`` read."""
    import os

    from django.core.cache import caches

    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "concerto.core.cache.SharedClientRedisCache", "LOCATION": os.environ["TEST_REDIS_URL"],
        "KEY_PREFIX": f"test-rl-{os.getpid()}"}}
    backend = caches["default"]
    assert ratelimit._redis_client() is not None
    ident = f"someone-{os.getpid()}"
    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "support": (3, 60)}
    assert [ratelimit.take("support", ident).count for _ in range(3)] == [1, 2, 3]
    slot = ratelimit.take("support", ident)
    assert not slot.allowed
    ratelimit.release(slot)
    key = backend.make_and_validate_key(slot.key)
    assert backend.get(slot.key) == 3
    assert 0 < backend._cache.get_client(key).ttl(key) <= 61
    backend.delete(slot.key)

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


def test_client_ip_falls_back_to_unknown():
    assert ratelimit.client_ip(SimpleNamespace(META={"REMOTE_ADDR": "203.0.113.9"})) == "203.0.113.9"
    assert ratelimit.client_ip(SimpleNamespace(META={})) == "unknown"

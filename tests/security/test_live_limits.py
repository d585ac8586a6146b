"""Failure budgets against the real server (uvicorn), with production's limits and PIN hashing.

Django's test client skips uvicorn, so it cannot see what uvicorn does with ``X-Forwarded-For``,
and it sends one request at a time, so it cannot race. Each test speaks from its own loopback
address (all of 127.0.0.0/8 reaches the server), which is its own client for the rate limits:
the counters of one test do not spill into another's.

The server runs on SQLite, and on a fresh PostgreSQL database when one is reachable
(``PG_TEST_URL``, as for the PostgreSQL leg; default ``postgres://postgres@127.0.0.1:5432/postgres``); under
``CI=true`` an unreachable PostgreSQL is a failure, not a skip.
"""

import http.client
import itertools
import re
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest

from concerto.letters.codes import new_code

from ..live import (
    demo_postgres_template,
    fresh_postgres_database,
    start_live_server,
    stop_live_server,
)

pytestmark = pytest.mark.live

CAMPAIGN = "/c/saint-jerome"
PIN_URL = "/connexion/code/"
_sources = (f"127.0.{i}.{j}" for i, j in itertools.product(range(1, 250), range(2, 250)))

# Production's budgets (config/settings/base.py); the server runs with them.
JOIN_CODE_IP = 10
PIN_CODE_IP = 5

FIND_FREE_CODE = """
from concerto.letters.codes import format_code
from concerto.letters.models import InvitationCode
codes = InvitationCode.objects.filter(campaign__slug="saint-jerome", revoked_at__isnull=True, use_count=0)
print(format_code(codes.order_by("pk").values_list("code", flat=True)[{index}]))
"""




@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def strict_live(request):
    drop = files = None
    database_url = ""
    if request.param == "postgresql":  # a copy of the run's demo on PostgreSQL (tests.live)
        database_url, drop = fresh_postgres_database("concerto_live", demo=True)
        files = demo_postgres_template()[1]
    try:
        server, tmp = start_live_server(database_url=database_url, demo_files=files,
                                        server_env={"CONCERTO_E2E_PRODUCTION_LIMITS": "1"})
        try:
            yield server
        finally:
            stop_live_server(server, tmp)
    finally:
        if drop is not None:
            drop()


class Peer:
    """One client of the server, speaking from its own loopback address, with its own cookies."""

    def __init__(self, live, source=""):
        url = urllib.parse.urlsplit(live.url)
        self.host, self.port = url.hostname, url.port
        self.source = source or next(_sources)
        self.cookies = {"django_language": "en"}

    def request(self, method, path, form=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60, source_address=(self.source, 0))
        try:
            body = urllib.parse.urlencode(form) if form is not None else None
            sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
            if body is not None:
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, text
        finally:
            connection.close()

    def csrf(self, path) -> str:
        status, page = self.request("GET", path)
        assert status == 200, page
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def free_code(live, index=0) -> str:
    return live.manage("shell", "-c", FIND_FREE_CODE.format(index=index)).strip().splitlines()[-1]


def join_without_email(live, code, name, pin):
    """A resident without e-mail joins through the page with the household's code and a PIN."""
    peer = Peer(live)
    token = peer.csrf(f"{CAMPAIGN}/rejoindre/")
    status, page = peer.request("POST", f"{CAMPAIGN}/rejoindre/", {
        "csrfmiddlewaretoken": token, "step": "pin", "pin-code": code, "pin-display_name": name,
        "pin-pin": pin, "pin-pin_again": pin,
    })
    assert status in (200, 302), page


def _clear_of_window_edge(window: int, margin: int = 30) -> None:
    """Budgets are fixed windows: start a sequence far enough from the window's end that the
    counter cannot restart half-way through it."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.5)


def test_a_forwarded_for_header_does_not_give_each_guess_a_new_budget(strict_live):
    _clear_of_window_edge(900)
    # From 127.0.0.1, where a reverse proxy sits in production, and whose X-Forwarded-For uvicorn
    # believes unless told not to.
    peer = Peer(strict_live, source="127.0.0.1")
    token = peer.csrf(f"{CAMPAIGN}/rejoindre/")
    statuses = [
        peer.request("POST", f"{CAMPAIGN}/rejoindre/", {"csrfmiddlewaretoken": token, "step": "code", "code": new_code()},
                     headers={"X-Forwarded-For": f"203.0.113.{i + 1}"})[0]
        for i in range(JOIN_CODE_IP + 2)
    ]
    assert statuses == [404] * JOIN_CODE_IP + [429, 429]


def test_a_burst_of_pins_checks_no_more_than_the_budget(strict_live):
    code = free_code(strict_live)
    join_without_email(strict_live, code, "Marco", "4071")
    attacker = Peer(strict_live)
    token = attacker.csrf(PIN_URL)
    pins = [f"{5000 + i}" for i in range(29)] + ["4071"]

    def attempt(pin):
        return pin, attacker.request("POST", PIN_URL, {"csrfmiddlewaretoken": token, "code": code, "pin": pin})

    with ThreadPoolExecutor(max_workers=len(pins)) as pool:
        answers = list(pool.map(attempt, pins))
    statuses = [status for _pin, (status, _page) in answers]
    assert set(statuses) <= {302, 400, 429}, statuses
    checked = statuses.count(400) + statuses.count(302)
    assert checked <= PIN_CODE_IP, statuses
    assert statuses.count(429) >= len(pins) - PIN_CODE_IP
    # Only the right PIN can sign in, and only if it was among the attempts counted.
    assert all(pin == "4071" for pin, (status, _page) in answers if status == 302)


def test_after_wrong_pins_from_one_address_the_owner_signs_in_from_theirs(strict_live):
    code = free_code(strict_live, 1)
    join_without_email(strict_live, code, "Nadia", "4071")
    attacker = Peer(strict_live)
    token = attacker.csrf(PIN_URL)
    statuses = [attacker.request("POST", PIN_URL, {"csrfmiddlewaretoken": token, "code": code, "pin": f"{6000 + i}"})[0]
                for i in range(PIN_CODE_IP + 2)]
    assert statuses == [400] * PIN_CODE_IP + [429, 429]
    owner = Peer(strict_live)
    token = owner.csrf(PIN_URL)
    status, page = owner.request("POST", PIN_URL, {"csrfmiddlewaretoken": token, "code": code, "pin": "4071"})
    assert status == 302, page

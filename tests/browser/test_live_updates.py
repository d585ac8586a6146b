"""Live updates in the browser: a visitor's open action page and campaign home follow a support
made elsewhere, without reloading, under the strict CSP (the demo's setup: one uvicorn process,
the in-process broker, the support published from a view's thread)."""

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from .helpers import CAMPAIGN, count_text, support_count

pytestmark = pytest.mark.browser

SET_UP = """
from concerto.campaigns.models import Campaign
from concerto.proposals.models import Action
from concerto.residents.models import User
from concerto.residents.services import api_token_create, resident_join
campaign = Campaign.objects.get(slug="saint-jerome")
action = Action.objects.filter(campaign=campaign, status="published").order_by("-pk").first()
user = User.objects.create_user("en-direct@example.org")
resident_join(user=user, campaign=campaign)
print(action.pk, api_token_create(user=user, name="en direct")[1])
"""


def test_a_support_made_elsewhere_shows_on_open_pages_without_reload(context_factory, live):
    action_id, token = live.manage("shell", "-c", SET_UP).strip().splitlines()[-1].split()
    problems = []
    context = context_factory()
    action_page, home = context.new_page(), context.new_page()
    for page in (action_page, home):
        # CSP violations and script errors; failed requests by URL (the browser's own favicon aside).
        page.on("console", lambda m: problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    action_page.goto(f"{live.url}{CAMPAIGN}/actions/{action_id}/")
    home.goto(f"{live.url}{CAMPAIGN}/")
    before = support_count(action_page)
    figure = home.locator('[data-live-key="supports"]')
    total = int(re.sub(r"\D", "", figure.inner_text()))
    # Both pages have their stream open (the first event is the current state).
    expect(action_page.locator("[data-live-value]")).to_have_count(1)
    expect(home.locator("[data-live-value]").first).to_be_attached()

    request = urllib.request.Request(f"{live.url}/api/v1/campaigns/saint-jerome/actions/{action_id}/support",
                                     method="POST", data=b"", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        assert response.status == 201

    expect(action_page.locator(".support-count")).to_have_text(count_text(before + 1), timeout=5000)
    expect(figure).to_have_text(re.compile(rf"^{total + 1:,}$".replace(",", r"[\s\u202f\u00a0]?")), timeout=5000)
    assert not problems, problems

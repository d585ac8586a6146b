"""The participation dashboard, its public summary and an action's trace in the browser: axe-core
at 1280 and 360 px, the structure checks, and a keyboard path from an action to its trace. Each page
is saved as a screenshot in $CONCERTO_SHOTS/dashboard-<page>-<desktop|phone>.png when that folder exists."""

import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import (
    CAMPAIGN,
    axe_violations,
    describe_violations,
    sign_in_with_password,
    structure_problems,
    tab_to,
)

pytestmark = pytest.mark.browser

ORGANISER = "organisatrice@example.org"
SHOTS = os.environ.get("CONCERTO_SHOTS", "")  # opt-in: a folder for screenshots of each page

FIRST_WORKSHOP_ACTION = """
from concerto.proposals.models import Action
print(Action.objects.filter(campaign__slug="saint-jerome", status="published", origin="workshop")
      .order_by("pk").values_list("pk", flat=True)[0])
"""


@pytest.fixture(scope="module")
def action_pk(live) -> int:
    return int(live.manage("shell", "-c", FIRST_WORKSHOP_ACTION).strip().splitlines()[-1])


def _check(page, name: str, size: str) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not structure_problems(page)
    expect(page.locator("h1")).to_have_count(1)
    # Every chart is an image with a title and a description, and its table is on the page.
    for svg in page.locator("svg.chart-svg").all():
        assert svg.get_attribute("role") == "img"
        assert svg.locator("title").count() == 1 and svg.locator("desc").count() == 1
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "sideways scroll"
    if os.path.isdir(SHOTS):
        page.screenshot(path=f"{SHOTS}/dashboard-{name}-{size}.png", full_page=True)


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_public_pages(context_factory, live, action_pk, size, viewport):
    page = context_factory(viewport=viewport).new_page()
    page.goto(f"{live.url}{CAMPAIGN}/participation/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("participation", re.I))
    expect(page.locator("svg.chart-svg").first).to_be_visible()
    _check(page, "public", size)
    page.goto(f"{live.url}{CAMPAIGN}/actions/{action_pk}/parcours/")
    expect(page.locator("ol.trace > li").first).to_be_visible()
    _check(page, "trace", size)


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_organisers_dashboard(context_factory, live, size, viewport):
    page = context_factory(viewport=viewport).new_page()
    sign_in_with_password(page, live, ORGANISER)
    page.goto(f"{live.url}{CAMPAIGN}/tableau-de-bord/participation/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _check(page, "organisers", size)


def test_keyboard_from_action_to_trace_and_a_table(context_factory, live, action_pk):
    page = context_factory(viewport=DESKTOP).new_page()
    page.goto(f"{live.url}{CAMPAIGN}/actions/{action_pk}/")
    link = page.get_by_role("link", name=re.compile("parcours|path", re.I))
    tab_to(page, link, max_presses=120)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/parcours/$"))
    summary = page.locator("#step-supports summary")
    tab_to(page, summary, max_presses=120)
    page.keyboard.press("Enter")
    expect(page.locator("#step-supports details table").first).to_be_visible()

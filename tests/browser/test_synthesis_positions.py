"""The public positions page and the open data's card in the browser: axe-core at 1280 and 360 px,
nothing wider than the phone (one card per action there), and the filters work without JavaScript
(a plain GET form). Screenshots go to $CONCERTO_SHOTS when it names a folder."""

import os

import pytest

from .conftest import DESKTOP, PHONE
from .helpers import CAMPAIGN, axe_violations

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CONCERTO_SHOTS", "")  # opt-in: a folder for screenshots of each page


def check_page(page, name):
    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert violations == [], (name, label, violations)
        if label == "360":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, (name, "scrolls sideways")
        if os.path.isdir(SHOTS):
            page.screenshot(path=f"{SHOTS}/{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_positions_and_data_card_pass_axe_at_both_widths(context_factory, live):
    page = context_factory(viewport=DESKTOP).new_page()
    page.goto(f"{live.url}{CAMPAIGN}/positions/")
    assert page.locator("h1").count() == 1
    assert page.locator("table.positions caption").count() == 1
    assert page.locator("table.positions thead th[scope=col]").count() >= 2
    check_page(page, "positions")
    page.set_viewport_size(PHONE)
    assert page.locator("table.positions").is_hidden()
    assert page.locator(".positions-card").first.is_visible()
    page.set_viewport_size(DESKTOP)

    page.goto(f"{live.url}{CAMPAIGN}/donnees/")
    assert page.locator("h1").count() == 1
    assert page.locator("table.opendata-files").count() == 9
    check_page(page, "data-card")


def test_filtering_works_without_javascript(nojs_factory, live):
    page = nojs_factory()
    page.goto(f"{live.url}{CAMPAIGN}/positions/")
    columns = page.locator("table.positions thead th[scope=col]").count()
    assert columns >= 3  # the action, then every list
    second = page.locator("#f-candidate option").nth(2)
    page.select_option("#f-candidate", second.get_attribute("value"))
    page.select_option("#f-position", "favourable")
    page.get_by_role("button", name="Filtrer").click()
    assert "candidate=" in page.url and "position=favourable" in page.url
    assert page.locator("table.positions thead th[scope=col]").count() == 2
    cells = page.locator("table.positions td.match")
    assert cells.count() >= 1
    if os.path.isdir(SHOTS):
        page.screenshot(path=f"{SHOTS}/positions-filtered-nojs-1280.png", full_page=True)

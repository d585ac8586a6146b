"""The support journey on a small phone (360×740): everything fits, nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from .helpers import (
    CAMPAIGN,
    count_text,
    search_actions,
    sign_in_by_link,
    support_count,
    supportable_result,
)

pytestmark = pytest.mark.browser


def assert_no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > 360:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > 360.5)
            .slice(0, 5).map(el => `<${el.tagName.toLowerCase()} class="${el.className}">`)""")
        raise AssertionError(f"{page.url} scrolls sideways at 360 px (scrollWidth {width}); too wide: {wide}")


def test_support_journey_on_a_phone(phone_page, live):
    page = phone_page
    sign_in_by_link(page, live, "habitant104@example.org")
    assert_no_horizontal_scroll(page)
    page.goto(f"{live.url}{CAMPAIGN}/")
    assert_no_horizontal_scroll(page)

    search_actions(page, live, "éclairage")
    assert_no_horizontal_scroll(page)
    link = supportable_result(page)
    title = link.inner_text()
    link.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert_no_horizontal_scroll(page)

    before = support_count(page)
    box = page.locator(".support-box")
    box.get_by_role("button", name="Je soutiens cette action").tap()
    expect(box.get_by_role("button", name="Retirer mon soutien")).to_be_visible()
    expect(page.locator(".support-count")).to_have_text(count_text(before + 1))
    assert_no_horizontal_scroll(page)

    box.get_by_role("button", name="Retirer mon soutien").tap()
    expect(box.get_by_role("button", name="Je soutiens cette action")).to_be_visible()
    expect(page.locator(".support-count")).to_have_text(count_text(before))

    # The buttons are big enough to hit with a thumb.
    size = box.get_by_role("button", name="Je soutiens cette action").bounding_box()
    assert size["height"] >= 44, size

    page.goto(f"{live.url}/moi/")
    assert_no_horizontal_scroll(page)

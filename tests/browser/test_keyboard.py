"""The support journey with the keyboard only: Tab, Enter and typing, never a click.

Signing in is set-up (the shared helper); from the action list on, only keys are pressed.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    CAMPAIGN,
    count_text,
    focused,
    sign_in_by_link,
    support_count,
    supportable_result,
    tab_to,
)

pytestmark = pytest.mark.browser


def assert_focus_visible(page, what: str) -> dict:
    info = focused(page)
    assert info is not None, f"nothing has the keyboard focus {what}"
    assert info["visible"], f"the keyboard focus is not visible {what}: {info['desc']}"
    return info


def test_support_journey_with_the_keyboard_only(page, live):
    sign_in_by_link(page, live, "habitant103@example.org")
    page.goto(f"{live.url}{CAMPAIGN}/actions/")

    # The first Tab reaches the skip link, shown on screen; Enter jumps to the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_visible(page, "on the skip link")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # From the main content, the search field comes first.
    search = page.get_by_role("textbox", name="Rechercher")
    tab_to(page, search, max_presses=5)
    results_title = page.locator("#results-title")
    before = results_title.inner_text()
    page.keyboard.type("arbres")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"[?&]q=arbres"))
    expect(results_title).not_to_have_text(before)
    # The results are announced through a live region that was on the page before the search.
    expect(page.get_by_role("status").filter(has_text=results_title.inner_text())).to_have_count(1)
    expect(search).to_be_focused()

    link = supportable_result(page)
    title = link.inner_text()
    tab_to(page, link, max_presses=20)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    before = support_count(page)
    box = page.locator(".support-box")
    support = box.get_by_role("button", name="Je soutiens cette action")
    tab_to(page, support)
    page.keyboard.press("Enter")

    withdraw = box.get_by_role("button", name="Retirer mon soutien")
    expect(withdraw).to_be_visible()
    expect(page.locator(".support-count")).to_have_text(count_text(before + 1))
    # After the htmx swap the focus is in the new support box, and visible.
    expect(withdraw).to_be_focused()
    assert_focus_visible(page, "after supporting")
    # ...and the live region that was there before the swap says what happened.
    expect(page.locator("#live-status")).to_have_text(
        re.compile(rf"^Merci, votre soutien est comptabilisé\. {before + 1} soutiens?$"))

    page.keyboard.press("Enter")
    support = box.get_by_role("button", name="Je soutiens cette action")
    expect(support).to_be_visible()
    expect(page.locator(".support-count")).to_have_text(count_text(before))
    expect(support).to_be_focused()
    assert_focus_visible(page, "after withdrawing")
    expect(page.locator("#live-status")).to_have_text(re.compile(rf"^Votre soutien est retiré\. {before} soutiens?$"))


TAB_PAGES = {
    "actions": f"{CAMPAIGN}/actions/?q=bancs",
    "action": f"{CAMPAIGN}/actions/?q=traversée",
    "my-space": "/moi/",
}


@pytest.mark.parametrize("name", TAB_PAGES)
def test_every_tab_stop_shows_its_focus(name, live, context_factory, signed_in_state):
    """Tab from the top of the page to the footer: every stop is visible, in reading order."""
    context = context_factory(viewport={"width": 1280, "height": 900},
                              storage_state=signed_in_state("habitant112@example.org"))
    page = context.new_page()
    page.goto(live.url + TAB_PAGES[name])
    if name == "action":
        page.locator("#results .action-card").first.get_by_role("link").click()
        page.wait_for_url(re.compile(r"/actions/\d+/$"))
    last = page.get_by_role("contentinfo").get_by_role("link").last
    visited = tab_to(page, last, max_presses=150)
    tops = page.evaluate("""() => [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')]
        .filter(el => el.checkVisibility()).length""")
    assert len(visited) >= tops, f"{len(visited)} Tab stops for {tops} visible controls: {visited}"

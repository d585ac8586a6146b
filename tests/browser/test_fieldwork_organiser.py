"""Door to door, the organiser's side, in the browser: from the campaign's menu to the door-to-door
page, a round planned and a phone prepared with the keyboard only, the ambassador's phone enrolled by
the QR code's link (the cookie it keeps), the phone withdrawn; every page passes axe-core at 1280 and
360 px."""

import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import CAMPAIGN, axe_violations

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CONCERTO_SHOTS", "")  # opt-in: a folder for screenshots of each page
ORGANISER = "organisatrice@example.org"
AMBASSADOR = "ambassadeur@example.org"


def tab_to(page, locator, limit=120):
    """Press Tab until ``locator`` has the focus (the keyboard's way there)."""
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def check_page(page, name):
    """axe-core clean at 1280 and at 360 px, nothing wider than the phone; a screenshot of each."""
    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert violations == [], (name, label, violations)
        if label == "360":
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, (name, "scrolls sideways")
        if os.path.isdir(SHOTS):
            page.screenshot(path=f"{SHOTS}/rounds-{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_organiser_plans_a_round_enrols_and_withdraws_a_phone(context_factory, signed_in_state, live):
    page = context_factory(viewport=DESKTOP, storage_state=signed_in_state(ORGANISER, "concerto-demo")).new_page()
    page.goto(f"{live.url}{CAMPAIGN}/")
    page.locator(f'nav a[href="{CAMPAIGN}/terrain/"]').click()
    page.wait_for_url(re.compile(r"/terrain/$"))
    check_page(page, "overview")

    # A round, planned with the keyboard only.
    page.goto(f"{live.url}{CAMPAIGN}/terrain/tournees/")
    check_page(page, "rounds")
    tab_to(page, page.locator(f'main a[href="{CAMPAIGN}/terrain/tournees/nouvelle/"]'))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tournees/nouvelle/$"))
    check_page(page, "round-form")
    tab_to(page, page.locator("#id_ambassador"))
    page.keyboard.press("ArrowDown")  # the first ambassador (Karim)
    tab_to(page, page.locator("#id_day"))  # today, already filled in
    tab_to(page, page.locator("#id_sectors_0"))
    page.keyboard.press("Space")
    tab_to(page, page.locator('main form button[type="submit"]'))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tournees/\d+/$"))
    expect(page.locator(".round-doors li").first).to_be_visible()
    check_page(page, "round")
    page.locator('main a[href$="/annuler/"]').click()
    check_page(page, "round-cancel")

    # A phone prepared for Karim with the keyboard, its QR code shown.
    page.goto(f"{live.url}{CAMPAIGN}/terrain/appareils/")
    tab_to(page, page.locator("#id_ambassador"))
    page.keyboard.press("ArrowDown")
    tab_to(page, page.locator("#id_label"))
    page.keyboard.type("Téléphone de Karim")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/appareils/\d+/code/$"))
    expect(page.locator('svg[data-figure="qr"]')).to_be_visible()
    link = re.search(r"https?://\S+/terrain/appareil/[\w-]+/", page.locator("figcaption").inner_text()).group(0)
    check_page(page, "device-code")

    # Karim's phone opens the link, signs in and confirms: the phone keeps its token.
    phone = context_factory(viewport=PHONE, is_mobile=True, has_touch=True,
                            storage_state=signed_in_state(AMBASSADOR, "concerto-demo")).new_page()
    phone.goto(link)
    violations = axe_violations(phone)
    assert violations == [], violations
    if os.path.isdir(SHOTS):
        phone.screenshot(path=f"{SHOTS}/rounds-enrol-360.png", full_page=True)
    phone.locator('main form button[type="submit"]').click()
    phone.wait_for_url(re.compile(r"/terrain/app/$"))
    cookie = next(c for c in phone.context.cookies() if c["name"] == "concerto_device")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    phone.goto(link)  # single use
    assert phone.locator("h1").count() == 1 and "/terrain/app/" not in phone.url
    check_page(phone, "enrol-invalid")

    # The list shows it enrolled; withdrawn after the confirmation page.
    page.goto(f"{live.url}{CAMPAIGN}/terrain/appareils/")
    check_page(page, "devices")
    # The demo's ambassadors have their phones too; the newest (this test's) is listed first.
    active = page.locator('main a[href$="/retirer/"]').count()
    page.locator('main a[href$="/retirer/"]').first.click()
    check_page(page, "device-revoke")
    page.locator('main form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/terrain/appareils/$"))
    expect(page.locator('main a[href$="/retirer/"]')).to_have_count(active - 1)

    for path, name in (("consentement/", "consent"), ("reglages/", "settings")):
        page.goto(f"{live.url}{CAMPAIGN}/terrain/{path}")
        check_page(page, name)

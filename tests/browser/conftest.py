"""Fixtures for the browser suite: signed-in sessions reused across tests, phone and no-JS pages."""

import pytest

from .helpers import sign_in_by_link, sign_in_with_password

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def signed_in_state(live, browser):
    """``state(email, password=None)``: the cookies of a signed-in session, made once per account.

    Residents sign in by e-mail link, staff by password. Tests that only look at pages share these
    sessions; journeys that change data sign in themselves, each with its own resident.
    """
    cache: dict[str, dict] = {}

    def state(email: str, password: str | None = None) -> dict:
        if email not in cache:
            ctx = browser.new_context(locale="fr-FR")
            page = ctx.new_page()
            if password:
                sign_in_with_password(page, live, email, password)
            else:
                sign_in_by_link(page, live, email)
            cache[email] = ctx.storage_state()
            ctx.close()
        return cache[email]

    return state


@pytest.fixture
def phone_page(context_factory):
    """A small phone: 360×740, touch, the page's meta viewport honoured."""
    return context_factory(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2).new_page()


@pytest.fixture
def nojs_factory(context_factory):
    """New desktop pages with JavaScript disabled (one browser context each, so one session each)."""

    def make():
        return context_factory(viewport=DESKTOP, java_script_enabled=False).new_page()

    return make

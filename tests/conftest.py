"""Fixtures for the suites that drive the real server: browser, security, API fuzzing."""

import os
from pathlib import Path

import pytest

from .live import CHROMIUM, CHROMIUM_ARGS, start_live_server, stop_live_server

ARTEFACTS = Path(__file__).resolve().parent.parent / "artefacts"


@pytest.fixture(scope="session")
def live():
    server, tmp = start_live_server()
    yield server
    stop_live_server(server, tmp)


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed (apt-get install chromium); `make test` skips this suite then.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread: while Chromium is up, a worker of
    # a parallel run that meets its first database test would be refused the test database. Only for
    # this process, only while Chromium runs (servers started from here drop it: see tests.live).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def context_factory(browser):
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("locale", "fr-FR")
        ctx = browser.new_context(**kwargs)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(context_factory):
    return context_factory(viewport={"width": 1280, "height": 900}).new_page()


@pytest.fixture(scope="session")
def artefacts() -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS

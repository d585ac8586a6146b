"""The browser suite's server settings with the stand-in wall page (tests/browser/cluster_frame.py)."""

from config.settings.e2e import *  # noqa: F403

ROOT_URLCONF = "tests.browser.cluster_frame"

"""« Était-ce vous ? »: a demo resident whose household was met at the door is asked on the campaign
home, on a phone; the question passes axe-core at 360 px, and « Non » makes it go away for good."""

import os
import re

import pytest
from playwright.sync_api import expect

from .helpers import CAMPAIGN, axe_violations, describe_violations, sign_in_by_link

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CONCERTO_SHOTS", "")  # opt-in: a folder for screenshots of each page

FIND_ASKED = """
from concerto.campaigns.models import Campaign
from concerto.demo.services import demo_counts
print(demo_counts(Campaign.objects.get(slug="saint-jerome"))["link_prompt"])
"""


def test_a_resident_of_a_visited_household_is_asked_and_says_no(live, phone_page):
    email = live.manage("shell", "-c", FIND_ASKED).strip().splitlines()[-1]
    assert email.endswith("@example.org")
    page = phone_page
    sign_in_by_link(page, live, email)
    page.goto(f"{live.url}{CAMPAIGN}/")
    question = page.locator(".link-prompt")
    # Located by structure, not words: the French of these sentences is added to the catalogue later.
    expect(question.locator("h2#link-title")).to_be_visible()
    expect(question.locator(".link-candidate").first).to_contain_text(re.compile(r"\d"))  # the day
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    if os.path.isdir(SHOTS):
        page.screenshot(path=f"{SHOTS}/link-prompt-phone.png", full_page=True)

    asked = question.locator(".link-candidate").count()
    question.locator(".link-candidate").first.locator("form[action$='/pas-moi/'] button").click()
    page.wait_for_load_state()
    expect(page.locator(".link-prompt .link-candidate")).to_have_count(asked - 1)
    page.reload()
    page.wait_for_load_state()
    expect(page.locator(".link-prompt .link-candidate")).to_have_count(asked - 1)

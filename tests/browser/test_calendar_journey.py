"""An organiser edits the calendar, themes and sectors with JavaScript disabled: plain forms that post and
redirect. The journey creates its own theme and sector and puts back what it changes in the demo."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import CAMPAIGN, sign_in_with_password

pytestmark = pytest.mark.browser


def rows(page) -> list[str]:
    return [t.strip() for t in page.locator("main table tbody th").all_inner_texts()]


def test_organiser_edits_calendar_themes_and_sectors_without_javascript(nojs_factory, live):
    page = nojs_factory()
    sign_in_with_password(page, live, "organisatrice@example.org")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live.url}])

    # Themes: add, rename, move up, delete (it carries no action).
    page.goto(f"{live.url}{CAMPAIGN}/gestion/themes/")
    page.get_by_label(re.compile("^Name")).fill("Culture et patrimoine")
    page.get_by_role("button", name="Add the theme").click()
    expect(page.locator(".messages")).to_contain_text("The theme “Culture et patrimoine” is added.")
    assert rows(page)[-1] == "Culture et patrimoine"
    page.get_by_role("link", name="Rename « Culture et patrimoine »").click()
    page.get_by_label(re.compile("^Name")).fill("Patrimoine")
    page.get_by_role("button", name="Rename").click()
    before = rows(page)
    assert before[-1] == "Patrimoine"
    page.get_by_role("button", name="Up « Patrimoine »").click()
    assert rows(page) == [*before[:-2], "Patrimoine", before[-2]]
    page.get_by_role("link", name="Delete « Patrimoine »").click()
    expect(page.locator("main")).to_contain_text("No action carries this theme.")
    page.get_by_role("button", name="Delete the theme").click()
    assert "Patrimoine" not in rows(page)
    assert rows(page) == before[:-1]

    # Sectors: the code comes from the name; a sector nothing carries is deleted.
    page.goto(f"{live.url}{CAMPAIGN}/gestion/secteurs/")
    page.get_by_label(re.compile("^Name")).fill("Les Facultés")
    page.get_by_role("button", name="Add the sector").click()
    expect(page.locator(".messages")).to_contain_text("(code les-facultes)")
    page.get_by_role("link", name="Delete « Les Facultés »").click()
    page.get_by_role("button", name="Delete the sector").click()
    assert "Les Facultés" not in rows(page)

    # Calendar: a bad end date comes back on its field, nothing saved; then a new description is saved.
    page.goto(f"{live.url}{CAMPAIGN}/gestion/calendrier/")
    page.locator("main table tbody tr").filter(has_text="Synth").get_by_role("link", name=re.compile("^Edit")).click()
    summary = page.get_by_label(re.compile("^Description for residents"))
    original = summary.input_value()
    summary.fill("Le dossier final, remis à chaque candidat.")
    page.get_by_label(re.compile("^Ends at")).fill("2000-01-01T10:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_contain_text("Please correct the errors below.")
    expect(page.locator(".error").first).to_contain_text("The phase must end after it starts.")
    edit_url = page.url
    page.goto(edit_url)
    page.get_by_label(re.compile("^Description for residents")).fill("Le dossier final, remis à chaque candidat.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("is saved")
    expect(page.locator("main table")).to_contain_text("Le dossier final, remis à chaque candidat.")
    page.goto(edit_url)  # put the demo back as it was
    page.get_by_label(re.compile("^Description for residents")).fill(original)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("is saved")

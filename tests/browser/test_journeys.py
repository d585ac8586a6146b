"""Journeys clicked as a person would, in the French interface, on a desktop screen.

Each test uses its own resident (habitant1xx) so the tests do not depend on each other's data.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    CAMPAIGN,
    count_text,
    expect_status,
    search_actions,
    sign_in_by_link,
    sign_in_with_password,
    support_count,
    supportable_result,
)

pytestmark = pytest.mark.browser


def test_resident_finds_an_action_supports_it_and_withdraws(page, live):
    sign_in_by_link(page, live, "habitant101@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")

    search_actions(page, live, "bancs")
    link = supportable_result(page)
    title = link.inner_text()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    before = support_count(page)
    box = page.locator(".support-box")
    box.get_by_role("button", name="Je soutiens cette action").click()
    expect(box.get_by_role("button", name="Retirer mon soutien")).to_be_visible()
    expect(page.locator(".support-count")).to_have_text(count_text(before + 1))
    expect_status(page, "Merci, votre soutien est comptabilisé.")
    # htmx swapped the box: the focus stays in it (static/concerto/app.js).
    expect(box.get_by_role("button", name="Retirer mon soutien")).to_be_focused()

    box.get_by_role("button", name="Retirer mon soutien").click()
    expect(box.get_by_role("button", name="Je soutiens cette action")).to_be_visible()
    expect(page.locator(".support-count")).to_have_text(count_text(before))

    # A reload shows the same count: nothing was counted twice.
    page.reload()
    assert support_count(page) == before


def test_resident_proposes_and_a_moderator_publishes(page, live, context_factory):
    title = "Installer un abri à vélos couvert devant la médiathèque"
    sign_in_by_link(page, live, "habitant102@example.org")

    page.goto(f"{live.url}{CAMPAIGN}/")
    page.get_by_role("link", name="Proposer une action").click()
    expect(page).to_have_url(re.compile(r"/proposer/$"))
    page.get_by_role("textbox", name=re.compile("^Titre")).fill(title)
    page.get_by_role("textbox", name=re.compile("^Résumé")).fill(
        "Un abri fermé pour une vingtaine de vélos, pour les lecteurs et les parents.")
    page.get_by_role("textbox", name=re.compile("^Détails")).fill("Aujourd'hui les vélos sont **attachés aux grilles**.")
    page.get_by_role("combobox", name="Thème").select_option(label="Mobilité et stationnement")
    page.get_by_role("textbox", name=re.compile("^Lieu")).fill("Médiathèque")
    page.get_by_role("button", name="Envoyer ma proposition").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect_status(page, "Votre contribution sera publiée")
    expect(page.get_by_text("En attente de modération", exact=True)).to_be_visible()
    expect(page.get_by_text("seuls vous et l’équipe de modération")).to_be_visible()

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mon espace").click()
    mine = page.get_by_role("region", name=re.compile("Mes contributions")).get_by_role("listitem").filter(has_text=title)
    expect(mine).to_contain_text("En attente de modération")

    # Not public yet.
    visitor = context_factory(viewport={"width": 1280, "height": 900}).new_page()
    search_actions(visitor, live, "abri à vélos couvert devant la médiathèque")
    expect(visitor.locator("#results")).to_contain_text("Aucune action ne correspond à ces filtres.")

    moderator = context_factory(viewport={"width": 1280, "height": 900}).new_page()
    sign_in_with_password(moderator, live, "moderatrice@example.org")
    moderator.get_by_role("link", name="modération").click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Modération")
    item = moderator.get_by_role("article", name=title)
    item.get_by_role("button", name=re.compile("^Publier")).click()
    expect_status(moderator, "La contribution est publiée.")
    expect(moderator.get_by_role("article", name=title)).to_have_count(0)

    search_actions(visitor, live, "abri à vélos couvert devant la médiathèque")
    visitor.locator("#results").get_by_role("link", name=title).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.get_by_text("Publiée", exact=True)).to_be_visible()

    page.reload()
    expect(mine).to_contain_text("Publiée")

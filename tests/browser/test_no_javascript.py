"""The whole journey with JavaScript disabled: plain forms that post and redirect."""

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


def test_whole_journey_without_javascript(nojs_factory, live):
    page = nojs_factory()
    assert page.evaluate("1") == 1  # evaluate still works: only the page's own scripts are off
    assert page.evaluate("typeof window.htmx") == "undefined"

    sign_in_by_link(page, live, "habitant105@example.org")
    expect(page).to_have_url(re.compile(r"/moi/$"))
    expect_status(page, "Vous êtes connecté")

    # Search: a GET form, the page reloads with ?q=.
    search_actions(page, live, "composteur")
    expect(page.get_by_role("textbox", name="Rechercher")).to_have_value("composteur")
    link = supportable_result(page)
    title = link.inner_text()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    action_url = page.url

    # Support and withdraw: POST, redirect back to the action, a message on the page.
    before = support_count(page)
    page.get_by_role("button", name="Je soutiens cette action").click()
    expect(page).to_have_url(action_url)
    expect_status(page, "Merci, votre soutien est comptabilisé.")
    expect(page.locator(".support-count")).to_have_text(count_text(before + 1))
    page.get_by_role("button", name="Retirer mon soutien").click()
    expect(page).to_have_url(action_url)
    expect_status(page, "Votre soutien est retiré.")
    expect(page.locator(".support-count")).to_have_text(count_text(before))

    # Propose: first with a missing summary (the errors come back), then complete.
    title = "Poser des arceaux à vélos devant la boulangerie sans JavaScript"
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Proposer").click()
    page.get_by_role("textbox", name=re.compile("^Titre")).fill(title)
    page.get_by_role("button", name="Envoyer ma proposition").click()
    expect(page.get_by_role("alert")).to_contain_text("Veuillez corriger les erreurs")
    summary = page.get_by_role("textbox", name=re.compile("^Résumé"))
    expect(summary).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("textbox", name=re.compile("^Titre"))).to_have_value(title)
    summary.fill("Quatre arceaux pour attacher les vélos pendant les courses.")
    page.get_by_role("button", name="Envoyer ma proposition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect_status(page, "Votre contribution sera publiée")

    page.get_by_role("link", name="Mon espace").click()
    mine = page.get_by_role("region", name=re.compile("Mes contributions")).get_by_role("listitem").filter(has_text=title)
    expect(mine).to_contain_text("En attente de modération")

    # The moderator publishes it, also without JavaScript.
    moderator = nojs_factory()
    sign_in_with_password(moderator, live, "moderatrice@example.org")
    moderator.goto(f"{live.url}{CAMPAIGN}/moderation/")
    moderator.get_by_role("article", name=title).get_by_role("button", name=re.compile("^Publier")).click()
    expect(moderator).to_have_url(re.compile(r"/moderation/$"))
    expect_status(moderator, "La contribution est publiée.")

    visitor = nojs_factory()
    search_actions(visitor, live, "arceaux à vélos devant la boulangerie sans JavaScript")
    expect(visitor.locator("#results").get_by_role("link", name=title)).to_be_visible()

    page.reload()
    expect(mine).to_contain_text("Publiée")

    # Signing out is a form too.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Se connecter")).to_be_visible()

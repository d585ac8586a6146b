"""A facilitator writes two action sheets from the wall's themes, retains them and publishes them:
they appear in the campaign's actions. The sheets pages and the minutes pass axe at 1280 and 360 px."""

import os
import re

import pytest
from playwright.sync_api import expect

from .helpers import CAMPAIGN, axe_violations, sign_in_with_password

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CONCERTO_SHOTS", "")  # opt-in: a folder for screenshots of each page

# A workshop of the demo campaign at the action sheets phase, its wall filled (themes, ideas, dots),
# the demo's facilitator running it.
SETUP = """
from concerto.campaigns.models import Campaign
from concerto.residents.models import User
from concerto.workshops.tests.sheets_world import fill_wall, make_workshop, move_to
campaign = Campaign.objects.get(slug="saint-jerome")
organiser = User.objects.get(email="organisatrice@example.org")
facilitator = User.objects.get(email="animateur@example.org")
w = make_workshop(campaign, organiser, facilitators=[facilitator], number_title="Atelier des fiches")
fill_wall(w, facilitator=facilitator)
w = move_to(w, "sheets", facilitator)
print(f"WS={w.pk}")
"""

CLOSE = """
from concerto.residents.models import User
from concerto.workshops import services
from concerto.workshops.models import Workshop
services.workshop_phase_set(by=User.objects.get(email="animateur@example.org"), workshop=Workshop.objects.get(pk={pk}),
                            phase="closed")
"""


def _printed(out: str, prefix: str) -> str:
    return next(line[len(prefix):] for line in out.splitlines() if line.startswith(prefix))


def _axe_both_widths(page, name):
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        assert axe_violations(page) == [], (name, width)
        if os.path.isdir(SHOTS):
            page.screenshot(path=f"{SHOTS}/sheets-{name}-{width}.png", full_page=True)
            page.screenshot(path=f"{SHOTS}/sheets-{name}-{width}-top.png")
    page.set_viewport_size({"width": 1280, "height": 900})


def _sheet_from_theme(page, theme, problem, proposal):
    page.locator("summary", has_text="Nouvelle fiche à partir d’un thème").click()
    page.get_by_role("link", name=f"Nouvelle fiche à partir du thème « {theme} »").click()
    expect(page.get_by_label(re.compile("^Titre"))).to_have_value(theme)
    page.get_by_label(re.compile("^Constat")).fill(problem)
    page.get_by_label(re.compile("^Proposition")).fill(proposal)
    page.get_by_label("La ville").check()
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.locator(".messages")).to_contain_text(f"Fiche « {theme} » enregistrée.")


def test_facilitator_writes_retains_and_publishes_sheets(page, live):
    pk = _printed(live.manage("shell", "-c", SETUP), "WS=")
    sign_in_with_password(page, live, "animateur@example.org")
    sheets_url = f"{live.url}{CAMPAIGN}/ateliers/{pk}/fiches/"
    page.goto(sheets_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fiches d’action de l’atelier")

    _sheet_from_theme(page, "Mobilité", "Les trottoirs sont encombrés devant l'école.",
                      "Élargir les trottoirs de l'avenue et poser des potelets devant l'école.")
    page.goto(f"{live.url}{CAMPAIGN}/ateliers/{pk}/fiches/nouvelle/")
    _axe_both_widths(page, "form")
    page.goto(sheets_url)
    _sheet_from_theme(page, "Espaces verts", "Le square manque d'ombre l'été.",
                      "Planter six arbres dans le square et installer une fontaine à eau.")

    for title in ("Mobilité", "Espaces verts"):
        page.get_by_role("button", name=f"Retenir « {title} »").click()
        expect(page.locator(".messages")).to_contain_text("Fiche retenue.")
    _axe_both_widths(page, "list")

    page.get_by_role("link", name="Publier les fiches retenues").click()
    expect(page.locator("main ol li")).to_have_count(2)
    _axe_both_widths(page, "publish")
    page.get_by_role("button", name="Publier ces 2 fiches").click()
    expect(page.locator(".messages")).to_contain_text("2 fiches publiées comme actions.")
    expect(page.get_by_role("link", name="Voir l’action publiée")).to_have_count(2)

    # In the campaign's actions, newest first, marked as coming from a workshop.
    page.goto(f"{live.url}{CAMPAIGN}/actions/?origin=workshop&sort=newest")
    cards = page.locator("main").get_by_role("link")
    expect(cards.filter(has_text="Mobilité").first).to_be_visible()
    expect(cards.filter(has_text="Espaces verts").first).to_be_visible()
    cards.filter(has_text="Espaces verts").first.click()
    note = page.get_by_role("link", name=re.compile("^Issue de l’atelier n°"))
    expect(note).to_be_visible()

    # Closing the wall: the public minutes (the PDF is rendered in-process here: tasks run inline).
    live.manage("shell", "-c", CLOSE.replace("{pk}", pk))
    visitor = page.context.browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    visitor.goto(f"{live.url}{CAMPAIGN}/ateliers/{pk}/compte-rendu/")
    expect(visitor.get_by_role("heading", level=2, name="Fiches d’action retenues")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text("Espaces verts")
    _axe_both_widths(visitor, "minutes")
    response = visitor.request.get(f"{live.url}{CAMPAIGN}/ateliers/{pk}/compte-rendu.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    visitor.context.close()

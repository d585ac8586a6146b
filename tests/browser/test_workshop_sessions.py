"""Workshop sessions in the browser: an organiser plans a workshop and invites the panel with the
keyboard only; every sessions page passes axe-core at 1280 and 360 px; the invitee answers on their
personal link page."""

import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import CAMPAIGN, axe_violations

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CONCERTO_SHOTS", "")  # opt-in: a folder for screenshots of each page
ORGANISER = "organisatrice@example.org"


def tab_to(page, locator, limit=80):
    """Press Tab until ``locator`` has the focus (the keyboard's way there)."""
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def check_page(page, name, shots=True):
    """axe-core clean at 1280 and at 360 px; a screenshot of each when the folder exists."""
    import os

    for label, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert violations == [], (name, label, violations)
        if shots and os.path.isdir(SHOTS):
            page.screenshot(path=f"{SHOTS}/sessions-{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_organiser_plans_and_invites_with_the_keyboard_and_every_page_passes_axe(context_factory, signed_in_state,
                                                                                 live):
    page = context_factory(viewport=DESKTOP, storage_state=signed_in_state(ORGANISER, "concerto-demo")).new_page()
    page.goto(f"{live.url}{CAMPAIGN}/ateliers/")
    check_page(page, "list-empty")

    # Plan: from the list to the form, the keyboard only.
    tab_to(page, page.get_by_role("link", name="Organiser un atelier"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/ateliers/nouveau/$"))
    check_page(page, "create")
    tab_to(page, page.get_by_label(re.compile("^Titre")))
    page.keyboard.type("Vivre au quartier")
    # Date and time inputs are reached with Tab; their segments' order depends on the browser's
    # locale, so the value is set on the focused field rather than typed digit by digit.
    for name, value in (("date", "2030-03-12"), ("starts", "18:30"), ("ends", "17:00")):  # ends before start
        field = page.locator(f"#id_{name}")
        tab_to(page, field)
        field.fill(value)
    tab_to(page, page.get_by_label(re.compile("^Lieu")))
    page.keyboard.type("Maison de quartier Saint-Jérôme")
    tab_to(page, page.get_by_label(re.compile("^Accès et accessibilité")))
    page.keyboard.type("Bus 9, arrêt Saint-Jérôme. Entrée de plain-pied.")
    facilitator = page.locator("input[name=facilitators]").first
    tab_to(page, facilitator)
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Créer l’atelier"))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".error").first).to_contain_text("L’atelier doit finir après son début.")
    check_page(page, "create-error", shots=False)
    tab_to(page, page.locator("#id_ends"))
    page.locator("#id_ends").fill("20:30")
    tab_to(page, page.get_by_role("button", name="Créer l’atelier"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/gestion/programme/$"))

    # The agenda: two activities, typed and sent with Enter.
    for title, minutes in (("Accueil et café", "15"), ("Ce qui va bien, ce qui manque", "45")):
        tab_to(page, page.locator("#id_title"))
        page.keyboard.type(title)
        page.keyboard.press("Tab")
        page.keyboard.type(minutes)
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    expect(page.locator(".agenda-total")).to_contain_text("60")
    check_page(page, "agenda")

    # Invite the panel, then send the invitations.
    tab_to(page, page.get_by_role("link", name="Ensuite : inviter le panel".replace(" :", "\u00a0:")))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/gestion/$"))
    tab_to(page, page.get_by_role("button", name="Inviter le panel"))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("ajoutée(s) à la liste")
    send = page.get_by_role("button", name=re.compile(r"^Envoyer \d+ invitations? par e-mail"))
    tab_to(page, send)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("en cours d’envoi par e-mail")
    check_page(page, "manage")
    manage_url = page.url
    workshop_path = re.search(r"/ateliers/\d+/", manage_url).group(0)

    for path, name in (("gestion/modifier/", "edit"), ("gestion/annuler/", "cancel"), ("presences/", "attendance"),
                       ("", "detail")):
        page.goto(f"{live.url}{CAMPAIGN}{workshop_path}{path}")
        check_page(page, name)
    page.goto(f"{live.url}{CAMPAIGN}/ateliers/")
    check_page(page, "list")

    # An invitee opens their personal link, with no account, and answers.
    links = []
    for path in live.mail_dir.glob("*.log"):
        links += re.findall(r"https?://\S+/atelier/lien/[A-Za-z0-9_-]+/", path.read_text(encoding="utf-8"))
    assert links, "no invitation mail carries a personal link"
    visitor = context_factory(viewport=DESKTOP).new_page()
    visitor.goto(links[-1])
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Vivre au quartier")
    check_page(visitor, "personal-link")
    visitor.get_by_label("Oui, je serai présent·e").check()
    visitor.get_by_label("J’accepte que mon nom figure au compte rendu").check()
    visitor.get_by_role("button", name="Envoyer ma réponse").click()
    expect(visitor.locator(".messages")).to_contain_text("votre réponse est enregistrée")
    check_page(visitor, "personal-link-answered", shots=False)


def test_rsvp_and_attendance_work_without_javascript(nojs_factory, live):
    """The personal link's answer and the attendance form are plain forms: POST, then redirect."""
    from .helpers import sign_in_with_password

    page = nojs_factory()
    sign_in_with_password(page, live, ORGANISER)
    page.goto(f"{live.url}{CAMPAIGN}/ateliers/")
    page.get_by_role("link", name="Organiser un atelier").click()
    page.locator("#id_title").fill("Atelier sans script")
    page.locator("#id_date").fill("2030-04-02")
    page.locator("#id_starts").fill("10:00")
    page.locator("#id_ends").fill("12:00")
    page.locator("#id_place").fill("École Saint-Jérôme")
    page.get_by_role("button", name="Créer l’atelier").click()
    page.get_by_role("link", name="Vue d’ensemble et invitations").click()
    page.get_by_role("button", name="Inviter le panel").click()
    page.get_by_role("link", name="Présences").first.click()
    first = page.locator("fieldset.attendance-row").first
    first.get_by_label("Excusé·e").check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.locator(".attendance-counts")).to_contain_text("Excusé·e")
    expect(page.locator(".messages")).to_contain_text("Présences enregistrées (1 changement(s)).")
    page.get_by_label(re.compile("^Nom")).fill("Samir")
    page.get_by_role("button", name="Ajouter, noté·e présent·e").click()
    expect(page.locator(".messages")).to_contain_text("Samir est sur la liste")

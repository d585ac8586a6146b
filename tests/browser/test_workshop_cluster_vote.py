"""The cluster and dot-vote phases in the browser: the facilitator merges two ideas and groups three
into themes with the KEYBOARD ONLY (Tab, arrow keys, Enter on the cards' plain forms), places dots
for a participant without a phone; a participant on a 360 px phone votes; the results show. axe-core
at 1280 and 360 px on each step.

On the real pages: the facilitator's console (``…/animation/``) and the participant's wall (``…/mur/``).
"""

import json
import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import (
    axe_violations,
    describe_violations,
    sign_in_by_link,
    sign_in_with_password,
    structure_problems,
    tab_to,
)
from .test_phone import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CLUSTER_SHOTS", "")  # a folder: screenshots of each step are saved there

SETUP = """
import json, uuid
from datetime import timedelta
from django.utils import timezone
from concerto.campaigns.models import Campaign
from concerto.residents.models import User
from concerto.workshops.models import Attendee, Idea, Workshop
from concerto.workshops.services import workshop_create
campaign = Campaign.objects.get(slug="saint-jerome")
start = timezone.now() + timedelta(hours=1)
w = workshop_create(by=None, campaign=campaign, title="Atelier test du mur", starts_at=start,
                    ends_at=start + timedelta(hours=2), place="Maison de quartier")
Workshop.objects.filter(pk=w.pk).update(phase="cluster")
ines = Attendee.objects.create(workshop=w, name="Inès R.", source="panel",
                               user=User.objects.get(email="habitant105@example.org"))
nadia = Attendee.objects.create(workshop=w, name="Nadia D.", source="panel")
texts = ["Des bancs à l'ombre place du marché", "Plus de bancs sur la place du marché",
         "Un parking relais à l'entrée du quartier", "Éclairer la rue des Lilas le soir",
         "Plus de lampadaires dans l'allée du parc"]
ideas = [Idea.objects.create(workshop=w, attendee=ines, prompt="propose", text=t, client_id=uuid.uuid4(), position=i)
         for i, t in enumerate(texts)]
print(json.dumps({"workshop": w.pk, "ideas": [i.pk for i in ideas], "nadia": nadia.pk}))
"""


def shell(live, code: str) -> str:
    return live.manage("shell", "-c", code)


def set_phase(live, workshop_id: int, phase: str) -> None:
    shell(live, f"from concerto.workshops.models import Workshop; "
                f"Workshop.objects.filter(pk={workshop_id}).update(phase='{phase}')")


def check_page(page, name: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{name}:\n" + describe_violations(violations)
    assert not structure_problems(page), structure_problems(page)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"cluster-{name}.png"), full_page=True)


def choose_by_keyboard(page, select, value: str) -> None:
    """With the focus on a closed <select>, press Home then ArrowDown until ``value`` is chosen."""
    page.keyboard.press("Home")
    for _ in range(40):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value!r} not reached with the arrow keys")


def submit_by_keyboard(page, button) -> None:
    tab_to(page, button, max_presses=10)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_cluster_and_vote_by_keyboard_and_on_a_phone(live, context_factory):
    ids = json.loads(shell(live, SETUP).strip().splitlines()[-1])
    w, ideas = ids["workshop"], ids["ideas"]
    frame = f"{live.url}/c/saint-jerome/ateliers/{w}/animation/"
    wall = f"{live.url}/c/saint-jerome/ateliers/{w}/mur/"

    page = context_factory(viewport=DESKTOP).new_page()
    sign_in_with_password(page, live, "animateur@example.org")
    page.goto(frame)
    expect(page.get_by_role("heading", name="Ranger les idées par thèmes")).to_be_visible()
    check_page(page, "console-cluster-1280")

    # 1. Merge the duplicate (idea 2) into idea 1: Tab to its "Fusionner avec…" select, arrows, Enter.
    merge = page.locator(f"#merge-{ideas[1]}")
    tab_to(page, merge, max_presses=150)
    choose_by_keyboard(page, merge, str(ideas[0]))
    submit_by_keyboard(page, page.locator(f"#idea-{ideas[1]} form[action$='/fusionner/'] button"))
    expect(page.locator(f"#idea-{ideas[1]}")).to_have_count(0)
    expect(page.locator(f"#idea-{ideas[0]}")).to_contain_text("Regroupe 1 doublon fusionné")

    # 2. Idea 1 into a new theme « Bancs »: "Nouveau thème…", Tab to the name, type it, Enter.
    group = page.locator(f"#group-{ideas[0]}")
    tab_to(page, group, max_presses=150)
    choose_by_keyboard(page, group, "new")
    page.keyboard.press("Tab")
    page.keyboard.type("Bancs")
    submit_by_keyboard(page, page.locator(f"#idea-{ideas[0]} [data-group-form] button"))
    expect(page.get_by_role("heading", name=re.compile("^Bancs"))).to_be_visible()

    # 3. Idea 4 into a new theme « Éclairage », then idea 5 into that theme with the arrow keys.
    group = page.locator(f"#group-{ideas[3]}")
    tab_to(page, group, max_presses=150)
    choose_by_keyboard(page, group, "new")
    page.keyboard.press("Tab")
    page.keyboard.type("Éclairage")
    submit_by_keyboard(page, page.locator(f"#idea-{ideas[3]} [data-group-form] button"))
    theme_id = page.locator(f"#group-{ideas[4]} option", has_text="Éclairage").get_attribute("value")
    group = page.locator(f"#group-{ideas[4]}")
    tab_to(page, group, max_presses=150)
    choose_by_keyboard(page, group, theme_id)
    submit_by_keyboard(page, page.locator(f"#idea-{ideas[4]} [data-group-form] button"))
    column = page.locator(f'[data-theme-column="{theme_id}"]')
    expect(column.locator(".cluster-card")).to_have_count(2)
    check_page(page, "console-cluster-grouped-1280")
    page.set_viewport_size(PHONE)
    check_page(page, "console-cluster-grouped-360")
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(DESKTOP)

    # 4. The vote: dots placed for Nadia (no phone), by the facilitator.
    set_phase(live, w, "vote")
    page.goto(frame)
    expect(page.get_by_role("heading", name="Placer des gommettes pour…")).to_be_visible()
    page.get_by_label("Participant", exact=True).select_option(label="Nadia D.")
    page.get_by_label("Thème ou idée").select_option(
        page.locator("#proxy-target option", has_text="Bancs").get_attribute("value"))
    page.get_by_label("Nombre de gommettes sur cet élément").select_option("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Placer les gommettes").click()
    expect(page.get_by_text("1 participant sur 2 a placé des gommettes.")).to_be_visible()
    check_page(page, "console-vote-1280")
    page.set_viewport_size(PHONE)
    check_page(page, "console-vote-360")
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(DESKTOP)

    # 5. A participant votes on a 360 px phone: + on « Bancs », 4 dots left, in words.
    phone = context_factory(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2).new_page()
    sign_in_by_link(phone, live, "habitant105@example.org")
    phone.goto(wall)
    expect(phone.get_by_text("Il vous reste 5 gommettes")).to_be_visible()
    check_page(phone, "seat-vote-360")
    assert_no_horizontal_scroll(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name=re.compile("Mettre une gommette sur « Bancs »")).tap()
    expect(phone.get_by_text("Il vous reste 4 gommettes")).to_be_visible()
    assert_no_horizontal_scroll(phone)

    # 6. The vote closes: ranked table and chart, zero-vote items kept, at 1280 and 360 px.
    set_phase(live, w, "sheets")
    page.goto(frame)
    table = page.get_by_role("table", name=re.compile("Classement du vote"))
    expect(table.get_by_role("row")).to_have_count(4)  # header + Bancs (3), Éclairage (0), parking (0)
    expect(table.get_by_role("row").nth(1)).to_contain_text("3")
    expect(table.locator("tbody .badge", has_text="ex æquo")).to_have_count(2)
    expect(page.get_by_role("img", name=re.compile("Gommettes par thème"))).to_be_visible()
    check_page(page, "results-1280")
    phone.goto(wall)
    check_page(phone, "results-360")
    assert_no_horizontal_scroll(phone)


def test_keyboard_grab_mode_moves_a_card_between_columns(live, context_factory):
    """The script's grab mode: Space picks a card up, arrows choose a column, Enter drops it there
    (the card's own form is sent as JSON, then the page shows the server's state)."""
    ids = json.loads(shell(live, SETUP).strip().splitlines()[-1])
    w, ideas = ids["workshop"], ids["ideas"]
    frame = f"{live.url}/c/saint-jerome/ateliers/{w}/animation/"
    page = context_factory(viewport=DESKTOP).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_with_password(page, live, "animateur@example.org")
    page.goto(frame)
    page.get_by_label("Nouveau thème", exact=True).fill("Stationnement")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le thème").click()
    card = page.locator(f"#idea-{ideas[2]}")
    tab_to(page, card, max_presses=150)
    page.keyboard.press("Space")
    expect(page.locator("[data-cluster-status]")).to_contain_text("Carte saisie")
    expect(card).to_have_class(re.compile("cluster-grabbed"))
    page.keyboard.press("ArrowLeft")  # from « Idées sans thème » to « Stationnement »
    expect(page.locator("[data-cluster-status]")).to_contain_text("Stationnement")
    page.keyboard.press("Enter")  # sent as JSON; the console then refreshes its live part
    column = page.locator(".cluster-column", has=page.get_by_role("heading", name=re.compile("^Stationnement")))
    expect(column.locator(f"#idea-{ideas[2]}")).to_be_visible()
    # Escape cancels: nothing moves.
    card = page.locator(f"#idea-{ideas[3]}")
    tab_to(page, card, max_presses=150)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Escape")
    expect(page.locator("[data-cluster-status]")).to_contain_text("Déplacement annulé")
    expect(column.locator(".cluster-card")).to_have_count(1)
    assert not errors, errors

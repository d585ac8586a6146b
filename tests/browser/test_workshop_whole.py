"""A whole workshop, as the room lives it, on the demo's planned follow-up workshop: the facilitator
runs the console, the projector shows the room, three invited residents take part from their own
browsers (one on a 360 px phone). One of them loses the network in the middle of an idea, which
arrives exactly once when it comes back; the reveal reaches everyone's screen within 2 s; the
facilitator merges and groups with the keyboard only, places dots for someone without a phone;
everyone votes; two action sheets are written, retained, published, and are in the actions list.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import sign_in_by_link, sign_in_with_password, tab_to

pytestmark = pytest.mark.browser

CAMPAIGN = "/c/saint-jerome"

SET_UP = """
import json
from concerto.workshops.models import Workshop
w = Workshop.objects.get(campaign__slug="saint-jerome", title__startswith="Atelier de suivi")
invited = list(w.attendees.filter(user__isnull=False).select_related("user").order_by("pk"))
print(json.dumps({"id": w.pk, "code": w.room_code, "emails": [a.user.email for a in invited[:3]],
                  "names": [a.name for a in invited[:3]], "proxy": invited[5].name}))
"""

IDEAS = """
import json
from concerto.workshops.models import Idea
print(json.dumps({{i.text: i.pk for i in Idea.objects.filter(workshop_id={id})}}))
"""

COUNT = """
from concerto.workshops.models import Idea
print(Idea.objects.filter(workshop_id={id}, text={text!r}).count())
"""


def _shell(live, code: str) -> str:
    return live.manage("shell", "-c", code).strip().splitlines()[-1]


def _choose(page, select, value: str) -> None:
    """With the focus on a closed <select>: Home, then ArrowDown until ``value`` is chosen."""
    page.keyboard.press("Home")
    for _ in range(60):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value!r} not reached with the arrow keys")


def _press_enter_on(page, button) -> None:
    tab_to(page, button, max_presses=15)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _next_step(console) -> None:
    with console.expect_navigation():
        console.get_by_role("button", name=re.compile("Étape suivante")).click()


def _post(page, prompt: str, text: str) -> None:
    composer = page.locator("#composer")
    composer.get_by_label(prompt).check()
    composer.get_by_label("Mon idée").fill(text)
    page.get_by_role("button", name="Envoyer mon idée").click()


def test_a_whole_workshop_from_the_first_idea_to_published_actions(context_factory, live):
    room = json.loads(_shell(live, SET_UP))
    wid, code = room["id"], room["code"]
    problems = []

    def watch(page):
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        return page

    # The facilitator opens the console and the projector, and opens the wall for ideas.
    staff = context_factory(viewport=DESKTOP)
    console = watch(staff.new_page())
    sign_in_with_password(console, live, "animateur@example.org")
    console.goto(f"{live.url}{CAMPAIGN}/ateliers/{wid}/animation/")
    _next_step(console)
    projector = watch(staff.new_page())
    projector.goto(f"{live.url}{CAMPAIGN}/ateliers/{wid}/salle/")
    expect(projector.locator(".room-code")).to_have_text(code)

    # Three invited residents join with the room code: Awa on a phone, Basile and Chantal at a desk.
    people = []
    for n, email in enumerate(room["emails"]):
        size = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if n == 0 else {"viewport": DESKTOP}
        context = context_factory(**size)
        page = watch(context.new_page())
        sign_in_by_link(page, live, email)
        page.goto(f"{live.url}/atelier/")
        page.get_by_label("Code de la salle").fill(code.lower())
        page.get_by_role("button", name="Rejoindre").click()
        expect(page).to_have_url(re.compile(rf"/ateliers/{wid}/mur/$"))
        people.append((context, page))
    (_awa_ctx, awa), (_basile_ctx, basile), (chantal_ctx, chantal) = people

    _post(awa, "Ce qui manque", "Des bancs à l’ombre au square Saint-Jérôme")
    _post(awa, "Ce qui manque", "Un banc à l'ombre dans le square")
    _post(basile, "Ce que je propose", "Éclairer le passage sous la voie ferrée")
    # An idea the server could not take at once (5xx while the live server's SQLite is busy under a
    # loaded CI machine) waits in the outbox and is sent again after 2 s, then 4 s, 8 s…: allow two retries.
    for page, text in ((awa, "Un banc à l'ombre dans le square"), (basile, "Éclairer le passage")):
        expect(page.locator(".my-ideas")).to_contain_text(text, timeout=20000)

    # Chantal's network drops while she writes: the idea waits on her computer, then arrives once.
    composer = chantal.locator("#composer")
    composer.get_by_label("Ce que je propose").check()
    composer.get_by_label("Mon idée").fill("Une lumière")
    chantal_ctx.set_offline(True)
    composer.get_by_label("Mon idée").press("End")
    composer.get_by_label("Mon idée").type(" dans le passage de la gare")
    chantal.get_by_role("button", name="Envoyer mon idée").click()
    expect(chantal.locator("#outbox")).to_contain_text("Une lumière dans le passage de la gare")
    chantal.wait_for_timeout(2500)  # retries while offline
    chantal_ctx.set_offline(False)
    expect(chantal.locator("#outbox")).to_be_hidden(timeout=15000)
    assert _shell(live, COUNT.format(id=wid, text="Une lumière dans le passage de la gare")) == "1"

    # A post-it from someone without a phone, typed by the facilitator for them.
    console.reload()
    console.locator("#proxy-attendee").select_option(label=room["proxy"])
    console.locator("#proxy-text").fill("Un marché le samedi matin")
    with console.expect_navigation():
        console.locator(".proxy-entry button[type=submit]").click()
    expect(console.locator("#wall-live")).to_contain_text("Un marché le samedi matin")
    # Nobody saw anyone else's ideas before the reveal.
    expect(basile.locator("#wall-live")).not_to_contain_text("bancs à l’ombre")
    expect(projector.locator('[data-live-key="ideas"]')).to_have_text("5", timeout=3000)

    # The reveal: everyone's screen shows everyone's ideas within 2 s, without names.
    _next_step(console)
    for page in (awa, basile, chantal, projector):
        expect(page.locator("#wall-live")).to_contain_text("Un marché le samedi matin", timeout=2000)
    expect(basile.locator("#wall-live")).to_contain_text("Des bancs à l’ombre au square", timeout=2000)
    expect(basile.locator("#wall-live")).not_to_contain_text(room["names"][0])

    # Grouping, with the keyboard only: the two benches merged, then two themes.
    _next_step(console)
    ideas = json.loads(_shell(live, IDEAS.format(id=wid)))
    bench, duplicate = ideas["Des bancs à l’ombre au square Saint-Jérôme"], ideas["Un banc à l'ombre dans le square"]
    light, light_2 = ideas["Éclairer le passage sous la voie ferrée"], ideas["Une lumière dans le passage de la gare"]
    merge = console.locator(f"#merge-{duplicate}")
    tab_to(console, merge, max_presses=200)
    _choose(console, merge, str(bench))
    _press_enter_on(console, console.locator(f"#idea-{duplicate} form[action$='/fusionner/'] button"))
    expect(console.locator(f"#idea-{duplicate}")).to_have_count(0)
    for idea, theme in ((bench, "Ombre et bancs"), (light, "Éclairage")):
        group = console.locator(f"#group-{idea}")
        tab_to(console, group, max_presses=200)
        _choose(console, group, "new")
        console.keyboard.press("Tab")
        console.keyboard.type(theme)
        _press_enter_on(console, console.locator(f"#idea-{idea} [data-group-form] button"))
        expect(console.get_by_role("heading", name=re.compile(f"^{theme}"))).to_be_visible()
    group = console.locator(f"#group-{light_2}")
    tab_to(console, group, max_presses=200)
    theme_id = console.locator(f"#group-{light_2} option", has_text="Éclairage").get_attribute("value")
    _choose(console, group, theme_id)
    _press_enter_on(console, console.locator(f"#idea-{light_2} [data-group-form] button"))
    expect(console.locator(f'[data-theme-column="{theme_id}"] .cluster-card')).to_have_count(2)

    # The dot-vote: dots placed for the person without a phone, then everyone votes.
    _next_step(console)
    console.get_by_label("Participant", exact=True).select_option(label=room["proxy"])
    console.get_by_label("Thème ou idée").select_option(
        console.locator("#proxy-target option", has_text="Éclairage").get_attribute("value"))
    console.get_by_label("Nombre de gommettes sur cet élément").select_option("2")
    with console.expect_navigation():
        console.get_by_role("button", name="Placer les gommettes").click()
    for page, theme in ((awa, "Ombre et bancs"), (basile, "Éclairage"), (chantal, "Éclairage")):
        page.reload()
        expect(page.get_by_text("Il vous reste 5 gommettes")).to_be_visible()
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile(f"Mettre une gommette sur « {theme} »")).click()
        expect(page.get_by_text("Il vous reste 4 gommettes")).to_be_visible()

    # The vote closes: the ranked results, then two action sheets written and published.
    _next_step(console)
    table = console.get_by_role("table", name=re.compile("Classement du vote"))
    expect(table.get_by_role("row").nth(1)).to_contain_text("Éclairage")
    expect(table.get_by_role("row").nth(1)).to_contain_text("4")
    sheets = f"{live.url}{CAMPAIGN}/ateliers/{wid}/fiches/"
    console.goto(sheets)
    for theme, problem, proposal in (
            ("Éclairage", "Le passage sous la voie ferrée est noir le soir.",
             "Poser un éclairage à détection dans le passage sous la voie ferrée."),
            ("Ombre et bancs", "Il n'y a pas d'ombre pour s'asseoir au square l'été.",
             "Installer quatre bancs sous les platanes du square Saint-Jérôme.")):
        console.locator("summary", has_text="Nouvelle fiche à partir d’un thème").click()
        console.get_by_role("link", name=f"Nouvelle fiche à partir du thème « {theme} »").click()
        console.get_by_label(re.compile("^Constat")).fill(problem)
        console.get_by_label(re.compile("^Proposition")).fill(proposal)
        console.get_by_label("La ville").check()
        console.get_by_role("button", name="Enregistrer la fiche").click()
        expect(console.locator(".messages")).to_contain_text(f"Fiche « {theme} » enregistrée.")
        console.get_by_role("button", name=f"Retenir « {theme} »").click()
        expect(console.locator(".messages")).to_contain_text("Fiche retenue.")
    console.get_by_role("link", name="Publier les fiches retenues").click()
    console.get_by_role("button", name="Publier ces 2 fiches").click()
    expect(console.locator(".messages")).to_contain_text("2 fiches publiées comme actions.")

    # In the campaign's actions, for every resident to support.
    awa.goto(f"{live.url}{CAMPAIGN}/actions/?origin=workshop&sort=newest")
    for theme in ("Éclairage", "Ombre et bancs"):
        expect(awa.locator("main").get_by_role("link").filter(has_text=theme).first).to_be_visible()
    assert not problems, problems

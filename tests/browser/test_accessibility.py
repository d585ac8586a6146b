"""axe-core (WCAG 2.1 A/AA) and a few structural checks on every page, at desktop and phone widths.

Each page is also saved as a full-page screenshot in artefacts/screenshots/<page>-<desktop|phone>.png.
Checked besides axe: <html lang>, exactly one <h1>, no skipped heading level, no duplicate id, no
aria-describedby / aria-labelledby / for pointing to a missing id, and (phone) no sideways scrolling.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .helpers import (
    CAMPAIGN,
    axe_violations,
    describe_violations,
    sign_in_by_link,
    structure_problems,
)

pytestmark = pytest.mark.browser

RESIDENT = "habitant110@example.org"
MODERATOR = "moderatrice@example.org"
ORGANISER = "organisatrice@example.org"
AUTHOR = "author"  # a demo resident with contributions in several states (found by the fixture below)
ACTION_WITH_COMMENTS = "Sécuriser la traversée devant l'école élémentaire"

FIND_AUTHOR = """
from django.db.models import Count
from concerto.proposals.models import Action
row = (Action.objects.filter(campaign__slug="saint-jerome", author__email__startswith="habitant")
       .values("author__email").annotate(kinds=Count("status", distinct=True), n=Count("id"))
       .order_by("-kinds", "-n", "author__email").first())
print(row["author__email"])
"""


FIND_FREE_CODE = """
from concerto.letters.codes import format_code
from concerto.letters.models import InvitationCode
codes = InvitationCode.objects.filter(campaign__slug="saint-jerome", revoked_at__isnull=True, use_count=0)
print(format_code(codes.order_by("-pk").values_list("code", flat=True)[0]))
"""


@pytest.fixture(scope="session")
def author_email(live) -> str:
    return live.manage("shell", "-c", FIND_AUTHOR).strip().splitlines()[-1]


@dataclass(frozen=True)
class Visit:
    name: str
    go: str | Callable  # a path, or a function (page, live) that brings the page on screen
    who: str | None = None  # signed in as; None for a visitor
    lang: str = "fr"


def open_action_with_comments(page, live):
    page.goto(f"{live.url}{CAMPAIGN}/actions/?q=traversée")
    page.locator("#results").get_by_role("link", name=ACTION_WITH_COMMENTS).click()
    expect(page.locator(".comments .comment").first).to_be_visible()
    # A signed-in person sees "Report" boxes: open one so its form is checked too.
    report = page.locator("details.report").first
    if report.count():
        report.locator("summary").click()


def action_after_support(page, live):
    """The support box as htmx leaves it after a click (support, or withdraw on the second run)."""
    open_action_with_comments(page, live)
    page.locator(".support-box").get_by_role("button").click()
    expect(page.locator(".support-box").get_by_role("status")).to_be_visible()


def own_contribution(page, live):
    """One of my contributions that is not simply published: pending, rejected or merged."""
    page.goto(f"{live.url}/moi/")
    mine = page.get_by_role("region", name=re.compile("Mes contributions")).get_by_role("listitem")
    mine.filter(has_not_text=re.compile("Publiée")).first.get_by_role("link").first.click()
    expect(page.locator(".notice")).to_be_visible()


def sign_in_page_with_errors(page, live):
    page.goto(f"{live.url}/connexion/")
    page.get_by_role("button", name="M’envoyer un lien de connexion").click()
    expect(page.get_by_role("alert")).to_be_visible()


def password_page_with_errors(page, live):
    page.goto(f"{live.url}/connexion/mot-de-passe/")
    page.get_by_label("Adresse e-mail").fill(MODERATOR)
    page.get_by_label("Mot de passe").fill("not-the-password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()


def link_sent(page, live):
    page.goto(f"{live.url}/connexion/")
    page.get_by_label("Votre adresse e-mail").fill("habitant111@example.org")
    page.get_by_role("button", name="M’envoyer un lien de connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez vos e-mails")


def link_confirm(page, live):
    link_sent(page, live)
    body = live.mails_to("habitant111@example.org")[-1]
    page.goto(re.search(r"https?://\S+/connexion/lien/\S+/", body).group(0))
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()


def letter_preview_shown(page, live):
    """The letter text page after "Preview without saving": the page as typed, as an image."""
    page.goto(f"{live.url}{CAMPAIGN}/courriers/texte/")
    page.locator('button[name="action"][value="preview"]').click()
    expect(page.locator(".letter-preview img")).to_be_visible()


def staff_link_refused(page, live):
    """A sign-in link opened for a team member: refused, with the way to the password page."""
    sign_in_by_link(page, live, MODERATOR)
    expect(page.get_by_role("link", name="Connexion de l’équipe")).to_be_visible()


def propose_with_errors(page, live):
    page.goto(f"{live.url}{CAMPAIGN}/proposer/")
    page.get_by_role("button", name="Envoyer ma proposition").click()
    expect(page.get_by_role("alert")).to_be_visible()


def delete_with_errors(page, live):
    page.goto(f"{live.url}/moi/supprimer/")
    page.get_by_role("textbox").fill("non")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_role("alert")).to_be_visible()


def searched_with_htmx(page, live):
    page.goto(f"{live.url}{CAMPAIGN}/actions/")
    page.get_by_role("textbox", name="Rechercher").fill("arbres")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"q=arbres"))
    expect(page.locator("#results-title")).to_have_text(re.compile(r"^\d{1,2} actions?$"))


def join_with_errors(page, live):
    page.goto(f"{live.url}{CAMPAIGN}/rejoindre/")
    page.get_by_label(re.compile("code", re.I)).first.fill("ABCD-EFGH-I0")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_role("alert").first).to_be_visible()


def join_second_step(page, live):
    """A valid, unused code: the page offers joining with an e-mail or with a PIN."""
    code = live.manage("shell", "-c", FIND_FREE_CODE).strip().splitlines()[-1]
    page.goto(f"{live.url}{CAMPAIGN}/rejoindre/?code={code}")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#without-email")).to_be_visible()


def open_selection(suffix=""):
    def go(page, live):
        page.goto(f"{live.url}{CAMPAIGN}/selections/")
        href = page.locator("main a[href*='/selections/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href')).find(h => /\\/selections\\/\\d+\\/$/.test(h))")
        page.goto(live.url + href + suffix)
    return go


VISITS = [
    Visit("index", "/"),
    Visit("campaign-home", f"{CAMPAIGN}/"),
    Visit("actions", f"{CAMPAIGN}/actions/"),
    Visit("actions-filtered", f"{CAMPAIGN}/actions/?theme=espaces-verts&origin=online&sort=newest&page=2"),
    Visit("actions-search", f"{CAMPAIGN}/actions/?q=bancs"),
    Visit("actions-search-htmx", searched_with_htmx),
    Visit("action", open_action_with_comments),
    Visit("sign-in", "/connexion/"),
    Visit("sign-in-errors", sign_in_page_with_errors),
    Visit("password-sign-in", "/connexion/mot-de-passe/"),
    Visit("password-sign-in-errors", password_page_with_errors),
    Visit("link-sent", link_sent),
    Visit("link-confirm", link_confirm),
    Visit("link-invalid", "/connexion/lien/ce-lien-n-existe-pas/"),
    Visit("link-refused-to-staff", staff_link_refused),
    Visit("not-found", "/cette-page-n-existe-pas/"),
    Visit("action-signed-in", open_action_with_comments, who=RESIDENT),
    Visit("propose", f"{CAMPAIGN}/proposer/", who=RESIDENT),
    Visit("propose-errors", propose_with_errors, who=RESIDENT),
    Visit("action-after-support", action_after_support, who=RESIDENT),
    Visit("my-space", "/moi/", who=RESIDENT),
    Visit("my-space-contributions", "/moi/", who=AUTHOR),
    Visit("own-contribution", own_contribution, who=AUTHOR),
    Visit("account-delete", "/moi/supprimer/", who=RESIDENT),
    Visit("account-delete-errors", delete_with_errors, who=RESIDENT),
    Visit("moderation", f"{CAMPAIGN}/moderation/", who=MODERATOR),
    Visit("journal", f"{CAMPAIGN}/journal/", who=ORGANISER),
    Visit("my-space-organiser", "/moi/", who=ORGANISER),
    Visit("join", f"{CAMPAIGN}/rejoindre/"),
    Visit("join-errors", join_with_errors),
    Visit("join-second-step", join_second_step),
    Visit("pin-sign-in", "/connexion/code/"),
    Visit("selections", f"{CAMPAIGN}/selections/"),
    Visit("selection-audit", open_selection()),
    Visit("volunteer-form", f"{CAMPAIGN}/volontaires/", who=RESIDENT),
    Visit("letters-tracking", f"{CAMPAIGN}/courriers/", who=ORGANISER),
    Visit("letters-settings", f"{CAMPAIGN}/courriers/texte/", who=ORGANISER),
    Visit("letters-settings-preview", letter_preview_shown, who=ORGANISER),
    Visit("letters-batches", f"{CAMPAIGN}/courriers/lots/", who=ORGANISER),
    Visit("households", f"{CAMPAIGN}/foyers/", who=ORGANISER),
    Visit("households-import", f"{CAMPAIGN}/foyers/importer/", who=ORGANISER),
    Visit("street-rules", f"{CAMPAIGN}/foyers/rues/", who=ORGANISER),
    Visit("volunteer-list", f"{CAMPAIGN}/volontaires/liste/", who=ORGANISER),
    Visit("volunteer-call", f"{CAMPAIGN}/volontaires/appel/", who=ORGANISER),
    Visit("selection-new", f"{CAMPAIGN}/selections/nouvelle/", who=ORGANISER),
    Visit("selection-manage", open_selection("gestion/"), who=ORGANISER),
    Visit("en-join", f"{CAMPAIGN}/rejoindre/", lang="en"),
    Visit("en-selection-audit", open_selection(), lang="en"),
    Visit("en-index", "/", lang="en"),
    Visit("en-actions", f"{CAMPAIGN}/actions/", lang="en"),
    Visit("en-campaign-home", f"{CAMPAIGN}/", lang="en"),
    Visit("en-sign-in", "/connexion/", lang="en"),
]
SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("visit", VISITS, ids=[v.name for v in VISITS])
def test_page_is_accessible(visit, size, live, context_factory, signed_in_state, author_email, artefacts):
    kwargs = {"viewport": SIZES[size]}
    if size == "phone":
        kwargs.update(is_mobile=True, has_touch=True)
    if visit.who:
        email = author_email if visit.who == AUTHOR else visit.who
        password = None if email.startswith("habitant") else "concerto-demo"
        kwargs["storage_state"] = signed_in_state(email, password)
    context = context_factory(**kwargs)
    if visit.lang != "fr":
        context.add_cookies([{"name": "django_language", "value": visit.lang, "url": live.url}])
    page = context.new_page()
    if isinstance(visit.go, str):
        page.goto(live.url + visit.go)
    else:
        visit.go(page, live)
    if visit.who:
        expect(page.get_by_role("button", name=re.compile("Se déconnecter|Sign out"))).to_be_visible()

    folder = artefacts / "screenshots"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=folder / f"{visit.name}-{size}.png", full_page=True)

    problems = []
    # axe on an unstyled page would check the browser's default colours: make sure site.css applied.
    if not page.evaluate("document.styleSheets.length > 0 && [...document.styleSheets].every(s => s.cssRules.length > 0)"):
        problems.append("the stylesheet did not load (empty or missing): colours and layout were not checked")
    lang = page.get_attribute("html", "lang")
    if lang != visit.lang:
        problems.append(f'<html lang="{lang}">, expected "{visit.lang}"')
    h1 = page.locator("h1").all_inner_texts()
    if len(h1) != 1:
        problems.append(f"{len(h1)} <h1> on the page, expected one: {h1}")
    problems.extend(structure_problems(page))
    if size == "phone":
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"the page scrolls sideways at {PHONE['width']} px (scrollWidth {width})")
    violations = axe_violations(page)
    if violations:
        problems.append("axe-core (WCAG 2.1 A/AA) violations:\n" + describe_violations(violations))
    assert not problems, f"{visit.name} ({size}, {page.url}):\n" + "\n".join(problems)

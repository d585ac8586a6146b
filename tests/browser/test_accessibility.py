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


def propose_similar_htmx(page, live):
    """"Already proposed?" as htmx fills it while a resident types the title."""
    page.goto(f"{live.url}{CAMPAIGN}/proposer/")
    page.locator("#id_title").press_sequentially("securiser la traverse ecole", delay=20)
    expect(page.locator("#similar .similar li").first).to_be_visible()


def propose_similar_checked(page, live):
    """The same list without waiting for htmx: the "check" button (it keeps the draft)."""
    page.goto(f"{live.url}{CAMPAIGN}/proposer/")
    page.locator("#id_title").fill("arbres dans la cour")
    page.locator("button[name=check]").click()
    expect(page.locator("#similar .similar, #similar .similar-none").first).to_be_visible()


def moderation_subpage(kind, search=""):
    def go(page, live):
        page.goto(f"{live.url}{CAMPAIGN}/moderation/")
        page.locator(f"main a[href*='/{kind}/']").first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if search:
            page.locator("#id_q").press_sequentially(search, delay=20)
            expect(page.locator("#merge-targets h2")).to_contain_text(search)
    return go


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


def open_household(used):
    """The first household of the list with this filter: "used" (residents joined: listed, no delete form),
    "unused" (vacant: the delete form)."""
    def go(page, live):
        page.goto(f"{live.url}{CAMPAIGN}/foyers/?used={used}")
        page.locator("main table a[href*='/foyers/']").first.click()
        expect(page.locator("#edit-title")).to_be_visible()
    return go


def household_edit_with_errors(page, live):
    open_household("unused")(page, live)
    page.locator("#id_city").fill("")
    page.locator("#id_postcode").fill("130")
    page.locator("form[action$='/modifier/'] button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()


BAD_LINES = (b"adresse;code_postal;ville\n1 rue des Essais;13090;Aix-en-Provence\n;1309;Aix-en-Provence\n"
             b"3 rue des Essais;13090;\n")


def import_with_rejected_lines(page, live):
    page.goto(f"{live.url}{CAMPAIGN}/foyers/importer/")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "essai-lignes-rejetees.csv", "mimeType": "text/csv", "buffer": BAD_LINES}])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("a[href$='lignes-rejetees.csv']")).to_be_visible()


def import_undo_page(page, live):
    page.goto(f"{live.url}{CAMPAIGN}/foyers/importer/")
    page.get_by_role("link", name="foyers-saint-jerome.csv").click()
    page.goto(page.url + "annuler-l-import/")
    expect(page.locator("h1")).to_be_visible()




def join_link_confirm(page, live):
    """The e-mail join: name and address on one screen, then the link's confirmation page."""
    join_second_step(page, live)
    page.locator("#id_email-email").fill("habitant-nouveau@example.org")
    page.locator("#id_email-display_name").fill("Nina")
    page.get_by_role("button", name="Rejoindre avec mon adresse e-mail").click()
    body = live.mails_to("habitant-nouveau@example.org")[-1]
    page.goto(re.search(r"https?://\S+/rejoindre/lien/\S+/", body).group(0))
    expect(page.locator("main form button[type=submit]")).to_be_visible()


def call_with_new_question(page, live):
    """The call editor after "Add a question": unsaved rows, no JavaScript needed."""
    page.goto(f"{live.url}{CAMPAIGN}/volontaires/appel/")
    page.locator("button[value='add:q']").click()
    expect(page.locator(".call-editor .notice")).to_be_visible()


def call_with_errors(page, live):
    page.goto(f"{live.url}{CAMPAIGN}/volontaires/appel/")
    page.locator("#id_t-0-label").fill("")
    page.locator(".call-editor button[value=save]").first.click()
    expect(page.get_by_role("alert")).to_be_visible()


def open_selection(suffix=""):
    def go(page, live):
        page.goto(f"{live.url}{CAMPAIGN}/selections/")
        href = page.locator("main a[href*='/selections/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href')).find(h => /\\/selections\\/\\d+\\/$/.test(h))")
        page.goto(live.url + href + suffix)
    return go


def campaign_new_with_errors(page, live):
    """The creation form sent with a taken address and a wrong e-mail: every error on its field."""
    page.goto(f"{live.url}/gestion/campagnes/nouvelle/")
    page.locator("#id_name").fill("Une campagne")
    page.locator("#id_slug").fill("saint-jerome")
    page.locator("#id_territory").fill("Aix")
    page.locator("#id_contact_email").fill("pas-une-adresse")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_role("alert")).to_be_visible()


def phase_link(kind_label: str, suffix: str = ""):
    """The calendar, then the edit (or delete) page of a phase, found by its name in the table."""
    def go(page, live):
        page.goto(f"{live.url}{CAMPAIGN}/gestion/calendrier/")
        row = page.locator("main table tbody tr").filter(has_text=kind_label).first
        href = row.locator("a").first.get_attribute("href")
        page.goto(live.url + href + suffix)
    return go


def phase_with_errors(page, live):
    phase_link("Participation")(page, live)
    page.fill("#id_ends_at", "2000-01-01T10:00")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error").first).to_be_visible()


def phase_closing_warning(page, live):
    phase_link("Participation")(page, live)
    page.check("#id_is_closed")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_confirm")).to_be_visible()


def first_merge(list_path: str):
    def go(page, live):
        page.goto(f"{live.url}{CAMPAIGN}/gestion/{list_path}/")
        page.goto(live.url + page.locator("main table a.danger-link").first.get_attribute("href"))
    return go
# The team, passwords and PIN reset (issue 10): links made by the services, printed for the browser.
NEW_INVITATION = """
import secrets
from concerto.campaigns.models import Campaign
from concerto.residents.models import User
from concerto.residents.services import team_invite
campaign = Campaign.objects.get(slug="saint-jerome")
by = User.objects.get(email="organisatrice@example.org")
_inv, secret = team_invite(by=by, campaign=campaign, email=f"recrue-{secrets.token_hex(4)}@example.org",
                           role="moderator", build_url=lambda s: s)
print("SECRET=" + secret)
"""
NEW_PASSWORD_LINK = """
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from concerto.residents.models import User
user = User.objects.get(email="animateur@example.org")
print(f"LINK={urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}")
"""
FIND_PIN_CODE = """
from concerto.core.ratelimit import suspended
from concerto.joining.services import code_join_with_pin
from concerto.letters.codes import format_code
from concerto.letters.models import CodeUse, InvitationCode
use = CodeUse.objects.filter(code__campaign__slug="saint-jerome").exclude(pin_hash="").order_by("pk").first()
if use is None:  # the demo has none: a resident without e-mail joins with a free code
    code = InvitationCode.objects.filter(campaign__slug="saint-jerome", revoked_at__isnull=True,
                                         use_count=0).order_by("pk").first()
    with suspended():
        use = code_join_with_pin(campaign=code.campaign, text=code.code, ip="192.0.2.1", display_name="Gisèle",
                                 pin="4071", pin_again="4071").code_use
print("CODE=" + format_code(use.code.code))
"""


def _printed(output: str, marker: str) -> str:
    """The value a shell snippet printed after ``marker`` (the shell may print other lines)."""
    return next(line for line in output.splitlines() if line.startswith(marker)).removeprefix(marker)


def invitation_page(page, live):
    secret = _printed(live.manage("shell", "-c", NEW_INVITATION), "SECRET=")
    page.goto(f"{live.url}/invitation/{secret}/")
    expect(page.locator("#id_display_name")).to_be_visible()


def invitation_with_errors(page, live):
    invitation_page(page, live)
    page.locator("#id_display_name").fill("Recrue Test")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()


def team_with_errors(page, live):
    page.goto(f"{live.url}{CAMPAIGN}/gestion/equipe/")
    page.locator("main form.form button[type=submit]").last.click()
    expect(page.get_by_role("alert")).to_be_visible()


def password_reset_sent(page, live):
    page.goto(f"{live.url}/connexion/mot-de-passe/oublie/")
    page.get_by_label("Adresse e-mail").fill("personne@example.org")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez vos e-mails")


def password_reset_confirm(page, live):
    path = _printed(live.manage("shell", "-c", NEW_PASSWORD_LINK), "LINK=")
    page.goto(f"{live.url}/connexion/mot-de-passe/nouveau/{path}/")
    page.locator("main form button[type=submit]").click()  # empty: the errors are shown
    expect(page.get_by_role("alert")).to_be_visible()


def pin_reset_page(page, live):
    """A household's code with a resident who signs in with a PIN: the form to reset it."""
    code = _printed(live.manage("shell", "-c", FIND_PIN_CODE), "CODE=")
    page.goto(f"{live.url}{CAMPAIGN}/gestion/pin/?code={code}")
    expect(page.locator("#id_pin")).to_be_visible()
FIND_ANSWER_LINK = """
from concerto.selection.models import SelectionSeat
from concerto.selection.notifications import answer_token
seat = SelectionSeat.objects.filter(selection__campaign__slug="saint-jerome", status="selected").order_by("pk").first()
print(f"/c/saint-jerome/selections/reponse/?t={answer_token(seat.pk)}")
"""


def selection_answer(page, live):
    page.goto(live.url + live.manage("shell", "-c", FIND_ANSWER_LINK).strip().splitlines()[-1])


def selection_lookup(page, live):
    """"Suis-je tiré·e ?" answered for a pseudonym of the audit page's table."""
    open_selection()(page, live)
    pseudonym = page.locator("#probabilities-title ~ table tbody th").first.inner_text().split()[0]
    page.get_by_label(re.compile("pseudonyme|pseudonym", re.I)).fill(pseudonym)
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("main .card[role=status]")).to_be_visible()


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
    Visit("moderation-merge", moderation_subpage("fusion"), who=MODERATOR),
    Visit("moderation-merge-search", moderation_subpage("fusion", "arbres"), who=MODERATOR),
    Visit("moderation-edit", moderation_subpage("modifier"), who=MODERATOR),
    Visit("propose-similar", propose_similar_htmx, who=RESIDENT),
    Visit("propose-similar-checked", propose_similar_checked, who=RESIDENT),
    Visit("similar-page", f"{CAMPAIGN}/proposer/deja-propose/?title=traversee+ecole"),
    Visit("journal", f"{CAMPAIGN}/journal/", who=ORGANISER),
    Visit("my-space-organiser", "/moi/", who=ORGANISER),
    Visit("join", f"{CAMPAIGN}/rejoindre/"),
    Visit("join-errors", join_with_errors),
    Visit("join-second-step", join_second_step),
    Visit("pin-sign-in", "/connexion/code/"),
    Visit("selections", f"{CAMPAIGN}/selections/"),
    Visit("selection-audit", open_selection()),
    Visit("selection-lookup", selection_lookup),
    Visit("selection-answer", selection_answer),
    Visit("volunteer-form", f"{CAMPAIGN}/volontaires/", who=RESIDENT),
    Visit("letters-tracking", f"{CAMPAIGN}/courriers/", who=ORGANISER),
    Visit("letters-settings", f"{CAMPAIGN}/courriers/texte/", who=ORGANISER),
    Visit("letters-settings-preview", letter_preview_shown, who=ORGANISER),
    Visit("letters-batches", f"{CAMPAIGN}/courriers/lots/", who=ORGANISER),
    Visit("households", f"{CAMPAIGN}/foyers/", who=ORGANISER),
    Visit("households-import", f"{CAMPAIGN}/foyers/importer/", who=ORGANISER),
    Visit("street-rules", f"{CAMPAIGN}/foyers/rues/", who=ORGANISER),
    Visit("calendar", f"{CAMPAIGN}/gestion/calendrier/", who=ORGANISER),
    Visit("phase-edit-errors", phase_with_errors, who=ORGANISER),
    Visit("phase-closing-warning", phase_closing_warning, who=ORGANISER),
    Visit("phase-delete", phase_link("Participation", "supprimer/"), who=ORGANISER),
    Visit("themes", f"{CAMPAIGN}/gestion/themes/", who=ORGANISER),
    Visit("theme-merge", first_merge("themes"), who=ORGANISER),
    Visit("sectors", f"{CAMPAIGN}/gestion/secteurs/", who=ORGANISER),
    Visit("sector-merge", first_merge("secteurs"), who=ORGANISER),
    Visit("household-joined", open_household("used"), who=ORGANISER),
    Visit("household-vacant", open_household("unused"), who=ORGANISER),
    Visit("household-edit-errors", household_edit_with_errors, who=ORGANISER),
    Visit("households-export", f"{CAMPAIGN}/foyers/exporter/", who=ORGANISER),
    Visit("import-rejected-lines", import_with_rejected_lines, who=ORGANISER),
    Visit("import-undo", import_undo_page, who=ORGANISER),
    Visit("volunteer-list", f"{CAMPAIGN}/volontaires/liste/", who=ORGANISER),
    Visit("volunteer-call", f"{CAMPAIGN}/volontaires/appel/", who=ORGANISER),
    Visit("volunteer-call-added", call_with_new_question, who=ORGANISER),
    Visit("volunteer-call-errors", call_with_errors, who=ORGANISER),
    Visit("join-link-confirm", join_link_confirm),
    Visit("my-data", "/moi/donnees/", who=RESIDENT),
    Visit("my-data-contributions", "/moi/donnees/", who=AUTHOR),
    Visit("selection-new", f"{CAMPAIGN}/selections/nouvelle/", who=ORGANISER),
    Visit("selection-manage", open_selection("gestion/"), who=ORGANISER),
    Visit("campaigns-manage", "/gestion/campagnes/", who=ORGANISER),
    Visit("campaign-new", "/gestion/campagnes/nouvelle/", who=ORGANISER),
    Visit("campaign-new-errors", campaign_new_with_errors, who=ORGANISER),
    Visit("campaign-settings", f"{CAMPAIGN}/gestion/", who=ORGANISER),
    Visit("campaign-consent", f"{CAMPAIGN}/gestion/consentement/", who=ORGANISER),
    Visit("campaign-checklist", f"{CAMPAIGN}/gestion/lancement/", who=ORGANISER),
    Visit("legal-notice", f"{CAMPAIGN}/mentions-legales/"),
    Visit("privacy-notice", f"{CAMPAIGN}/confidentialite/"),
    Visit("team", f"{CAMPAIGN}/gestion/equipe/", who=ORGANISER),
    Visit("team-errors", team_with_errors, who=ORGANISER),
    Visit("invitation", invitation_page),
    Visit("invitation-errors", invitation_with_errors),
    Visit("invitation-invalid", "/invitation/ce-lien-n-existe-pas/"),
    Visit("password-reset", "/connexion/mot-de-passe/oublie/"),
    Visit("password-reset-sent", password_reset_sent),
    Visit("password-reset-confirm", password_reset_confirm),
    Visit("password-change", "/moi/mot-de-passe/", who=ORGANISER),
    Visit("pin-reset", pin_reset_page, who=ORGANISER),
    Visit("pin-reset-code-typo", f"{CAMPAIGN}/gestion/pin/?code=ABCD-EFGH-I0", who=ORGANISER),
    Visit("selection-message", open_selection("message/"), who=ORGANISER),
    Visit("selection-archive", open_selection("archiver/"), who=ORGANISER),
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

"""The XSS corpus in every text field, every API body and every query parameter, then every page
that shows them opened in Chromium: no payload runs, no CSP violation occurs, nothing injected
reaches the DOM as markup.

Accounts (habitant060…062 and the demo staff) are used by no other suite. Contributions are
posted in rounds of a dozen and moderated through the moderation page after each round, so each
round is seen whole in the moderation queue (it shows the 50 oldest) and none stays pending.
"""

import json
import re
import urllib.request
from urllib.parse import urlencode

import pytest

from ..browser.helpers import sign_in_by_link, sign_in_with_password
from .xss_corpus import MARKER, PAYLOADS, TEMPLATE_SENTINEL, packs

pytestmark = pytest.mark.browser

CAMPAIGN = "/c/saint-jerome"
AUTHOR, REPORTER, API_REPORTER = "habitant060@example.org", "habitant061@example.org", "habitant062@example.org"
ROUND = 11

CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""

# Markup no page of Concerto has and an injection would bring: elements, attributes, URLs.
DOM_SCAN = r"""
() => {
  const found = [];
  // svg[data-figure]: the pages' own drawings (the room's QR code, the vote chart), rendered on the
  // server from no user input; an injected one would still be caught by its handlers or scripts.
  // iframe[data-live-stream]: the live page's video, from the event's stream address set by an
  // organiser (https only); the page's CSP frame-src admits that origin alone.
  const forbidden = 'iframe:not([data-live-stream]),frame,object,embed,base,svg:not([data-figure]),math,template,marquee,isindex,' +
                    'video,audio,img,style,' +
                    'link:not([rel=stylesheet][href^="/static/"])' +
                    // The door-to-door app's own manifest and icons (templates/fieldwork/app.html).
                    ':not([rel=manifest][href$="/terrain/app/manifest.webmanifest"])' +
                    ':not([rel~=icon][href^="/static/concerto/doors/"])' +
                    ':not([rel=apple-touch-icon][href^="/static/concerto/doors/"]),meta[http-equiv],x,noscript';
  for (const el of document.querySelectorAll(forbidden)) found.push('element ' + el.outerHTML.slice(0, 120));
  for (const s of document.scripts) {
    // A JSON data block (Django's json_script, which escapes <, > and &) is never run.
    if (!s.src && s.type === 'application/json') continue;
    if (!s.src || new URL(s.src).origin !== location.origin || !new URL(s.src).pathname.startsWith('/static/'))
      found.push('script ' + s.outerHTML.slice(0, 120));
  }
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
      if (name.startsWith('on')) found.push('handler ' + el.tagName + ' ' + name);
      if (name === 'style' || name === 'srcdoc' || name.startsWith('hx-on')) found.push('attribute ' + el.tagName + ' ' + name);
      if (name.startsWith('hx-') && /xss|donnees/.test(value)) found.push('htmx ' + el.tagName + ' ' + name);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster'].includes(name) &&
          /^(javascript|data|vbscript):/.test(value)) found.push('url ' + el.tagName + ' ' + name + '=' + value.slice(0, 60));
    }
  }
  return found;
}
"""
HIDDEN_CHARACTERS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


class Actor:
    """One browser context (one person), its page, and everything suspicious it has seen."""

    def __init__(self, browser, live, name):
        self.live, self.name = live, name
        self.ctx = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        self.ctx.add_init_script(CSP_LISTENER)
        self.page = self.ctx.new_page()
        self.problems: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"{self.name} {self.page.url}: JS error {exc}"))

    def _dialog(self, dialog):
        self.problems.append(f"{self.name} {self.page.url}: a {dialog.type} opened: {dialog.message}")
        dialog.dismiss()

    def _console(self, message):
        text = message.text
        if MARKER in text or "Refused to" in text or "Content Security Policy" in text:
            self.problems.append(f"{self.name} {self.page.url}: console {message.type}: {text[:300]}")

    def view(self, path, *, shows_payloads=True, stored=True):
        """Open a page; record anything that ran, was refused by the CSP or was injected."""
        response = self.page.goto(self.live.url + path)
        self.page.wait_for_load_state("load")
        where = f"{self.name} {path[:120]}"
        if response is None or response.status >= 500:
            self.problems.append(f"{where}: answered {response and response.status}")
        for violation in self.page.evaluate("window.__csp || []"):
            self.problems.append(f"{where}: CSP violation {violation}")
        for injected in self.page.evaluate(DOM_SCAN):
            self.problems.append(f"{where}: injected {injected}")
        text = self.page.inner_text("body")
        if TEMPLATE_SENTINEL in text or "concerto-demo-only-not-secret" in text or "sql_queries" in text:
            self.problems.append(f"{where}: template code was evaluated")
        if shows_payloads and MARKER not in text:
            self.problems.append(f"{where}: the payloads are not on the page (the check would prove nothing)")
        if stored and HIDDEN_CHARACTERS.search(text):
            self.problems.append(f"{where}: bidi or zero-width characters reached the page")
        return text

    def csrf(self):
        return next(c["value"] for c in self.ctx.cookies() if c["name"] == "csrftoken")

    def post(self, path, data, *, expect=(302,)):
        """A form post as the browser would send it (session cookie and CSRF token)."""
        response = self.ctx.request.post(self.live.url + path, form={**data, "csrfmiddlewaretoken": self.csrf()},
                                         max_redirects=0)
        assert response.status in expect, (self.name, path, response.status, response.text()[:500])
        return response


def api(live, method, path, token=None, body=None):
    request = urllib.request.Request(live.url + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310 - the loopback live server
        return r.status, json.load(r) if r.status != 204 else None


def token_for(live, email):
    return live.manage("issue_token", email, "--name", "xss", "--scope", "write").strip().splitlines()[-1]


@pytest.fixture(scope="module")
def actors(browser, live):
    made = {}
    for name, email, password in [("visitor", None, None), ("author", AUTHOR, None), ("reporter", REPORTER, None),
                                  ("moderator", "moderatrice@example.org", "concerto-demo"),
                                  ("ambassador", "ambassadeur@example.org", "concerto-demo"),
                                  ("organiser", "organisatrice@example.org", "concerto-demo")]:
        actor = Actor(browser, live, name)
        if password:
            sign_in_with_password(actor.page, live, email, password)
        elif email:
            sign_in_by_link(actor.page, live, email)
        if email:
            actor.page.goto(live.url + "/moi/")
            assert actor.page.get_by_role("heading", level=1).inner_text() == "Mon espace", name
        made[name] = actor
    yield made
    for actor in made.values():
        actor.ctx.close()


def test_the_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    for kind in ("<script", "onerror", "javascript:", "<svg", "](javascript", "![", "&#", "\u202e", "{{", "hx-"):
        assert any(kind in p for p in PAYLOADS), kind


def _contributions(kind):
    """Field values for ``kind`` contributions: every payload in every field at least once."""
    titles, summaries = packs(PAYLOADS, 140), packs(PAYLOADS, 280)
    places, bodies = packs(PAYLOADS, 140), packs(PAYLOADS, 5000, sep="\n\n")
    n = max(len(titles), len(summaries), len(places))
    return [{"title": titles[i % len(titles)], "summary": summaries[i % len(summaries)] + f" ({kind} {i})",
             "place": places[i % len(places)], "body": bodies[i % len(bodies)]} for i in range(n)]


def _moderate_round(moderator, ids, reject_reasons):
    """See the round in the queue, then reject some (with payload reasons) and publish the rest."""
    page = moderator.view(f"{CAMPAIGN}/moderation/")
    html = moderator.page.content()
    for action_id in ids:
        assert f"/actions/{action_id}/" in html, f"contribution {action_id} is not in the moderation queue"
    rejected = []
    for action_id in ids:
        if reject_reasons:
            moderator.post(f"{CAMPAIGN}/moderation/actions/{action_id}/",
                           {"decision": "reject", "reason": reject_reasons.pop(0)})
            rejected.append(action_id)
        else:
            moderator.post(f"{CAMPAIGN}/moderation/actions/{action_id}/", {"decision": "publish"})
    return page, rejected


def test_stored_payloads_never_run(actors, live):
    visitor, author, reporter = actors["visitor"], actors["author"], actors["reporter"]
    moderator, organiser = actors["moderator"], actors["organiser"]
    theme_id = api(live, "GET", "/api/v1/campaigns/saint-jerome/themes")[1][0]["id"]
    reject_reasons = packs(PAYLOADS, 1000, sep="\n")
    published, rejected = [], []

    # 1. Contributions through the form, seen pending by their author and the moderators.
    html = _contributions("form")
    for start in range(0, len(html), ROUND):
        ids = []
        for fields in html[start:start + ROUND]:
            r = author.post(f"{CAMPAIGN}/proposer/", {**fields, "theme": str(theme_id)})
            ids.append(int(re.search(r"/actions/(\d+)/", r.headers["location"]).group(1)))
        author.view(f"{CAMPAIGN}/actions/{ids[0]}/")
        _page, refused = _moderate_round(moderator, ids, reject_reasons if start == 0 else [])
        rejected += refused
        published += [i for i in ids if i not in refused]

    # 2. Contributions through the API (another resident's token), moderated the same way.
    api_token = token_for(live, REPORTER)
    for start in range(0, len(html), ROUND):
        ids = []
        for fields in _contributions("api")[start:start + ROUND]:
            status, body = api(live, "POST", "/api/v1/campaigns/saint-jerome/actions", api_token,
                               {**fields, "theme_id": theme_id})
            assert status == 201 and body["status"] == "pending"
            ids.append(body["id"])
        reporter.view(f"{CAMPAIGN}/actions/{ids[-1]}/")
        _moderate_round(moderator, ids, [])
        published += ids
    # Published titles fill "Déjà proposé ?" (and the merge page of a pending contribution); then a
    # merge of two of them.
    author.view(f"{CAMPAIGN}/proposer/deja-propose/?" + urlencode({"title": MARKER}))
    merged, into = published[-1], published[-2]
    moderator.post(f"{CAMPAIGN}/moderation/actions/{merged}/", {"decision": "merge", "into": str(into)})
    published.remove(merged)

    # 3. Comments (form and API), reports (form and API), hiding with payload reasons.
    target = published[0]
    comment_url = f"{CAMPAIGN}/actions/{target}/commentaires/"
    for body in packs(PAYLOADS, 2000, sep="\n"):
        author.post(comment_url, {"body": body})
    report_reasons, hide_reasons = packs(PAYLOADS, 300), packs(PAYLOADS, 300)
    for i in range(max(len(report_reasons), len(hide_reasons))):
        author.post(comment_url, {"body": PAYLOADS[i]})
    for body in packs(PAYLOADS, 2000, sep="\n"):
        assert api(live, "POST", f"/api/v1/campaigns/saint-jerome/actions/{target}/comments", api_token,
                   {"body": body})[0] == 201
    comments = api(live, "GET", f"/api/v1/campaigns/saint-jerome/actions/{target}/comments?page_size=100")[1]["items"]
    singles = [c["id"] for c in comments if c["body"] in {p.strip() for p in PAYLOADS}]
    assert len(singles) >= len(hide_reasons)
    second_token = token_for(live, API_REPORTER)
    for i, comment_id in enumerate(singles):
        reporter.post(f"{CAMPAIGN}/commentaires/{comment_id}/signaler/", {"reason": report_reasons[i % len(report_reasons)]})
        assert api(live, "POST", f"/api/v1/campaigns/saint-jerome/comments/{comment_id}/report", second_token,
                   {"reason": report_reasons[-1 - i % len(report_reasons)]})[0] == 201
    moderator.view(f"{CAMPAIGN}/moderation/")  # reported comments: bodies and authors' names
    for comment_id, reason in zip(singles, hide_reasons, strict=False):
        moderator.post(f"{CAMPAIGN}/moderation/commentaires/{comment_id}/", {"decision": "hide", "reason": reason})

    # 4. Public names and token names, seen where they are shown.
    for name in packs(PAYLOADS, 60):
        author.post("/moi/profil/", {"display_name": name})
        visitor.view(f"{CAMPAIGN}/actions/{target}/")
        author.view("/moi/")
    # Every report was dealt with above: the queue is empty now, names are checked where they show.
    moderator.view(f"{CAMPAIGN}/moderation/", shows_payloads=False)
    for name in packs(PAYLOADS, 80):
        author.post("/moi/jetons/", {"name": name})
    author.view("/moi/")

    # 5. Every page that shows them.
    visitor.view(f"{CAMPAIGN}/actions/{merged}/")
    for action_id in published:
        visitor.view(f"{CAMPAIGN}/actions/{action_id}/")
    for action_id in rejected:
        author.view(f"{CAMPAIGN}/actions/{action_id}/")
    for page in range(1, len(published) // 20 + 2):
        visitor.view(f"{CAMPAIGN}/actions/?" + urlencode({"q": MARKER.lower(), "sort": "newest", "page": page}))
    visitor.view(f"{CAMPAIGN}/actions/?sort=newest")
    visitor.view(f"{CAMPAIGN}/", shows_payloads=False)
    reporter.view("/moi/")
    organiser.view(f"{CAMPAIGN}/journal/")
    visitor.view(f"/api/v1/campaigns/saint-jerome/actions/{published[1]}", stored=False)
    visitor.view(f"/api/v1/campaigns/saint-jerome/actions/{target}/comments?page_size=100", stored=False)

    problems = [p for actor in actors.values() for p in actor.problems]
    assert not problems, "\n".join(problems[:60])


# Query parameters each page reads; every page also gets parameters it does not know about
# (the base template echoes the full path in the language switch).
REFLECTED = {
    "visitor": ["/", f"{CAMPAIGN}/", f"{CAMPAIGN}/actions/", "/connexion/", "/connexion/mot-de-passe/",
                "/connexion/lien/pas-un-lien/", "/page-inexistante/", f"{CAMPAIGN}/actions/999999/",
                # The live event (issue 14): the current one, and one by number with its overlays.
                f"{CAMPAIGN}/direct/", f"{CAMPAIGN}/direct/1/", f"{CAMPAIGN}/direct/1/incrustation/bandeau/",
                f"{CAMPAIGN}/direct/1/incrustation/reactions/", f"{CAMPAIGN}/direct/1/incrustation/temps/"],
    "organiser": [f"{CAMPAIGN}/actions/", f"{CAMPAIGN}/proposer/", f"{CAMPAIGN}/moderation/", f"{CAMPAIGN}/journal/",
                  "/moi/", "/moi/supprimer/", "/connexion/",
                  # Letters, volunteers and selections (ids: the demo's first objects; a 404 page reflects too).
                  f"{CAMPAIGN}/courriers/", f"{CAMPAIGN}/courriers/texte/", f"{CAMPAIGN}/courriers/lots/",
                  f"{CAMPAIGN}/courriers/lots/1/", f"{CAMPAIGN}/courriers/lots/1/progression/",
                  f"{CAMPAIGN}/foyers/", f"{CAMPAIGN}/foyers/1/", f"{CAMPAIGN}/foyers/importer/",
                  f"{CAMPAIGN}/foyers/importer/1/", f"{CAMPAIGN}/foyers/rues/",
                  f"{CAMPAIGN}/volontaires/", f"{CAMPAIGN}/volontaires/appel/", f"{CAMPAIGN}/volontaires/liste/",
                  f"{CAMPAIGN}/selections/nouvelle/", f"{CAMPAIGN}/selections/1/gestion/",
                  f"{CAMPAIGN}/selections/1/modifier/", f"{CAMPAIGN}/selections/1/progression/"],
}
REFLECTED["visitor"] += [f"{CAMPAIGN}/rejoindre/", "/connexion/code/", f"{CAMPAIGN}/selections/",
                         f"{CAMPAIGN}/selections/1/",
                         # Issue 10: notices, passwords, invitations, answers, the join link, "Am I drawn?".
                         f"{CAMPAIGN}/mentions-legales/", f"{CAMPAIGN}/confidentialite/",
                         "/connexion/mot-de-passe/oublie/", "/connexion/mot-de-passe/nouveau/pas-un-id/pas-un-jeton/",
                         "/invitation/pas-une-invitation/", f"{CAMPAIGN}/selections/reponse/",
                         f"{CAMPAIGN}/rejoindre/lien/pas-un-lien/", f"{CAMPAIGN}/selections/1/suis-je-tire/"]
# Issue 10: the back office (ids: the demo's first objects; a 404 page reflects too).
REFLECTED["organiser"] += [
    "/gestion/campagnes/", f"{CAMPAIGN}/gestion/", f"{CAMPAIGN}/gestion/lancement/", f"{CAMPAIGN}/gestion/consentement/",
    f"{CAMPAIGN}/gestion/calendrier/", f"{CAMPAIGN}/gestion/calendrier/1/", f"{CAMPAIGN}/gestion/calendrier/1/supprimer/",
    f"{CAMPAIGN}/gestion/themes/", f"{CAMPAIGN}/gestion/themes/1/", f"{CAMPAIGN}/gestion/themes/1/supprimer/",
    f"{CAMPAIGN}/gestion/secteurs/", f"{CAMPAIGN}/gestion/secteurs/1/", f"{CAMPAIGN}/gestion/secteurs/1/supprimer/",
    f"{CAMPAIGN}/gestion/equipe/", f"{CAMPAIGN}/gestion/pin/", "/moi/donnees/", "/moi/mot-de-passe/",
    f"{CAMPAIGN}/foyers/exporter/", f"{CAMPAIGN}/foyers/importer/1/annuler-l-import/",
    f"{CAMPAIGN}/proposer/deja-propose/", f"{CAMPAIGN}/moderation/actions/1/fusion/",
    f"{CAMPAIGN}/moderation/actions/1/modifier/", f"{CAMPAIGN}/selections/1/message/",
    f"{CAMPAIGN}/selections/1/archiver/", f"{CAMPAIGN}/selections/1/supprimer/"]
# Issue 12: workshops (the demo's workshops 1 and 2 are closed, 3 is the follow-up; sheet 1 is workshop 1's).
REFLECTED["visitor"] += ["/atelier/", "/atelier/EVH7FH/", "/atelier/lien/pas-un-lien/", f"{CAMPAIGN}/ateliers/",
                         f"{CAMPAIGN}/ateliers/1/", f"{CAMPAIGN}/ateliers/1/compte-rendu/"]
REFLECTED["organiser"] += [
    f"{CAMPAIGN}/ateliers/nouveau/", f"{CAMPAIGN}/ateliers/3/gestion/", f"{CAMPAIGN}/ateliers/3/gestion/modifier/",
    f"{CAMPAIGN}/ateliers/3/gestion/programme/", f"{CAMPAIGN}/ateliers/3/gestion/annuler/",
    f"{CAMPAIGN}/ateliers/3/presences/", f"{CAMPAIGN}/ateliers/3/animation/", f"{CAMPAIGN}/ateliers/3/salle/",
    f"{CAMPAIGN}/ateliers/3/mur/", f"{CAMPAIGN}/ateliers/1/fiches/", f"{CAMPAIGN}/ateliers/1/fiches/nouvelle/",
    f"{CAMPAIGN}/ateliers/1/fiches/1/", f"{CAMPAIGN}/ateliers/1/fiches/1/supprimer/",
    f"{CAMPAIGN}/ateliers/1/fiches/publier/", f"{CAMPAIGN}/ateliers/3/compte-rendu/"]
# Issue 13: door to door, the organiser's side (the demo's first round and phone; a 404 page reflects too).
REFLECTED["visitor"] += ["/terrain/appareil/pas-un-code/"]
REFLECTED["organiser"] += [
    f"{CAMPAIGN}/terrain/", f"{CAMPAIGN}/terrain/tournees/", f"{CAMPAIGN}/terrain/tournees/nouvelle/",
    f"{CAMPAIGN}/terrain/tournees/1/", f"{CAMPAIGN}/terrain/tournees/1/annuler/", f"{CAMPAIGN}/terrain/appareils/",
    f"{CAMPAIGN}/terrain/appareils/1/code/", f"{CAMPAIGN}/terrain/appareils/1/retirer/",
    f"{CAMPAIGN}/terrain/consentement/", f"{CAMPAIGN}/terrain/reglages/"]
# Paper forms (print 1 may not exist in the demo: its 404 page reflects too).
REFLECTED["organiser"] += [
    f"{CAMPAIGN}/terrain/papier/", f"{CAMPAIGN}/terrain/papier/saisie/", f"{CAMPAIGN}/terrain/papier/impressions/1/",
    f"{CAMPAIGN}/terrain/papier/impressions/1/progression/"]
# The ambassador's offline app (its shell; the data and the sync endpoint answer JSON).
REFLECTED["ambassador"] = [f"{CAMPAIGN}/terrain/app/"]
# The campaign home an organiser sees (door, paper and online apart) and a resident asked
# « was it you? » (the demo's habitant with a door participation in their household).
REFLECTED["organiser"] += [f"{CAMPAIGN}/"]
# The live event's control rooms (the id of the demo's first event, if any; a 404 page reflects too).
REFLECTED["organiser"] += [f"{CAMPAIGN}/direct/regie/", f"{CAMPAIGN}/direct/1/regie/", f"{CAMPAIGN}/direct/1/regie/tours/"]
# Door-to-door review (ids: the demo's first batch and conflict, if any; a 404 page reflects too).
REFLECTED["organiser"] += [f"{CAMPAIGN}/terrain/verification/", f"{CAMPAIGN}/terrain/verification/lots/1/",
                           f"{CAMPAIGN}/terrain/verification/conflits/1/"]
# Issue 14: the fairness report and the replay chapters (event 1, if the demo has it; a 404 page reflects too).
REFLECTED["visitor"] += [f"{CAMPAIGN}/direct/1/equite/", f"{CAMPAIGN}/direct/1/chapitres/"]
# Synthesis, opendata: the public positions page and the open data's card.
REFLECTED["visitor"] += [f"{CAMPAIGN}/positions/", f"{CAMPAIGN}/donnees/"]
# Issue 14, setting up the candidates' set (event 1 and candidate 1 may not exist in the demo: their 404
# pages reflect too). « My reactions » is a candidate's page: the demo has no candidate account to sign
# in with yet, so the organiser's 404 answer is what is checked there.
REFLECTED["visitor"] += [f"{CAMPAIGN}/direct/1/ordre/"]
REFLECTED["organiser"] += [
    f"{CAMPAIGN}/candidats/", f"{CAMPAIGN}/candidats/nouveau/", f"{CAMPAIGN}/candidats/1/",
    f"{CAMPAIGN}/candidats/1/retirer/", f"{CAMPAIGN}/candidats/mes-reactions/", f"{CAMPAIGN}/direct/evenements/",
    f"{CAMPAIGN}/direct/evenements/nouveau/", f"{CAMPAIGN}/direct/1/modifier/", f"{CAMPAIGN}/direct/1/deroule/",
    f"{CAMPAIGN}/direct/1/ordre/publier/", f"{CAMPAIGN}/direct/calendrier/"]
# Issue 15, amend: versions (action 1 of the demo, a workshop action with v2), decided amendments,
# the organisers' amendments and one of them, a new version's form, the digest's preference.
REFLECTED["visitor"] += [f"{CAMPAIGN}/actions/1/versions/", f"{CAMPAIGN}/amendements/"]
REFLECTED["organiser"] += [f"{CAMPAIGN}/synthese/amendements/", f"{CAMPAIGN}/synthese/amendements/1/",
                           f"{CAMPAIGN}/actions/1/versions/nouvelle/", f"{CAMPAIGN}/moi/resume-des-soutiens/",
                           f"{CAMPAIGN}/actions/1/retirer-mon-soutien/"]
# Issue 15, followup: the board, a commitment (id 1, if the demo has it; a 404 page reflects too), the
# yearly report, the unsubscribe page (a bogus token: its 404 page); the organisers' elected list and import.
REFLECTED["visitor"] += [f"{CAMPAIGN}/suivi/", f"{CAMPAIGN}/suivi/1/", f"{CAMPAIGN}/suivi/bilan/1/",
                         f"{CAMPAIGN}/suivi/desabonnement/x/"]
REFLECTED["organiser"] += [f"{CAMPAIGN}/suivi/liste-elue/", f"{CAMPAIGN}/suivi/import/"]
# Issue 15, dashboard: the participation in figures (public and organisers') and an action's path.
REFLECTED["visitor"] += [f"{CAMPAIGN}/participation/", f"{CAMPAIGN}/actions/1/parcours/"]
REFLECTED["organiser"] += [f"{CAMPAIGN}/tableau-de-bord/participation/"]
# Issue 15, documents: the plan, the dispatch log, a personal link (a wrong one: its page reflects too);
# the organisers' page, an edition's web version and « Mon dossier » (404 for the organiser: no list).
REFLECTED["visitor"] += [f"{CAMPAIGN}/synthese/plan/", f"{CAMPAIGN}/synthese/envois/",
                         f"{CAMPAIGN}/synthese/dossier/pas-un-lien/"]
REFLECTED["organiser"] += [f"{CAMPAIGN}/synthese/documents/", f"{CAMPAIGN}/synthese/documents/1/",
                           f"{CAMPAIGN}/synthese/mon-dossier/"]
KNOWN_PARAMETERS = ["q", "theme", "origin", "status", "sort", "page", "next", "language", "fragment", "code",
                    "corriger", "item", "questions", "old", "new", "view", "candidate", "position", "scope"]
# GET-able rows of the permission matrix that answer something other than an HTML page.
NOT_HTML = {"healthz", "set_language", "dashboard:me_export", "api:openapi-json", "api:api-root",
            "letters:preview", "letters:batch_download", "selection:audit_json", "selection:verify_script",
            "selection:letters_pdf", "volunteering:export", "letters:import_rejected",
            "workshops:minutes_pdf", "workshops:export", "fieldwork:paper_print_pdf",
            "fieldwork:app_manifest", "fieldwork:app_worker", "fieldwork:app_data",
            "live_event:report_csv", "live_event:chapters_vtt", "live_event:chapters_txt",
            # Synthesis, opendata: the positions' exports and the open data files.
            "synthesis:positions_csv", "synthesis:positions_json", "synthesis:opendata_package",
            "synthesis:opendata_readme", "synthesis:opendata_popolo", "synthesis:opendata_zip",
            "synthesis:opendata_csv",
            # Issue 15, followup: the board's CSV and the yearly report's.
            "synthesis:followup_csv", "synthesis:followup_year_csv",
            # Issue 15, documents: the PDFs.
# -- documents --
            "synthesis:plan_pdf", "synthesis:document_pdf", "synthesis:dossier_download_pdf"}


def test_reflected_pages_cover_every_html_page_of_the_matrix():
    from django.urls import Resolver404, resolve

    from .test_permission_matrix import MATRIX

    html_pages = {key.split(" ", 1)[1] for key, row in MATRIX.items()
                  if key.startswith("GET ") and not key.split(" ", 1)[1].startswith("/") and "200" in row.split()}
    covered = set()
    for path in [p for paths in REFLECTED.values() for p in paths] + [f"{CAMPAIGN}/actions/1/"]:
        try:
            match = resolve(path)
        except Resolver404:  # the 404 page, covered on purpose
            match = None
        if match is None:
            continue
        covered.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    assert html_pages - NOT_HTML <= covered, sorted(html_pages - NOT_HTML - covered)


def test_reflected_payloads_never_run(actors, live):
    detail = api(live, "GET", "/api/v1/campaigns/saint-jerome/actions?page_size=1")[1]["items"][0]["id"]
    # Each load carries every payload: the known parameters take the next len(KNOWN_PARAMETERS) of
    # them, in turn, the unknown ones the rest; so every payload reaches a parameter the pages read and
    # every such parameter gets several payloads, in a few loads per page.
    step = len(KNOWN_PARAMETERS)
    names = KNOWN_PARAMETERS + [f"x{i}" for i in range(len(PAYLOADS) - step)]
    for role, paths in REFLECTED.items():
        actor = actors[role]
        for path in [*paths, f"{CAMPAIGN}/actions/{detail}/"]:
            for start in range(0, len(PAYLOADS), step):
                turned = PAYLOADS[start:] + PAYLOADS[:start]
                query = urlencode(dict(zip(names, turned, strict=True)))
                actor.view(f"{path}?{query}", shows_payloads=False, stored=False)
        # One payload as the whole query string, and as a fragment of the path.
        actor.view(f"{paths[0]}?{PAYLOADS[0]}", shows_payloads=False, stored=False)
        actor.view(f"{CAMPAIGN}/actions/%3Cscript%3Ealert('XSS-MARKER')%3C%2Fscript%3E/", shows_payloads=False,
                   stored=False)
    # htmx asks for the results fragment only: the same escaping there.
    response = actors["visitor"].ctx.request.get(
        f"{live.url}{CAMPAIGN}/actions/?" + urlencode({"q": PAYLOADS[0], "x": PAYLOADS[6]}),
        headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<script>alert" not in response.text() and "<img src=x" not in response.text()
    problems = [p for actor in actors.values() for p in actor.problems]
    assert not problems, "\n".join(problems[:60])


@pytest.mark.parametrize("with_csp", [True, False], ids=["csp-on", "csp-off"])
def test_the_watch_sees_an_injection(browser, live, with_csp):
    """The checks above would catch a real injection: a page altered on its way to the browser is
    flagged by the CSP listener (policy on) or by the dialog listener (policy off), and by the DOM scan."""
    actor = Actor(browser, live, "self-test")

    def inject(route):
        response = route.fetch()
        headers = dict(response.headers)
        if not with_csp:
            headers.pop("content-security-policy", None)
        body = response.text().replace("</main>", f"<div>{PAYLOADS[0]}{PAYLOADS[6]}</div></main>")
        route.fulfill(response=response, body=body, headers=headers)

    try:
        actor.page.route(f"{live.url}/", inject)
        actor.view("/", shows_payloads=False)
        found = "\n".join(actor.problems)
        assert "injected element <img" in found and "handler IMG onerror" in found
        if with_csp:
            assert "CSP violation" in found
        else:
            assert "alert opened: XSS-MARKER" in found
    finally:
        actor.ctx.close()

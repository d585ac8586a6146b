"""What a person does in the browser, as small functions the journeys share."""

import re
from pathlib import Path

AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def sign_in_by_link(page, live, email: str) -> None:
    """Ask for a link, read it from the outgoing mail, open it and confirm."""
    before = len(live.mails_to(email))
    page.goto(f"{live.url}/connexion/")
    page.get_by_label(re.compile("adresse e-mail", re.I)).fill(email)
    page.get_by_role("button", name=re.compile("lien de connexion", re.I)).click()
    page.wait_for_load_state()
    mails = live.mails_to(email)
    assert len(mails) == before + 1, "no sign-in mail was sent"
    link = re.search(r"https?://\S+/connexion/lien/\S+/", mails[-1]).group(0)
    page.goto(link)
    page.get_by_role("button", name=re.compile("connecter", re.I)).click()
    page.wait_for_load_state()


def sign_in_with_password(page, live, email: str, password: str = "concerto-demo") -> None:
    page.goto(f"{live.url}/connexion/mot-de-passe/")
    page.get_by_label(re.compile("adresse e-mail", re.I)).fill(email)
    page.get_by_label(re.compile("mot de passe", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("connecter", re.I)).click()
    page.wait_for_load_state()


def axe_violations(page) -> list[dict]:
    """WCAG 2.1 A/AA violations on the current page, from axe-core injected into it."""
    # evaluate() goes through DevTools, not a <script> tag, so the page's strict CSP stays on.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE + "\n;true")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]

"""What a person does in the browser, as small functions the journeys share."""

import re
from pathlib import Path

from playwright.sync_api import expect

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


# -- shared by the journeys ------------------------------------------------------------------

CAMPAIGN = "/c/saint-jerome"
COUNT = re.compile(r"(\d+)\s+soutiens?")


def support_count(page) -> int:
    """The number shown in the support box of an action page ("12 soutiens")."""
    return int(COUNT.search(page.locator(".support-count").inner_text()).group(1))


def count_text(n: int) -> re.Pattern:
    return re.compile(rf"^\s*{n} soutiens?\s*$")


def search_actions(page, live, term: str) -> None:
    """Type a term in the search box of the action list and press the "Filtrer" button."""
    page.goto(f"{live.url}{CAMPAIGN}/actions/")
    results_title = page.locator("#results-title")
    before = results_title.inner_text()
    page.get_by_role("textbox", name="Rechercher").fill(term)
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"[?&]q="))
    expect(results_title).not_to_have_text(before)


def supportable_result(page):
    """The title link of the first result this person does not support yet and that is not merged."""
    cards = page.locator("#results .action-card").filter(has_not_text=re.compile("vous la soutenez|fusionnée"))
    return cards.first.get_by_role("link")


FOCUS_INFO = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) { return null; }
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  const name = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '').trim().slice(0, 60);
  return {visible: outline || shadow, desc: `<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}> ${name}`};
}"""


def focused(page) -> dict | None:
    """What has the keyboard focus, and whether it shows a focus indicator (outline or box-shadow)."""
    return page.evaluate(FOCUS_INFO)


def tab_to(page, target, *, max_presses: int = 60) -> list[str]:
    """Press Tab until ``target`` has focus; every element met on the way must show its focus.

    Returns the descriptions of the elements visited, for failure messages.
    """
    visited = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        info = focused(page)
        if info is None:
            continue
        visited.append(info["desc"])
        assert info["visible"], f"the keyboard focus is not visible on {info['desc']}"
        if target.evaluate("el => el === document.activeElement"):
            return visited
    raise AssertionError(f"{target} not reached with {max_presses} Tab presses; visited: {visited}")


# -- accessibility checks beyond axe ---------------------------------------------------------

STRUCTURE = """() => {
  const problems = [];
  const ids = {};
  for (const el of document.querySelectorAll('[id]')) { ids[el.id] = (ids[el.id] || 0) + 1; }
  for (const [id, n] of Object.entries(ids)) { if (n > 1) problems.push(`duplicate id "${id}" (${n} elements)`); }
  for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-owns', 'for']) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const ref of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(ref)) {
          problems.push(`${attr}="${el.getAttribute(attr)}" on <${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}> points to a missing id "${ref}"`);
        }
      }
    }
  }
  let previous = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    if (h.closest('[hidden], template')) { continue; }
    const level = Number(h.tagName[1]);
    if (level > previous + 1) {
      problems.push(`heading level jumps from h${previous} to h${level}: "${h.textContent.trim().slice(0, 60)}"`);
    }
    previous = level;
  }
  return problems;
}"""


def structure_problems(page) -> list[str]:
    """Duplicate ids, ARIA/label references to missing ids, skipped heading levels."""
    return page.evaluate(STRUCTURE)


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    at {' '.join(target)}" for target in v["nodes"])
    return "\n".join(lines)


def expect_status(page, text: str) -> None:
    """A status message (role=status) saying ``text`` is on the page."""
    expect(page.get_by_role("status").filter(has_text=text).first).to_be_visible()

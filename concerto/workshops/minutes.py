"""The minutes' PDF (compte rendu): the worker module that ``tasks.render_minutes`` runs.

Built from ``selectors.minutes`` (the same facts as the web page), compiled with Typst as a tagged
PDF/UA-1 document in the site's language, stored in ``Workshop.minutes_pdf`` with the wall version
it shows (``minutes_pdf_version``). Nothing here checks permissions or imports services: the import
graph stays services -> tasks -> worker modules.

Every text goes to Typst as DATA (JSON in ``sys.inputs``), inserted as text values, never markup.
"""

import json
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import selectors
from .models import Phase, Workshop

logger = logging.getLogger("concerto.workshops")
TEMPLATE = Path(__file__).resolve().parent / "typst" / "minutes.typ"


def _abs(path: str) -> str:
    base = (settings.CONCERTO_PUBLIC_URL or "").rstrip("/")
    return base + path


def _when(dt, fmt="j F Y, H:i") -> str:
    return formats.date_format(timezone.localtime(dt), fmt) if dt else ""


def minutes_data(workshop) -> dict:
    """The Typst document's data: every label translated, every fact from ``selectors.minutes``."""
    from .models import Actor, CostRange, Horizon

    m = selectors.minutes(workshop)
    campaign = workshop.campaign
    att = m["attendance"]
    unnamed = m["unnamed_present"]
    themes = []
    for theme in m["themes"]:
        # Not in an f-string: makemessages would not see the message.
        count = ngettext("%(n)d idea", "%(n)d ideas", theme["idea_count"]) % {"n": theme["idea_count"]}
        themes.append({"name": f"{theme['name']} ({count})", "ideas": [_idea_line(i) for i in theme["ideas"]]})
    votes = [[str(v["rank"]) + (" " + _("(tie)") if v["tied"] else ""), v["label"],
              _("theme") if v["kind"] == "theme" else _("idea"), str(v["dots"]), str(v["voters"])]
             for v in m["votes"]]
    sheets = []
    for sheet in m["sheets"]:
        facts = [[_("Problem observed"), sheet.problem], [_("Proposal"), sheet.proposal]]
        if sheet.place:
            facts.append([_("Place"), sheet.place])
        facts += [[_("Who could act"), ", ".join(str(Actor(a).label) for a in sheet.actors) or _("not said")],
                  [_("Rough cost"), str(CostRange(sheet.cost).label)],
                  [_("Time horizon"), str(Horizon(sheet.horizon).label)]]
        link = _abs(reverse("proposals:detail", args=[campaign.slug, sheet.action_id])) if sheet.action_id else ""
        sheets.append({"title": sheet.title, "facts": facts, "link": link})
    method = [_("%(phase)s: %(when)s%(back)s") % {"phase": p["label"], "when": _when(p["at"], "j F Y H:i"),
                                                 "back": " " + _("(step back)") if p["back"] else ""}
              for p in m["method"]["phases"]]
    method += [
        ngettext("%(n)d idea typed by a facilitator for an attendee (proxy entry).",
                 "%(n)d ideas typed by a facilitator for attendees (proxy entries).",
                 m["method"]["proxy_ideas"]) % {"n": m["method"]["proxy_ideas"]},
        ngettext("%(n)d vote placed by a facilitator for an attendee.",
                 "%(n)d votes placed by a facilitator for attendees.", m["method"]["proxy_dots"])
        % {"n": m["method"]["proxy_dots"]},
        ngettext("%(n)d theme accepted from a suggestion.", "%(n)d themes accepted from suggestions.",
                 m["method"]["suggestions_accepted"]) % {"n": m["method"]["suggestions_accepted"]},
        ngettext("%(n)d duplicate merged into another idea.", "%(n)d duplicates merged into other ideas.",
                 m["method"]["merged"]) % {"n": m["method"]["merged"]},
        _("Each participant had %(n)d dots.") % {"n": m["method"]["dots_per_participant"]},
    ]
    title = _("Minutes of workshop no. %(number)d: %(title)s") % {"number": m["number"], "title": m["title"]}
    return {
        "lang": translation.get_language() or settings.LANGUAGE_CODE,
        "doc_title": title,
        "author": campaign.name,
        "title": title,
        "subtitle": campaign.name,
        "footer": _("Minutes of workshop no. %(number)d") % {"number": m["number"]},
        "draft": workshop.phase != Phase.CLOSED,
        "draft_text": _("Draft — workshop in progress"),
        "facts": [[_("Date"), _when(m["date"])], [_("Place"), ", ".join(x for x in (m["place"], m["address"]) if x)],
                  [_("Facilitated by"), ", ".join(m["facilitators"]) or _("not said")]],
        "attendance": [[_("Invited"), str(att["invited"])], [_("Present"), str(att["present"])],
                       [_("Excused"), str(att["excused"])], [_("Absent"), str(att["absent"])],
                       [_("Walk-ins (not invited, came)"), str(att["walk_ins"])]],
        "named": m["named"],
        "unnamed_note": ngettext("%(n)d person present preferred not to be named.",
                                 "%(n)d people present preferred not to be named.", unnamed) % {"n": unnamed}
        if unnamed else "",
        "ideas_intro": _("%(total)d ideas were posted; after merging duplicates, %(kept)d remain on the wall.")
        % {"total": m["idea_total"], "kept": m["idea_kept"]},
        "prompts": [[str(p["label"]), str(p["count"])] for p in m["prompts"]],
        "themes": themes,
        "ungrouped": [_idea_line(i) for i in m["ungrouped"]],
        "votes": votes,
        "votes_intro": ngettext("%(n)d person voted. Every theme and idea is listed, with or without dots.",
                                "%(n)d people voted. Every theme and idea is listed, with or without dots.",
                                m["voters"]) % {"n": m["voters"]},
        "votes_empty": _("The vote is not closed: its results are not shown yet.") if not m["votes_visible"]
        else _("Nothing was put to the vote."),
        "sheets": sheets,
        "method": method,
        "labels": {
            "attendance": _("Attendance"), "who": _("People"), "count": _("Number"),
            "named_intro": _("Present and agreeing to be named:"), "ideas": _("Ideas by theme"),
            "prompt": _("Question"), "no_idea": _("No idea in this theme."), "ungrouped": _("Ideas outside any theme"),
            "votes": _("Vote results"), "rank": _("Rank"), "item": _("Theme or idea"), "kind": _("Kind"),
            "dots": _("Dots"), "voters": _("Voters"), "sheets": _("Action sheets retained"),
            "no_sheet": _("No action sheet was retained."), "online": _("Online:"), "method": _("Method"),
        },
    }


def _idea_line(idea) -> str:
    text = idea.text + (f" ({idea.place})" if idea.place else "")
    if getattr(idea, "merged_count", 0):
        text += " " + ngettext("(+%(n)d duplicate)", "(+%(n)d duplicates)", idea.merged_count) % {"n": idea.merged_count}
    return text


def compile_minutes(workshop) -> bytes:
    import typst

    with translation.override(settings.LANGUAGE_CODE):
        data = minutes_data(workshop)
    return typst.compile(TEMPLATE.read_bytes(), sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                         ignore_system_fonts=True, pdf_standards=["ua-1"], timestamp=0)


def render_minutes(*, workshop_id: int, version: int) -> bool:
    """Render and store the minutes of the wall at ``version``. Skipped (False) when the wall has
    moved on since (a newer render is queued, or the wall was reopened): only the PDF of the
    current state is ever stored."""
    started = time.monotonic()
    workshop = Workshop.objects.select_related("campaign").filter(pk=workshop_id).first()
    if workshop is None or workshop.version != version or workshop.phase != Phase.CLOSED:
        return False
    pdf = compile_minutes(workshop)
    name = default_storage.save(f"workshops/compte-rendu-{workshop.pk}-v{version}.pdf", ContentFile(pdf))
    previous = workshop.minutes_pdf.name
    stored = Workshop.objects.filter(pk=workshop.pk, version=version).update(minutes_pdf=name,
                                                                            minutes_pdf_version=version)
    if not stored:
        default_storage.delete(name)
        return False
    if previous and previous != name:
        default_storage.delete(previous)
    logger.info("minutes of workshop %s (v%s) rendered in %.2f s", workshop.pk, version, time.monotonic() - started)
    return True

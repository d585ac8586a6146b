"""The content of the final action plan and of each candidate's dossier, built ONCE as plain data
(translated strings, numbers as text) that both the PDF (``rendering``, through Typst) and its HTML
twin (``templates/synthesis/documents/``) print: the two carry the same content by construction.

Privacy (issue 15, « Privacy of supporters »): everything here is an aggregate. No resident's
name, address, e-mail or letter code is read; every breakdown of people goes through
``proposals.selectors.suppress_small`` (a group under 5 prints as « fewer than 5 »). Candidates,
their lists and what they said are public facts of the live event, and so is each action's text.
"""

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.fieldwork.selectors import visit_figures
from concerto.letters.selectors import letter_figures
from concerto.live_event import selectors as live_selectors
from concerto.live_event.report import duration_words, fairness_report, gap_sentence, mmss
from concerto.proposals import selectors as proposal_selectors
from concerto.proposals.selectors import SMALL_GROUP, suppress_small
from concerto.residents.selectors import role_counts
from concerto.workshops import selectors as workshop_selectors

from .models import DECIDED, Amendment, AmendmentStatus
from .selectors import action_versions

CHANNELS = ("online", "door_to_door", "workshop", "paper")


def _channel_labels() -> dict[str, str]:
    return {"online": _("Online"), "door_to_door": _("Door to door"), "workshop": _("Workshop"),
            "paper": _("Paper form")}


def _n(value) -> str:
    """A count as printed: « fewer than 5 » for a hidden small group."""
    return _("fewer than %(n)d") % {"n": SMALL_GROUP} if value is None else formats.number_format(value,
                                                                                             force_grouping=True)


def _people(value: int) -> str:
    """A count of people shown alone (not a breakdown): hidden when 1 to 4."""
    return _n(None if 0 < value < SMALL_GROUP else value)


def _day(dt) -> str:
    return formats.date_format(timezone.localtime(dt), "j F Y") if dt else ""


def _paragraphs(text: str) -> list[str]:
    """The description as plain paragraphs (no markup is ever interpreted in the PDF)."""
    return [" ".join(p.split()) for p in (text or "").replace("\r", "").split("\n\n") if p.strip()]


def _stance(obj) -> str:
    return str(obj.get_stance_display()) if obj is not None else _("No answer")


def _ended_event(campaign):
    events = [e for e in live_selectors.event_list(campaign) if e.status == "ended"]
    return events[-1] if events else None


def participation(campaign) -> dict:
    """Context and method: the participation figures, all aggregates."""
    letters = letter_figures(campaign)
    roles = role_counts(campaign)
    stats = proposal_selectors.participation_stats(campaign)
    shown = suppress_small(stats["by_channel"])
    labels = _channel_labels()
    visits = visit_figures(campaign)
    total = stats["supports"]
    top = max([v for v in shown.values() if v] or [0])
    bars = [{"label": labels[c], "value": _n(shown.get(c)), "ratio": (shown.get(c) or 0) / top if top else 0}
            for c in CHANNELS]
    alt = _("Bar chart of the %(total)s supports by channel: %(parts)s.") % {
        "total": _n(total), "parts": "; ".join(f"{b['label']} {b['value']}" for b in bars)}
    workshops = []
    for w in workshop_selectors.workshop_list(campaign):
        if w.phase != "closed" or w.cancelled_at is not None:
            continue
        workshops.append([w.title, _day(w.starts_at), _people(w.present_count)])
    live = []
    live_figures = live_selectors.live_event_figures(campaign)
    for event in live_selectors.event_list(campaign):
        if event.status != "ended":
            continue
        live.append(_("%(title)s, %(date)s: %(lists)d lists answered on the set; %(reactions)d positions and "
                      "written reactions were recorded.") % {
            "title": event.title, "date": _day(event.started_at or event.starts_at),
            "lists": live_figures["candidates"], "reactions": live_figures["reactions"]})
    figures = [
        [_("Letters sent to households"), _n(letters["letters_sent"])],
        [_("Invitation codes used"), _n(letters["codes_used"])],
        [_("Residents taking part (accounts)"), _people(roles.get("resident", 0))],
        [_("Supports given"), _n(total)],
        [_("Workshops held"), _n(len(workshops))],
        [_("Doors knocked"), _n(visits["door_to_door_visits"])],
        [_("Doors opened"), _n(visits["doors_opened"])],
        [_("Residents met at their door"), _people(visits["door_participants"])],
        [_("Paper forms"), _people(visits["paper_participants"])],
    ]
    return {"figures": figures, "channels": [[b["label"], b["value"]] for b in bars],
            "chart": {"alt": alt, "bars": bars}, "workshops": workshops, "live": live}


def _amendment_row(a: Amendment) -> dict:
    return {"action": a.action.title, "candidate": a.candidate.name, "list": a.candidate.list_name,
            "text": a.text, "status": str(a.get_status_display()), "reason": a.decision_reason,
            "accepted": a.status in (AmendmentStatus.ACCEPTED, AmendmentStatus.ACCEPTED_MODIFIED)}


def plan_content(campaign) -> dict:
    """The plan's sections (context and method, actions by theme, amendments), the common part of
    the plan and of every dossier."""
    per_action = proposal_selectors.supports_by_channel_per_action(campaign)
    labels = _channel_labels()
    amendments = list(Amendment.objects.filter(campaign=campaign).select_related("action", "candidate")
                      .order_by("action__theme__position", "action_id", "candidate__ballot_order", "pk"))
    by_action: dict[int, list] = {}
    for a in amendments:
        by_action.setdefault(a.action_id, []).append(a)
    themes: list[dict] = []
    for action in proposal_selectors.published_actions(campaign):
        versions = action_versions(action)
        final = versions[-1]
        counts = suppress_small(per_action.get(action.pk, dict.fromkeys(CHANNELS, 0)))
        integrated = [_("%(candidate)s (%(list)s): %(text)s") % {"candidate": a.candidate.name,
                                                                   "list": a.candidate.list_name, "text": a.text}
                      for a in by_action.get(action.pk, [])
                      if a.status in (AmendmentStatus.ACCEPTED, AmendmentStatus.ACCEPTED_MODIFIED)]
        theme_name = action.theme.name if action.theme else _("Other actions")
        if not themes or themes[-1]["name"] != theme_name:
            themes.append({"name": theme_name, "actions": []})
        themes[-1]["actions"].append({
            "id": action.pk, "title": final.title, "summary": final.summary, "paragraphs": _paragraphs(final.body),
            "version": _("Version %(n)d of %(date)s") % {"n": final.number, "date": _day(final.created_at)},
            "supports": _n(action.support_count),
            "channels": [[labels[c], _n(counts.get(c))] for c in CHANNELS],
            "integrated": integrated,
        })
    decided = [_amendment_row(a) for a in amendments if a.status in DECIDED]
    supports = [[a["title"], *[value for _label, value in a["channels"]], a["supports"]]
                for theme in themes for a in theme["actions"]]
    return {"participation": participation(campaign), "themes": themes, "supports": supports,
            "supports_header": [labels[c] for c in CHANNELS],
            "decided": [[r["action"], f"{r['candidate']} ({r['list']})", r["text"], r["status"], r["reason"]]
                        for r in decided]}


def _labels() -> dict:
    return {
        "context": _("Context and method"), "method_intro": _(
            "Residents drawn by lot and volunteers wrote these actions in workshops; every resident could support "
            "them online, at their door or on paper; the lists standing for election answered them in public. "
            "The figures below are totals: no group under 5 people is shown apart."),
        "figure": _("Figure"), "count": _("Number"), "channel": _("Channel"), "supports": _("Supports"),
        "supports_by_channel": _("Supports by channel"), "workshops": _("Workshops held"),
        "workshop": _("Workshop"), "date": _("Date"), "present": _("Present"), "live": _("The candidates' set"),
        "actions": _("Actions by theme"), "integrated": _("Amendments integrated"),
        "decided": _("Amendments decided, and why"), "action": _("Action"), "candidate": _("Candidate"),
        "amendment": _("Amendment"), "decision": _("Decision"), "reason": _("Reason"),
        "no_decided": _("No amendment was decided."), "total_supports": _("Supports in total"),
        "no_workshop": _("No workshop was held."), "supports_per_action": _("Supports by channel, per action"),
        "supports_line": _("Supports:"), "no_position": _("No list took a position on an action yet."),
        "positions": _("Your positions and statements"), "on_set": _("On the set"), "summary": _("What was said"),
        "written": _("Written reaction"), "written_text": _("Text of the reaction"), "speaking": _("Your speaking time"), "your_amendments": _(
            "Your amendments: kept or declined, and why"), "no_amendment": _("You suggested no amendment."),
        "others": _("Positions of every list"), "status": _("Status"), "time": _("Time"),
        "turns": _("Turns"), "no_event": _("No live event was held."), "list": _("List"),
        "first": _("Replied first"), "last": _("Replied last"),
    }


def plan_data(campaign) -> dict:
    """The final action plan."""
    title = _("Final action plan")
    return {"lang": translation.get_language() or settings.LANGUAGE_CODE, "kind": "plan",
            "doc_title": f"{title} – {campaign.name}", "author": campaign.name, "title": title,
            "subtitle": campaign.name, "footer": f"{title} – {campaign.name}", "labels": _labels(),
            "dossier": None, **plan_content(campaign)}


def dossier_part(candidate, plan: dict) -> dict:
    """The candidate's own sections; the same structure for every candidate. Positions are listed
    for the actions put to the lists (on the set, or answered in writing by at least one list)."""
    campaign = candidate.campaign
    event = _ended_event(campaign)
    candidates = live_selectors.candidate_list(campaign)
    written = {}
    for c in candidates:
        written[c.pk] = live_selectors.reactions_of(c)
    matrix = live_selectors.positions_matrix(event) if event else {}
    items = {i.action_id: i for i in live_selectors.running_items(event)} if event else {}
    positions, others = [], []
    for theme in plan["themes"]:
        for action in theme["actions"]:
            item = items.get(action["id"])
            if item is None and not any(action["id"] in written[c.pk] for c in candidates):
                continue  # never put to the lists: no position to report, for anyone
            live = matrix.get((item.pk, candidate.pk)) if item else None
            reaction = written[candidate.pk].get(action["id"])
            positions.append([action["title"], _stance(live) if item else _("Not on the set"),
                              (live.summary if live else ""), _stance(reaction) if reaction else _("No written answer"),
                              reaction.text if reaction else ""])
            row = [action["title"]]
            for c in candidates:
                live_c = matrix.get((item.pk, c.pk)) if item else None
                reaction_c = written[c.pk].get(action["id"])
                row.append(_stance(live_c) if live_c else (_stance(reaction_c) if reaction_c else _("No answer")))
            others.append(row)
    speaking = {"rows": [], "sentence": _("No live event was held.")}
    if event is not None:
        report = fairness_report(event)
        speaking["sentence"] = gap_sentence(report)
        for line in report["lines"]:
            speaking["rows"].append([line["candidate"].name, line["candidate"].list_name, mmss(line["seconds"]),
                                     str(line["turns"]), str(line["first"]), str(line["last"])])
        mine = next((line for line in report["lines"] if line["candidate"].pk == candidate.pk), None)
        if mine is not None:
            speaking["mine"] = _("You spoke for %(time)s in %(turns)d turns.") % {
                "time": duration_words(mine["seconds"]), "turns": mine["turns"]}
    amendments = [[r["action"], r["text"], r["status"], r["reason"] or _("Not decided yet")]
                  for r in (_amendment_row(a) for a in Amendment.objects.filter(candidate=candidate)
                            .select_related("action", "candidate").order_by("action__theme__position", "action_id",
                                                                            "pk"))]
    return {"name": candidate.name, "list": candidate.list_name, "positions": positions, "speaking": speaking,
            "amendments": amendments, "others_header": [c.name for c in candidates], "others": others}


def dossier_data(candidate, plan: dict | None = None) -> dict:
    """One candidate's dossier: their part first, then the whole plan (``plan``: the plan's data of
    the same edition, so that every list's dossier carries the very same plan)."""
    campaign = candidate.campaign
    data = dict(plan) if plan else plan_data(campaign)
    title = _("Dossier of %(name)s (%(list)s)") % {"name": candidate.name, "list": candidate.list_name}
    data.update(kind="dossier", doc_title=f"{title} – {campaign.name}", title=title,
                footer=_("Dossier of %(name)s") % {"name": candidate.name},
                intro=ngettext("%(n)d list received the same dossier, with its own positions.",
                               "%(n)d lists received the same dossier, each with its own positions.",
                               len(live_selectors.candidate_list(campaign))) % {
                    "n": len(live_selectors.candidate_list(campaign))},
                dossier=dossier_part(candidate, data))
    return data

"""Public results and open data: the positions matrix (page, CSV, JSON) and the Frictionless data
package (``datapackage.json``, one CSV per resource with its Table Schema, the data card, a zip of
everything, the Popolo file of the lists). Everything here is public and built from public facts
only: no resident's name, e-mail, address, account id or letter code ever enters a row.

Every file is built by the functions of this module, whether the page, the download or the API
asks for it: the same bytes everywhere. Outputs are deterministic (no "generated at" stamp, zip
entries dated 1980-01-01) so that two downloads of unchanged data are identical and checkable.

It reads other apps through their selectors only (live_event, proposals, workshops) and the
synthesis' own models. See docs/synthesis-opendata.md for every file and field.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from concerto.live_event import report as live_report
from concerto.live_event import selectors as live
from concerto.proposals import selectors as proposals
from concerto.workshops import selectors as workshops

from .models import ActionVersion, Amendment, AmendmentStatus, Commitment, ElectedList

# The positions a candidate may take (live_event's Stance, same codes and labels), then the two
# cells that are not a position: asked and nothing said; never asked.
STANCES = {
    "commits": _("Commits to it"),
    "favourable": _("Favourable"),
    "with_changes": _("Favourable with changes"),
    "reserved": _("Reserved"),
    "unfavourable": _("Unfavourable"),
    "no_answer": _("No answer"),
}
NOT_ASKED = "not_asked"
POSITION_FILTERS = {**STANCES, NOT_ASKED: _("Not asked")}
SOURCES = {"live": _("On the set"), "written": _("In writing"), "": ""}

LICENCE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence version 2.0",
}
DECIDED = (AmendmentStatus.ACCEPTED, AmendmentStatus.ACCEPTED_MODIFIED, AmendmentStatus.DECLINED)
CONTRIBUTION_ORIGINS = ("online", "door_to_door", "paper")
SMALL_GROUP = 5
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# --- Values ---------------------------------------------------------------------------------------

def _dt(value) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _d(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.isoformat() if isinstance(value, date) else str(value)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """A CSV as spreadsheets in France open it: UTF-8 with a BOM, ``;`` between fields, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def lang_of(campaign) -> str:
    """The language the campaign's texts are written in: its first language (BCP 47 code)."""
    return (campaign.languages or ["fr"])[0]


# --- The positions matrix -------------------------------------------------------------------------

def positions_matrix(campaign, now=None) -> dict:
    """Actions (rows, by theme) × candidates (columns, in panel order). Each cell: the position taken
    on the set (the last show's, with the link to the action's chapter of its replay), else the
    written reaction, else « no answer » when the action was asked (on a show's running order or in
    writing), else « not asked ». Positions and reactions the eve-of-vote freeze hides are left out.
    """
    now = now or timezone.now()
    candidates = live.candidate_list(campaign)
    asked: set[int] = set()
    live_cells: dict[tuple[int, int], dict] = {}
    extra_actions = {}
    for event in live.event_list(campaign):
        if event.started_at is None:
            continue
        items = live.running_items(event)
        by_item = {i.pk: i for i in items}
        for i in items:
            asked.add(i.action_id)
            extra_actions[i.action_id] = i.action
        chapters = live_report.replay_chapters(event, now=now)
        chapter_url: dict[int, str] = {}
        for c in chapters["chapters"]:
            if c["kind"] == "action" and c["action_id"] not in chapter_url:
                chapter_url[c["action_id"]] = c["url"] or (
                    reverse("live_event:chapters", args=[campaign.slug, event.pk]) + f"#{c['id']}")
        for p in live.public_positions(event, now=now):
            item = by_item.get(p.item_id)
            if item is None:
                continue
            live_cells[(item.action_id, p.candidate_id)] = {
                "source": "live", "stance": p.stance, "text": p.summary, "improvement": p.improvement,
                "replay_url": chapter_url.get(item.action_id, ""), "event_id": event.pk, "at": p.recorded_at}
    written = {}
    for r in live.public_written_reactions(campaign, now=now):
        asked.add(r.action_id)
        written[(r.action_id, r.candidate_id)] = {
            "source": "written", "stance": r.stance, "text": r.text, "improvement": r.improvement,
            "replay_url": "", "event_id": None, "at": r.updated_at}
    actions = proposals.published_actions(campaign)
    known = {a.pk for a in actions}
    actions += [a for pk, a in extra_actions.items() if pk not in known and a.status in ("published", "merged")]
    rows = []
    for action in actions:
        cells = []
        for c in candidates:
            cell = live_cells.get((action.pk, c.pk)) or written.get((action.pk, c.pk))
            if cell is None:
                cell = {"source": "", "stance": "no_answer" if action.pk in asked else NOT_ASKED, "text": "",
                        "improvement": "", "replay_url": "", "event_id": None, "at": None}
            cell = {**cell, "candidate": c, "label": POSITION_FILTERS[cell["stance"]],
                    "source_label": SOURCES[cell["source"]]}
            cells.append(cell)
        rows.append({"action": action, "theme": action.theme, "cells": cells})
    return {"campaign": campaign, "candidates": candidates, "rows": rows}


def filter_matrix(matrix: dict, *, theme: str = "", candidate: str = "", position: str = "",
                  scope: str = "") -> dict:
    """The matrix narrowed by allow-listed values: a theme's slug, a candidate's id (their column
    only), a position code (the rows where a shown cell has it, highlighted by ``match``). By default
    only the actions put to the candidates; ``scope="all"`` (or the « not asked » filter) adds every
    other published action. Unknown values are ignored and reported in ``ignored``."""
    ignored = []
    if scope and scope != "all":
        ignored.append("scope")
        scope = ""
    if position == NOT_ASKED:
        scope = "all"
    themes = {r["theme"].slug for r in matrix["rows"] if r["theme"]}
    if theme and theme not in themes:
        ignored.append("theme")
        theme = ""
    ids = {str(c.pk) for c in matrix["candidates"]}
    if candidate and candidate not in ids:
        ignored.append("candidate")
        candidate = ""
    if position and position not in POSITION_FILTERS:
        ignored.append("position")
        position = ""
    candidates = [c for c in matrix["candidates"] if not candidate or str(c.pk) == candidate]
    rows = []
    for row in matrix["rows"]:
        if theme and (row["theme"] is None or row["theme"].slug != theme):
            continue
        if not scope and all(cell["stance"] == NOT_ASKED for cell in row["cells"]):
            continue
        cells = [dict(cell, match=bool(position) and cell["stance"] == position)
                 for cell in row["cells"] if not candidate or str(cell["candidate"].pk) == candidate]
        if position and not any(c["match"] for c in cells):
            continue
        rows.append({**row, "cells": cells})
    groups = []
    for row in rows:
        if not groups or groups[-1]["theme"] != row["theme"]:
            groups.append({"theme": row["theme"], "rows": []})
        groups[-1]["rows"].append(row)
    return {**matrix, "candidates": candidates, "rows": rows, "groups": groups, "ignored": ignored,
            "not_asked": sum(1 for r in matrix["rows"] if all(c["stance"] == NOT_ASKED for c in r["cells"])),
            "filters": {"theme": theme, "candidate": candidate, "position": position, "scope": scope}}


POSITION_FIELDS = [
    ("action_id", "integer", N_("The action's number (as in its address /c/<slug>/actions/<id>/).")),
    ("action", "string", N_("The action's title.")),
    ("theme", "string", N_("Its theme (empty when none).")),
    ("candidate_id", "integer", N_("The list's number in this campaign.")),
    ("candidate", "string", N_("The head of the list (a public person).")),
    ("list_name", "string", N_("The list's name.")),
    ("ballot_order", "integer", N_("The list's place on the official panel (every page shows the lists in this order).")),
    ("source", "string", N_("live: said on the set; written: written reaction; empty when there is none.")),
    ("position", "string", N_("commits, favourable, with_changes, reserved, unfavourable, no_answer (asked, "
                           "nothing said), not_asked.")),
    ("position_label", "string", N_("The position in words, in the language of the file.")),
    ("text", "string", N_("What the candidate said on the set (summary) or wrote.")),
    ("improvement", "string", N_("The improvement the candidate suggested, if any.")),
    ("replay_url", "string", N_("The action's chapter in the show's replay (live positions).")),
    ("lang", "string", N_("Language of the texts (BCP 47).")),
]


def position_records(matrix: dict) -> list[list]:
    lang = lang_of(matrix["campaign"])
    out = []
    for row in matrix["rows"]:
        a = row["action"]
        for cell in row["cells"]:
            c = cell["candidate"]
            out.append([a.pk, a.title, a.theme.name if a.theme else "", c.pk, c.name, c.list_name, c.ballot_order,
                        cell["source"], cell["stance"], str(cell["label"]), cell["text"], cell["improvement"],
                        cell["replay_url"], lang])
    return out


def positions_csv(matrix: dict) -> bytes:
    return csv_bytes([f[0] for f in POSITION_FIELDS], position_records(matrix))


def positions_json(matrix: dict) -> dict:
    """The matrix as JSON: the lists in panel order, then per action its cells in that order."""
    lang = lang_of(matrix["campaign"])
    return {
        "campaign": matrix["campaign"].slug, "lang": lang, "licence": LICENCE,
        "candidates": [{"id": c.pk, "name": c.name, "list_name": c.list_name, "ballot_order": c.ballot_order}
                       for c in matrix["candidates"]],
        "actions": [{
            "id": row["action"].pk, "title": row["action"].title,
            "theme": row["action"].theme.name if row["action"].theme else "",
            "cells": [{"candidate": cell["candidate"].pk, "source": cell["source"], "position": cell["stance"],
                       "position_label": str(cell["label"]), "text": cell["text"],
                       "improvement": cell["improvement"], "replay_url": cell["replay_url"]}
                      for cell in row["cells"]],
        } for row in matrix["rows"]],
    }


def json_bytes(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()


# --- The data package -----------------------------------------------------------------------------

@dataclass
class Resource:
    name: str
    title: str
    description: str
    fields: list  # (name, type, description)
    primary_key: list = field(default_factory=list)
    rows: list = field(default_factory=list)

    def schema(self) -> dict:
        schema = {"fields": [{"name": n, "type": t, "description": d} for n, t, d in self.fields],
                  "missingValues": [""]}
        if self.primary_key:
            schema["primaryKey"] = self.primary_key
        return schema

    def data(self) -> bytes:
        return csv_bytes([f[0] for f in self.fields], self.rows)


def _candidate_cols(c) -> list:
    return [c.pk, c.name, c.list_name] if c is not None else ["", "", ""]


CANDIDATE_FIELDS = [
    ("candidate_id", "integer", N_("The list's number (see popolo.json).")),
    ("candidate", "string", N_("The head of the list (a public person).")),
    ("list_name", "string", N_("The list's name.")),
]
LANG_FIELD = ("lang", "string", N_("Language of the texts in this row (BCP 47)."))


def build_resources(campaign, now=None) -> list[Resource]:
    """Every CSV of the package with its rows, from public facts only."""
    now = now or timezone.now()
    lang = lang_of(campaign)
    candidates = {c.pk: c for c in live.candidate_list(campaign)}
    actions = sorted(proposals.action_list(campaign).defer(None).select_related("theme"),
                     key=lambda a: (a.theme.position if a.theme else 10**6, a.theme_id or 0, a.pk))
    action_ids = {a.pk for a in actions}

    versions_by_action: dict[int, list] = {}
    for v in (ActionVersion.objects.filter(action__campaign=campaign, action_id__in=action_ids)
              .select_related("amendment").order_by("action_id", "number")):
        versions_by_action.setdefault(v.action_id, []).append(v)

    res_actions = Resource(
        "actions", N_("Actions"), N_("Every public action (published, or merged into another) with its final text."),
        [("action_id", "integer", N_("The action's number (its address is /c/<slug>/actions/<id>/).")),
         ("title", "string", N_("Final title.")), ("summary", "string", N_("Final summary.")),
         ("body", "string", N_("Final description (Markdown).")), ("theme", "string", N_("Theme (empty when none).")),
         ("origin", "string", N_("Where it comes from: workshop, online, door_to_door, paper.")),
         ("status", "string", N_("published, or merged (into merged_into).")),
         ("merged_into", "integer", N_("The action it was merged into.")),
         ("published_on", "date", N_("Day it was published.")),
         ("supports", "integer", N_("Number of residents supporting it (all channels).")),
         ("version", "integer", N_("Number of its current version (see versions.csv).")),
         LANG_FIELD],
        ["action_id"],
        [[a.pk, a.title, a.summary, a.body, a.theme.name if a.theme else "", a.origin, a.status,
          a.merged_into_id, _d(a.published_at), a.support_count,
          max((v.number for v in versions_by_action.get(a.pk, [])), default=1), lang] for a in actions])

    version_rows = []
    for a in actions:
        stored = versions_by_action.get(a.pk)
        if not stored:
            version_rows.append([a.pk, 1, "workshop" if a.origin == "workshop" else "published", a.title, a.summary,
                                 a.body, "", "", "", _dt(a.published_at or a.created_at), lang])
            continue
        for v in stored:
            credited = candidates.get(v.amendment.candidate_id) if v.amendment_id else None
            version_rows.append([a.pk, v.number, v.stage, v.title, v.summary, v.body, v.reason, v.amendment_id or "",
                                 credited.pk if credited else "", _dt(v.created_at), lang])
    res_versions = Resource(
        "versions", N_("Versions of the actions"), N_("Every version of every action, oldest first: immutable."),
        [("action_id", "integer", N_("The action (actions.csv).")), ("version", "integer", N_("Version number, from 1.")),
         ("stage", "string", N_("published, workshop, contributions, candidates, follow_up.")),
         ("title", "string", N_("Title in this version.")), ("summary", "string", N_("Summary in this version.")),
         ("body", "string", N_("Description in this version (Markdown).")),
         ("reason", "string", N_("Why it changed (written by the organisers).")),
         ("amendment_id", "integer", N_("The amendment this version integrates (amendments.csv).")),
         ("credited_candidate_id", "integer", N_("The list credited with this version (its amendment's).")),
         ("created_at", "datetime", N_("When this version was recorded (UTC).")), LANG_FIELD],
        ["action_id", "version"], version_rows)

    amendments = (Amendment.objects.filter(campaign=campaign, status__in=DECIDED, action_id__in=action_ids)
                  .select_related("version").order_by("action_id", "created_at", "pk"))
    res_amendments = Resource(
        "amendments", N_("Amendments"), N_("The improvements the candidates suggested, once decided, with the reason."),
        [("amendment_id", "integer", N_("The amendment's number.")), ("action_id", "integer", N_("The action.")),
         *CANDIDATE_FIELDS,
         ("source", "string", N_("live: said on the set; written: in a written reaction.")),
         ("text", "string", N_("The improvement suggested.")), ("passage", "string", N_("The passage of the text it concerns.")),
         ("decision", "string", N_("accepted, accepted_modified, declined.")),
         ("reason", "string", N_("The organisers' written reason for the decision.")),
         ("suggested_at", "datetime", N_("When it was suggested (UTC).")),
         ("decided_at", "datetime", N_("When it was decided (UTC).")),
         ("version", "integer", N_("The version that integrates it (accepted ones).")), LANG_FIELD],
        ["amendment_id"],
        [[m.pk, m.action_id, *_candidate_cols(candidates.get(m.candidate_id)), m.source, m.text, m.quote_exact,
          m.status, m.decision_reason, _dt(m.created_at), _dt(m.decided_at),
          _version_number(m), lang] for m in amendments])

    matrix = positions_matrix(campaign, now=now)
    reaction_rows = []
    for row in matrix["rows"]:
        for cell in row["cells"]:
            if not cell["source"]:
                continue
            reaction_rows.append([row["action"].pk, *_candidate_cols(cell["candidate"]), cell["source"],
                                  cell["stance"], cell["text"], cell["improvement"], cell["event_id"],
                                  cell["replay_url"], _dt(cell["at"]), lang])
    res_reactions = Resource(
        "reactions", N_("Candidates' reactions"), N_("Each list's position on each action: said on the set (the last "
        "show's), else written. Not asked and not answered cells are in the positions page's CSV."),
        [("action_id", "integer", N_("The action.")), *CANDIDATE_FIELDS,
         ("source", "string", N_("live (on the set) or written.")),
         ("position", "string", N_("commits, favourable, with_changes, reserved, unfavourable, no_answer.")),
         ("text", "string", N_("What was said (summary) or written.")),
         ("improvement", "string", N_("Improvement suggested.")),
         ("event_id", "integer", N_("The show (live positions).")),
         ("replay_url", "string", N_("The action's chapter in the replay.")),
         ("recorded_at", "datetime", N_("When it was recorded or last written (UTC).")), LANG_FIELD],
        ["action_id", "candidate_id"], reaction_rows)

    counts = proposals.support_counts_by_action_channel(campaign)
    channels = ("online", "door_to_door", "workshop", "paper")
    support_rows = []
    totals = dict.fromkeys(channels, 0)
    for a in actions:
        by_channel = counts.get(a.pk, dict.fromkeys(channels, 0))
        for ch in channels:
            totals[ch] += by_channel.get(ch, 0)
        shown = proposals.suppress_small({ch: by_channel.get(ch, 0) for ch in channels})
        for ch in channels:
            support_rows.append([a.pk, ch, shown[ch], shown[ch] is None])
    shown = proposals.suppress_small(totals)
    for ch in channels:
        support_rows.append(["", ch, shown[ch], shown[ch] is None])
    res_supports = Resource(
        "supports", N_("Supports by channel"), N_("Supports counted by action and channel, then for the whole campaign "
        "(rows with no action_id). A count under 5 is never shown (nor one that would give it back)."),
        [("action_id", "integer", N_("The action; empty for the campaign's totals.")),
         ("channel", "string", N_("online, door_to_door, workshop, paper.")),
         ("supports", "integer", N_("Number of supports; empty when hidden (fewer than 5).")),
         ("hidden", "boolean", N_("true when the count is hidden to protect small groups."))],
        [], support_rows)

    items_action: dict[int, int] = {}
    time_rows = []
    for event in live.event_list(campaign):
        if event.started_at is None:
            continue
        items_action = {i.pk: i.action_id for i in live.running_items(event)}
        for item_id, per_candidate in sorted(live.speaking_closed_by_item(event).items()):
            for cand_id, seconds in sorted(per_candidate.items(), key=lambda kv: int(kv[0])):
                c = candidates.get(int(cand_id))
                time_rows.append([event.pk, items_action.get(int(item_id)) if item_id else "", *_candidate_cols(c),
                                  round(seconds, 1)])
    res_time = Resource(
        "speaking_time", N_("Speaking time"), N_("Seconds each list spoke on the set, per show and action (finished turns)."),
        [("event_id", "integer", N_("The show.")), ("action_id", "integer", N_("The action on air; empty for turns "
                                                                     "with no action on air.")),
         *CANDIDATE_FIELDS, ("seconds", "number", N_("Seconds of speaking time."))],
        [], time_rows)

    idea_rows = []
    for w in workshops.workshop_list(campaign):
        data = workshops.export_data(w, staff=False, with_votes=False)
        for idea in data["ideas"]:
            idea_rows.append([w.pk, idea["id"], idea["prompt"], idea["text"], idea["theme"], idea["merged_into"], lang])
    res_ideas = Resource(
        "workshop_ideas", N_("Workshop ideas"), N_("The ideas written on the workshops' walls, without their authors."),
        [("workshop_id", "integer", N_("The workshop.")), ("idea_id", "integer", N_("The idea's number.")),
         ("prompt", "string", N_("The question it answers.")), ("text", "string", N_("The idea.")),
         ("wall_theme", "string", N_("The group it was put in on the wall.")),
         ("merged_into", "integer", N_("The idea it duplicates, when merged.")), LANG_FIELD],
        ["idea_id"], idea_rows)

    contribution_rows = []
    for a in actions:
        if a.origin not in CONTRIBUTION_ORIGINS:
            continue
        stored = versions_by_action.get(a.pk)
        first = stored[0] if stored else a
        contribution_rows.append([a.pk, a.origin, _d(a.published_at), first.title, first.summary, first.body,
                                  a.theme.name if a.theme else "", a.status, lang])
    res_contributions = Resource(
        "contributions", N_("Residents' contributions"), N_("The proposals residents made (online, at their door, on "
        "paper), as first published, anonymised: no author, no address, the day only."),
        [("action_id", "integer", N_("The action it became (actions.csv).")),
         ("origin", "string", N_("online, door_to_door, paper.")), ("published_on", "date", N_("Day it was published.")),
         ("title", "string", N_("Title as first published.")), ("summary", "string", N_("Summary as first published.")),
         ("body", "string", N_("Description as first published.")), ("theme", "string", N_("Theme.")),
         ("status", "string", N_("published or merged.")), LANG_FIELD],
        ["action_id"], contribution_rows)

    commitment_rows = [[m.pk, m.action_id, *_candidate_cols(candidates.get(m.candidate_id)), m.stance, m.status,
                        _d(m.status_since)]
                       for m in Commitment.objects.filter(campaign=campaign).order_by("action_id", "candidate_id")]
    res_commitments = Resource(
        "commitments", N_("Commitments"), N_("The elected list's commitments and what became of them (Obameter statuses)."),
        [("commitment_id", "integer", N_("The commitment's number.")), ("action_id", "integer", N_("The action.")),
         *CANDIDATE_FIELDS, ("stance", "string", N_("The position that made it a commitment.")),
         ("status", "string", N_("not_rated, in_the_works, stalled, kept, compromise, broken.")),
         ("status_since", "date", N_("Day of the current status."))],
        ["commitment_id"], commitment_rows)

    return [res_actions, res_versions, res_amendments, res_reactions, res_supports, res_time, res_ideas,
            res_contributions, res_commitments]


def _version_number(amendment) -> int | str:
    try:
        return amendment.version.number
    except ActionVersion.DoesNotExist:
        return ""


def descriptor(campaign, resources: list[Resource]) -> dict:
    """The ``datapackage.json``: package metadata, licence, and per resource its path, dialect and
    Table Schema. Paths are relative to the descriptor (the zip and the site hold the same layout)."""
    return {
        "profile": "tabular-data-package",
        "name": f"concerto-{campaign.slug}",
        "title": f"Concerto – {campaign.name}",
        "description": "Results of the consultation: actions and their versions, candidates' amendments and "
                       "reactions, supports by channel, speaking time, workshop ideas, anonymised contributions, "
                       "commitments. No personal data of residents. Data card: README.md.",
        "homepage": reverse("synthesis:opendata", args=[campaign.slug]),
        "licenses": [LICENCE],
        "keywords": ["participation", "municipal election", "consultation", "open data"],
        "resources": [{
            "name": r.name, "title": r.title, "description": r.description, "path": f"{r.name}.csv",
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "dialect": {"delimiter": ";", "lineTerminator": "\r\n", "header": True},
            "schema": r.schema(),
        } for r in resources],
    }


def readme(campaign, resources: list[Resource]) -> str:
    """The data card as Markdown (README.md of the zip): what each file holds, field by field."""
    lines = [f"# Open data – {campaign.name}", "",
             "Licence: Licence Ouverte / Open Licence 2.0 (Etalab), "
             "https://www.etalab.gouv.fr/licence-ouverte-open-licence/ — reuse freely, citing the source.", "",
             "How it was made: exported by Concerto from the campaign's database at download time. CSV files are "
             "UTF-8 with a byte order mark, fields separated by ';'. Texts carry a `lang` column (BCP 47).", "",
             "What was removed for privacy: residents' names, e-mail addresses, postal addresses, account ids and "
             "letter codes; authors of actions, ideas and comments; who presented an action on the set; the "
             "organisers' accounts; any count of supports under 5. Candidates and lists are public persons and "
             "are named.", ""]
    for r in resources:
        lines += [f"## {r.name}.csv — {r.title}", "", r.description, "", "| field | type | meaning |", "|---|---|---|"]
        lines += [f"| {n} | {t} | {d} |" for n, t, d in r.fields]
        lines.append("")
    lines += ["## popolo.json", "", "The lists and their heads as Popolo persons, organizations and memberships; "
              "the `candidacy` extension of a membership gives the ballot order.", ""]
    return "\n".join(lines)


def popolo(campaign) -> dict:
    """The lists (Organization), their heads and representatives (Person), and Memberships; each
    head's membership carries the ``candidacy`` extension (docs/synthesis-opendata.md)."""
    elected = ElectedList.objects.filter(campaign=campaign).values_list("candidate_id", flat=True).first()
    persons, organizations, memberships = [], [], []
    for c in live.candidate_list(campaign):
        org_id, person_id = f"list-{c.pk}", f"candidate-{c.pk}"
        organizations.append({"id": org_id, "name": c.list_name, "classification": "electoral list"})
        persons.append({"id": person_id, "name": c.name})
        memberships.append({
            "id": f"membership-{c.pk}", "person_id": person_id, "organization_id": org_id, "role": "head of list",
            "candidacy": {"election": campaign.name, "campaign": campaign.slug, "ballot_order": c.ballot_order,
                          "elected": elected == c.pk if elected is not None else None}})
        if c.representative:
            persons.append({"id": f"representative-{c.pk}", "name": c.representative})
            memberships.append({"id": f"membership-representative-{c.pk}", "person_id": f"representative-{c.pk}",
                                "organization_id": org_id, "role": "representative on the set"})
    return {"persons": persons, "organizations": organizations, "memberships": memberships}


def package_files(campaign, now=None) -> dict[str, bytes]:
    """Every file of the package by name: the descriptor, the CSVs, README.md, popolo.json."""
    resources = build_resources(campaign, now=now)
    files = {"datapackage.json": json_bytes(descriptor(campaign, resources))}
    for r in resources:
        files[f"{r.name}.csv"] = r.data()
    files["README.md"] = readme(campaign, resources).encode()
    files["popolo.json"] = json_bytes(popolo(campaign))
    return files


def package_zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return out.getvalue()

"""After the show: the fairness report (équité du temps de parole) and the replay chapters.

Both are reads built from the server's own records, never from a screen's clock:
- speaking time is the sum of the ``SpeakingTurn`` rows, each opened by the facilitator's one key
  and closed by the next key, the stop key, a change of the action on air or the end of the show
  (all timed by the server); a turn still running counts up to now, which is why the figures are
  provisional until the show ends;
- the chapters are the ``AirSpan`` rows (an action's time on air) and the turns, as offsets from
  ``Event.started_at``.

The fairness CSV is the canonical record: its bytes do not depend on the reader's language (fixed
column names, see ``CSV_COLUMNS``) nor on the time it is read once the show has ended, so its SHA-256
is the report's signature: ``services.report_sign`` writes it into the audit trail when the show
ends (and again if the figures ever change), and the page prints it so anyone can check a
downloaded file with ``sha256sum``. The synthesis puts ``fairness_report(event)`` and
``fairness_csv(report)`` into each candidate's dossier.
"""

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.models import AuditEntry
from concerto.letters.households_csv import csv_lines

from .models import AirSpan, Candidate, EventStatus, RunningItem, SpeakingTurn
from .selectors import candidate_list

SIGNED_CODE = "live.report_signed"

# The canonical CSV's columns, fixed (not translated): the file, and so its SHA-256, is the same
# whoever downloads it. docs/live-event-report.md says what each holds.
CSV_COLUMNS = ("ligne", "ordre_panneau", "candidat", "liste", "ordre_conducteur", "action",
               "secondes", "duree", "interventions", "premier", "dernier")
ROW_CANDIDATE, ROW_ACTION, ROW_OFF_AIR = "candidat", "action", "hors_action"


def whole_seconds(value: float) -> int:
    """Rounded half up (never Python's half-to-even): the same turn always gives the same second."""
    return int(value + 0.5) if value > 0 else 0


def mmss(seconds: int) -> str:
    """``mm:ss`` with as many minutes as needed (a long show gives ``72:05``)."""
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def hhmmss(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def duration_words(seconds: int) -> str:
    """« 42 s », « 1 min 12 s », « 2 min »: for sentences."""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return _("%(s)d s") % {"s": rest}
    if not rest:
        return _("%(m)d min") % {"m": minutes}
    return _("%(m)d min %(s)d s") % {"m": minutes, "s": rest}


# --- The fairness report ------------------------------------------------------------------------

def _turn_seconds(turn, now) -> float:
    return max(0.0, ((turn.ended_at or now) - turn.started_at).total_seconds())


def fairness_report(event, now=None) -> dict:
    """Per candidate, in the panel's order: speaking time, turns, time per action of the running
    order, times first and last in the reply order (among the actions that went on air), and the
    gap between the most and the least exposed against ``event.target_gap_seconds``.

    Seconds are whole (rounded half up) per candidate and per cell; the gap is taken between the
    rounded totals, so the sentence agrees with the table. Three queries."""
    now = now or timezone.now()
    candidates = candidate_list(event.campaign)
    items = list(RunningItem.objects.filter(event=event).select_related("action").order_by("position"))
    aired = set(AirSpan.objects.filter(event=event).values_list("item_id", flat=True))
    raw = {c.pk: {"total": 0.0, "turns": 0, "by_item": {}} for c in candidates}
    for turn in SpeakingTurn.objects.filter(event=event).only("candidate_id", "item_id", "started_at", "ended_at"):
        row = raw.get(turn.candidate_id)
        if row is None:  # a candidate removed from the campaign keeps no line
            continue
        seconds = _turn_seconds(turn, now)
        row["total"] += seconds
        row["turns"] += 1
        cell = row["by_item"].setdefault(turn.item_id, [0.0, 0])
        cell[0] += seconds
        cell[1] += 1
    lines = []
    for c in candidates:
        row = raw[c.pk]
        cells = []
        first = last = 0
        for item in items:
            seconds, turns = row["by_item"].get(item.pk, (0.0, 0))
            order = item.reply_order or []
            is_first = item.pk in aired and bool(order) and order[0] == c.pk
            is_last = item.pk in aired and len(order) > 1 and order[-1] == c.pk
            first += is_first
            last += is_last
            cells.append({"item": item, "seconds": whole_seconds(seconds), "time": mmss(whole_seconds(seconds)),
                          "turns": turns, "first": is_first, "last": is_last, "aired": item.pk in aired})
        off_seconds, off_turns = row["by_item"].get(None, (0.0, 0))
        total = whole_seconds(row["total"])
        lines.append({"candidate": c, "seconds": total, "time": mmss(total), "turns": row["turns"],
                      "first": first, "last": last, "cells": cells,
                      "off_air": {"seconds": whole_seconds(off_seconds), "time": mmss(whole_seconds(off_seconds)),
                                  "turns": off_turns}})
    totals = [line["seconds"] for line in lines]
    gap = (max(totals) - min(totals)) if totals else 0
    most = [line["candidate"] for line in lines if totals and line["seconds"] == max(totals)]
    least = [line["candidate"] for line in lines if totals and line["seconds"] == min(totals)]
    return {
        "event": event,
        "status": event.status,
        "started": event.started_at is not None,
        "provisional": event.status != EventStatus.ENDED,
        "generated_at": now,
        "items": items,
        "aired_count": sum(1 for i in items if i.pk in aired),
        "lines": lines,
        # The same cells the other way round, for a table with one row per action.
        "by_item": [{"item": item, "cells": [line["cells"][i] for line in lines]} for i, item in enumerate(items)],
        "has_off_air": any(line["off_air"]["turns"] for line in lines),
        "total_seconds": sum(totals),
        "gap": gap,
        "target_gap": event.target_gap_seconds,
        "met": gap <= event.target_gap_seconds,
        "most": most if gap else [],
        "least": least if gap else [],
    }


def gap_sentence(report) -> str:
    """The gap in a plain sentence, as the page and the dossier say it."""
    values = {"gap": duration_words(report["gap"]), "target": duration_words(report["target_gap"])}
    if not report["started"]:
        return _("The show has not started: no speaking time is counted yet.")
    if report["provisional"]:
        return _("The gap between the most and the least exposed is %(gap)s for now (target: at most %(target)s "
                 "at the end of the show).") % values
    if report["met"]:
        return _("The gap between the most and the least exposed is %(gap)s: the target of %(target)s is met.") % values
    return _("The gap between the most and the least exposed is %(gap)s: the target of %(target)s is not met "
             "(%(over)s over).") % {**values, "over": duration_words(report["gap"] - report["target_gap"])}


def _flag(value: bool) -> int:
    return 1 if value else 0


def fairness_rows(report):
    """The CSV's rows (header first): per candidate one ``candidat`` row with the totals, then one
    ``action`` row per action of the running order (``premier``/``dernier`` 1 or 0), then a
    ``hors_action`` row when they spoke with no action on air."""
    yield list(CSV_COLUMNS)
    for line in report["lines"]:
        c = line["candidate"]
        who = [c.ballot_order, c.name, c.list_name]
        yield [ROW_CANDIDATE, *who, "", "", line["seconds"], line["time"], line["turns"], line["first"], line["last"]]
        for cell in line["cells"]:
            item = cell["item"]
            yield [ROW_ACTION, *who, item.position, item.action.title, cell["seconds"], cell["time"], cell["turns"],
                   _flag(cell["first"]), _flag(cell["last"])]
        off = line["off_air"]
        if off["turns"]:
            yield [ROW_OFF_AIR, *who, "", "", off["seconds"], off["time"], off["turns"], 0, 0]


def fairness_csv(report) -> bytes:
    """The canonical file: UTF-8 with a BOM, ``;`` and CRLF, as Excel in France opens it by a
    double click (the same convention as the households file)."""
    return "".join(csv_lines(fairness_rows(report))).encode("utf-8")


def csv_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_target(event) -> str:
    """The audit entries' target for this event (as ``log_action`` writes a model target)."""
    return f"{event._meta.label_lower}:{event.pk}"


def report_signatures(event) -> list[AuditEntry]:
    """The digests recorded for this report, oldest first: more than one means the figures changed
    after the show ended, and the page says so."""
    return list(AuditEntry.objects.filter(code=SIGNED_CODE, target=report_target(event)).order_by("at", "id"))


TURN_CORRECTED = "live.turn_corrected"


def turn_corrections(event) -> list[dict]:
    """The corrections of speaking turns recorded in the journal for this set, newest first: who,
    when, the turn's length, the candidate timed before and after (None after: the turn was removed)
    and the reason given. Names are read now; a candidate since deleted shows as None."""
    entries = list(AuditEntry.objects.filter(code=TURN_CORRECTED, target=report_target(event))
                   .select_related("actor").order_by("-at", "-pk"))
    ids = {e.data.get(k) for e in entries for k in ("candidate_before", "candidate_after")}
    names = dict(Candidate.objects.filter(pk__in={i for i in ids if isinstance(i, int)}).values_list("pk", "name"))
    return [{"at": e.at, "actor": e.actor, "seconds": e.data.get("seconds"), "reason": e.data.get("reason", ""),
             "before": names.get(e.data.get("candidate_before")), "after": names.get(e.data.get("candidate_after")),
             "removed": e.data.get("candidate_after") is None}
            for e in entries]

# --- Replay chapters ----------------------------------------------------------------------------

YOUTUBE_HOSTS = {"youtube.com", "youtube-nocookie.com", "youtu.be"}
VIMEO_HOSTS = {"vimeo.com", "player.vimeo.com"}
MEDIA_FILES = (".mp4", ".webm", ".ogg", ".ogv", ".m4v", ".mov")


def replay_url(stream_url: str, seconds: int) -> str:
    """The stream's address at ``seconds`` from its start, or "" when the address has no known
    way to say a time. The rule (docs/live-event-report.md): YouTube gets ``t=<seconds>`` in the query (an
    ``/embed/<id>`` or ``/live/<id>`` address becomes the ``watch?v=<id>`` page), Twitch videos
    ``t=<h>h<m>m<s>s``, Vimeo and a plain video file ``#t=<seconds>`` (the W3C media fragment)."""
    if not stream_url:
        return ""
    parts = urlsplit(stream_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower().removeprefix("www.").removeprefix("m.")
    seconds = max(0, int(seconds))
    if host in YOUTUBE_HOSTS:
        path = parts.path
        for prefix in ("/embed/", "/live/"):
            if path.startswith(prefix) and path[len(prefix):].strip("/"):
                video = path[len(prefix):].strip("/")
                return f"https://www.youtube.com/watch?{urlencode({'v': video, 't': seconds})}"
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("t", "start")] + [("t", str(seconds))]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    if host == "twitch.tv" and parts.path.startswith("/videos/"):
        h, rest = divmod(seconds, 3600)
        stamp = f"{h}h{rest // 60}m{rest % 60}s"
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "t"] + [("t", stamp)]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    if host in VIMEO_HOSTS:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, f"t={seconds}s"))
    if parts.path.lower().endswith(MEDIA_FILES):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, f"t={seconds}"))
    return ""


def _offset(event, at) -> float:
    return max(0.0, (at - event.started_at).total_seconds())


def replay_chapters(event, now=None) -> dict:
    """The timecoded log of the show: each action's time(s) on air with the turns spoken during it,
    and the turns spoken with no action on air, in time order. Offsets are seconds from
    ``event.started_at``; ``start``/``end`` are floats (for WebVTT's milliseconds), ``at`` whole
    seconds for the links and the ``hh:mm:ss`` shown. A span or turn still open ends ``now``."""
    now = now or timezone.now()
    if event.started_at is None:
        return {"event": event, "started": False, "chapters": [], "has_replay_links": False}
    end_of_show = event.ended_at or now
    spans = list(AirSpan.objects.filter(event=event).select_related("item__action").order_by("started_at", "id"))
    turns = list(SpeakingTurn.objects.filter(event=event).select_related("candidate").order_by("started_at", "id"))

    def entry(kind, pk, title, started, ended):
        start, end = _offset(event, started), _offset(event, ended or end_of_show)
        at = int(start)
        return {"kind": kind, "id": f"{kind}-{pk}", "title": title, "start": start, "end": max(start, end),
                "at": at, "timecode": hhmmss(at), "url": replay_url(event.stream_url, at), "turns": []}

    chapters = []
    for span in spans:
        chapters.append({**entry("action", span.pk, f"{span.item.position}. {span.item.action.title}",
                                 span.started_at, span.ended_at),
                         "action_id": span.item.action_id, "item_id": span.item_id})
    by_span = {c["id"]: c for c in chapters}
    for turn in turns:
        title = turn.candidate.name
        if turn.candidate.representative:
            title = _("%(representative)s for %(name)s") % {"representative": turn.candidate.representative,
                                                             "name": turn.candidate.name}
        chapter = {**entry("turn", turn.pk, title, turn.started_at, turn.ended_at), "candidate": turn.candidate}
        # A turn belongs to the action on air when it started (the clock stops when the action changes).
        home = next((s for s in reversed(spans) if s.item_id == turn.item_id and s.started_at <= turn.started_at
                     and (s.ended_at is None or turn.started_at <= s.ended_at)), None)
        if home is not None:
            by_span[f"action-{home.pk}"]["turns"].append(chapter)
        else:
            chapters.append(chapter)
    chapters.sort(key=lambda c: (c["start"], c["kind"] != "action"))
    return {"event": event, "started": True, "chapters": chapters,
            "has_replay_links": bool(replay_url(event.stream_url, 0))}


def _vtt_time(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _vtt_text(text: str) -> str:
    """A cue's text: one line, with WebVTT's three special characters escaped (a title is typed by
    people; "-->" or a blank line would end the cue)."""
    text = " ".join(str(text).split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chapters_vtt(chapters: dict) -> str:
    """A WebVTT chapters file: one cue per time on air, the turns nested inside it (the WebVTT
    "chapter title text" form: cues either do not overlap or one contains the other)."""
    lines = ["WEBVTT", ""]
    flat = []
    for c in chapters["chapters"]:
        flat.append(c)
        flat.extend(c["turns"])
    for c in flat:
        title = c["title"] if c["kind"] == "action" else _("Speaking: %(name)s") % {"name": c["title"]}
        lines += [c["id"], f"{_vtt_time(c['start'])} --> {_vtt_time(c['end'])}", _vtt_text(title), ""]
    return "\n".join(lines)


def chapters_text(chapters: dict) -> str:
    """The « 00:00 Title » lines a video platform turns into chapters when pasted in the video's
    description: the actions only (YouTube wants the first at 00:00 and each at least 10 s long, so
    a short reply would break the list), ``hh:mm:ss`` once the show passes an hour."""
    actions = [c for c in chapters["chapters"] if c["kind"] == "action"]
    if not actions:
        return ""
    long_show = max(c["end"] for c in actions) >= 3600

    def stamp(at):
        return hhmmss(at) if long_show else mmss(at)

    opening = _("Opening")
    lines = [] if actions[0]["at"] == 0 else [f"{stamp(0)} {opening}"]
    lines += [f"{stamp(c['at'])} {' '.join(c['title'].split())}" for c in actions]
    return "\n".join(lines) + "\n"


# --- The action's page (registered in proposals: register_action_extra) ------------------------

def action_replay_links(action) -> list[dict]:
    """« Rewatch this action's time on the set (00:12:30) » for each ended show where the action
    went on air (its first time on air); the stream at that time, else the chapters page."""
    spans = (AirSpan.objects.filter(item__action_id=action.pk, event__status=EventStatus.ENDED,
                                    event__started_at__isnull=False, event__campaign_id=action.campaign_id)
             .select_related("event", "event__campaign").order_by("event__started_at", "event_id", "started_at"))
    out, seen = [], set()
    for span in spans:
        if span.event_id in seen:
            continue
        seen.add(span.event_id)
        event = span.event
        at = int(_offset(event, span.started_at))
        url = replay_url(event.stream_url, at) or (
            reverse("live_event:chapters", args=[event.campaign.slug, event.pk]) + f"#action-{span.pk}")
        out.append({"text": _("Rewatch this action's time on the set (%(timecode)s)") % {"timecode": hhmmss(at)},
                    "url": url})
    return out

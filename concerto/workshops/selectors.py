"""Reads about workshops, built for the pages that use them."""

import unicodedata
import uuid
from collections import Counter

from django.db.models import Count, Q, Sum

from . import rules
from .errors import UnknownRoomCode, WorkshopNotFound
from .models import (
    ROOM_CODE_ALPHABET,
    ROOM_CODE_LENGTH,
    VOTE_CLOSED_PHASES,
    Attendance,
    Attendee,
    AttendeeSource,
    Dot,
    Idea,
    Phase,
    Rsvp,
    WallTheme,
    Workshop,
)


def workshop_get(campaign, workshop_id) -> Workshop:
    """A workshop of this campaign (public facts only are shown from it without further checks)."""
    workshop = (Workshop.objects.select_related("campaign").filter(campaign=campaign, pk=workshop_id).first()
                if str(workshop_id).isdigit() else None)
    if workshop is None:
        raise WorkshopNotFound()
    return workshop


def workshop_run_get(user, campaign, workshop_id) -> Workshop:
    """Fetch-and-authorize for facilitators' pages: refused exactly like a missing workshop."""
    workshop = workshop_get(campaign, workshop_id)
    if not rules.can_run_workshop(user, workshop):
        raise WorkshopNotFound()
    return workshop


def normalise_room_code(typed: str) -> str:
    """Upper case, no spaces or dashes, compatibility forms folded (a full-width 'Ａ' is 'A')."""
    text = unicodedata.normalize("NFKC", typed or "").upper()
    return "".join(c for c in text if c.isalnum())


def workshop_by_room_code(typed: str) -> Workshop:
    code = normalise_room_code(typed)
    if len(code) != ROOM_CODE_LENGTH or any(c not in ROOM_CODE_ALPHABET for c in code):
        raise UnknownRoomCode()
    workshop = Workshop.objects.select_related("campaign").filter(room_code=code).first()
    if workshop is None or workshop.cancelled_at is not None or workshop.phase == Phase.CLOSED:
        raise UnknownRoomCode()
    return workshop


def seat_for(user, workshop, session_seats: dict | None = None) -> Attendee | None:
    """The attendee this person is in the workshop: by account, or by the seat this device was
    given when it joined (``session_seats``: workshop id → attendee id, kept in the session)."""
    if user is not None and user.is_authenticated:
        seat = Attendee.objects.filter(workshop=workshop, user=user).first()
        if seat is not None:
            return seat
    attendee_id = (session_seats or {}).get(str(workshop.pk))
    if attendee_id:
        return Attendee.objects.filter(workshop=workshop, pk=attendee_id).first()
    return None


def attendee_by_token(token: str) -> Attendee | None:
    """The attendee a personal link (invitation e-mail or letter) belongs to, if it is still valid."""
    from .tokens import token_hash

    if not token or len(token) > 64:
        return None
    return (Attendee.objects.select_related("workshop", "workshop__campaign")
            .filter(token_hash=token_hash(token)).first())


def wall_counts(workshop) -> dict:
    """What the room may see at any moment: the live topic's state (``wall:<id>``). Two queries."""
    ideas = Idea.objects.filter(workshop=workshop, merged_into__isnull=True).count()
    people = Attendee.objects.filter(workshop=workshop).aggregate(
        joined=Count("id", filter=Q(joined_at__isnull=False), distinct=True),
        present=Count("id", filter=Q(attendance=Attendance.PRESENT), distinct=True),
        voters=Count("id", filter=Q(dots__isnull=False), distinct=True),
    )
    return {
        "v": workshop.version,
        "sv": workshop.shared_version,
        "phase": workshop.phase,
        "ideas": ideas,
        "joined": people["joined"],
        "present": people["present"],
        "voters": people["voters"],
        "names": workshop.names_visible,
        "timer": workshop.timer_ends_at.isoformat() if workshop.timer_ends_at else None,
    }


def dots_used(attendee) -> int:
    return Dot.objects.filter(attendee=attendee).aggregate(n=Sum("count"))["n"] or 0


# --- the room: what the wall pages show ----------------------------------------------------------


def wall_ideas(workshop) -> list:
    """The ideas on the wall (merged duplicates left out), in the wall's order, with what a card
    prints. Whether names are shown is the page's decision (``rules.can_see_names``)."""
    return list(Idea.objects.filter(workshop=workshop, merged_into__isnull=True)
                .select_related("attendee", "proxy_by", "theme")
                .order_by("theme__position", "theme_id", "position", "pk"))


def wall_groups(workshop) -> list[tuple]:
    """``(theme or None, ideas)`` in theme order; ideas without a theme last. One group (None) when
    no theme exists yet."""
    from .models import WallTheme

    ideas = wall_ideas(workshop)
    themes = list(WallTheme.objects.filter(workshop=workshop).order_by("position", "pk"))
    by_theme: dict = {t.pk: [] for t in themes}
    loose = []
    for idea in ideas:
        by_theme.get(idea.theme_id, loose).append(idea)
    groups = [(t, by_theme[t.pk]) for t in themes]
    if loose or not groups:
        groups.append((None, loose))
    return groups


def my_ideas(workshop, attendee) -> list:
    if attendee is None:
        return []
    return list(Idea.objects.filter(workshop=workshop, attendee=attendee).order_by("-created_at", "-pk"))


def pending_join_requests(workshop) -> list:
    from .models import JoinRequest

    return list(JoinRequest.objects.filter(workshop=workshop, attendee__isnull=True, refused_at__isnull=True)
                .order_by("created_at", "pk"))


def attendees_not_joined(workshop) -> list:
    return list(Attendee.objects.filter(workshop=workshop, joined_at__isnull=True).order_by("name", "pk"))


def attendees_of(workshop) -> list:
    return list(Attendee.objects.filter(workshop=workshop).order_by("name", "pk"))


def join_request_for_device(workshop, device_id):
    from .models import JoinRequest

    try:
        device_id = uuid.UUID(str(device_id))
    except ValueError:  # nothing, or a session value that is not ours
        return None
    return JoinRequest.objects.select_related("attendee").filter(workshop=workshop, device_id=device_id).first()
# --- themes and dots -----------------------------------------------------------------------------


def _idea_row(idea, *, names: bool) -> dict:
    return {"idea": idea, "id": idea.pk, "text": idea.text, "place": idea.place, "prompt": idea.get_prompt_display(),
            "author": (idea.attendee.name if idea.attendee else "") if names else "",
            "proxy": idea.proxy_by_id is not None, "edited": idea.edited_at is not None,
            "merged": [m.text for m in idea.merged_ideas.all()]}


def cluster_board(workshop, *, names: bool = False) -> dict:
    """The wall in columns: themes in order with their ideas, then the ungrouped ideas; merged
    duplicates are listed under the idea they were merged into. ``names``: show authors. Three queries."""
    themes = list(WallTheme.objects.filter(workshop=workshop).order_by("position", "pk"))
    ideas = list(Idea.objects.filter(workshop=workshop, merged_into__isnull=True)
                 .select_related("attendee").prefetch_related("merged_ideas").order_by("position", "pk"))
    columns = {t.pk: [] for t in themes}
    ungrouped = []
    rows = [_idea_row(idea, names=names) for idea in ideas]
    for row in rows:
        columns.get(row["idea"].theme_id, ungrouped).append(row)
    merged = list(Idea.objects.filter(workshop=workshop, merged_into__isnull=False)
                  .select_related("merged_into").order_by("pk"))
    return {
        "themes": [{"theme": t, "id": t.pk, "name": t.name, "ideas": columns[t.pk],
                    "first": i == 0, "last": i == len(themes) - 1} for i, t in enumerate(themes)],
        "ungrouped": ungrouped,
        "ideas": rows,
        "merged": merged,
    }


def theme_suggestions(workshop) -> list:
    """The local theme suggester (``suggestions.suggest``) on this wall, ignored ones left out.

    Cached per wall version: every write that could change them (an idea, a theme, a grouping, an
    ignored suggestion) bumps the version, and the console is re-rendered at each live refresh."""
    from django.core.cache import cache

    version = Workshop.objects.filter(pk=workshop.pk).values_list("version", flat=True).first()
    key = f"workshops:suggestions:{workshop.pk}:{version}"
    found = cache.get(key)
    if found is None:
        found = _theme_suggestions(workshop)
        cache.set(key, found, 600)
    return found


def _theme_suggestions(workshop) -> list:
    from .models import SuggestionDismissal
    from .suggestions import suggest

    ideas = list(Idea.objects.filter(workshop=workshop, merged_into__isnull=True).values_list("pk", "text", "theme_id"))
    texts = {}
    for _pk, text, theme_id in ideas:
        if theme_id:
            texts.setdefault(theme_id, []).append(text)
    themes = [(t.pk, t.name, texts.get(t.pk, [])) for t in WallTheme.objects.filter(workshop=workshop)
              .order_by("position", "pk")]
    dismissed = set(SuggestionDismissal.objects.filter(workshop=workshop).values_list("key", flat=True))
    found = suggest([(pk, text) for pk, text, theme_id in ideas if theme_id is None], themes, dismissed=dismissed)
    by_id = {pk: text for pk, text, _t in ideas}
    names = {t[0]: t[1] for t in themes}
    return [{"s": s, "key": s.key, "name": names.get(s.theme_id, s.name), "theme_id": s.theme_id,
             "idea_ids": ",".join(map(str, s.idea_ids)), "texts": [by_id[i] for i in s.idea_ids]}
            for s in found]


def vote_items(workshop) -> list[dict]:
    """What dots go on: every theme (with its ideas), then every idea in no theme and not merged."""
    board = cluster_board(workshop)
    items = [{"target": f"theme:{t['id']}", "label": t["name"], "kind": "theme", "ideas": t["ideas"]}
             for t in board["themes"]]
    items += [{"target": f"idea:{i['id']}", "label": i["text"], "kind": "idea", "ideas": []}
              for i in board["ungrouped"]]
    return items


def dots_by_target(attendee) -> dict[str, int]:
    """One attendee's own dots: ``theme:<id>``/``idea:<id>`` → count."""
    if attendee is None:
        return {}
    return {(f"theme:{d.theme_id}" if d.theme_id else f"idea:{d.idea_id}"): d.count
            for d in Dot.objects.filter(attendee=attendee)}


def vote_progress(workshop) -> dict:
    """What the facilitator sees during the vote: who has placed dots and how many each has left;
    never the totals per item (hidden from everyone until the vote closes)."""
    budget = workshop.dots_per_participant
    people = list(Attendee.objects.filter(workshop=workshop).annotate(used=Sum("dots__count")).order_by("name", "pk"))
    rows = [{"attendee": a, "name": a.name, "used": a.used or 0, "left": budget - (a.used or 0)} for a in people]
    return {"rows": rows, "voters": sum(1 for r in rows if r["used"]), "people": len(rows),
            "done": sum(1 for r in rows if r["left"] <= 0)}


def vote_results(workshop) -> dict:
    """The vote's outcome, once it is closed (``rules.can_see_vote_totals``): every theme and every
    idea in no theme, with its dots and voters, ranked; equal totals share a rank (shown "ex æquo");
    items without dots are kept, at the end. Before the vote closes: ``{"visible": False}``, and no
    total is even computed. ``bars`` lays out the server-side SVG chart (no JavaScript)."""
    if not rules.can_see_vote_totals(None, workshop):
        return {"visible": False, "workshop": workshop}
    rows = _ranked_rows(workshop)
    top = max((r["dots"] for r in rows), default=0)
    row_height, width = 48, 320
    for i, row in enumerate(rows):
        row["y"] = i * row_height
        row["label_y"] = i * row_height + 16
        row["bar_y"] = i * row_height + 22
        row["bar_width"] = round((width - 40) * row["dots"] / top) if top else 0
        row["value_x"] = row["bar_width"] + 6
        row["short_label"] = row["label"] if len(row["label"]) <= 46 else row["label"][:45] + "…"
    return {"visible": True, "workshop": workshop, "rows": rows, "total_dots": sum(r["dots"] for r in rows),
            "voters": len({a for r in rows for a in r["voter_ids"]}),
            "chart_height": max(1, len(rows)) * row_height, "chart_width": width}


def _ranked_rows(workshop) -> list[dict]:
    """Every vote item with its dots, voters, rank and ``tied``, best first, zero-vote items last."""
    items = vote_items(workshop)
    totals: dict[str, dict] = {}
    for dot in Dot.objects.filter(workshop=workshop).values("theme_id", "idea_id", "attendee_id", "count"):
        key = f"theme:{dot['theme_id']}" if dot["theme_id"] else f"idea:{dot['idea_id']}"
        entry = totals.setdefault(key, {"dots": 0, "voters": set()})
        entry["dots"] += dot["count"]
        entry["voters"].add(dot["attendee_id"])
    rows = []
    for order, item in enumerate(items):
        entry = totals.get(item["target"], {"dots": 0, "voters": set()})
        rows.append({**item, "dots": entry["dots"], "voters": len(entry["voters"]), "voter_ids": entry["voters"],
                     "order": order})
    rows.sort(key=lambda r: (-r["dots"], r["order"]))
    counts = Counter(r["dots"] for r in rows)
    rank = 0
    for i, row in enumerate(rows):
        if i == 0 or row["dots"] != rows[i - 1]["dots"]:
            rank = i + 1
        row["rank"], row["tied"] = rank, counts[row["dots"]] > 1
    return rows
# --- vote results, action sheets, minutes and exports (the "sheets" part) --------------------------


def vote_table(workshop) -> list[dict]:
    """The vote table for the minutes, exports and API, whatever the phase (callers decide who may
    see it): ``[{"kind": "theme"|"idea", "id", "label", "dots", "voters", "rank", "tied"}]``, ranked
    as on the screen, zero-vote items kept."""
    return [{"kind": r["kind"], "id": int(r["target"].split(":")[1]), "label": r["label"], "dots": r["dots"],
             "voters": r["voters"], "rank": r["rank"], "tied": r["tied"]} for r in _ranked_rows(workshop)]


def _with_actor_labels(sheets) -> list:
    from .models import Actor

    sheets = list(sheets)
    for sheet in sheets:
        sheet.actor_labels = [Actor(a).label for a in sheet.actors if a in Actor.values]
    return sheets


def sheet_list(workshop) -> list:
    """The workshop's sheets in their order, with ``actor_labels``, theme, ideas and action fetched."""
    from .models import ActionSheet

    return _with_actor_labels(ActionSheet.objects.filter(workshop=workshop).select_related("theme", "action")
                              .prefetch_related("ideas").order_by("position", "pk"))


def sheet_get(workshop, sheet_id):
    from .errors import SheetNotFound
    from .models import ActionSheet

    sheet = (ActionSheet.objects.filter(workshop=workshop, pk=sheet_id).prefetch_related("ideas").first()
             if str(sheet_id).isdigit() else None)
    if sheet is None:
        raise SheetNotFound()
    return sheet


def _wall_ideas_qs(workshop):
    """The ideas on the wall (merged duplicates left out), as a queryset to filter further."""
    return Idea.objects.filter(workshop=workshop, merged_into__isnull=True).select_related("theme").order_by(
        "position", "pk")


def wall_themes(workshop):
    from .models import WallTheme

    return WallTheme.objects.filter(workshop=workshop).order_by("position", "pk")


def sheet_prefill(workshop, *, theme_id=None, idea_id=None) -> dict:
    """Initial values of a new sheet written from a theme (its name, its ideas) or from one idea."""
    from .models import Prompt

    if theme_id and str(theme_id).isdigit():
        theme = wall_themes(workshop).filter(pk=theme_id).first()
        if theme is not None:
            ideas = list(_wall_ideas_qs(workshop).filter(theme=theme).values_list("pk", flat=True))
            return {"title": theme.name, "theme": theme.pk, "ideas": ideas}
    if idea_id and str(idea_id).isdigit():
        idea = _wall_ideas_qs(workshop).filter(pk=idea_id).first()
        if idea is not None:
            initial = {"title": idea.text[:140], "place": idea.place, "ideas": [idea.pk],
                       "theme": idea.theme_id}
            initial["proposal" if idea.prompt == Prompt.PROPOSE else "problem"] = idea.text
            return initial
    return {}


def _phase_times(workshop) -> list[dict]:
    """The wall's phase changes, oldest first, from the audit trail."""
    from concerto.core.models import AuditEntry

    from .models import Phase

    entries = (AuditEntry.objects.filter(code="workshops.phase.changed", target=f"workshops.workshop:{workshop.pk}")
               .order_by("at", "id").values_list("at", "data"))
    rows = []
    for at, data in entries:
        phase = (data or {}).get("phase")
        if phase in Phase.values:
            rows.append({"phase": phase, "label": Phase(phase).label, "at": at, "back": bool(data.get("back"))})
    return rows


def minutes(workshop) -> dict:
    """Everything the minutes show (web page and PDF), public facts only: names of present
    attendees only with their consent, no one's individual dots. A fixed number of queries."""
    from .models import ActionSheet, AttendeeSource, Prompt, SheetStatus

    people = Attendee.objects.filter(workshop=workshop).aggregate(
        invited=Count("id", filter=~Q(source=AttendeeSource.WALK_IN)),
        present=Count("id", filter=Q(attendance=Attendance.PRESENT)),
        excused=Count("id", filter=Q(attendance=Attendance.EXCUSED)),
        absent=Count("id", filter=Q(attendance=Attendance.ABSENT)),
        walk_ins=Count("id", filter=Q(source=AttendeeSource.WALK_IN)),
    )
    named = list(Attendee.objects.filter(workshop=workshop, attendance=Attendance.PRESENT, name_consent=True)
                 .order_by("name").values_list("name", flat=True))
    all_ideas = list(Idea.objects.filter(workshop=workshop).order_by("position", "pk"))
    merged = {}
    for idea in all_ideas:
        if idea.merged_into_id:
            merged[idea.merged_into_id] = merged.get(idea.merged_into_id, 0) + 1
    kept = [i for i in all_ideas if not i.merged_into_id]
    for idea in kept:
        idea.merged_count = merged.get(idea.pk, 0)
    themes = []
    for theme in wall_themes(workshop):
        ideas = [i for i in kept if i.theme_id == theme.pk]
        themes.append({"id": theme.pk, "name": theme.name, "ideas": ideas,
                       "idea_count": sum(1 + i.merged_count for i in ideas),
                       "from_suggestion": theme.from_suggestion})
    ungrouped = [i for i in kept if not i.theme_id]
    prompts = [{"value": p.value, "label": p.label, "count": sum(1 for i in all_ideas if i.prompt == p.value)}
               for p in Prompt]
    sheets = _with_actor_labels(
        ActionSheet.objects.filter(workshop=workshop, status__in=[SheetStatus.RETAINED, SheetStatus.PUBLISHED])
        .select_related("action", "theme").prefetch_related("ideas").order_by("position", "pk"))
    votes_visible = workshop.phase in VOTE_CLOSED_PHASES
    return {
        "workshop": workshop,
        "title": workshop.title,
        "number": workshop.number,
        "date": workshop.starts_at,
        "ends_at": workshop.ends_at,
        "place": workshop.place,
        "address": workshop.address,
        "facilitators": [u.public_name for u in workshop.facilitators.order_by("display_name", "pk")],
        "attendance": people,
        "named": named,
        "unnamed_present": people["present"] - len(named),
        "themes": themes,
        "ungrouped": ungrouped,
        "idea_total": len(all_ideas),
        "idea_kept": len(kept),
        "prompts": prompts,
        "votes_visible": votes_visible,
        "votes": vote_table(workshop) if votes_visible else [],
        "voters": Attendee.objects.filter(workshop=workshop, dots__isnull=False).distinct().count(),
        "sheets": sheets,
        "method": {
            "phases": _phase_times(workshop),
            "proxy_ideas": sum(1 for i in all_ideas if i.proxy_by_id),
            "proxy_dots": Dot.objects.filter(workshop=workshop, proxy_by__isnull=False).count(),
            "suggestions_accepted": sum(1 for t in themes if t["from_suggestion"]),
            "merged": len(all_ideas) - len(kept),
            "dots_per_participant": workshop.dots_per_participant,
            "max_dots_per_item": workshop.max_dots_per_item,
        },
    }


def export_data(workshop, *, staff: bool, with_votes: bool) -> dict:
    """Ideas, themes and vote totals as rows (CSV and JSON exports, the API). Authors' names only
    for ``staff`` and only with the attendee's consent; dot totals only when ``with_votes``; never
    one person's dots."""
    from .models import WallTheme

    dots_by_idea = dict(Dot.objects.filter(workshop=workshop, idea__isnull=False)
                        .values_list("idea").annotate(n=Sum("count")).values_list("idea", "n"))
    ideas = []
    for idea in Idea.objects.filter(workshop=workshop).select_related("attendee", "theme").order_by("position", "pk"):
        row = {"id": idea.pk, "prompt": idea.prompt, "text": idea.text, "place": idea.place,
               "theme": idea.theme.name if idea.theme_id else "", "theme_id": idea.theme_id,
               "merged_into": idea.merged_into_id, "proxy": idea.proxy_by_id is not None}
        if with_votes:
            row["dots"] = dots_by_idea.get(idea.pk, 0)
        if staff:
            row["author"] = idea.attendee.name if idea.attendee_id and idea.attendee.name_consent else ""
        ideas.append(row)
    themes = []
    for theme in (WallTheme.objects.filter(workshop=workshop)
                  .annotate(n=Count("ideas", filter=Q(ideas__merged_into__isnull=True), distinct=True))
                  .order_by("position", "pk")):
        row = {"id": theme.pk, "name": theme.name, "idea_count": theme.n}
        themes.append(row)
    votes = vote_table(workshop) if with_votes else []
    if with_votes:
        by_theme = {v["id"]: v["dots"] for v in votes if v["kind"] == "theme"}
        for row in themes:
            row["dots"] = by_theme.get(row["id"], 0)
    return {"ideas": ideas, "themes": themes, "votes": votes}


def action_origin_note(action) -> dict | None:
    """For an action's page (``proposals.selectors.register_origin_note``): the workshop its sheet
    came from, with a link to the minutes. Registered by ``WorkshopsConfig.ready``."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .models import ActionSheet

    sheet = ActionSheet.objects.select_related("workshop", "workshop__campaign").filter(action_id=action.pk).first()
    if sheet is None:
        return None
    workshop = sheet.workshop
    return {"text": _("From workshop no. %(number)s") % {"number": workshop.number},
            "url": reverse("workshops:minutes", args=[workshop.campaign.slug, workshop.pk])}


def minutes_pdf_ready(workshop) -> bool:
    """The stored PDF shows the wall as it is now (closed, and no change since it was rendered)."""
    return bool(workshop.minutes_pdf and workshop.phase == Phase.CLOSED
                and workshop.minutes_pdf_version == workshop.version)
# --- sessions, invitations, attendance ------------------------------------------------------------


def _with_counts(qs):
    return qs.annotate(
        invited_count=Count("attendees", filter=Q(attendees__invited_at__isnull=False), distinct=True),
        present_count=Count("attendees", filter=Q(attendees__attendance=Attendance.PRESENT), distinct=True),
    )


def workshop_list(campaign) -> list[Workshop]:
    """The campaign's workshops in date order, each with ``invited_count`` and ``present_count``."""
    return list(_with_counts(Workshop.objects.filter(campaign=campaign).select_related("campaign"))
                .order_by("starts_at", "number"))


def workshop_public_get(campaign, workshop_id) -> Workshop:
    """A workshop with its counts, agenda and facilitators (public facts only)."""
    workshop = (_with_counts(Workshop.objects.select_related("campaign").filter(campaign=campaign, pk=workshop_id))
                .prefetch_related("agenda", "facilitators").first() if str(workshop_id).isdigit() else None)
    if workshop is None:
        raise WorkshopNotFound()
    return workshop


def workshop_manage_get(user, campaign, workshop_id) -> Workshop:
    """Fetch-and-authorize for organisers' pages: refused exactly like a missing workshop."""
    workshop = workshop_get(campaign, workshop_id)
    if not rules.can_manage_workshops(user, campaign):
        raise WorkshopNotFound()
    return workshop


def workshop_figures(campaign) -> dict:
    """``workshops``: sessions held (closed on the wall, not cancelled)."""
    held = Workshop.objects.filter(campaign=campaign, phase=Phase.CLOSED, cancelled_at__isnull=True).count()
    return {"workshops": held}


def agenda_of(workshop) -> dict:
    items = list(workshop.agenda.all())
    total = sum(item.minutes for item in items)
    length = int((workshop.ends_at - workshop.starts_at).total_seconds() // 60)
    return {"items": items, "total": total, "length": length, "over": total - length if total > length else 0,
            "left": length - total if total < length else 0}


def attendee_list(workshop) -> list[Attendee]:
    """Everyone on the list, by source then name (organisers' and facilitators' pages only: names and e-mails)."""
    return list(Attendee.objects.filter(workshop=workshop).order_by("source", "name", "pk"))


def attendance_counts(workshop) -> dict:
    rows = Attendee.objects.filter(workshop=workshop).values("attendance").annotate(n=Count("pk"))
    counts = dict.fromkeys(Attendance.values, 0)
    counts.update({r["attendance"]: r["n"] for r in rows})
    counts["total"] = sum(counts[v] for v in Attendance.values)
    return counts


def invitation_summary(workshop) -> dict:
    """What the organisers' page needs to say what is left to send."""
    qs = Attendee.objects.filter(workshop=workshop).exclude(source=AttendeeSource.WALK_IN)
    return qs.aggregate(
        listed=Count("pk"),
        email_to_invite=Count("pk", filter=Q(invited_at__isnull=True) & ~Q(email="")),
        letter_to_invite=Count("pk", filter=Q(invited_at__isnull=True, email="")),
        invited=Count("pk", filter=Q(invited_at__isnull=False)),
        email_to_remind=Count("pk", filter=Q(invited_at__isnull=False) & ~Q(email="") & ~Q(rsvp=Rsvp.NO)),
        letter_to_remind=Count("pk", filter=Q(invited_at__isnull=False, email="") & ~Q(rsvp=Rsvp.NO)),
        yes=Count("pk", filter=Q(rsvp=Rsvp.YES)),
        no=Count("pk", filter=Q(rsvp=Rsvp.NO)),
        pending=Count("pk", filter=Q(rsvp=Rsvp.PENDING)),
    )


def reserve_choices(workshop) -> list:
    """Reserve seats of the workshop's panel not yet on the list (the organiser may invite them)."""
    from concerto.selection.selectors import seats_of

    if workshop.selection_id is None:
        return []
    listed = set(Attendee.objects.filter(workshop=workshop, user__isnull=False).values_list("user_id", flat=True))
    return [s for s in seats_of(workshop.selection)
            if s.status == "reserve" and s.volunteer.user_id is not None and s.volunteer.user_id not in listed]


def panel_choices(campaign) -> list:
    """Drawn selections of the campaign: the panels a workshop may invite."""
    from concerto.selection.selectors import drawn_selections

    return drawn_selections(campaign)


def facilitator_choices(campaign) -> list:
    """The campaign's facilitators and organisers (users), by public name."""
    from concerto.residents.selectors import team_members

    return [m["user"] for m in team_members(campaign)
            if {"facilitator", "organiser"} & {str(r) for r in m["roles"]}]


def my_invitations(user) -> list[Attendee]:
    """This person's seats in workshops not over yet (for their "My space" page)."""
    if user is None or not user.is_authenticated:
        return []
    return list(Attendee.objects.filter(user=user, workshop__cancelled_at__isnull=True)
                .exclude(workshop__phase=Phase.CLOSED).exclude(invited_at__isnull=True)
                .select_related("workshop", "workshop__campaign").order_by("workshop__starts_at"))


def my_seat(user, workshop) -> Attendee | None:
    if user is None or not user.is_authenticated:
        return None
    return Attendee.objects.filter(workshop=workshop, user=user).first()


# -- synthesis: amend --

def attended_action_workshop(user, action_id) -> bool:
    """The person was marked present at the workshop the action's sheet came from (the
    participants the synthesis may ask for an opinion on an amendment)."""
    from .models import ActionSheet

    if user is None or not user.is_authenticated:
        return False
    workshop_ids = ActionSheet.objects.filter(action_id=action_id).values_list("workshop_id", flat=True)
    return Attendee.objects.filter(workshop_id__in=workshop_ids, user=user, attendance=Attendance.PRESENT).exists()


def action_workshop_participants(action_id) -> int:
    """How many people were present at the action's workshop (opinions' denominator)."""
    from .models import ActionSheet

    workshop_ids = ActionSheet.objects.filter(action_id=action_id).values_list("workshop_id", flat=True)
    return Attendee.objects.filter(workshop_id__in=workshop_ids, attendance=Attendance.PRESENT).count()


# -- dashboard --


def attendance_by_workshop(campaign) -> list[dict]:
    """Each workshop of the campaign (cancelled ones left out), in date order: ``invited`` (people
    sent an invitation), ``confirmed`` (answered they come), ``present`` (marked present). One query."""
    rows = (Workshop.objects.filter(campaign=campaign, cancelled_at__isnull=True).order_by("starts_at", "number")
            .annotate(invited=Count("attendees", filter=Q(attendees__invited_at__isnull=False)),
                      confirmed=Count("attendees", filter=Q(attendees__rsvp=Rsvp.YES)),
                      present=Count("attendees", filter=Q(attendees__attendance=Attendance.PRESENT)))
            .values("pk", "number", "title", "starts_at", "ends_at", "invited", "confirmed", "present"))
    return list(rows)


def action_workshop_trace(action) -> dict | None:
    """Where a workshop action came from: its workshop (number, title, dates, people present) and
    the ideas of the wall linked to its sheet (texts only, never who wrote them; once the workshop is
    closed, as its minutes). Two queries; None
    for an action that did not come from a workshop sheet."""
    from .models import ActionSheet

    sheet = (ActionSheet.objects.filter(action_id=action.pk, workshop__campaign_id=action.campaign_id)
             .select_related("workshop").annotate(
                 present=Count("workshop__attendees", filter=Q(workshop__attendees__attendance=Attendance.PRESENT),
                               distinct=True)).first())
    if sheet is None:
        return None
    workshop = sheet.workshop
    # The wall is public once the workshop is closed (its minutes, ``rules.can_view_minutes``): before,
    # the trace names the workshop but not its ideas.
    closed = workshop.phase == Phase.CLOSED
    ideas = list(Idea.objects.filter(sheets=sheet, merged_into__isnull=True).order_by("created_at", "pk")
                 .values("text", "prompt", "created_at")) if closed else []
    return {"workshop": {"pk": workshop.pk, "number": workshop.number, "title": workshop.title,
                         "starts_at": workshop.starts_at, "ends_at": workshop.ends_at, "place": workshop.place,
                         "present": sheet.present, "closed_at": workshop.closed_at, "closed": closed},
            "sheet": {"title": sheet.title, "created_at": sheet.created_at}, "ideas": ideas}

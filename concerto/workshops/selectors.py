"""Reads about workshops, built for the pages that use them."""

import unicodedata

from django.db.models import Count, Q, Sum

from . import rules
from .errors import UnknownRoomCode, WorkshopNotFound
from .models import (
    ROOM_CODE_ALPHABET,
    ROOM_CODE_LENGTH,
    VOTE_CLOSED_PHASES,
    Attendance,
    Attendee,
    Dot,
    Idea,
    Phase,
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
    import hashlib

    if not token or len(token) > 64:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    return Attendee.objects.select_related("workshop", "workshop__campaign").filter(token_hash=digest).first()


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


# --- vote results, action sheets, minutes and exports (the "sheets" part) --------------------------


def vote_results(workshop) -> list[dict]:
    """The dot-vote table: every theme, and every idea left outside any theme (unmerged), with its
    dots and voters, ranked (equal totals share a rank: 1, 1, 3); zero-vote items are kept.
    ``[{"kind": "theme"|"idea", "id", "label", "dots", "voters", "rank", "tied"}]``."""
    from .models import WallTheme

    themes = (WallTheme.objects.filter(workshop=workshop)
              .annotate(n=Sum("dots__count"), v=Count("dots__attendee", distinct=True)).order_by("position", "pk"))
    loose = (Idea.objects.filter(workshop=workshop, theme__isnull=True, merged_into__isnull=True)
             .annotate(n=Sum("dots__count"), v=Count("dots__attendee", distinct=True)).order_by("position", "pk"))
    rows = [{"kind": "theme", "id": t.pk, "label": t.name, "dots": t.n or 0, "voters": t.v} for t in themes]
    rows += [{"kind": "idea", "id": i.pk, "label": i.text, "dots": i.n or 0, "voters": i.v} for i in loose]
    rows.sort(key=lambda r: -r["dots"])  # stable: equal totals keep the wall's order
    totals = [r["dots"] for r in rows]
    for r in rows:
        r["rank"] = totals.index(r["dots"]) + 1
        r["tied"] = totals.count(r["dots"]) > 1
    return rows


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


def wall_ideas(workshop):
    """The ideas on the wall (merged duplicates left out), in the wall's order."""
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
            ideas = list(wall_ideas(workshop).filter(theme=theme).values_list("pk", flat=True))
            return {"title": theme.name, "theme": theme.pk, "ideas": ideas}
    if idea_id and str(idea_id).isdigit():
        idea = wall_ideas(workshop).filter(pk=idea_id).first()
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
        "votes": vote_results(workshop) if votes_visible else [],
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
    votes = vote_results(workshop) if with_votes else []
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

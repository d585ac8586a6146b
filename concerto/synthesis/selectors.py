"""Synthesis reads, built for the pages that use them."""

import datetime
import hashlib

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.campaigns.selectors import election_rounds
from concerto.live_event import selectors as live_selectors
from concerto.proposals import selectors as proposal_selectors
from concerto.workshops import selectors as workshop_selectors

from . import diff
from .errors import (
    AmendmentNotFound,
    CommitmentNotFound,
    DocumentNotFound,
    DossierLinkInvalid,
    SynthesisNotFound,
    VersionNotFound,
)
from .models import (
    DECIDED,
    ActionSubscription,
    ActionVersion,
    Amendment,
    AmendmentOpinion,
    Commitment,
    CommitmentStatus,
    CommitmentUpdate,
    DigestOptIn,
    Dispatch,
    DispatchStatus,
    Document,
    DocumentKind,
    DocumentStatus,
    ElectedList,
    VersionStage,
)


def action_versions(action) -> list[ActionVersion]:
    """Every version of a published action, oldest first. An action whose text never changed has
    one, v1, its current text (not stored until a second version is)."""
    versions = list(ActionVersion.objects.filter(action=action).select_related("created_by", "amendment__candidate"))
    if versions:
        return versions
    stage = VersionStage.WORKSHOP if action.origin == "workshop" else VersionStage.PUBLISHED
    return [ActionVersion(action=action, number=1, stage=stage, title=action.title, summary=action.summary,
                          body=action.body, created_at=action.published_at or action.created_at)]


def version_get(action, number) -> ActionVersion:
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise VersionNotFound() from None
    for version in action_versions(action):
        if version.number == number:
            return version
    raise VersionNotFound()


# -- amend --

def public_action_get(campaign, action_id):
    """A published action of the campaign (versions are public), else ``SynthesisNotFound``."""
    if not str(action_id).isdigit():
        raise SynthesisNotFound()
    found = proposal_selectors.published_actions_by_id(campaign, [int(action_id)])
    if int(action_id) not in found:
        raise SynthesisNotFound()
    return found[int(action_id)]


def version_author_role(version, action) -> str:
    """Who made a version, by role: never a resident's name (the action's page names no author)."""
    if version.number == 1:
        return _("Workshop participants") if action.origin == "workshop" else _("Author of the proposal")
    if version.amendment_id:
        return _("Organisers, integrating an amendment by %(list)s") % {
            "list": version.amendment.candidate.list_name or version.amendment.candidate.name}
    return _("Organisers")


def versions_page(action, old=None, new=None) -> dict:
    """The versions page: every version with its author's role, and the comparison of two of them
    (by default the last two). ``old``/``new`` are version numbers as typed (bad ones raise
    ``VersionNotFound``)."""
    versions = action_versions(action)
    for v in versions:
        v.author_role = version_author_role(v, action)
    numbers = [v.number for v in versions]
    if old in (None, "") and new in (None, ""):
        old_v = versions[-2] if len(versions) > 1 else versions[0]
        new_v = versions[-1]
    else:
        old_v = version_get(action, old if old not in (None, "") else numbers[0])
        new_v = version_get(action, new if new not in (None, "") else numbers[-1])
    comparison = diff.diff(old_v, new_v) if len(versions) > 1 else None
    return {"versions": versions, "old": old_v, "new": new_v, "comparison": comparison, "numbers": numbers}


def amendment_list(campaign, *, status: str = "", candidate: str = "", theme: str = "", decided_only=False):
    qs = (Amendment.objects.filter(campaign=campaign)
          .select_related("action", "action__theme", "candidate", "version")
          .order_by("action__theme__position", "action__title", "candidate__ballot_order", "pk"))
    if decided_only:
        qs = qs.filter(status__in=[s.value for s in DECIDED])
    if status == "undecided":
        qs = qs.exclude(status__in=[s.value for s in DECIDED])
    elif status:
        qs = qs.filter(status=status)
    if str(candidate).isdigit():
        qs = qs.filter(candidate_id=int(candidate))
    if str(theme).isdigit():
        qs = qs.filter(action__theme_id=int(theme))
    return list(qs)


def amendments_open_count(campaign) -> int:
    return Amendment.objects.filter(campaign=campaign).exclude(status__in=[s.value for s in DECIDED]).count()


def amendment_get(campaign, amendment_id):
    found = (Amendment.objects.filter(campaign=campaign, pk=amendment_id)
             .select_related("action", "action__theme", "candidate", "decided_by").first()
             if str(amendment_id).isdigit() else None)
    if found is None:
        raise AmendmentNotFound()
    return found


def decided_amendments_of(action) -> list:
    return list(Amendment.objects.filter(action=action, status__in=[s.value for s in DECIDED])
                .select_related("candidate", "version").order_by("decided_at", "pk"))


def opinion_tally(amendment) -> dict:
    """For, against, unsure (counts only) and the comments, without names."""
    rows = list(AmendmentOpinion.objects.filter(amendment=amendment).order_by("created_at", "pk"))
    counts = {"for": 0, "against": 0, "unsure": 0}
    for row in rows:
        counts[row.opinion] = counts.get(row.opinion, 0) + 1
    return {"counts": counts, "total": len(rows), "comments": [r.comment for r in rows if r.comment],
            "participants": workshop_selectors.action_workshop_participants(amendment.action_id)}


def my_opinion(user, amendment):
    if user is None or not user.is_authenticated:
        return None
    return AmendmentOpinion.objects.filter(amendment=amendment, user=user).first()


def amendment_anchor_view(amendment) -> dict:
    """The action's current text with the amendment's passage marked (field: title, summary or body)."""
    action = amendment.action
    for name in ("body", "summary", "title"):
        marked = diff.highlight(getattr(action, name) or "", amendment.quote_exact, amendment.quote_prefix,
                                amendment.quote_suffix)
        if marked is not None:
            return {"field": name, "marked": marked, "found": True}
    return {"field": "", "marked": None, "found": not amendment.quote_exact}


def suggested_text(amendment) -> dict:
    """The text the decision form starts from: the current text, with the suggestion placed after
    the anchored passage (or as a new last paragraph); the organiser edits it into the final words."""
    action = amendment.action
    text = {"title": action.title, "summary": action.summary, "body": action.body}
    suggestion = amendment.text.strip()
    if amendment.quote_exact and amendment.quote_exact in (action.body or ""):
        at = action.body.find(amendment.quote_exact) + len(amendment.quote_exact)
        text["body"] = action.body[:at] + " [" + suggestion + "]" + action.body[at:]
    else:
        text["body"] = ((action.body or "").rstrip() + "\n\n" + suggestion).strip()
    return text


def digest_opted_in(user, campaign) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return DigestOptIn.objects.filter(campaign=campaign, user=user).exists()


def version_supported(versions: list, supported_at):
    """The version that was current when the person supported the action."""
    current = versions[0]
    for v in versions:
        if v.number == 1 or (v.created_at and v.created_at <= supported_at):
            current = v
    return current


def digest_rows(campaign, user_ids=None) -> dict[int, list[dict]]:
    """For each opted-in person not yet told: the actions they supported whose current text differs
    from the version they supported (with that version's number)."""
    people = DigestOptIn.objects.filter(campaign=campaign, sent_at__isnull=True)
    if user_ids is not None:
        people = people.filter(user_id__in=list(user_ids))
    people = set(people.values_list("user_id", flat=True))
    if not people:
        return {}
    actions = {a.pk: a for a in proposal_selectors.published_actions(campaign)}
    versions = {pk: action_versions(a) for pk, a in actions.items()}
    out: dict[int, list[dict]] = {}
    for row in proposal_selectors.supports_of_actions(actions):
        if row["user_id"] not in people:
            continue
        vs = versions[row["action_id"]]
        if len(vs) < 2:
            continue
        supported = version_supported(vs, row["created_at"])
        if supported.number == vs[-1].number:
            continue
        out.setdefault(row["user_id"], []).append(
            {"action": actions[row["action_id"]], "from": supported.number, "to": vs[-1].number})
    return out


def versions_link(action) -> list[dict]:
    """For ``proposals.selectors.register_action_extra``: the versions page, once there are two."""
    if ActionVersion.objects.filter(action_id=action.pk).count() < 2:
        return []
    return [{"text": _("Versions of this action and what changed"),
             "url": reverse("synthesis:versions", args=[action.campaign.slug, action.pk])}]


# -- dashboard --


def action_commitments(action) -> list:
    """The follow-up of one action (``Commitment`` rows, the elected list's), each with its latest
    dated update as ``latest`` (or None). Two queries."""
    commitments = list(Commitment.objects.filter(action_id=action.pk).select_related("candidate")
                       .order_by("candidate__ballot_order", "pk"))
    latest: dict[int, CommitmentUpdate] = {}
    if commitments:
        for update in CommitmentUpdate.objects.filter(commitment__in=commitments).order_by("happened_on", "pk"):
            latest[update.commitment_id] = update
    for c in commitments:
        c.latest = latest.get(c.pk)
    return commitments


# -- followup --
# The elected list, its commitments and their follow-up (docs/synthesis-followup.md).

# The positions that make a commitment: the list said it would carry the action out ("commits"), or
# was for it, as it stands ("favourable") or with changes ("with_changes"). A list that wins the town
# hall after saying it was for an action is asked what became of it, as PolitiFact rates what a
# candidate said he would do; "reserved", "unfavourable" and "no answer" promise nothing.
COMMITMENT_STANCES = ("commits", "favourable", "with_changes")
# Obameter's order on the board and in the figures: the outcomes, then what is still open.
STATUS_ORDER = (CommitmentStatus.KEPT, CommitmentStatus.COMPROMISE, CommitmentStatus.BROKEN,
                CommitmentStatus.IN_THE_WORKS, CommitmentStatus.STALLED, CommitmentStatus.NOT_RATED)
STATUS_COLOURS = {"kept": "#1d6b34", "compromise": "#7a5c00", "broken": "#a3262a", "in_the_works": "#1f4e8c",
                  "stalled": "#5b5b5b", "not_rated": "#8a8a8a"}
TERM_YEARS = 6  # a French municipal term


def elected_list(campaign) -> ElectedList | None:
    return ElectedList.objects.filter(campaign=campaign).select_related("candidate", "marked_by").first()


def election_end(campaign):
    """When the polls of the last round close (aware datetime), or None without an election calendar."""
    rounds = election_rounds(campaign)
    return rounds[-1].freeze_window()[1] if rounds else None


def election_day(campaign) -> datetime.date | None:
    """The day of the last round: the term starts then (updates are not dated before it)."""
    rounds = election_rounds(campaign)
    return rounds[-1].vote_date if rounds else None


def election_is_over(campaign, now=None) -> bool:
    end = election_end(campaign)
    return end is not None and (now or timezone.now()) >= end


def candidate_stances(campaign, candidate) -> dict[int, str]:
    """Action id → the list's latest stated position: on the set (every event of the campaign) or in
    writing, whichever was recorded last, since a list may restate its position in writing."""
    latest: dict[int, tuple] = {}
    for event in live_selectors.event_list(campaign):
        items = {i.pk: i.action_id for i in live_selectors.running_items(event)}
        for (item_id, candidate_id), position in live_selectors.positions_matrix(event).items():
            if candidate_id != candidate.pk or item_id not in items:
                continue
            at = position.updated_at or position.recorded_at
            action_id = items[item_id]
            if action_id not in latest or at > latest[action_id][0]:
                latest[action_id] = (at, position.stance)
    for action_id, reaction in live_selectors.reactions_of(candidate).items():
        if action_id not in latest or reaction.updated_at > latest[action_id][0]:
            latest[action_id] = (reaction.updated_at, reaction.stance)
    return {action_id: stance for action_id, (_at, stance) in latest.items()}


def commitments(campaign, *, theme: str = "", status: str = "") -> list[Commitment]:
    """The elected list's commitments on the board, by theme then action; ``theme`` (a slug) and
    ``status`` filter them. Empty when no list is marked."""
    chosen = elected_list(campaign)
    if chosen is None:
        return []
    qs = (Commitment.objects.filter(campaign=campaign, candidate_id=chosen.candidate_id)
          .select_related("action", "action__theme", "candidate"))
    if theme:
        qs = qs.filter(action__theme__slug=theme)
    if status in CommitmentStatus.values:
        qs = qs.filter(status=status)
    return list(qs)


def commitment_get(campaign, commitment_id) -> Commitment:
    """A commitment of the elected list (those of a list marked before a correction are not on the board)."""
    try:
        pk = int(commitment_id)
    except (TypeError, ValueError):
        raise CommitmentNotFound() from None
    chosen = elected_list(campaign)
    found = None if chosen is None else (
        Commitment.objects.filter(campaign=campaign, candidate_id=chosen.candidate_id, pk=pk)
        .select_related("action", "action__theme", "candidate").first())
    if found is None:
        raise CommitmentNotFound()
    return found


def commitment_timeline(commitment) -> list[CommitmentUpdate]:
    """Its updates, latest first (by the date of what happened, then the order they were added)."""
    return list(CommitmentUpdate.objects.filter(commitment=commitment).order_by("-happened_on", "-pk"))


def board_updates(campaign) -> list[CommitmentUpdate]:
    """Every update of the board's commitments, oldest first (the CSV, the yearly report)."""
    chosen = elected_list(campaign)
    if chosen is None:
        return []
    return list(CommitmentUpdate.objects.filter(commitment__campaign=campaign,
                                                commitment__candidate_id=chosen.candidate_id)
                .select_related("commitment").order_by("commitment_id", "happened_on", "pk"))


def status_tally(statuses) -> list[dict]:
    """Per status, in Obameter's order: its label, how many, its share of the total (%, rounded)."""
    statuses = list(statuses)
    total = len(statuses)
    out = []
    for status in STATUS_ORDER:
        n = sum(1 for s in statuses if s == status)
        out.append({"status": status.value, "label": status.label, "count": n, "colour": STATUS_COLOURS[status],
                    "percent": round(100 * n / total) if total else 0})
    return out


def tally_chart(tally: list[dict], width: int = 600, bar: int = 22, gap: int = 8, label_width: int = 150) -> dict:
    """Geometry of the horizontal bar chart drawn on the server (the table beside it says the same)."""
    biggest = max((row["count"] for row in tally), default=0) or 1
    room = width - label_width - 60
    rows = []
    for i, row in enumerate(tally):
        y = i * (bar + gap)
        rows.append({**row, "y": y, "text_y": y + round(bar * 0.7), "w": round(room * row["count"] / biggest),
                     "value_x": label_width + round(room * row["count"] / biggest) + 6})
    return {"width": width, "height": len(tally) * (bar + gap), "bar": bar, "label_width": label_width,
            "rows": rows}


def board_themes(campaign) -> list:
    """The themes of the elected list's commitments (the filter's choices), in the campaign's order."""
    seen = {}
    for c in commitments(campaign):
        if c.action.theme_id and c.action.theme_id not in seen:
            seen[c.action.theme_id] = c.action.theme
    return sorted(seen.values(), key=lambda t: (t.position, t.name))


def term_year_bounds(campaign, year: int) -> tuple[datetime.date, datetime.date] | None:
    """(first day, last day) of year ``year`` (1..6) of the term, counted from the last round's day."""
    start = election_day(campaign)
    if start is None or not 1 <= year <= TERM_YEARS:
        return None

    def shifted(years):
        try:
            return start.replace(year=start.year + years)
        except ValueError:  # 29 February
            return start.replace(year=start.year + years, day=28)

    return shifted(year - 1), shifted(year) - datetime.timedelta(days=1)


def term_years(campaign, today=None) -> list[dict]:
    """The years of the term that have begun, or that hold an update (a report is for a begun year)."""
    start = election_day(campaign)
    if start is None or elected_list(campaign) is None:
        return []
    today = today or timezone.localdate()
    last_dates = [u.happened_on for u in board_updates(campaign)] + [today]
    years = []
    for year in range(1, TERM_YEARS + 1):
        first, last = term_year_bounds(campaign, year)
        if first <= max(last_dates):
            years.append({"number": year, "first": first, "last": last, "over": last < today})
    return years


def year_report(campaign, year: int) -> dict | None:
    """Each commitment's status at the end of year ``year`` of the term and the updates during it,
    with Obameter's figures ("x % kept, y % compromise…"). None for a year out of the term."""
    bounds = term_year_bounds(campaign, year)
    if bounds is None or elected_list(campaign) is None:
        return None
    first, last = bounds
    updates = board_updates(campaign)
    rows = []
    for commitment in commitments(campaign):
        own = [u for u in updates if u.commitment_id == commitment.pk]
        before_end = [u for u in own if u.happened_on <= last]
        at_end = max(before_end, key=lambda u: (u.happened_on, u.pk)) if before_end else None
        rows.append({"commitment": commitment,
                     "status": at_end.status if at_end else CommitmentStatus.NOT_RATED.value,
                     "during": [u for u in own if first <= u.happened_on <= last]})
    for row in rows:
        row["status_label"] = CommitmentStatus(row["status"]).label
    return {"year": year, "first": first, "last": last, "rows": rows,
            "tally": status_tally(r["status"] for r in rows),
            "updates": sum(len(r["during"]) for r in rows)}


def is_subscribed(user, action) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return ActionSubscription.objects.filter(user=user, action=action).exists()


def subscribers(action) -> list:
    """The people to tell about an action's follow-up (their e-mail: the notification's worker reads it)."""
    return [s.user for s in ActionSubscription.objects.filter(action=action).select_related("user")
            if s.user.is_active and s.user.email]


def action_followup_links(action) -> list[dict]:
    """For ``proposals.selectors.register_action_extra``: on an action's page, its follow-up after
    the election (the elected list's commitment and its status), when there is one."""
    chosen = elected_list(action.campaign)
    if chosen is None:
        return []
    found = Commitment.objects.filter(action=action, candidate_id=chosen.candidate_id).first()
    if found is None:
        return []
    return [{"text": _("Follow-up after the election: %(status)s") % {"status": found.get_status_display()},
             "url": reverse("synthesis:followup_commitment", args=[action.campaign.slug, found.pk])}]


# -- documents --

def _documents():
    return Document.objects.select_related("campaign", "candidate")


def documents_overview(campaign) -> dict:
    """The organisers' page: the latest edition of the plan and, per candidate in panel order, their
    latest dossier and the dispatches of it (newest first), and every edition."""
    documents = list(_documents().filter(campaign=campaign).order_by("-edition", "kind", "candidate__ballot_order"))
    plans = [d for d in documents if d.kind == DocumentKind.PLAN]
    dispatches: dict[int, list] = {}
    for d in (Dispatch.objects.filter(document__campaign=campaign).select_related("document")
              .order_by("-queued_at", "-pk")):
        dispatches.setdefault(d.candidate_id, []).append(d)
    rows = []
    for c in live_selectors.candidate_list(campaign):
        mine = [d for d in documents if d.kind == DocumentKind.DOSSIER and d.candidate_id == c.pk]
        rows.append({"candidate": c, "dossier": mine[0] if mine else None, "editions": mine,
                     "dispatches": dispatches.get(c.pk, []),
                     "email": c.contact_email or (c.user.email if c.user_id else "")})
    return {"plan": plans[0] if plans else None, "plans": plans, "rows": rows,
            "edition": documents[0].edition if documents else None}


def document_get(campaign, document_id):
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        raise DocumentNotFound() from None
    document = _documents().filter(campaign=campaign, pk=pk).first()
    if document is None:
        raise DocumentNotFound()
    return document


def latest_plan(campaign):
    """The plan's latest ready edition (the public PDF), or None."""
    return (_documents().filter(campaign=campaign, kind=DocumentKind.PLAN, status=DocumentStatus.READY)
            .order_by("-edition").first())


def latest_dossier(candidate):
    return (_documents().filter(candidate=candidate, kind=DocumentKind.DOSSIER, status=DocumentStatus.READY)
            .order_by("-edition").first())


def dispatch_by_token(token: str):
    """The dispatch whose personal link this is (only its SHA-256 is stored)."""
    if not token or len(token) > 100:
        raise DossierLinkInvalid()
    dispatch = (Dispatch.objects.select_related("document__campaign", "candidate")
                .filter(token_hash=hashlib.sha256(token.encode()).hexdigest()).first())
    if dispatch is None:
        raise DossierLinkInvalid()
    return dispatch


def dispatch_log(campaign) -> dict:
    """The public dispatch log: per dispatch, the list, the edition, the file's SHA-256 and size, and
    the times (queued, sent, first opened, acknowledged); and the spread of the first sending of the
    latest edition, so that anyone can check every list was treated alike."""
    dispatches = list(Dispatch.objects.filter(document__campaign=campaign)
                      .select_related("document", "candidate").order_by("queued_at", "candidate__ballot_order", "pk"))
    latest = max((d.document.edition for d in dispatches), default=None)
    sent = [d.sent_at for d in dispatches if d.document.edition == latest and d.sent_at]
    spread = (max(sent) - min(sent)).total_seconds() if sent else None
    editions = {d.document.edition for d in dispatches}
    return {"dispatches": dispatches, "latest_edition": latest, "spread_seconds": spread,
            "spread_minutes": int(spread // 60) if spread is not None else None, "same_edition": len(editions) <= 1}


def dossier_of_user(user, campaign):
    """« Mon dossier »: the candidate whose account ``user`` is, with their latest ready dossier."""
    candidate = live_selectors.candidate_of(user, campaign)
    if candidate is None:
        return None, None
    return candidate, latest_dossier(candidate)


def dossiers_sent(campaign) -> int:
    """The public stat ``dossiers_sent``: lists whose dossier the mail server accepted (opened or
    acknowledged since included)."""
    return (Dispatch.objects.filter(document__campaign=campaign, status__in=[
        DispatchStatus.SENT, DispatchStatus.OPENED, DispatchStatus.ACKNOWLEDGED]).values("candidate").distinct()
        .count())

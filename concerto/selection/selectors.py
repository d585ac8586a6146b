"""Reads about selections, built for the page that uses them."""

import json
import math
from collections import Counter, defaultdict

from django.db.models import Count, Q, Subquery
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.campaigns.models import Sector
from concerto.core.journal import Target
from concerto.core.models import AuditEntry
from concerto.volunteers.selectors import (
    call_for,
    category_labels,
    pseudonym_of,
    volunteer_features,
    volunteer_households,
    volunteer_pool,
)

from . import rules
from .computation import algorithms, shared_households
from .errors import AnswerLinkInvalid, SelectionNotFound
from .models import PUBLIC_STATUSES, SeatStatus, Selection, SelectionSeat, SelectionStatus

# Public audit page: panels shown before the "download everything" link.
PANELS_SHOWN = 50


def selection_figures(campaign) -> dict:
    """``workshop_participants``: people on the panel of the campaign's workshop panel (0 if none
    is chosen). Only that selection counts: a rehearsal or test draw never shows in public figures.

    One query: the workshop panel is a subquery of the seat count.
    """
    panel = Selection.objects.filter(campaign=campaign, is_workshop_panel=True,
                                     status=SelectionStatus.DRAWN).values("pk")[:1]
    count = SelectionSeat.objects.filter(selection_id=Subquery(panel), status=SeatStatus.SELECTED).count()
    return {"workshop_participants": count}


def selections_for(campaign, user, *, archived: bool = False) -> list[Selection]:
    """Selections of the campaign this person may see: public ones, plus every draft for organisers.
    Archived ones only with ``archived=True`` (then only them): they keep their audit address."""
    qs = (Selection.objects.filter(campaign=campaign, archived_at__isnull=not archived)
          .defer("pool", "distribution", "infeasibility"))
    if not rules.can_manage_selection(user, campaign):
        qs = qs.filter(status__in=PUBLIC_STATUSES)
    return list(qs.order_by("-created_at", "-pk"))


def archived_count(campaign, user) -> int:
    qs = Selection.objects.filter(campaign=campaign, archived_at__isnull=False)
    if not rules.can_manage_selection(user, campaign):
        qs = qs.filter(status__in=PUBLIC_STATUSES)
    return qs.count()


def selection_get_for(user, campaign, selection_id) -> Selection:
    """The selection if this person may see its audit page; ``SelectionNotFound`` otherwise (drafts
    do not exist for the public)."""
    selection = Selection.objects.filter(campaign=campaign, pk=selection_id).first()
    if selection is None:
        raise SelectionNotFound()
    selection.campaign = campaign
    if not rules.can_view_selection(user, selection):
        raise SelectionNotFound()
    return selection


def selection_manage_get(user, campaign, selection_id) -> Selection:
    """The selection for its organisers; ``SelectionNotFound`` to anyone else, so its existence is not revealed."""
    if not rules.can_manage_selection(user, campaign):
        raise SelectionNotFound()
    selection = Selection.objects.filter(campaign=campaign, pk=selection_id).first()
    if selection is None:
        raise SelectionNotFound()
    selection.campaign = campaign
    return selection


def pool_snapshot(campaign, required_dates) -> list[dict]:
    """The pseudonymised pool as the algorithm and the public see it: ``[{"id", "features"}]`` sorted."""
    call = call_for(campaign)
    if call is None:
        return []
    volunteers = volunteer_pool(campaign, required_dates=required_dates)
    core = algorithms()
    pool = core.pool_json([core.Person(v.pseudonym, volunteer_features(v, call)) for v in volunteers])
    # The household (private: never published as such) for "one seat per household".
    households = volunteer_households(campaign, volunteers)
    household_of = {v.pseudonym: str(households[v.pk]["id"]) for v in volunteers if v.pk in households}
    for entry in pool:
        entry["household"] = household_of.get(entry["id"], "")
    return pool


def selection_settings_view(campaign, *, required_dates) -> dict:
    """What the settings page reads besides its form, with the pool snapshotted once per request:
    the quota ``categories`` and their ``keys``, the workshop ``dates``, and for the volunteers
    available on ``required_dates`` the ``pool_size`` and the answers' ``counts``."""
    categories = selection_categories(campaign)
    pool = pool_snapshot(campaign, required_dates)
    return {"categories": categories, "keys": quota_keys(categories), "dates": workshop_dates(campaign),
            "pool_size": len(pool), "counts": pool_counts(pool)}


def pool_counts(pool: list[dict]) -> dict[str, Counter]:
    """``{category: Counter(value -> number of people in the pool)}``."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for person in pool:
        for category, value in person["features"].items():
            counts[category][value or ""] += 1
    return counts


def is_talent(category: str) -> bool:
    return category.startswith("talent:")


def quota_keys(categories: dict) -> list[tuple[str, str]]:
    """The (category, value) pairs a quota may bound, in display order: every answer of the sector
    and the questions ("not answered" is not a value), and only "yes" for talents."""
    keys = []
    for category, info in categories.items():
        for value in info["values"]:
            if value and (not is_talent(category) or value == "oui"):
                keys.append((category, value))
    return keys


def quota_suggestion(*, categories: dict, counts: dict, pool_size: int, panel_size: int) -> list[dict]:
    """Proportional bounds: floor and ceil of panel size × share of the pool; talents at least 1.

    ``categories`` is ``category_labels(call, sectors)``: every category and value offered, in order.
    """
    rows = []
    for category, value in quota_keys(categories):
        count = counts.get(category, {}).get(value, 0)
        if is_talent(category):
            rows.append({"category": category, "value": value, "min": 1 if count else 0, "max": panel_size})
            continue
        share = panel_size * count / pool_size if pool_size else 0
        rows.append({"category": category, "value": value,
                     "min": math.floor(share), "max": min(panel_size, math.ceil(share))})
    return rows


def quota_table(*, categories: dict, quotas: list[dict], counts: dict, panel_counts: dict | None = None) -> list[dict]:
    """Per category: its label and, per value, label, min, max, pool count (and panel count after a draw).

    Categories and values come from ``categories`` first, then any quota whose category or value is
    no longer offered (the call changed), so every stored quota is shown.
    """
    bounds = {(q["category"], q["value"]): q for q in quotas}
    order: dict[str, dict] = {}
    for category, info in categories.items():
        order[category] = {"label": info["label"], "values": dict(info["values"])}
    for q in quotas:
        entry = order.setdefault(q["category"], {"label": q["category"], "values": {}})
        entry["values"].setdefault(q["value"], q["value"])
    table = []
    for category, info in order.items():
        rows = []
        for value, label in info["values"].items():
            q = bounds.get((category, value))
            pool_count = counts.get(category, {}).get(value, 0)
            if q is None and ((is_talent(category) and value != "oui") or (value == "" and not pool_count)):
                continue
            rows.append({
                "value": value, "label": label,
                "min": q["min"] if q else None, "max": q["max"] if q else None,
                "pool": pool_count,
                "panel": None if panel_counts is None else panel_counts.get(category, {}).get(value, 0),
            })
        if rows:
            table.append({"category": category, "label": info["label"], "rows": rows})
    return table


# --- Why quotas cannot be met, and how far a computation is ------------------------------------
#
# The algorithms speak no language (they run without Django, for verify.py too): they return codes
# and counts, worded here for the person reading, in their language.


def _category_text(category: str, categories: dict) -> str:
    info = categories.get(category)
    if is_talent(category):
        return _("talent “%(talent)s”") % {"talent": info["label"] if info else category.split(":", 1)[1]}
    return _("“%(category)s”") % {"category": info["label"] if info else category}


def _quota_people(category: str, value: str, count: int, categories: dict) -> str:
    """"2 people with the talent “drawing”", "1 person “18-29” (age)"."""
    people = ngettext("%(count)s person", "%(count)s people", count) % {"count": count}
    info = categories.get(category) or {"label": _("a question no longer asked"), "values": {}}
    if is_talent(category):
        talent = info["label"] if category in categories else category.split(":", 1)[1]
        if value == "oui":
            return _("%(people)s with the talent “%(talent)s”") % {"people": people, "talent": talent}
        if value == "non":
            return _("%(people)s without the talent “%(talent)s”") % {"people": people, "talent": talent}
    return _("%(people)s “%(value)s” (%(category)s)") % {
        "people": people, "value": info["values"].get(value, _("an answer no longer offered")),
        "category": info["label"]}


def _conflict_text(conflict: dict, relaxation: list[dict], categories: dict) -> str:
    code = conflict.get("code")
    if code == "too_few_volunteers":
        who = _quota_people(conflict["category"], conflict["value"], conflict["min"], categories)
        available = conflict["available"]
        if available:
            have = ngettext("only %(count)s volunteer has this answer", "only %(count)s volunteers have this answer",
                            available) % {"count": available}
        elif is_talent(conflict["category"]) and conflict["value"] == "oui":
            have = _("no volunteer has it")
        else:
            have = _("no volunteer has this answer")
        return _("The panel needs at least %(people)s, but %(have)s.") % {"people": who, "have": have}
    if code == "minimums_exceed_panel":
        return _("The minimums of %(category)s add up to %(total)s seats for a panel of %(panel)s.") % {
            "category": _category_text(conflict["category"], categories), "total": conflict["total"],
            "panel": conflict["panel"]}
    if code == "maximums_below_panel":
        return _("The maximums of %(category)s (and the volunteers available) can fill only %(capacity)s seats "
                 "for a panel of %(panel)s.") % {
            "category": _category_text(conflict["category"], categories), "capacity": conflict["capacity"],
            "panel": conflict["panel"]}
    if code == "quotas_incompatible" and relaxation:
        parts = []
        for r in relaxation:
            if r["new_min"] != r["min"]:
                parts.append(_("at least %(people)s") % {
                    "people": _quota_people(r["category"], r["value"], r["min"], categories)})
            if r["new_max"] != r["max"]:
                parts.append(_("at most %(people)s") % {
                    "people": _quota_people(r["category"], r["value"], r["max"], categories)})
        return _("These quotas cannot be met together: %(quotas)s.") % {"quotas": _("; ").join(parts)}
    return _("No panel meets every quota.")


def conflict_messages(selection, categories: dict | None = None) -> list[str]:
    """Why the quotas of an infeasible selection cannot be met, one sentence per conflict, in the
    active language. ``categories``: ``selection_categories`` when the caller already has them."""
    infeasibility = selection.infeasibility or {}
    conflicts = infeasibility.get("conflicts") or []
    if not conflicts:
        return []
    if categories is None:
        categories = selection_categories(selection.campaign)
    relaxation = infeasibility.get("relaxation") or []
    # Selections computed before conflicts were data hold French sentences: shown as they are.
    return [c if isinstance(c, str) else _conflict_text(c, relaxation, categories) for c in conflicts]


def failure_text(selection, categories: dict | None = None) -> str:
    """Why the last computation failed, in the active language. Bad input is stored as data
    (``algorithms.BadInput``) and worded here with the call's labels: a sector's name, never
    « place-amandiers » (sector). Other failures keep the text they were stored with."""
    raw = selection.error or ""
    try:
        data = json.loads(raw) if raw.startswith("{") else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or "code" not in data:
        return raw
    if categories is None:
        categories = selection_categories(selection.campaign)
    code = data["code"]
    category, value = str(data.get("category", "")), str(data.get("value", ""))
    info = categories.get(category) or {}
    names = {"quota": _("%(value)s (%(category)s)") % {
        "value": (info.get("values") or {}).get(value, _("an answer no longer offered")),
        "category": info.get("label") or _("a question no longer asked")}}
    if code == "panel_larger_than_pool":
        return _("The panel (%(panel)s people) is larger than the pool of volunteers (%(pool)s).") % {
            "panel": data.get("panel"), "pool": data.get("pool")}
    if code == "duplicate_quota":
        return _("The quota “%(quota)s” is given twice.") % names
    if code == "quota_bounds_invalid":
        return _("The bounds of the quota “%(quota)s” must be whole numbers, 0 or more.") % names
    if code == "quota_min_above_max":
        return _("The quota “%(quota)s” has a minimum (%(min)s) above its maximum (%(max)s).") % {
            **names, "min": data.get("min"), "max": data.get("max")}
    return _("The settings of this selection are not valid: change them, then compute again.")


def progress_text(selection) -> str:
    """The step a running computation has reached (``computation.progress_step``), in the active language."""
    raw = selection.progress_message or ""
    try:
        step = json.loads(raw) if raw.startswith("{") else None
    except ValueError:
        step = None
    if not isinstance(step, dict):
        return raw  # written before steps were data
    name = step.get("step")
    if name == "waiting":
        return _("Waiting for the computation to start…")
    if name == "checking_quotas":
        return _("Checking the quotas")
    if name == "starting_panels":
        return ngettext("%(count)s starting panel", "%(count)s starting panels", step.get("panels", 0)) % {
            "count": step.get("panels", 0)}
    if name == "improving":
        return ngettext("%(count)s panel, gap %(gap).2e", "%(count)s panels, gap %(gap).2e", step.get("panels", 0)) % {
            "count": step.get("panels", 0), "gap": step.get("gap", 0.0)}
    if name == "maximin":
        return _("Looking for the MAXIMIN")
    if name == "lowest_found":
        return _("Optimal lowest probability: %(lowest).6f") % {"lowest": step.get("lowest", 0.0)}
    if name == "leximin":
        return ngettext("LEXIMIN: %(fixed)s probability of %(total)s fixed",
                        "LEXIMIN: %(fixed)s probabilities of %(total)s fixed", step.get("fixed", 0)) % {
            "fixed": step.get("fixed", 0), "total": step.get("total", 0)}
    if name == "done":
        return _("Done")
    return ""


def panel_feature_counts(pool: list[dict], panel_ids) -> dict[str, Counter]:
    wanted = set(panel_ids)
    return pool_counts([p for p in pool if p["id"] in wanted])


def pool_figures(selection, seats: dict | None = None) -> dict:
    """The pool's answers counted per category (``counts``), in the drawn panel (``panel_counts``)
    and in the current one after changes (``current_counts``, ``current_meets_quotas``); None where
    not applicable. Once the answers are erased (``selection.archived``), the figures stored then."""
    if selection.archived:
        return {key: selection.archived.get(key) for key in ARCHIVED_FIGURES}
    algo = algorithms()
    figures = dict.fromkeys(ARCHIVED_FIGURES)
    figures["counts"] = pool_counts(selection.pool)
    if selection.status == SelectionStatus.DRAWN and selection.panel_index is not None and selection.distribution:
        members = algo.Distribution.from_json(selection.distribution).panels[selection.panel_index]
        seats = seats if seats is not None else public_seats(selection)
        figures["panel_counts"] = panel_feature_counts(selection.pool, members)
        if seats["replacements"] or seats["withdrawn"]:
            figures["current_counts"] = panel_feature_counts(selection.pool, seats["panel"])
            people = {p["id"]: algo.Person(p["id"], p["features"]) for p in selection.pool}
            figures["current_meets_quotas"] = algo.panel_meets_quotas(
                seats["panel"], people, [algo.Quota.from_json(q) for q in selection.quotas], selection.panel_size)
    return figures


ARCHIVED_FIGURES = ("counts", "panel_counts", "current_counts", "current_meets_quotas")


def seats_of(selection) -> list[SelectionSeat]:
    """Every seat with its volunteer and user (organiser pages only: names are not public)."""
    return list(SelectionSeat.objects.filter(selection=selection)
                .select_related("volunteer", "volunteer__user", "replaces__volunteer")
                .order_by("status", "reserve_rank", "pk"))


def seat_summary(selection) -> dict:
    rows = SelectionSeat.objects.filter(selection=selection).values("status").annotate(n=Count("pk"))
    summary = dict.fromkeys(SeatStatus.values, 0)
    summary.update({r["status"]: r["n"] for r in rows})
    summary["to_notify"] = SelectionSeat.objects.filter(
        selection=selection, notified_at__isnull=True,
        status__in=[SeatStatus.SELECTED, SeatStatus.RESERVE]).count()
    return summary


def public_seats(selection) -> dict:
    """Pseudonyms only: the current panel, the reserve in order, and every change since the draw.

    ``replacements`` is chronological (when each seat was given up): ``{"withdrawn", "replacement"
    (None when nobody could take the seat), "rank", "quotas_kept", "skipped"}``; verify.py
    replays it from the drawn panel to the current one. ``to_replace``: panel members who withdrew
    (or deleted their account) and wait for the organisers' decision.
    """
    seats = list(SelectionSeat.objects.filter(selection=selection)
                 .select_related("volunteer", "replaces__volunteer").order_by("reserve_rank", "pk"))
    panel = sorted(s.volunteer.pseudonym for s in seats if s.status == SeatStatus.SELECTED)
    reserve = [s for s in seats if s.status == SeatStatus.RESERVE]
    by_replaced = {s.replaces_id: s for s in seats if s.replaces_id is not None}
    left = sorted((s for s in seats if s.status == SeatStatus.WITHDRAWN),
                  key=lambda s: (s.left_at is not None, s.left_at or s.changed_at, s.pk))
    kept = {}
    for entry in AuditEntry.objects.filter(code="selection.seat.replaced",
                                           target=f"selection.selection:{selection.pk}").only("data"):
        kept[entry.data.get("withdrawn")] = entry.data.get("quotas_kept")
    replacements = []
    for s in left:
        info = s.replacement_info or {}
        successor = by_replaced.get(s.pk)
        replacements.append({
            "withdrawn": s.volunteer.pseudonym,
            "replacement": successor.volunteer.pseudonym if successor else None,
            "rank": successor.reserve_rank if successor else None,
            # Seats replaced before ``replacement_info`` existed: from the journal.
            "quotas_kept": info.get("quotas_kept", kept.get(s.volunteer.pseudonym)),
            "skipped": list(info.get("skipped", [])),
        })
    withdrawn = sorted(s.volunteer.pseudonym for s in left)
    to_replace = sorted(s.volunteer.pseudonym for s in seats
                        if s.status == SeatStatus.SELECTED and s.volunteer.withdrawn_at is not None)
    return {
        "panel": panel,
        "reserve": [{"pseudonym": s.volunteer.pseudonym, "rank": s.reserve_rank} for s in reserve],
        "replacements": replacements,
        "withdrawn": withdrawn,
        "to_replace": to_replace,
    }


def my_pseudonym(user, campaign) -> str | None:
    return pseudonym_of(user, campaign)


def withdrawn_selected(selection) -> list[SelectionSeat]:
    """Panel members whose volunteer withdrew on their own page: the organiser should replace them."""
    return list(SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED,
                                             volunteer__withdrawn_at__isnull=False).select_related("volunteer"))


def audit_entries(selection, limit: int = 50) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(Q(target=f"selection.selection:{selection.pk}"))
                .select_related("actor").order_by("-at", "-pk")[:limit])


def selection_categories(campaign) -> dict:
    """``{category: {"label", "values": {value: label}}}`` offered for quotas: sector, questions, talents."""
    call = call_for(campaign)
    if call is None:
        return {}
    return category_labels(call, list(Sector.objects.filter(campaign=campaign)))


def workshop_dates(campaign) -> list[dict]:
    """``[{"code", "label"}]`` of the call for volunteers, in its order."""
    call = call_for(campaign)
    return [d for d in (call.workshop_dates if call else []) if isinstance(d, dict) and d.get("code")]


# --- The public audit -------------------------------------------------------------------------------


def random_format_description(spec) -> str:
    """How the announced value is written, in words, for the organisers' and the public pages."""
    if not spec:
        return _("No format was announced (selection drawn before formats were required).")
    kind = spec.get("kind")
    if kind == "lottery":
        return _("%(count)s distinct whole numbers from %(low)s to %(high)s, written in ascending order without "
                 "leading zeros and separated by “-”.") % spec
    if kind == "digits":
        return _("Exactly %(length)s decimal digits, written without spaces.") % spec
    if kind == "hex":
        return _("Exactly %(length)s hexadecimal characters (0 to 9, a to f), in lower case without spaces.") % spec
    return str(spec)


def announcement_view(selection) -> dict:
    """The announced format in words and a canonical example, shown before and after the draw."""
    spec = selection.random_format or {}
    example = ""
    if spec:
        example = algorithms().random_format_example(spec)
    return {"format": spec, "format_text": random_format_description(spec), "example": example,
            "date": selection.random_date, "known_at": selection.random_known_at}


def audit_document(selection) -> dict:
    """``selection.json``: everything ``verify.py`` needs to re-check stage 1 and stage 2 (pseudonyms only).

    Once the volunteers' answers are erased, the file as it was published then (it holds no
    answer that was not already public)."""
    if selection.archived.get("document"):
        return selection.archived["document"]
    algo = algorithms()
    people = [algo.Person(p["id"], p["features"]) for p in selection.pool]
    quotas = [algo.Quota.from_json(q) for q in selection.quotas]
    distribution = algo.Distribution.from_json(selection.distribution)
    draw = reserve = None
    if selection.status == SelectionStatus.DRAWN:
        panel = list(distribution.panels[selection.panel_index])
        draw = {"random_value": selection.random_value, "ticket": int(selection.ticket),
                "panel_index": selection.panel_index, "panel": panel,
                "source": selection.random_source, "witnesses": selection.witnesses,
                "drawn_at": selection.drawn_at.isoformat() if selection.drawn_at else None}
        reserve = algo.reserve_order([p.id for p in people], panel, selection.random_value)
    campaign = selection.campaign
    meta = {
        "campaign": campaign.slug, "campaign_name": campaign.name, "selection_id": selection.pk,
        "title": selection.title, "status": selection.status,
        "required_dates": list(selection.required_dates),
        "time_limit": selection.time_limit,
        "computed_at": selection.computed_at.isoformat() if selection.computed_at else None,
        "compute_seconds": selection.compute_seconds,
        "published_at": selection.published_at.isoformat() if selection.published_at else None,
        "announced_at": selection.announced_at.isoformat() if selection.announced_at else None,
        "random_source": selection.random_source or None,
        "random_format": dict(selection.random_format or {}) or None,
        "random_date": selection.random_date.isoformat() if selection.random_date else None,
        "random_known_at": selection.random_known_at.isoformat() if selection.random_known_at else None,
        "witnesses": selection.witnesses or None,
        "versions": dict(selection.versions or {}),
    }
    if selection.one_per_household:
        # Pseudonymous household ids, only for households with several volunteers in the pool: enough
        # for verify.py to check that no panel holds two of them, meaningless outside this file.
        shared = shared_households(selection.pool)
        meta["one_per_household"] = True
        meta["households"] = {
            p["id"]: salted_hmac("concerto.selection.household", f"{selection.pk}|{p['household']}").hexdigest()[:12]
            for p in selection.pool if p.get("household") in shared}
    if selection.status == SelectionStatus.DRAWN:
        seats = public_seats(selection)
        meta["replacements"] = seats["replacements"]
        meta["current_panel"] = seats["panel"]
        meta["to_replace"] = seats["to_replace"]
    return algo.build_audit_document(people=people, quotas=quotas, panel_size=selection.panel_size,
                                     distribution=distribution, draw=draw, reserve=reserve, meta=meta,
                                     salts={p["id"]: p.get("salt", "") for p in selection.pool})


def my_pool_line(selection, pseudonym) -> dict | None:
    """This volunteer's own line of the public pool, with the secret salt that opens its commitment
    (shown to them only): ``{"pseudonym", "salt", "features", "commitment"}``."""
    entry = next((p for p in selection.pool if p["id"] == pseudonym), None)
    if entry is None or not entry.get("salt"):
        return None
    features = dict(sorted(entry["features"].items()))
    return {"pseudonym": pseudonym, "salt": entry["salt"], "features": features,
            "features_json": json.dumps(features, ensure_ascii=False, sort_keys=True),
            "commitment": algorithms().commitment(entry["salt"], pseudonym, features)}


def audit_view(selection) -> dict:
    """What the public audit page shows, computed from the stored (published) data."""
    algo = algorithms()
    computed = bool(selection.distribution)
    categories = selection_categories(selection.campaign)
    counts = pool_figures(selection)["counts"] if selection.archived else pool_counts(selection.pool)
    data = {"computed": computed, "pool_size": len(selection.pool), "categories": categories,
            "announcement": announcement_view(selection)}
    if not computed:
        data.update(marginals={}, probabilities=[], quota_table=quota_table(
            categories=categories, quotas=selection.quotas, counts=counts))
        return data
    distribution = algo.Distribution.from_json(selection.distribution)
    total = algo.WEIGHT_TOTAL
    marginals = distribution.marginals
    data["marginals"] = marginals
    data["probabilities"] = sorted(({"id": pid, "probability": marginals.get(pid, 0.0),
                                     "percent": marginals.get(pid, 0.0) * 100}
                                    for pid in (p["id"] for p in selection.pool)),
                                   key=lambda r: (r["probability"], r["id"]))
    starts, cumulative = [], 0
    for weight in distribution.weights:
        starts.append(cumulative)
        cumulative += weight
    panels = [{"index": i, "members": list(members), "weight": w, "probability": w / total, "percent": w * 100 / total,
               "start": starts[i], "end": starts[i] + w}
              for i, (members, w) in enumerate(zip(distribution.panels, distribution.weights, strict=True))]
    data["panel_count"] = len(panels)
    data["panels_top"] = sorted(panels, key=lambda p: (-p["weight"], p["index"]))[:PANELS_SHOWN]
    data["distribution"] = {"digest": distribution.digest(), "method": distribution.method,
                            "complete": distribution.complete, "optimal_lowest": distribution.optimal_lowest,
                            "lowest": distribution.lowest, "lp_lowest": distribution.lp_lowest,
                            "lowest_percent": distribution.lowest * 100,
                            "columns": distribution.columns, "weight_total": total}
    panel_counts = current_counts = None
    if selection.status == SelectionStatus.DRAWN and selection.panel_index is not None:
        drawn = panels[selection.panel_index]
        seats = public_seats(selection)
        data["drawn"] = drawn
        data["ticket"] = int(selection.ticket)
        data["seats"] = seats
        figures = pool_figures(selection, seats)
        panel_counts, current_counts = figures["panel_counts"], figures["current_counts"]
        if current_counts is not None:
            data["current_meets_quotas"] = figures["current_meets_quotas"]
    table = quota_table(categories=categories, quotas=selection.quotas, counts=counts, panel_counts=panel_counts)
    if current_counts is not None:
        for group in table:
            for row in group["rows"]:
                row["current"] = current_counts.get(group["category"], {}).get(row["value"], 0)
    data["quota_table"] = table
    return data


def selections_with_sector_quota(campaign, sector_code: str) -> list[str]:
    """Titles of the selections not yet drawn whose quotas name this sector: merging or deleting the
    sector would leave those quotas pointing at nothing (a drawn selection keeps its frozen pool)."""
    titles = []
    for title, quotas in (Selection.objects.filter(campaign=campaign).exclude(status=SelectionStatus.DRAWN)
                          .order_by("pk").values_list("title", "quotas")):
        if any(q.get("category") == "sector" and q.get("value") == sector_code for q in quotas or []):
            titles.append(title)
    return titles
# --- The plain-language summary and "Am I drawn?" -----------------------------------------------


def plain_summary(selection, audit: dict) -> dict | None:
    """The figures of the summary that opens the audit page: pool and panel sizes, and each
    volunteer's chance (lowest, highest, mean; the mean is exactly panel size / pool size, since the
    chances add up to the panel size). None before the distribution is computed."""
    marginals = [audit["marginals"].get(p["id"], 0.0) for p in selection.pool]
    if not audit.get("computed") or not marginals:
        return None
    return {"pool": len(marginals), "panel": selection.panel_size,
            "lowest": min(marginals) * 100, "highest": max(marginals) * 100,
            "mean": selection.panel_size * 100 / len(marginals),
            "drawn": selection.status == SelectionStatus.DRAWN,
            "equal": max(marginals) - min(marginals) < 1e-6}


def pseudonym_lookup(selection, typed: str) -> dict:
    """What the public may learn about one pseudonym (all of it is already on the audit page):
    ``{"pseudonym", "found", "probability" (percent), "status": "selected" | "reserve" | "withdrawn" |
    "pool" (not drawn yet), "rank"}``. The pseudonym is matched without case or spaces."""
    wanted = "".join(str(typed or "").split()).upper()
    pool_ids = {p["id"].upper(): p["id"] for p in selection.pool}
    pseudonym = pool_ids.get(wanted) or pool_ids.get(f"V-{wanted}") or pool_ids.get(f"V-{wanted[1:]}")
    if pseudonym is None:
        return {"pseudonym": wanted, "found": False}
    result = {"pseudonym": pseudonym, "found": True, "status": "pool", "rank": None,
              "probability": algorithms().Distribution.from_json(selection.distribution).marginals.get(pseudonym, 0.0)
              * 100 if selection.distribution else None}
    if selection.status == SelectionStatus.DRAWN:
        seats = public_seats(selection)
        if pseudonym in seats["panel"]:
            result["status"] = "selected"
        elif any(r["pseudonym"] == pseudonym for r in seats["reserve"]):
            result["status"] = "reserve"
            result["rank"] = next(r["rank"] for r in seats["reserve"] if r["pseudonym"] == pseudonym)
        else:
            result["status"] = "withdrawn"
    return result


def seat_for_answer(campaign, seat_id) -> SelectionSeat:
    """The seat of an answer link (its id comes from the signed token), with its selection; a link
    of another campaign, or of a seat that no longer exists, is ``AnswerLinkInvalid`` (404)."""
    seat = (SelectionSeat.objects.select_related("selection", "volunteer")
            .filter(pk=seat_id, selection__campaign=campaign).first() if seat_id else None)
    if seat is None:
        raise AnswerLinkInvalid()
    seat.selection.campaign = campaign
    return seat


# --- Names of selections in the journal (``core.journal``) ---------------------------------------


def journal_targets_selections(ids) -> dict[int, Target]:
    return {s.pk: Target(s.title,
                         reverse("selection:manage", args=[s.campaign.slug, s.pk]))
            for s in Selection.objects.filter(pk__in=ids).select_related("campaign")}


def drawn_selections(campaign) -> list[Selection]:
    """Drawn, not archived selections of the campaign: the panels a workshop may invite."""
    return list(Selection.objects.filter(campaign=campaign, status=SelectionStatus.DRAWN, archived_at__isnull=True)
                .defer("pool", "distribution", "infeasibility").order_by("-drawn_at", "-pk"))

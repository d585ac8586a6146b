"""Reads for door to door and paper, built for the pages that use them (no N+1).

Sections: the ambassador's app; devices and rounds; the organiser's view; review; paper; linking.
"""


# --- The ambassador's app -----------------------------------------------------------------------

from datetime import date, timedelta  # noqa: E402

from django.db.models import Count, Q  # noqa: E402

from concerto.proposals import selectors as proposal_selectors  # noqa: E402
from concerto.volunteers import selectors as volunteer_selectors  # noqa: E402

from .models import ConsentScript, Round, RoundDoor, RoundStatus  # noqa: E402

APP_DAYS_AHEAD = 7  # rounds the phone takes along: today's and the next week's


def consent_current(campaign) -> ConsentScript | None:
    """The consent text ambassadors read aloud now: its latest version."""
    return ConsentScript.objects.filter(campaign=campaign).order_by("-version").first()


def app_actions(campaign) -> list[dict]:
    """The published actions a resident can support at the door, as the phone caches them."""
    return [
        {"id": a.pk, "title": a.title, "summary": a.summary,
         "theme": {"name": a.theme.name, "slug": a.theme.slug} if a.theme_id else None}
        for a in proposal_selectors.action_list(campaign, status="published", sort="supports")
    ]


def app_rounds(user, campaign, today: date) -> list[dict]:
    """The ambassador's planned rounds from ``today`` on (a week), their doors in walking order.

    A door says whether its household's letter code was never used (``unused_code``): those are the
    residents the letters did not reach, the ones to meet first. The code itself never leaves the
    server (it is the household's credential)."""
    rounds = list(
        Round.objects.filter(campaign=campaign, ambassador=user, status=RoundStatus.PLANNED,
                             day__gte=today, day__lte=today + timedelta(days=APP_DAYS_AHEAD))
        .prefetch_related("sectors").order_by("day", "pk")
    )
    doors = (
        RoundDoor.objects.filter(round__in=rounds).select_related("household__sector")
        .annotate(unused=Count("household__codes", filter=Q(household__codes__revoked_at__isnull=True,
                                                             household__codes__use_count=0)))
        .order_by("round_id", "position")
    )
    by_round: dict[int, list[dict]] = {r.pk: [] for r in rounds}
    for door in doors:
        household = door.household
        by_round[door.round_id].append({
            "household": household.pk, "position": door.position, "address": household.address_line1,
            "address_more": " ".join(x for x in (household.address_line2, household.address_line3) if x),
            "postcode": household.postcode, "city": household.city,
            "sector": household.sector.name if household.sector_id else "", "unused_code": door.unused > 0,
        })
    return [
        {"id": r.pk, "day": r.day.isoformat(), "note": r.note, "sectors": [s.name for s in r.sectors.all()],
         "doors": by_round[r.pk]}
        for r in rounds
    ]


def app_profile_questions(campaign) -> list[dict]:
    """The optional profile questions of the call for volunteers (code, label, options)."""
    call = volunteer_selectors.call_for(campaign)
    questions = []
    for q in (call.profile_questions if call is not None else None) or []:
        if isinstance(q, dict) and q.get("code") and q.get("options"):
            questions.append({"code": str(q["code"]), "label": str(q.get("label") or q["code"]),
                              "options": [{"code": str(o.get("code")), "label": str(o.get("label") or o.get("code"))}
                                          for o in q["options"] if isinstance(o, dict) and o.get("code")]})
    return questions

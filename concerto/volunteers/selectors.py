"""Reads of volunteering, built for the pages that use them, and what the selection reads.

Shapes of the JSON fields are documented on ``VolunteerCall`` and ``Volunteer`` (models.py).
Codes (talents, workshop dates, questions, options) are what selections, quotas and the public
audit refer to; labels are only for display. When an organiser removes a code, the volunteers'
stored answers keep it: every reader here goes through the *current* call, so an unknown code is
simply absent (a talent not held, a date not available, a question not answered).

The selection (quotas, LEXIMIN, draw) reads volunteers only through this module (``volunteer_pool``,
``volunteer_features``, ``category_labels`` and a few lookups by pseudonym): if you change the
meaning of a category or a value here, change the quota editor and the audit page of the selection too.
"""

import calendar
from collections import Counter
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.campaigns.models import Campaign
from concerto.letters.selectors import households_of_users

from .defaults import call_defaults
from .models import Volunteer, VolunteerCall

# How a volunteer's answers become the categories quotas use (``volunteer_features``).
YES, NO = "oui", "non"
TALENT_PREFIX = "talent:"
SECTOR = "sector"


def call_for(campaign) -> VolunteerCall | None:
    """The campaign's call for volunteers, None until an organiser has saved one."""
    return VolunteerCall.objects.filter(campaign=campaign).first()


def call_for_editing(campaign) -> VolunteerCall:
    """The saved call, or an unsaved one filled with the defaults (for the organiser's form and export)."""
    return call_for(campaign) or VolunteerCall(campaign=campaign, **call_defaults(campaign))


def volunteer_of(user, campaign) -> Volunteer | None:
    """The user's own volunteer record in the campaign (withdrawn or not)."""
    if user is None or not user.is_authenticated:
        return None
    return Volunteer.objects.filter(campaign=campaign, user=user).select_related("sector").first()


def _active(campaign):
    # Every row has consented (consent_at is required); withdrawn ones no longer count.
    return Volunteer.objects.filter(campaign=campaign, withdrawn_at__isnull=True, user__is_active=True)


def volunteer_list(campaign):
    """Every volunteer of the campaign, withdrawn ones included, for the organisers' list."""
    return Volunteer.objects.filter(campaign=campaign).select_related("user", "sector").order_by("pseudonym")


def volunteer_households(campaign, volunteers) -> dict[int, dict]:
    """Volunteer pk → ``{"id": household pk, "label": "Foyer 12", "size": volunteers of that household}``
    for volunteers who joined with a letter code (organisers only: one letter gives up to four
    accounts, and the organisers must be able to see it). Volunteers without a letter are absent,
    and so is everyone once the campaign is past the retention period (the household link is
    among the answers erased then: ``selection.erasure.volunteers_purge_expired``)."""
    volunteers = list(volunteers)
    if not volunteers or campaigns_past_retention().filter(pk=campaign.pk).exists():
        return {}
    by_user = households_of_users(campaign, [v.user_id for v in volunteers if v.user_id])
    household_of = {v.pk: by_user[v.user_id] for v in volunteers if v.user_id in by_user}
    sizes = Counter(household_of.values())
    return {pk: {"id": hid, "label": _("Household %(id)s") % {"id": hid}, "size": sizes[hid]}
            for pk, hid in household_of.items()}


def volunteer_pool(campaign, *, required_dates: list[str]) -> list[Volunteer]:
    """Volunteers a selection may draw: consented, not withdrawn, available on all required dates.

    Stable order (by pseudonym), so the pool and its published hash are reproducible.
    """
    required = set(required_dates or [])
    rows = _active(campaign).select_related("sector").order_by("pseudonym")
    return [v for v in rows if required <= set(v.availability or [])]


def volunteer_features(volunteer: Volunteer, call: VolunteerCall) -> dict[str, str]:
    """Category → value, as quotas use them.

    ``"sector"`` → sector code or ``""``; each profile question code → the chosen option code, or
    ``""`` when unanswered or answered with an option the call no longer has; each talent
    ``"talent:<code>"`` → ``"oui"`` / ``"non"``. Only the current call's categories appear.
    """
    features = {SECTOR: volunteer.sector.code if volunteer.sector_id else ""}
    profile = volunteer.profile if isinstance(volunteer.profile, dict) else {}
    for question in call.profile_questions:
        answer = profile.get(question["code"], "")
        known = {o["code"] for o in question["options"]}
        features[question["code"]] = answer if answer in known else ""
    held = set(volunteer.talents or [])
    for talent in call.talents:
        features[TALENT_PREFIX + talent["code"]] = YES if talent["code"] in held else NO
    return features


def category_labels(call: VolunteerCall, sectors) -> dict:
    """Category → ``{"label": ..., "values": {value: label}}`` for display (quota editor, audit)."""
    labels = {
        SECTOR: {"label": _("Sector"),
                 "values": {**{s.code: s.name for s in sectors}, "": _("No sector")}},
    }
    for question in call.profile_questions:
        labels[question["code"]] = {
            "label": question["label"],
            "values": {**{o["code"]: o["label"] for o in question["options"]}, "": _("Not answered")},
        }
    for talent in call.talents:
        labels[TALENT_PREFIX + talent["code"]] = {
            "label": talent["label"], "values": {YES: _("Yes"), NO: _("No")},
        }
    return labels


def volunteer_figures(campaign) -> dict:
    """For the campaign's statistics: volunteers who consented and have not withdrawn."""
    return {"volunteers": _active(campaign).count()}


def volunteer_counts(campaign, call: VolunteerCall, sectors) -> dict:
    """What the organiser looks at before defining quotas: active volunteers per category value.

    ``{"total": n, "all_dates": n, "dates": [{"code", "label", "count"}],
    "categories": [{"code", "label", "rows": [{"value", "label", "count"}]}]}``.
    """
    volunteers = list(_active(campaign).select_related("sector"))
    labels = category_labels(call, sectors)
    counters: dict[str, Counter] = {category: Counter() for category in labels}
    for volunteer in volunteers:
        for category, value in volunteer_features(volunteer, call).items():
            counters[category][value] += 1
    categories = []
    for category, info in labels.items():
        counter = counters[category]
        if category.startswith(TALENT_PREFIX):
            rows = [{"value": YES, "label": info["values"][YES], "count": counter[YES]}]
        else:
            rows = [{"value": value, "label": label, "count": counter[value]}
                    for value, label in info["values"].items() if value != "" or counter[value]]
        categories.append({"code": category, "label": info["label"], "rows": rows,
                           "is_talent": category.startswith(TALENT_PREFIX)})
    date_codes = [d["code"] for d in call.workshop_dates]
    availability = [set(v.availability or []) for v in volunteers]
    return {
        "total": len(volunteers),
        "all_dates": sum(1 for a in availability if set(date_codes) <= a),
        "dates": [{"code": d["code"], "label": d["label"], "count": sum(1 for a in availability if d["code"] in a)}
                  for d in call.workshop_dates],
        "categories": categories,
    }


def stale_answers(call: VolunteerCall) -> list[str]:
    """Translated warnings about stored answers the current call no longer knows (or lacks)."""
    if call.pk is None:
        return []
    volunteers = list(Volunteer.objects.filter(campaign_id=call.campaign_id, withdrawn_at__isnull=True)
                      .only("talents", "availability", "profile"))
    talents = {t["code"] for t in call.talents}
    dates = {d["code"] for d in call.workshop_dates}
    questions = {q["code"]: {o["code"] for o in q["options"]} for q in call.profile_questions}
    unknown_talent = unknown_date = unknown_option = unanswered = 0
    for v in volunteers:
        profile = v.profile if isinstance(v.profile, dict) else {}
        unknown_talent += bool(set(v.talents or []) - talents)
        unknown_date += bool(set(v.availability or []) - dates)
        unknown_option += any(code in questions and answer not in questions[code] for code, answer in profile.items())
        unanswered += any(code not in profile for code in questions)
    warnings = []
    if unknown_talent:
        warnings.append(_("%(n)s volunteer(s) ticked a talent that is no longer in the list: it now counts as not held.")
                        % {"n": unknown_talent})
    if unknown_date:
        warnings.append(_("%(n)s volunteer(s) ticked a workshop date that is no longer in the list: it is ignored.")
                        % {"n": unknown_date})
    if unknown_option:
        warnings.append(_("%(n)s volunteer(s) chose an answer that is no longer offered: it now counts as not answered.")
                        % {"n": unknown_option})
    if unanswered:
        warnings.append(_("%(n)s volunteer(s) have not answered every current question (added after they volunteered).")
                        % {"n": unanswered})
    return warnings


def answers_for_display(call, volunteer) -> dict:
    """The resident's own answers with their labels (codes the call no longer has are left out)."""
    profile = volunteer.profile if isinstance(volunteer.profile, dict) else {}
    rows = []
    for q in call.profile_questions:
        labels = {o["code"]: o["label"] for o in q["options"]}
        rows.append({"label": q["label"], "answer": labels.get(profile.get(q["code"], ""), "")})
    return {
        "talents": [t["label"] for t in call.talents if t["code"] in (volunteer.talents or [])],
        "dates": [d["label"] for d in call.workshop_dates if d["code"] in (volunteer.availability or [])],
        "profile": rows,
    }


def volunteer_rows(campaign, call: VolunteerCall) -> list[dict]:
    """The organisers' list: each volunteer (withdrawn ones included) with the labels of their answers,
    in the call's columns; ``withdrawn`` and ``stale_consent`` are the flags the page shows."""
    talent_labels = {t["code"]: t["label"] for t in call.talents}
    volunteers = list(volunteer_list(campaign))
    households = volunteer_households(campaign, volunteers)
    rows = []
    for volunteer in volunteers:
        profile = volunteer.profile if isinstance(volunteer.profile, dict) else {}
        rows.append({
            "volunteer": volunteer,
            "household": households.get(volunteer.pk),
            "talents": [talent_labels[c] for c in volunteer.talents or [] if c in talent_labels],
            "dates": [d["code"] in (volunteer.availability or []) for d in call.workshop_dates],
            "profile": [{o["code"]: o["label"] for o in q["options"]}.get(profile.get(q["code"], ""), "")
                        for q in call.profile_questions],
            "withdrawn": volunteer.withdrawn_at is not None,
            "stale_consent": volunteer.consent_version != call.consent_version,
        })
    return rows


def pseudonym_of(user, campaign) -> str | None:
    """The user's pseudonym in the campaign, None if they never volunteered."""
    if user is None or not user.is_authenticated:
        return None
    return Volunteer.objects.filter(campaign=campaign, user=user).values_list("pseudonym", flat=True).first()


def volunteer_ids_by_pseudonym(campaign, pseudonyms) -> dict[str, int]:
    """Pseudonym → volunteer pk, for the pseudonyms that still have a row in the campaign."""
    return dict(Volunteer.objects.filter(campaign=campaign, pseudonym__in=list(pseudonyms))
                .values_list("pseudonym", "pk"))


def volunteers_of_account(user, *, for_update: bool = False):
    """Every volunteer row of this account, any campaign (locked for a write when ``for_update``)."""
    rows = Volunteer.objects.filter(user=user).select_related("campaign")
    return rows.select_for_update() if for_update else rows


# --- Retention: the consent text's promise --------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (31 March - 1 month = 28/29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def campaigns_past_retention(now=None):
    """Campaigns that ended more than ``CONCERTO_VOLUNTEER_ANSWERS_KEEP_MONTHS`` ago, with ``ended_at``.

    A campaign ends when the last phase of its calendar ends (``Phase.ends_at``, whatever its kind:
    the calendar is the only end date a campaign has). A campaign without phases never expires.
    """
    cutoff = months_before(now or timezone.now(), settings.CONCERTO_VOLUNTEER_ANSWERS_KEEP_MONTHS)
    return (Campaign.objects.annotate(ended_at=Max("phases__ends_at"))
            .filter(ended_at__lt=cutoff).order_by("ended_at", "pk"))


def sector_volunteer_counts(campaign) -> dict[int, int]:
    """``{sector_id: volunteers}``, withdrawn ones included (their rows still name the sector)."""
    return dict(Volunteer.objects.filter(campaign=campaign, sector__isnull=False).order_by()
                .values("sector_id").annotate(n=Count("pk")).values_list("sector_id", "n"))


def my_volunteering(user) -> list[dict]:
    """Every volunteer record of this person with their answers in words ("Mes données")."""
    rows = []
    for volunteer in Volunteer.objects.filter(user=user).select_related("campaign", "sector").order_by("created_at"):
        call = call_for(volunteer.campaign)
        rows.append({"volunteer": volunteer,
                     "answers": answers_for_display(call, volunteer) if call is not None else None})
    return rows

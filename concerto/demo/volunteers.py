"""Demo: the call for volunteers of Saint-Jérôme and about fifty volunteers with varied answers.

Residents volunteer through the real service (``volunteer_save``: same checks as the form), while
the call is open; the call is then closed, as it was before the draw. Consent dates are moved
back to when the call was open (``call_window``). Everything depends only on ``rng`` (pseudonyms included), so the
pool, and the selection computed from it, are the same at every load.
"""

import random
from datetime import timedelta
from unittest import mock

from django.utils import translation

from concerto.campaigns.models import PhaseKind
from concerto.campaigns.selectors import campaign_phases
from concerto.residents.models import Membership, Role, User
from concerto.volunteers import services as v
from concerto.volunteers.defaults import call_defaults
from concerto.volunteers.models import Volunteer, VolunteerCall
from concerto.volunteers.selectors import call_for

from .clock import audit_mark, audit_redate

VOLUNTEER_COUNT = 48
MIN_HOLDERS = 3  # every talent held by at least this many volunteers, so talent quotas can be met

INTRO = (
    "Deux ateliers réuniront douze habitants pour raconter la vie quotidienne du quartier et "
    "retenir des actions concrètes. Les participants sont tirés au sort parmi les volontaires, "
    "de façon équitable : le groupe doit ressembler au quartier et réunir des talents variés. "
    "Le tirage est public et chacun peut le vérifier."
)

# Weights of each answer, in the order of DEFAULT_PROFILE_QUESTIONS' options.
PROFILE_WEIGHTS = {
    "age": [18, 27, 24, 20, 11],
    "genre": [50, 45, 5],
    "logement": [55, 40, 5],
    "anciennete": [20, 30, 25, 25],
    "numerique": [78, 22],
}
# How often each talent is ticked (relative), in the order of DEFAULT_TALENTS.
TALENT_WEIGHTS = [10, 14, 9, 16, 11, 8, 12]


def _organiser(campaign) -> User:
    membership = (Membership.objects.filter(campaign=campaign, role=Role.ORGANISER)
                  .select_related("user").order_by("pk").first())
    if membership is None:
        raise ValueError("the demo campaign needs an organiser before its volunteers")
    return membership.user


def _talents(rng: random.Random, codes: list[str]) -> list[str]:
    k = rng.choices([1, 2, 3], weights=[35, 45, 20])[0]
    chosen: list[str] = []
    while len(chosen) < k:
        code = rng.choices(codes, weights=TALENT_WEIGHTS)[0]
        if code not in chosen:
            chosen.append(code)
    return chosen


def _availability(rng: random.Random, dates: list[str]) -> list[str]:
    if len(dates) < 2:
        return list(dates)
    roll = rng.random()
    if roll < 0.8:
        return list(dates)
    return [dates[0]] if roll < 0.9 else [dates[1]]


def _with_every_talent(rng: random.Random, talents: list[list[str]], codes: list[str]) -> None:
    """Give rare talents to a few more people (who have fewer than three) until each has MIN_HOLDERS."""
    for code in codes:
        holders = sum(code in t for t in talents)
        candidates = [t for t in talents if code not in t and len(t) < 3]
        rng.shuffle(candidates)
        for t in candidates[: max(0, MIN_HOLDERS - holders)]:
            t.append(code)


def call_window(campaign):
    """When the demo's call for volunteers was open: from the letters' arrival (the invitation phase's
    fifth day) to the third day of the selection phase; (None, None) without those phases."""
    phases = {p.kind: p for p in campaign_phases(campaign)}
    if PhaseKind.INVITATION not in phases or PhaseKind.SELECTION not in phases:
        return None, None
    selection = phases[PhaseKind.SELECTION].starts_at
    # A short invitation phase (a campaign other than the demo's): the call opens with the selection.
    return (min(phases[PhaseKind.INVITATION].starts_at + timedelta(days=5, hours=9), selection),
            selection + timedelta(days=3, hours=9))


def load_volunteers(*, campaign, residents: list[User], rng: random.Random) -> list[Volunteer]:
    """Create the (closed) call and about 48 volunteers among ``residents``, who must be verified by letter."""
    organiser = _organiser(campaign)
    mark = audit_mark()
    with translation.override("fr"):  # the demo campaign is French, whoever loads it
        defaults = call_defaults(campaign)
    settings = {**defaults, "intro": INTRO}
    v.call_configure(user=organiser, campaign=campaign, **{**settings, "is_open": True})
    call = call_for(campaign)
    talent_codes = [t["code"] for t in call.talents]
    date_codes = [d["code"] for d in call.workshop_dates]
    people = rng.sample(list(residents), min(VOLUNTEER_COUNT, len(residents)))
    talents = [_talents(rng, talent_codes) for _person in people]
    if len(people) >= MIN_HOLDERS * 3:
        _with_every_talent(rng, talents, talent_codes)
    alphabet = v.PSEUDONYM_ALPHABET

    def pseudonym() -> str:
        return v.PSEUDONYM_PREFIX + "".join(rng.choice(alphabet) for _i in range(v.PSEUDONYM_LENGTH))

    volunteers = []
    with mock.patch.object(v, "_new_pseudonym", pseudonym):
        for person, chosen in zip(people, talents, strict=True):
            profile = {
                q["code"]: rng.choices([o["code"] for o in q["options"]], weights=PROFILE_WEIGHTS[q["code"]])[0]
                for q in call.profile_questions
            }
            volunteer, _created = v.volunteer_save(
                user=person, campaign=campaign, talents=chosen, availability=_availability(rng, date_codes),
                profile=profile, consent=True,
            )
            volunteers.append(volunteer)
    v.call_configure(user=organiser, campaign=campaign, **{**settings, "is_open": False})
    # The call opened with the letters and closed three days into the selection phase, before the
    # selection was computed: consents were given in between (their accounts are dated before them:
    # ``services._date_joins``).
    opens, closes = call_window(campaign)
    if opens is not None:
        span = max(int((closes - opens).total_seconds()) - 3600, 1)
        for volunteer in volunteers:
            # More in the first days after the letters, then a reminder at the start of the selection.
            when = opens + timedelta(seconds=int(span * rng.random() ** 1.6))
            Volunteer.objects.filter(pk=volunteer.pk).update(consent_at=when, created_at=when, updated_at=when)
            volunteer.consent_at = volunteer.created_at = volunteer.updated_at = when
        VolunteerCall.objects.filter(pk=call.pk).update(updated_at=closes)
        entries = {"selection.call.configured": None, "selection.call.opened": opens,
                   "selection.call.closed": closes}
        at = {f"volunteers.volunteer:{v.pk}": v.consent_at for v in volunteers}
        configured = iter([opens - timedelta(hours=1), closes])
        audit_redate(list(entries) + ["selection.volunteer.registered"], campaign.slug,
                     lambda e: at.get(e.target) if e.code == "selection.volunteer.registered"
                     else entries[e.code] or next(configured, closes), since=mark)
    return sorted(volunteers, key=lambda x: x.pseudonym)

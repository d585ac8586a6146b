"""The call for volunteers and the volunteers' answers: services (writes) and selectors (reads).

Shapes of the JSON fields are documented on ``VolunteerCall`` and ``Volunteer`` (models.py).
Codes (talents, workshop dates, questions, options) are what selections, quotas and the public
audit refer to; labels are only for display. When an organiser removes a code, the volunteers'
stored answers keep it: every reader here goes through the *current* call, so an unknown code is
simply absent (a talent not held, a date not available, a question not answered).

The selection (quotas, LEXIMIN, draw) reads volunteers only through ``volunteer_pool``,
``volunteer_features`` and ``category_labels``: if you change the meaning of a category or a
value here, change the quota editor and the audit page of the selection too.
"""

import calendar
import csv
import io
import re
import secrets
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.campaigns.models import Campaign, PhaseKind
from concerto.campaigns.selectors import campaign_phases
from concerto.core import ratelimit
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, Invalid, NotAllowed, NotFound
from concerto.core.text import clean_block, clean_line
from concerto.residents import rules as resident_rules
from concerto.residents.models import Membership, Role

from . import rules
from .models import Volunteer, VolunteerCall

# --- Defaults (French data: labels are what residents read, codes are what selections use) -----

DEFAULT_TALENTS = [
    {"code": "dessin", "label": "Dessiner, illustrer"},
    {"code": "histoire", "label": "Connaître l'histoire du quartier"},
    {"code": "parole", "label": "Prendre la parole en public"},
    {"code": "organisation", "label": "Organiser, coordonner"},
    {"code": "bricolage", "label": "Bricoler, fabriquer"},
    {"code": "langues", "label": "Parler plusieurs langues"},
    {"code": "numerique", "label": "Être à l'aise avec le numérique"},
]


def _options(*pairs: tuple[str, str]) -> list[dict]:
    return [{"code": code, "label": label} for code, label in pairs]


DEFAULT_PROFILE_QUESTIONS = [
    {"code": "age", "label": "Âge", "options": _options(
        ("18-29", "18 à 29 ans"), ("30-44", "30 à 44 ans"), ("45-59", "45 à 59 ans"),
        ("60-74", "60 à 74 ans"), ("75-plus", "75 ans et plus"))},
    {"code": "genre", "label": "Genre", "options": _options(
        ("femme", "Femme"), ("homme", "Homme"), ("autre", "Autre, ou je préfère ne pas répondre"))},
    {"code": "logement", "label": "Logement", "options": _options(
        ("locataire", "Locataire"), ("proprietaire", "Propriétaire"),
        ("autre", "Autre (hébergé, logement de fonction…)"))},
    {"code": "anciennete", "label": "Depuis combien de temps habitez-vous le quartier ?", "options": _options(
        ("moins-2", "Moins de 2 ans"), ("2-9", "2 à 9 ans"), ("10-19", "10 à 19 ans"),
        ("20-plus", "20 ans et plus"))},
    {"code": "numerique", "label": "Accès à internet chez vous", "options": _options(
        ("oui", "Oui, régulièrement"), ("peu-ou-pas", "Peu ou pas"))},
]

# The promise of the consent text below, kept by ``volunteers_purge_expired`` (run daily).
CONSENT_KEEP_MONTHS = settings.CONCERTO_VOLUNTEER_ANSWERS_KEEP_MONTHS
DEFAULT_CONSENT_TEXT = (
    "J'accepte que mes réponses à ce formulaire (talents, disponibilités, profil et secteur de mon "
    "logement) soient utilisées uniquement pour constituer un groupe de participants représentatif "
    "du quartier, par un tirage au sort équitable et vérifiable. L'audit public du tirage me désigne "
    "par un pseudonyme (par exemple V-7K3Q), jamais par mon nom. Il ne montre de mes réponses que "
    "celles qui servent aux quotas, hors talents, et seulement si au moins 5 volontaires ont donné "
    "les mêmes ; sinon il n'en montre qu'une empreinte chiffrée que je suis seul·e à pouvoir vérifier. "
    "Il indique aussi ma probabilité d'être tiré·e et si je l'ai été. "
    f"Elles sont supprimées {CONSENT_KEEP_MONTHS} mois après la fin de la consultation. Je peux "
    "retirer ma candidature et mon consentement à tout moment depuis la page des volontaires."
)

PSEUDONYM_PREFIX = "V-"
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PSEUDONYM_LENGTH = 4

# Codes are slug-like so they read well in quotas, CSV files and the published audit files.
CODE_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
RESERVED_QUESTION_CODES = {"sector"}
LABEL_MAX = 200
INTRO_MAX = 5000
CONSENT_MAX = 5000
MAX_TALENTS = 40
MAX_DATES = 20
MAX_QUESTIONS = 20
MAX_OPTIONS = 15

YES, NO = "oui", "non"
TALENT_PREFIX = "talent:"
SECTOR = "sector"


# --- Errors ---------------------------------------------------------------------------------------


class VolunteeringClosed(NotAllowed):
    code = "volunteering_closed"

    def __init__(self):
        super().__init__(gettext_lazy("The call for volunteers is closed."))


class NotLetterVerified(NotAllowed):
    code = "not_letter_verified"

    def __init__(self):
        super().__init__(gettext_lazy(
            "Volunteering is open to residents who joined with the code printed on the invitation "
            "letter sent to their household. Join with your letter's code first."))


class NotResident(NotAllowed):
    code = "not_resident"

    def __init__(self):
        super().__init__(gettext_lazy(
            "Volunteering is open to residents of the neighbourhood who received an invitation letter. "
            "Join the campaign with the code printed on your letter first."))


class CandidateCannotVolunteer(NotAllowed):
    code = "candidate_cannot_volunteer"

    def __init__(self):
        super().__init__(gettext_lazy("Candidates in the election cannot volunteer for the workshops."))


class StaffCannotVolunteer(NotAllowed):
    code = "staff_cannot_volunteer"

    def __init__(self):
        super().__init__(gettext_lazy(
            "Members of the campaign team (organisers, facilitators, moderators, ambassadors) cannot "
            "volunteer for the workshops."))


class SignInRequired(NotAllowed):
    code = "sign_in_required"

    def __init__(self):
        super().__init__(gettext_lazy("Sign in to volunteer."))


# --- Reads ----------------------------------------------------------------------------------------


def call_for(campaign) -> VolunteerCall | None:
    """The campaign's call for volunteers, None until an organiser has saved one."""
    return VolunteerCall.objects.filter(campaign=campaign).first()


def _local_day_label(moment) -> str:
    with translation.override("fr"):
        return formats.date_format(timezone.localtime(moment), "l j F Y")


def default_workshop_dates(campaign) -> list[dict]:
    """Two dates from the campaign's workshop phase: its first day and its last day (one if they match)."""
    phase = next((p for p in campaign_phases(campaign) if p.kind == PhaseKind.WORKSHOPS), None)
    if phase is None:
        return []
    first = phase.starts_at
    # A phase ending at midnight ends on the day before.
    last = max(phase.ends_at - timedelta(minutes=1), first)
    days = [first]
    if timezone.localtime(last).date() != timezone.localtime(first).date():
        days.append(last)
    return [{"code": f"atelier-{i}", "label": f"Atelier {i} – {_local_day_label(day)}"}
            for i, day in enumerate(days, start=1)]


def call_defaults(campaign) -> dict:
    """What a new call proposes before the organiser changes anything."""
    return {
        "is_open": False,
        "intro": "",
        "talents": [dict(t) for t in DEFAULT_TALENTS],
        "workshop_dates": default_workshop_dates(campaign),
        "profile_questions": [{**q, "options": [dict(o) for o in q["options"]]} for q in DEFAULT_PROFILE_QUESTIONS],
        "consent_text": DEFAULT_CONSENT_TEXT,
    }


def call_for_editing(campaign) -> VolunteerCall:
    """The saved call, or an unsaved one filled with the defaults (for the organiser's form)."""
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
    among the answers erased then: ``volunteers_purge_expired``)."""
    from concerto.letters.models import CodeUse

    volunteers = list(volunteers)
    if not volunteers or campaigns_past_retention().filter(pk=campaign.pk).exists():
        return {}
    by_user = {}
    for use in (CodeUse.objects.filter(user_id__in=[v.user_id for v in volunteers if v.user_id],
                                       code__campaign=campaign)
                .select_related("code").order_by("created_at", "pk")):
        by_user.setdefault(use.user_id, use.code.household_id)
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


def volunteer_refusal(user, campaign, call: VolunteerCall | None) -> NotAllowed | None:
    """Why this user may not send the volunteer form now, as a domain error; None when they may.

    Checked in this order so each person reads the reason that concerns them.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return SignInRequired()
    if call is None or not call.is_open:
        return VolunteeringClosed()
    roles = resident_rules.roles_of(user, campaign)
    if Role.CANDIDATE in roles:
        return CandidateCannotVolunteer()
    if resident_rules.is_staff_of(user, campaign):
        return StaffCannotVolunteer()
    if Role.RESIDENT not in roles:
        return NotResident()
    if not resident_rules.is_letter_verified(user, campaign):
        return NotLetterVerified()
    if not rules.can_volunteer(user, campaign, call):  # deny by default, whatever the order above says
        return NotLetterVerified()
    return None


def resident_sector(user, campaign):
    """The sector of the household whose letter the resident joined with (None if unknown)."""
    membership = (Membership.objects.filter(user=user, campaign=campaign, role=Role.RESIDENT)
                  .select_related("sector").first())
    return membership.sector if membership else None


# --- Validation shared by the organiser's form, the volunteer form and the API ----------------------


def code_error(code: str) -> str | None:
    if not CODE_RE.fullmatch(code or ""):
        return _("“%(code)s” is not a valid code: use lower-case letters without accents, digits and "
                 "hyphens (at most 40 characters).") % {"code": code}
    return None


def _validated_items(items, *, max_items: int, what: str) -> list[dict]:
    """A list of ``{"code", "label"}``; raises Invalid with a translated message."""
    if not isinstance(items, list):
        raise Invalid(_("Send a list."))
    if len(items) > max_items:
        raise Invalid(_("At most %(max)s entries.") % {"max": max_items})
    clean, seen = [], set()
    for item in items:
        if not isinstance(item, dict):
            raise Invalid(_("Each entry needs a code and a label."))
        code = str(item.get("code", "")).strip()
        label = clean_line(str(item.get("label", "")))
        error = code_error(code)
        if error:
            raise Invalid(error)
        if code in seen:
            raise Invalid(_("The code “%(code)s” is used twice.") % {"code": code})
        if not label:
            raise Invalid(_("The entry “%(code)s” has no label.") % {"code": code})
        if len(label) > LABEL_MAX:
            raise Invalid(_("Labels are limited to %(max)s characters.") % {"max": LABEL_MAX})
        if what == "question" and code in RESERVED_QUESTION_CODES:
            raise Invalid(_("“sector” is reserved: the sector comes from the household's letter."))
        seen.add(code)
        entry = {"code": code, "label": label}
        if what == "question":
            options = item.get("options")
            if not isinstance(options, list) or len(options) < 2:
                raise Invalid(_("The question “%(code)s” needs at least two options.") % {"code": code})
            entry["options"] = _validated_items(options, max_items=MAX_OPTIONS, what="option")
        clean.append(entry)
    return clean


def validated_call(*, intro, talents, workshop_dates, profile_questions, consent_text) -> dict:
    errors, data = {}, {}
    data["intro"] = clean_block(intro or "")
    if len(data["intro"]) > INTRO_MAX:
        errors["intro"] = _("The introduction is limited to %(max)s characters.") % {"max": INTRO_MAX}
    data["consent_text"] = clean_block(consent_text or "")
    if not data["consent_text"]:
        errors["consent_text"] = _("Write the consent text volunteers agree to.")
    elif len(data["consent_text"]) > CONSENT_MAX:
        errors["consent_text"] = _("The consent text is limited to %(max)s characters.") % {"max": CONSENT_MAX}
    for field, value, max_items, what in (
        ("talents", talents, MAX_TALENTS, "talent"),
        ("workshop_dates", workshop_dates, MAX_DATES, "date"),
        ("profile_questions", profile_questions, MAX_QUESTIONS, "question"),
    ):
        try:
            data[field] = _validated_items(value, max_items=max_items, what=what)
        except Invalid as exc:
            errors[field] = exc.message
    if errors:
        raise FieldErrors(errors)
    return data


def validated_answers(call: VolunteerCall, *, talents, availability, profile, consent) -> dict:
    """The volunteer's answers checked against the current call; FieldErrors keyed
    ``talents``, ``availability``, ``profile.<question code>``, ``profile`` and ``consent``."""
    errors: dict[str, str] = {}
    talent_codes = [t["code"] for t in call.talents]
    date_codes = [d["code"] for d in call.workshop_dates]
    talents = [str(t) for t in (talents or [])] if isinstance(talents, list | tuple) else None
    availability = [str(d) for d in (availability or [])] if isinstance(availability, list | tuple) else None
    if talents is None:
        errors["talents"] = _("Send the talents as a list of codes.")
    elif set(talents) - set(talent_codes):
        errors["talents"] = _("Unknown talent: %(codes)s.") % {"codes": ", ".join(sorted(set(talents) - set(talent_codes)))}
    if availability is None:
        errors["availability"] = _("Send the dates as a list of codes.")
    elif set(availability) - set(date_codes):
        errors["availability"] = _("Unknown workshop date: %(codes)s.") % {
            "codes": ", ".join(sorted(set(availability) - set(date_codes)))}
    elif date_codes and not availability:
        errors["availability"] = _("Tick at least one workshop date you can attend.")
    if not isinstance(profile, dict):
        errors["profile"] = _("Send the profile answers as an object: question code → option code.")
        profile = {}
    answers = {}
    for question in call.profile_questions:
        answer = profile.get(question["code"])
        options = {o["code"] for o in question["options"]}
        if answer in (None, ""):
            errors[f"profile.{question['code']}"] = _("Please answer this question.")
        elif str(answer) not in options:
            errors[f"profile.{question['code']}"] = _("Choose one of the answers offered.")
        else:
            answers[question["code"]] = str(answer)
    extra = set(profile) - {q["code"] for q in call.profile_questions}
    if extra and "profile" not in errors:
        errors["profile"] = _("Unknown question: %(codes)s.") % {"codes": ", ".join(sorted(map(str, extra)))}
    if consent is not True:
        errors["consent"] = _("Your consent is needed to take part in the selection.")
    if errors:
        raise FieldErrors(errors)
    # Stored in the call's order, so the same answers always give the same row.
    return {
        "talents": [c for c in talent_codes if c in set(talents)],
        "availability": [c for c in date_codes if c in set(availability)],
        "profile": answers,
    }


# --- Writes ---------------------------------------------------------------------------------------


@transaction.atomic
def call_configure(*, user, campaign, is_open: bool, intro: str, talents: list, workshop_dates: list,
                   profile_questions: list, consent_text: str) -> VolunteerCall:
    """Create or change the call. A different consent text bumps ``consent_version``, so each
    volunteer's consent names the text they saw; volunteers are asked again when they edit."""
    if not rules.can_manage_selection(user, campaign):
        raise NotAllowed(_("Only the campaign's organisers can configure the call for volunteers."))
    data = validated_call(intro=intro, talents=talents, workshop_dates=workshop_dates,
                          profile_questions=profile_questions, consent_text=consent_text)
    call = VolunteerCall.objects.select_for_update().filter(campaign=campaign).first()
    created = call is None
    if created:
        call = VolunteerCall(campaign=campaign)
    elif call.consent_text != data["consent_text"]:
        call.consent_version += 1
    was_open = call.is_open
    call.is_open = bool(is_open)
    for field, value in data.items():
        setattr(call, field, value)
    call.save()
    log_action("selection.call.configured", actor=user, scope=campaign.slug, target=call,
               is_open=call.is_open, consent_version=call.consent_version,
               talents=[t["code"] for t in call.talents], workshop_dates=[d["code"] for d in call.workshop_dates],
               questions=[q["code"] for q in call.profile_questions])
    if was_open != call.is_open or created:
        log_action("selection.call.opened" if call.is_open else "selection.call.closed",
                   actor=user, scope=campaign.slug, target=call)
    return call


def _new_pseudonym() -> str:
    return PSEUDONYM_PREFIX + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _i in range(PSEUDONYM_LENGTH))


def _create_volunteer(*, campaign, user, fields: dict) -> Volunteer:
    """Insert with a fresh pseudonym, unique per campaign (retried on the rare collision)."""
    for _attempt in range(50):
        pseudonym = _new_pseudonym()
        if Volunteer.objects.filter(campaign=campaign, pseudonym=pseudonym).exists():
            continue
        try:
            with transaction.atomic():
                return Volunteer.objects.create(campaign=campaign, user=user, pseudonym=pseudonym, **fields)
        except IntegrityError:
            if Volunteer.objects.filter(campaign=campaign, user=user).exists():
                # The same person's form sent twice at once: the other request won.
                raise Invalid(_("Your answers were already recorded; reload the page.")) from None
    raise RuntimeError("no free volunteer pseudonym after 50 attempts")  # 31^4 codes: not expected


@transaction.atomic
def volunteer_save(*, user, campaign, talents, availability, profile, consent) -> tuple[Volunteer, bool]:
    """A resident volunteers, or changes their answers (``created`` is False then).

    Consent is asked every time; ``consent_at``/``consent_version`` change when the volunteer first
    consents, comes back after withdrawing, or agrees to a newer consent text.
    """
    call = VolunteerCall.objects.filter(campaign=campaign).first()
    refusal = volunteer_refusal(user, campaign, call)
    if refusal is not None:
        raise refusal
    ratelimit.hit("volunteer", f"user:{user.pk}")
    answers = validated_answers(call, talents=talents, availability=availability, profile=profile, consent=consent)
    now = timezone.now()
    sector = resident_sector(user, campaign)
    existing = Volunteer.objects.select_for_update().filter(campaign=campaign, user=user).first()
    if existing is None:
        volunteer = _create_volunteer(campaign=campaign, user=user, fields={
            **answers, "sector": sector, "consent_at": now, "consent_version": call.consent_version})
        log_action("selection.volunteer.registered", actor=user, scope=campaign.slug, target=volunteer,
                   pseudonym=volunteer.pseudonym, consent_version=call.consent_version)
        return volunteer, True
    returning = existing.withdrawn_at is not None
    if returning or existing.consent_version != call.consent_version:
        existing.consent_at = now
        existing.consent_version = call.consent_version
    existing.withdrawn_at = None
    existing.sector = sector
    for field, value in answers.items():
        setattr(existing, field, value)
    existing.save()
    log_action("selection.volunteer.returned" if returning else "selection.volunteer.updated",
               actor=user, scope=campaign.slug, target=existing, pseudonym=existing.pseudonym,
               consent_version=existing.consent_version)
    return existing, False


@transaction.atomic
def volunteer_account_erase(*, user) -> None:
    """The person deletes their account: call before the user row is deleted (same transaction).

    A volunteer whose pseudonym is in no selection's pool is deleted outright. Otherwise the row
    must stay, or the seat it holds would vanish with it (a drawn panel silently shrinking, a
    published pool drawing fewer people): it is withdrawn, its availability cleared, and it keeps
    only the pseudonym and the answers already in the pool snapshot; the account link becomes NULL
    when the user row goes. Its panel seats are refilled from the reserve or flagged for the
    organisers (``services.seats_release_for_erased_volunteer``).
    """
    from .models import Selection
    from .services import seats_release_for_erased_volunteer

    now = timezone.now()
    for volunteer in Volunteer.objects.select_for_update().filter(user=user).select_related("campaign"):
        pools = Selection.objects.filter(campaign=volunteer.campaign).values_list("pool", flat=True)
        in_a_pool = any(volunteer.pseudonym == p.get("id") for pool in pools for p in (pool or []))
        if not in_a_pool:
            log_action("selection.volunteer.erased", scope=volunteer.campaign.slug,
                       pseudonym=volunteer.pseudonym, kept=False)
            volunteer.delete()
            continue
        volunteer.withdrawn_at = volunteer.withdrawn_at or now
        volunteer.availability = []
        volunteer.save(update_fields=["withdrawn_at", "availability", "updated_at"])
        released = seats_release_for_erased_volunteer(volunteer=volunteer)
        log_action("selection.volunteer.erased", scope=volunteer.campaign.slug, pseudonym=volunteer.pseudonym,
                   kept=True, **released)


def volunteer_withdraw(*, user, campaign) -> Volunteer:
    """"I am no longer a volunteer": allowed at any time, even once the call is closed.

    The row stays (the selection's published pool and seats refer to the pseudonym); the
    selection leaves withdrawn volunteers out of new pools and replaces them from the reserve.
    """
    if user is None or not user.is_authenticated:
        raise SignInRequired()
    volunteer = Volunteer.objects.select_for_update().filter(campaign=campaign, user=user).first()
    if volunteer is None:
        raise NotFound(_("You are not a volunteer in this campaign."))
    if volunteer.withdrawn_at is None:
        ratelimit.hit("volunteer", f"user:{user.pk}")
        volunteer.withdrawn_at = timezone.now()
        volunteer.save(update_fields=["withdrawn_at", "updated_at"])
        log_action("selection.volunteer.withdrawn", actor=user, scope=campaign.slug, target=volunteer,
                   pseudonym=volunteer.pseudonym)
    return volunteer


CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas; names are typed by residents.
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


@transaction.atomic
def volunteers_export(*, user, campaign) -> str:
    """The organisers' CSV of every volunteer (UTF-8 with BOM, ``;`` separated, for spreadsheets).

    Personal data leaving the platform: organisers only, and each export is in the audit trail.
    """
    if not rules.can_manage_selection(user, campaign):
        raise NotAllowed(_("Only the campaign's organisers can export the volunteers."))
    call = call_for(campaign) or VolunteerCall(campaign=campaign, **call_defaults(campaign))
    volunteers = list(volunteer_list(campaign))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(x) for x in [
        _("Pseudonym"), _("Public name"), _("Sector"), _("Talents"),
        *[d["label"] for d in call.workshop_dates],
        *[q["label"] for q in call.profile_questions],
        _("Consent given on"), _("Consent version"), _("Withdrawn on"),
        _("Household"), _("Volunteers of this household"),
    ]])
    households = volunteer_households(campaign, volunteers)
    talent_labels = {t["code"]: t["label"] for t in call.talents}
    for v in volunteers:
        profile = v.profile if isinstance(v.profile, dict) else {}
        answers = []
        for q in call.profile_questions:
            options = {o["code"]: o["label"] for o in q["options"]}
            answers.append(options.get(profile.get(q["code"], ""), ""))
        writer.writerow([_csv_cell(x) for x in [
            v.pseudonym, v.user.public_name if v.user_id else _("account deleted"), v.sector.name if v.sector_id else "",
            ", ".join(talent_labels[c] for c in v.talents if c in talent_labels),
            *[_("yes") if d["code"] in (v.availability or []) else _("no") for d in call.workshop_dates],
            *answers,
            timezone.localtime(v.consent_at).strftime("%Y-%m-%d %H:%M"), v.consent_version,
            timezone.localtime(v.withdrawn_at).strftime("%Y-%m-%d %H:%M") if v.withdrawn_at else "",
            households[v.pk]["label"] if v.pk in households else "",
            households[v.pk]["size"] if v.pk in households else "",
        ]])
    log_action("selection.volunteers.exported", actor=user, scope=campaign.slug, count=len(volunteers))
    return out.getvalue()


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


def _has_answers(volunteer: Volunteer) -> bool:
    return bool(volunteer.talents or volunteer.availability or volunteer.profile or volunteer.sector_id)


def volunteers_purge_expired(*, now=None, dry_run: bool = False) -> list[dict]:
    """Erase the volunteers' answers of every campaign past the retention period, as the consent promises.

    Erased: each volunteer's talents, availability, profile answers and sector (the consent text
    names them), and in every selection's pool snapshot the answers and household behind each
    pseudonym, with the secret salts (with a salt, the published fingerprint of a few possible
    answers could be opened by anyone). Kept, so the published selection stays verifiable: the
    pseudonyms, seats, distribution and draw, and ``Selection.archived``: ``selection.json`` as it
    was published (the same file, same pool hash: ``verify.py`` still passes) and the counts the
    public audit page shows. An archived selection no longer changes (``SelectionArchived``).

    Idempotent: a second run finds nothing left to erase and logs nothing. Each campaign purged is
    logged (``selection.volunteers.purged``) with counts, never answers. ``dry_run`` changes nothing
    and logs nothing. Returns ``[{"campaign", "ended_at", "volunteers", "selections"}]`` for the
    campaigns with something to erase.
    """
    from .models import Selection
    from .selectors import ARCHIVED_FIGURES, audit_document, pool_figures
    from .services import is_computed

    now = now or timezone.now()
    report = []
    for campaign in campaigns_past_retention(now):
        with transaction.atomic():
            volunteers = [v for v in Volunteer.objects.select_for_update().filter(campaign=campaign)
                          .only("pk", "talents", "availability", "profile", "sector") if _has_answers(v)]
            selections = [s for s in Selection.objects.select_for_update().filter(campaign=campaign).order_by("pk")
                          if not s.archived]
            if not volunteers and not selections:
                continue
            report.append({"campaign": campaign.slug, "ended_at": campaign.ended_at,
                           "volunteers": len(volunteers), "selections": len(selections)})
            if dry_run:
                continue
            for selection in selections:
                figures = pool_figures(selection)
                archived = {key: _plain(figures[key]) for key in ARCHIVED_FIGURES}
                archived["at"] = now.isoformat()
                archived["document"] = audit_document(selection) if is_computed(selection) else None
                selection.archived = archived
                selection.pool = [{"id": p["id"], "features": {}} for p in selection.pool]
                selection.save(update_fields=["archived", "pool"])
            Volunteer.objects.filter(pk__in=[v.pk for v in volunteers]).update(
                talents=[], availability=[], profile={}, sector=None, updated_at=now)
            log_action("selection.volunteers.purged", scope=campaign.slug,
                       ended_at=campaign.ended_at.isoformat(), keep_months=settings.CONCERTO_VOLUNTEER_ANSWERS_KEEP_MONTHS,
                       volunteers=len(volunteers), selections=len(selections))
    return report


def _plain(value):
    """Counters as plain JSON objects (``{category: {value: n}}``)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value

"""Checks shared by the organiser's form, the volunteer form and the API: limits and answers against the call."""

import re

from django.utils.translation import gettext as _

from concerto.core.errors import FieldErrors, Invalid
from concerto.core.text import clean_block, clean_line

from .models import VolunteerCall

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

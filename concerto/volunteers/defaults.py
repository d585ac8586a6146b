"""What a new call for volunteers proposes before the organiser changes anything: seed data.

Labels are msgids, rendered in the organiser's language when the form is first shown
(``call_defaults``); once saved they are the organiser's text and no longer translate. Codes are
what selections, quotas and the public audit refer to: they never translate.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.campaigns.models import PhaseKind
from concerto.campaigns.selectors import campaign_phases


def _options(*pairs) -> list[dict]:
    return [{"code": code, "label": label} for code, label in pairs]


DEFAULT_TALENTS = _options(
    ("dessin", gettext_lazy("Draw, illustrate")),
    ("histoire", gettext_lazy("Know the neighbourhood's history")),
    ("parole", gettext_lazy("Speak in public")),
    ("organisation", gettext_lazy("Organise, coordinate")),
    ("bricolage", gettext_lazy("Make and mend things")),
    ("langues", gettext_lazy("Speak several languages")),
    ("numerique", gettext_lazy("Be at ease with digital tools")),
)

DEFAULT_PROFILE_QUESTIONS = [
    {"code": "age", "label": gettext_lazy("Age"), "options": _options(
        ("18-29", gettext_lazy("18 to 29 years old")), ("30-44", gettext_lazy("30 to 44 years old")),
        ("45-59", gettext_lazy("45 to 59 years old")), ("60-74", gettext_lazy("60 to 74 years old")),
        ("75-plus", gettext_lazy("75 years old and over")))},
    {"code": "genre", "label": gettext_lazy("Gender"), "options": _options(
        ("femme", gettext_lazy("Woman")), ("homme", gettext_lazy("Man")),
        ("autre", gettext_lazy("Other, or I prefer not to say")))},
    {"code": "logement", "label": gettext_lazy("Housing"), "options": _options(
        ("locataire", gettext_lazy("Tenant")), ("proprietaire", gettext_lazy("Owner")),
        ("autre", gettext_lazy("Other (hosted, tied accommodation…)")))},
    {"code": "anciennete", "label": gettext_lazy("How long have you lived in the neighbourhood?"),
     "options": _options(
        ("moins-2", gettext_lazy("Less than 2 years")), ("2-9", gettext_lazy("2 to 9 years")),
        ("10-19", gettext_lazy("10 to 19 years")), ("20-plus", gettext_lazy("20 years or more")))},
    {"code": "numerique", "label": gettext_lazy("Internet access at home"), "options": _options(
        ("oui", gettext_lazy("Yes, regularly")), ("peu-ou-pas", gettext_lazy("Little or none")))},
]

# The promise of this text is kept by ``selection.erasure.volunteers_purge_expired`` (run daily).
DEFAULT_CONSENT_TEXT = gettext_lazy(
    "I agree that my answers to this form (talents, availability, profile and the sector of my home) are "
    "used only to form a group of participants representative of the neighbourhood, by a fair and "
    "verifiable random draw. The public audit of the draw names me by a pseudonym (for example V-7K3Q), "
    "never by my name. Of my answers it shows only those used by the quotas, talents excepted, and only "
    "if at least 5 volunteers gave the same ones; otherwise it shows only an encrypted fingerprint that "
    "I alone can check. It also shows my probability of being drawn and whether I was. "
    "They are deleted %(months)s months after the end of the consultation. I can withdraw my "
    "application and my consent at any time from the volunteers' page."
)


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
    return [{"code": f"atelier-{i}", "label": _("Workshop %(number)s – %(day)s") % {
        "number": i, "day": formats.date_format(timezone.localtime(day), "l j F Y")}}
        for i, day in enumerate(days, start=1)]


def call_defaults(campaign) -> dict:
    """The fields of a new call, in the active language (plain strings, ready to be saved)."""
    return {
        "is_open": False,
        "intro": "",
        "talents": [{"code": t["code"], "label": str(t["label"])} for t in DEFAULT_TALENTS],
        "workshop_dates": default_workshop_dates(campaign),
        "profile_questions": [
            {"code": q["code"], "label": str(q["label"]),
             "options": [{"code": o["code"], "label": str(o["label"])} for o in q["options"]]}
            for q in DEFAULT_PROFILE_QUESTIONS],
        "consent_text": DEFAULT_CONSENT_TEXT % {"months": settings.CONCERTO_VOLUNTEER_ANSWERS_KEEP_MONTHS},
    }

"""Forms of the call for volunteers (organisers) and of the volunteer form (residents).

The organiser edits lists as plain text, one entry per line, so the page works without
JavaScript and a whole list can be pasted at once:

- talents and workshop dates: ``code: label``;
- profile questions: ``code: label | option=label | option=label``.

Each line is checked on its own and errors name the line. The structures are checked again by
``services.call_configure`` (the API and other callers skip these forms).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import validation as v

PROFILE_PREFIX = "q-"


def _lines(text: str):
    for number, raw in enumerate((text or "").replace("\r\n", "\n").split("\n"), start=1):
        line = raw.strip()
        if line:
            yield number, line


def _code_label(part: str, *, number: int, separator: str, example: str, errors: list, what: str):
    """Split ``code<separator>label``; append a per-line error and return None when it is wrong."""
    if separator not in part:
        errors.append(_("Line %(line)s: write the code, “%(sep)s”, then the label, for example “%(example)s”.")
                      % {"line": number, "sep": separator, "example": example})
        return None
    code, label = (x.strip() for x in part.split(separator, 1))
    if not v.CODE_RE.fullmatch(code):
        if what == "option":
            message = _("Line %(line)s: the option code “%(code)s” may contain only lower-case letters "
                        "without accents, digits and hyphens (at most 40 characters).")
        else:
            message = _("Line %(line)s: the code “%(code)s” may contain only lower-case letters without "
                        "accents, digits and hyphens (at most 40 characters).")
        errors.append(message % {"line": number, "code": code})
        return None
    if not label:
        errors.append(_("Line %(line)s: the label of “%(code)s” is missing.") % {"line": number, "code": code})
        return None
    if len(label) > v.LABEL_MAX:
        errors.append(_("Line %(line)s: labels are limited to %(max)s characters.")
                      % {"line": number, "max": v.LABEL_MAX})
        return None
    return code, label


def parse_items(text: str, *, max_items: int, example: str) -> list[dict]:
    """``code: label`` per line → ``[{"code", "label"}]``; ValidationError listing every bad line."""
    errors: list[str] = []
    items: list[dict] = []
    first_line: dict[str, int] = {}
    for number, line in _lines(text):
        parsed = _code_label(line, number=number, separator=":", example=example, errors=errors, what="item")
        if parsed is None:
            continue
        code, label = parsed
        if code in first_line:
            errors.append(_("Line %(line)s: the code “%(code)s” is already used on line %(first)s.")
                          % {"line": number, "code": code, "first": first_line[code]})
            continue
        first_line[code] = number
        items.append({"code": code, "label": label})
    if len(items) > max_items:
        errors.append(_("At most %(max)s lines.") % {"max": max_items})
    if errors:
        raise ValidationError(errors)
    return items


def format_items(items: list[dict]) -> str:
    return "\n".join(f"{i['code']}: {i['label']}" for i in items)


QUESTION_EXAMPLE = "age: Âge | 18-29=18 à 29 ans | 30-44=30 à 44 ans"


def parse_questions(text: str) -> list[dict]:
    """``code: label | option=label | …`` per line → the profile questions, checked line by line."""
    errors: list[str] = []
    questions: list[dict] = []
    first_line: dict[str, int] = {}
    for number, line in _lines(text):
        head, *parts = [p.strip() for p in line.split("|")]
        parsed = _code_label(head, number=number, separator=":", example=QUESTION_EXAMPLE, errors=errors,
                             what="question")
        if parsed is None:
            continue
        code, label = parsed
        if code in v.RESERVED_QUESTION_CODES:
            errors.append(_("Line %(line)s: “sector” is reserved: the sector comes from the household's letter.")
                          % {"line": number})
            continue
        if code in first_line:
            errors.append(_("Line %(line)s: the code “%(code)s” is already used on line %(first)s.")
                          % {"line": number, "code": code, "first": first_line[code]})
            continue
        first_line[code] = number
        options, seen, line_ok = [], set(), True
        for part in (p for p in parts if p):
            option = _code_label(part, number=number, separator="=", example="18-29=18 à 29 ans",
                                 errors=errors, what="option")
            if option is None:
                line_ok = False
                break
            if option[0] in seen:
                errors.append(_("Line %(line)s: the option “%(code)s” appears twice.")
                              % {"line": number, "code": option[0]})
                line_ok = False
                break
            seen.add(option[0])
            options.append({"code": option[0], "label": option[1]})
        if not line_ok:
            continue
        if len(options) < 2:
            errors.append(_("Line %(line)s: give at least two options, each after a “|”, for example “%(example)s”.")
                          % {"line": number, "example": QUESTION_EXAMPLE})
            continue
        if len(options) > v.MAX_OPTIONS:
            errors.append(_("Line %(line)s: at most %(max)s options.") % {"line": number, "max": v.MAX_OPTIONS})
            continue
        questions.append({"code": code, "label": label, "options": options})
    if len(questions) > v.MAX_QUESTIONS:
        errors.append(_("At most %(max)s lines.") % {"max": v.MAX_QUESTIONS})
    if errors:
        raise ValidationError(errors)
    return questions


def format_questions(questions: list[dict]) -> str:
    return "\n".join(
        " | ".join([f"{q['code']}: {q['label']}", *(f"{o['code']}={o['label']}" for o in q["options"])])
        for q in questions
    )


class CallForm(forms.Form):
    is_open = forms.BooleanField(
        label=gettext_lazy("Volunteering is open"), required=False,
        help_text=gettext_lazy("While it is open, residents verified by letter can send the volunteer form."))
    intro = forms.CharField(
        label=gettext_lazy("Introduction (optional)"), required=False, max_length=v.INTRO_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Shown at the top of the volunteer form: what the workshops are, who is chosen and how."))
    talents = forms.CharField(
        label=gettext_lazy("Talents"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One talent per line: a short code, a colon, then the label residents read. "
                               "Example: “dessin: Dessiner, illustrer”."))
    workshop_dates = forms.CharField(
        label=gettext_lazy("Workshop dates"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One date per line: a short code, a colon, then the label. "
                               "Example: “atelier-1: Samedi 14 mars, 9 h 30”."))
    profile_questions = forms.CharField(
        label=gettext_lazy("Profile questions"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One question per line: code, colon, question, then each answer as "
                               "“| code=label”. Example: “age: Âge | 18-29=18 à 29 ans | 30-44=30 à 44 ans”. "
                               "Offer a “prefer not to say” answer where it makes sense. "
                               "The sector is not a question: it comes from the household's letter."))
    consent_text = forms.CharField(
        label=gettext_lazy("Consent text"), max_length=v.CONSENT_MAX, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Volunteers tick a box to agree to this text. Changing it asks every volunteer "
                               "to agree again the next time they edit their answers."))

    @classmethod
    def for_call(cls, call, data=None) -> "CallForm":
        initial = {
            "is_open": call.is_open, "intro": call.intro, "talents": format_items(call.talents),
            "workshop_dates": format_items(call.workshop_dates),
            "profile_questions": format_questions(call.profile_questions), "consent_text": call.consent_text,
        }
        return cls(data, initial=initial)

    def clean_talents(self):
        return parse_items(self.cleaned_data["talents"], max_items=v.MAX_TALENTS, example="dessin: Dessiner, illustrer")

    def clean_workshop_dates(self):
        return parse_items(self.cleaned_data["workshop_dates"], max_items=v.MAX_DATES,
                           example="atelier-1: Samedi 14 mars, 9 h 30")

    def clean_profile_questions(self):
        return parse_questions(self.cleaned_data["profile_questions"])


class VolunteerForm(forms.Form):
    """Built from the campaign's current call: one checkbox per talent and per date, one radio
    group per profile question (fields ``q-<code>``), and the consent box."""

    talents = forms.MultipleChoiceField(
        label=gettext_lazy("Your talents"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Tick what you like doing or know well. Every talent is welcome, none is required."))
    availability = forms.MultipleChoiceField(
        label=gettext_lazy("Your availability"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Tick each workshop you can attend."))
    consent = forms.BooleanField(label=gettext_lazy("I agree to the text above"), required=False)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["talents"].choices = [(t["code"], t["label"]) for t in call.talents]
        self.fields["availability"].choices = [(d["code"], d["label"]) for d in call.workshop_dates]
        # The service names a question's error ``profile.<code>`` (``core.forms.apply_errors``).
        self.field_aliases = {f"profile.{q['code']}": PROFILE_PREFIX + q["code"] for q in call.profile_questions}
        for question in call.profile_questions:
            self.fields[PROFILE_PREFIX + question["code"]] = forms.ChoiceField(
                label=question["label"], required=False, widget=forms.RadioSelect,
                choices=[(o["code"], o["label"]) for o in question["options"]],
            )

    @classmethod
    def for_volunteer(cls, call, volunteer, data=None) -> "VolunteerForm":
        initial = {}
        if volunteer is not None:
            profile = volunteer.profile if isinstance(volunteer.profile, dict) else {}
            initial = {"talents": volunteer.talents, "availability": volunteer.availability,
                       **{PROFILE_PREFIX + code: answer for code, answer in profile.items()}}
        return cls(data, call=call, initial=initial)

    def question_fields(self):
        return [self[PROFILE_PREFIX + q["code"]] for q in self.call.profile_questions]

    def answers(self) -> dict:
        """Keyword arguments for ``services.volunteer_save`` (checked there, not here)."""
        data = self.cleaned_data
        return {
            "talents": data.get("talents") or [],
            "availability": data.get("availability") or [],
            "profile": {q["code"]: data.get(PROFILE_PREFIX + q["code"], "") for q in self.call.profile_questions
                        if data.get(PROFILE_PREFIX + q["code"])},
            "consent": bool(data.get("consent")),
        }

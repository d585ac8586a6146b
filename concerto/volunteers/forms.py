"""Forms of the call for volunteers (organisers) and of the volunteer form (residents).

The organiser's call is a plain form, without JavaScript and without any syntax to learn: one row
per talent, workshop date, question and answer, each with its label, a "remove" box and buttons to
move it up or down; "add" buttons give a new empty row (``CallEditor``). Codes, which the answers,
quotas and published files use, are made from the label when a row is saved for the first time and
never change afterwards, so renaming a label keeps every answer already given. The structures are
checked again by ``services.call_configure`` (the API and other callers skip these forms).
"""

from dataclasses import dataclass, field

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.text import clean_line

from . import validation as v

PROFILE_PREFIX = "q-"
MAX_ROWS_POSTED = 100  # rows read from a POST, whatever its counters say


@dataclass
class Row:
    """One talent, date, question or answer as the editor shows it; ``code`` is "" until saved."""

    code: str = ""
    label: str = ""
    remove: bool = False
    error: str = ""
    options: list["Row"] = field(default_factory=list)


def _rows(items) -> list[Row]:
    rows = []
    for item in items or []:
        if isinstance(item, dict):
            rows.append(Row(code=str(item.get("code", "")), label=str(item.get("label", "")),
                            options=_rows(item.get("options")) if "options" in item else []))
    return rows


def _count(data, name: str) -> int:
    try:
        return max(0, min(int(data.get(name, 0)), MAX_ROWS_POSTED))
    except (TypeError, ValueError):
        return 0


def _posted_rows(data, prefix: str, *, with_options: bool = False) -> list[Row]:
    rows = []
    for i in range(_count(data, f"{prefix}-count")):
        row = Row(code=str(data.get(f"{prefix}-{i}-code", "")).strip()[:40],
                  label=str(data.get(f"{prefix}-{i}-label", "")), remove=bool(data.get(f"{prefix}-{i}-remove")))
        if with_options:
            row.options = _posted_rows(data, f"{prefix}-{i}-o")
        rows.append(row)
    return rows


def new_code(label: str, taken: set[str], fallback: str) -> str:
    """A code for a new row, from its label: "Dessiner, illustrer" → "dessiner-illustrer"."""
    base = slugify(label)[:36].strip("-") or fallback
    if not v.CODE_RE.fullmatch(base):
        base = fallback
    code, n = base, 2
    while code in taken or code in v.RESERVED_QUESTION_CODES:
        code, n = f"{base}-{n}", n + 1
    return code


class CallEditor:
    """The lists of the call as rows: built from the call, or from a POST, changed by one button
    (``apply``), and turned back into the call's structures (``cleaned``)."""

    SECTIONS = ("t", "d", "q")

    def __init__(self, talents: list[Row], dates: list[Row], questions: list[Row]):
        self.lists = {"t": talents, "d": dates, "q": questions}
        self.errors: dict[str, str] = {}

    @classmethod
    def for_call(cls, call) -> "CallEditor":
        editor = cls(_rows(call.talents), _rows(call.workshop_dates), _rows(call.profile_questions))
        editor.add_blanks()
        return editor

    @classmethod
    def from_post(cls, data) -> "CallEditor":
        return cls(_posted_rows(data, "t"), _posted_rows(data, "d"), _posted_rows(data, "q", with_options=True))

    @property
    def talents(self):
        return self.lists["t"]

    @property
    def dates(self):
        return self.lists["d"]

    @property
    def questions(self):
        return self.lists["q"]

    def add_blanks(self) -> None:
        """An empty row at the end of each list (and two empty answers to an empty question)."""
        for key in self.SECTIONS:
            rows = self.lists[key]
            if not rows or rows[-1].code or rows[-1].label.strip():
                rows.append(Row(options=[Row(), Row()] if key == "q" else []))
        for question in self.questions:
            if not question.options or question.options[-1].code or question.options[-1].label.strip():
                question.options.append(Row())

    def _target(self, ref: str) -> tuple[list[Row], int] | None:
        """``t-3`` → (talents, 3); ``q-2-o-1`` → (options of question 2, 1); ``q-2-o`` → (options, -1)."""
        parts = ref.split("-")
        try:
            rows = self.lists[parts[0]]
            if len(parts) == 2:
                return rows, int(parts[1])
            if parts[0] == "q" and parts[2] == "o":
                options = rows[int(parts[1])].options
                return options, int(parts[3]) if len(parts) == 4 else -1
        except (KeyError, IndexError, ValueError):
            return None
        return None

    def apply(self, op: str) -> bool:
        """One button other than "save": add a row, or move one. False when ``op`` means nothing."""
        verb, _sep, ref = (op or "").partition(":")
        if verb == "add":
            if ref in self.lists:
                self.lists[ref].append(Row(options=[Row(), Row()] if ref == "q" else []))
                return True
            found = self._target(ref)
            if found is not None:
                found[0].append(Row())
                return True
            return False
        found = self._target(ref)
        if verb not in ("up", "down") or found is None:
            return False
        rows, i = found
        j = i - 1 if verb == "up" else i + 1
        if not (0 <= i < len(rows) and 0 <= j < len(rows)):
            return False
        rows[i], rows[j] = rows[j], rows[i]
        return True

    def _clean_list(self, rows: list[Row], *, max_items: int, fallback: str, what: str) -> list[dict]:
        kept = [r for r in rows if not r.remove and (r.label.strip() or r.code)]  # empty new rows: ignored
        taken = {r.code for r in kept if r.code}
        items, seen = [], set()
        for row in kept:
            label = clean_line(row.label)  # as the service cleans it: no-break spaces stay
            if not label:
                row.error = _("Give this entry a label, or tick “Remove”.")
                continue
            if len(label) > v.LABEL_MAX:
                row.error = _("Labels are limited to %(max)s characters.") % {"max": v.LABEL_MAX}
                continue
            code = row.code
            if code and (code in seen or v.code_error(code)):
                code = ""
            if not code:
                code = new_code(label, taken | seen, f"{fallback}-{len(items) + 1}")
                row.code = code
            seen.add(code)
            item = {"code": code, "label": label}
            if what == "question":
                options = self._clean_list(row.options, max_items=v.MAX_OPTIONS, fallback="reponse",
                                           what="option")
                if any(o.error for o in row.options):
                    row.error = _("Correct the answers of this question.")
                elif len(options) < 2:
                    row.error = _("Give this question at least two answers.")
                item["options"] = options
            items.append(item)
        return items

    def view_rows(self, key: str) -> list[dict]:
        """The rows of one list for the template, with their field-name prefixes (``t-0``, ``q-1-o-2``)."""
        def rows(items: list[Row], prefix: str) -> list[dict]:
            return [{"row": r, "prefix": f"{prefix}-{i}", "number": i + 1, "first": i == 0,
                     "last": i == len(items) - 1,
                     "options": rows(r.options, f"{prefix}-{i}-o") if key == "q" else [],
                     "options_prefix": f"{prefix}-{i}-o"}
                    for i, r in enumerate(items)]
        return rows(self.lists[key], key)

    def talent_rows(self):
        return self.view_rows("t")

    def date_rows(self):
        return self.view_rows("d")

    def question_rows(self):
        return self.view_rows("q")

    def cleaned(self) -> dict | None:
        """``talents``, ``workshop_dates``, ``profile_questions`` for ``services.call_configure``, or
        None with the errors on their rows and ``self.errors`` per list."""
        out = {}
        for key, name, max_items, fallback, what in (
            ("t", "talents", v.MAX_TALENTS, "talent", "talent"),
            ("d", "workshop_dates", v.MAX_DATES, "atelier", "date"),
            ("q", "profile_questions", v.MAX_QUESTIONS, "question", "question"),
        ):
            rows = self.lists[key]
            out[name] = self._clean_list(rows, max_items=max_items, fallback=fallback, what=what)
            if any(r.error for r in rows):
                self.errors[name] = _("Correct the rows marked below.")
            elif len(out[name]) > max_items:
                self.errors[name] = _("At most %(max)s entries.") % {"max": max_items}
        return None if self.errors else out


class CallForm(forms.Form):
    """The texts of the call and whether it is open; the lists are the ``CallEditor``'s."""

    is_open = forms.BooleanField(
        label=gettext_lazy("Volunteering is open"), required=False,
        help_text=gettext_lazy("While it is open, residents verified by letter can send the volunteer form."))
    intro = forms.CharField(
        label=gettext_lazy("Introduction (optional)"), required=False, max_length=v.INTRO_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Shown at the top of the volunteer form: what the workshops are, who is chosen and how."))
    consent_text = forms.CharField(
        label=gettext_lazy("Consent text"), max_length=v.CONSENT_MAX, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Volunteers tick a box to agree to this text. Changing it asks every volunteer "
                               "to agree again the next time they edit their answers."))

    @classmethod
    def for_call(cls, call, data=None) -> "CallForm":
        return cls(data, initial={"is_open": call.is_open, "intro": call.intro, "consent_text": call.consent_text})


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

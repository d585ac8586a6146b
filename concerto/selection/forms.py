"""Forms of the selection pages. Fields stay lenient: the services validate and name every error."""

import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import is_talent
from .services import (
    DEFAULT_PANEL_SIZE,
    DEFAULT_TIME_LIMIT,
    NOTICE_TEXT_MAX,
    PANEL_MAX,
    PANEL_MIN,
    RANDOM_VALUE_MAX,
    SOURCE_MAX,
    TIME_LIMIT_MAX,
    TIME_LIMIT_MIN,
    TITLE_MAX,
    WITNESSES_MAX,
    WORKSHOP_PLACE_MAX,
    quota_field,
    random_format_from_fields,
)


def layout_key(keys) -> str:
    """A short fingerprint of the quota rows, to notice that the call changed while editing."""
    return hashlib.sha256("\n".join(f"{c}\t{v}" for c, v in keys).encode()).hexdigest()[:16]


class SelectionForm(forms.Form):
    """Title, panel size, dates, time limit, and a min/max pair per quota row (``q{i}_min``, ``q{i}_max``)."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    panel_size = forms.CharField(
        label=_("Panel size"), max_length=5,
        help_text=_("How many participants to select (%(min)s to %(max)s).") % {"min": PANEL_MIN, "max": PANEL_MAX},
        widget=forms.NumberInput(attrs={"min": PANEL_MIN, "max": PANEL_MAX}))
    required_dates = forms.MultipleChoiceField(
        label=_("Workshop dates the participants must all be available for"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only volunteers available on every ticked date are in the pool."))
    time_limit = forms.CharField(
        label=_("Time limit of the computation (seconds)"), max_length=5,
        help_text=_("Stopped at the limit, the computation still gives a valid distribution whose lowest "
                    "probability is optimal (%(min)s to %(max)s seconds).") % {
                        "min": TIME_LIMIT_MIN, "max": TIME_LIMIT_MAX},
        widget=forms.NumberInput(attrs={"min": TIME_LIMIT_MIN, "max": TIME_LIMIT_MAX}))
    one_per_household = forms.BooleanField(
        label=_("One seat per household"), required=False,
        help_text=_("No panel may hold two volunteers who joined with the same household's letter."))
    layout = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, dates=(), keys=(), labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = list(keys)
        self.labels = labels = labels or {}
        self.fields["required_dates"].choices = [(d["code"], d["label"]) for d in dates]
        self.fields["layout"].initial = layout_key(self.keys)
        for i, (category, value) in enumerate(self.keys):
            info = labels.get(category, {"label": category, "values": {}})
            described = f"{info['label']} : {info['values'].get(value, value)}"
            for bound, text in (("min", _("Minimum")), ("max", _("Maximum"))):
                self.fields[quota_field(i, bound)] = forms.CharField(
                    label=f"{text} – {described}", required=False, max_length=5,
                    widget=forms.NumberInput(attrs={"min": 0, "class": "quota-input"}))

    def clean(self):
        data = super().clean()
        if self.is_bound and self.data.get("layout") and self.data.get("layout") != layout_key(self.keys):
            raise forms.ValidationError(_(
                "The questions of the call for volunteers changed while you were editing: check the quotas again."))
        return data

    def quota_groups(self, counts) -> list[dict]:
        """The quota rows grouped by category for the page: label, pool count and the two bound fields."""
        groups: list[dict] = []
        for i, (category, value) in enumerate(self.keys):
            info = self.labels.get(category, {"label": category, "values": {}})
            if not groups or groups[-1]["category"] != category:
                groups.append({"category": category, "label": info["label"],
                               "is_talent": is_talent(category), "rows": []})
            groups[-1]["rows"].append({
                "label": info["values"].get(value, value), "pool": counts.get(category, {}).get(value, 0),
                "min": self[quota_field(i, "min")], "max": self[quota_field(i, "max")],
            })
        return groups

    def quotas(self) -> list[dict]:
        """The rows as typed, for the service to validate."""
        return [{"category": c, "value": v, "min": self.data.get(quota_field(i, "min"), ""),
                 "max": self.data.get(quota_field(i, "max"), "")} for i, (c, v) in enumerate(self.keys)]

    def settings(self) -> dict:
        return {
            "title": self.data.get("title", ""), "panel_size": self.data.get("panel_size", ""),
            "time_limit": self.data.get("time_limit", ""),
            "required_dates": self.data.getlist("required_dates") if hasattr(self.data, "getlist") else [],
            "quotas": self.quotas(),
            "one_per_household": self.data.get("one_per_household") in ("on", "true", "1", True),
        }

    @staticmethod
    def initial_for(*, selection=None, quotas=(), keys=()) -> dict:
        """Initial values from a saved selection (or the defaults) and quota rows by (category, value)."""
        by_key = {(q["category"], q["value"]): q for q in quotas}
        initial = {
            "title": selection.title if selection else _("Selection of the workshop participants"),
            "panel_size": selection.panel_size if selection else DEFAULT_PANEL_SIZE,
            "time_limit": selection.time_limit if selection else DEFAULT_TIME_LIMIT,
            "required_dates": list(selection.required_dates) if selection else [],
            "one_per_household": selection.one_per_household if selection else False,
        }
        for i, key in enumerate(keys):
            q = by_key.get(key)
            if q is not None:
                initial[quota_field(i, "min")] = q["min"]
                initial[quota_field(i, "max")] = q["max"]
        return initial


# What a ``datetime-local`` input sends, and what people type where the browser shows a text box.
DATETIME_INPUTS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y %Hh%M"]


class AnnounceForm(forms.Form):
    """The announcement: source, date, exact format of the value, witnesses. Format fields stay
    lenient here; the service checks them (``random_format_from_fields``, then the format)."""

    random_source = forms.CharField(
        label=_("Source of the random value"), max_length=SOURCE_MAX,
        help_text=_("Public and not yet known, e.g. “the five numbers of the EuroMillions draw of Tuesday "
                    "10 March” or “three dice rolled in front of the witnesses”."))
    random_known_at = forms.DateTimeField(
        label=_("Date and time at which the value will be known"), required=False,
        input_formats=DATETIME_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("For a lottery, the time of its draw (e.g. 21:00). The value must not exist yet when you "
                    "announce it, and the panel cannot be drawn before this moment."))
    format_kind = forms.ChoiceField(
        label=_("Exact format of the value"), choices=[
            ("lottery", _("Lottery numbers: a fixed count of distinct whole numbers in a range")),
            ("digits", _("Digits: a fixed number of decimal digits")),
            ("hex", _("Hexadecimal: a fixed number of characters 0–9 and a–f (public random beacon)")),
        ], initial="lottery", widget=forms.RadioSelect,
        help_text=_("Announced publicly with the source: at the draw, only a value in this format is "
                    "accepted, and its one canonical spelling is used."))
    lottery_count = forms.CharField(label=_("Lottery: how many numbers"), required=False, max_length=4,
                                    initial=5, widget=forms.NumberInput(attrs={"min": 1}))
    lottery_low = forms.CharField(label=_("Lottery: lowest possible number"), required=False, max_length=8,
                                  initial=1, widget=forms.NumberInput(attrs={"min": 0}))
    lottery_high = forms.CharField(label=_("Lottery: highest possible number"), required=False, max_length=8,
                                   initial=49, widget=forms.NumberInput(attrs={"min": 1}))
    length = forms.CharField(label=_("Digits or hexadecimal: number of characters"), required=False,
                             max_length=4, widget=forms.NumberInput(attrs={"min": 1}))
    witnesses = forms.CharField(
        label=_("Witnesses"), max_length=WITNESSES_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names of the people who will witness the draw, shown on the public page."))

    def announcement(self) -> dict:
        """The service's arguments from the cleaned data."""
        data = self.cleaned_data
        return {
            "random_source": data.get("random_source", ""), "witnesses": data.get("witnesses", ""),
            "random_known_at": data.get("random_known_at"),
            "random_format": random_format_from_fields(
                kind=data.get("format_kind"), count=data.get("lottery_count"), low=data.get("lottery_low"),
                high=data.get("lottery_high"), length=data.get("length")),
        }

    # The service names the format "random_format": its error is shown on the format choice.
    field_aliases = {"random_format": "format_kind"}


class DrawForm(forms.Form):
    random_value = forms.CharField(
        label=_("Random value"), max_length=RANDOM_VALUE_MAX,
        help_text=_("Type the value in the announced format. It is checked against that format and written in "
                    "its canonical form before the draw; a value that does not fit the format is refused."))


class NoticeForm(forms.Form):
    """The first workshop meeting and the organisers' paragraph of the message to the selected."""

    workshop_place = forms.CharField(
        label=_("Place of the first workshop"), max_length=WORKSHOP_PLACE_MAX,
        help_text=_("As residents will find it, e.g. “Maison de quartier, 12 rue des Lilas, salle 2”."))
    workshop_starts_at = forms.DateTimeField(
        label=_("Date and time of the first workshop"), input_formats=DATETIME_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    notice_text = forms.CharField(
        label=_("Your message to the selected people"), required=False, max_length=NOTICE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A paragraph placed after the announcement of the result; the place, the time, the link to "
                    "answer and the audit page are added for you. Leave empty for the default text."))


class AnswerForm(forms.Form):
    t = forms.CharField(widget=forms.HiddenInput, max_length=300)
    answer = forms.ChoiceField(choices=[("confirmed", _("I take part")), ("declined", _("I cannot take part"))])


class LookupForm(forms.Form):
    pseudonyme = forms.CharField(label=_("Your pseudonym"), max_length=20,
                                 help_text=_("As written in your message or on your volunteer page, e.g. V-7K3Q."))

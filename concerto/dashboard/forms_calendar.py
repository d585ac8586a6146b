"""Forms of the calendar, themes and sectors pages (organisers). The services validate again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.campaigns.models import PhaseKind
from concerto.campaigns.services import PHASE_SUMMARY_MAX, SECTOR_NAME_MAX
from concerto.proposals.services import THEME_NAME_MAX

# A browser without a date picker shows a text box: the French way of typing a date works too.
DATETIME_INPUTS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y %Hh%M", "%d/%m/%Y", "%Y-%m-%d"]


def _datetime_field(label, required_message):
    return forms.DateTimeField(
        label=label, input_formats=DATETIME_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Date and time, for example 14/03/2027 18:00."),
        error_messages={"required": required_message,
                        "invalid": _("Type a date and time, for example 14/03/2027 18:00.")},
    )


class PhaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Phase"), choices=PhaseKind.choices,
                             error_messages={"required": _("Choose one of the phases of the process."),
                                             "invalid_choice": _("Choose one of the phases of the process.")})
    starts_at = _datetime_field(_("Starts at"), _("Give the date and time the phase starts."))
    ends_at = _datetime_field(_("Ends at"), _("Give the date and time the phase ends."))
    summary = forms.CharField(
        label=_("Description for residents"), required=False, max_length=PHASE_SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the campaign's home page, in the calendar (at most 300 characters)."),
        error_messages={"max_length": _("The description is limited to %(limit_value)d characters.")})
    is_closed = forms.BooleanField(
        label=_("Closed by the organisers"), required=False,
        help_text=_("The phase counts as over even before its end date, e.g. to stop supports early. "
                    "The dates stay as planned."))
    confirm = forms.BooleanField(label=_("I understand: residents can no longer take part"), required=False)

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:  # adding: only the phases the calendar does not have yet
            self.fields["kind"].choices = [(k, label) for k, label in PhaseKind.choices if k in kinds]


class SectorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=SECTOR_NAME_MAX, error_messages={
        "required": _("Give the sector a name."),
        "max_length": _("The name is limited to %(limit_value)d characters.")})


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=THEME_NAME_MAX, error_messages={
        "required": _("Give the theme a name."),
        "max_length": _("The name is limited to %(limit_value)d characters.")})


class MergeForm(forms.Form):
    """Where the rows of a theme or sector go before it is deleted."""

    into = forms.TypedChoiceField(label=_("Move them to"), coerce=int,
                                  error_messages={"required": _("Choose where they go."),
                                                  "invalid_choice": _("Choose where they go.")})

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [("", _("Choose…"))] + [(t.pk, t.name) for t in targets]

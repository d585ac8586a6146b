"""Forms of the workshop sessions' pages. Fields stay lenient: the services validate and name every
error in French (``FieldErrors``), put back on the form by ``apply_errors``."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
TIME_FORMATS = ["%H:%M", "%Hh%M", "%H h %M", "%H:%M:%S"]


class WorkshopForm(forms.Form):
    """Fields left optional here: the service checks them all at once and names each error."""

    REQUIRED = ("title", "date", "starts", "ends", "place")
    field_aliases = {"starts_at": "starts", "ends_at": "ends"}

    title = forms.CharField(label=_("Title"), max_length=140, required=False)
    date = forms.DateField(label=_("Date"), input_formats=DATE_FORMATS, required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    starts = forms.TimeField(label=_("Starts at"), input_formats=TIME_FORMATS, required=False,
                             widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends = forms.TimeField(label=_("Ends at"), input_formats=TIME_FORMATS, required=False,
                           widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    place = forms.CharField(label=_("Place"), max_length=140, required=False,
                            help_text=_("The name people know, for example “Maison de quartier des Chartreux”."))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    access_notes = forms.CharField(
        label=_("Access and accessibility"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Public transport, step-free access, childcare, anything that helps people come."))
    selection = forms.ChoiceField(label=_("Panel"), required=False,
                                  help_text=_("The drawn panel whose people are invited."))
    facilitators = forms.MultipleChoiceField(label=_("Facilitators"), required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, panels=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.panels = {str(s.pk): s for s in panels}
        self.people = {str(u.pk): u for u in people}
        self.fields["selection"].choices = [("", _("No panel yet"))] + [(k, s.title) for k, s in self.panels.items()]
        self.fields["facilitators"].choices = [(k, u.public_name) for k, u in self.people.items()]

    @classmethod
    def initial_for(cls, workshop) -> dict:
        starts, ends = timezone.localtime(workshop.starts_at), timezone.localtime(workshop.ends_at)
        return {"title": workshop.title, "date": starts.date(), "starts": starts.time(), "ends": ends.time(),
                "place": workshop.place, "address": workshop.address, "access_notes": workshop.access_notes,
                "selection": str(workshop.selection_id or ""),
                "facilitators": [str(pk) for pk in workshop.facilitators.values_list("pk", flat=True)]}

    def values(self) -> dict:
        """Keyword arguments of ``workshop_create`` / ``workshop_update``."""
        data = self.cleaned_data
        tz = timezone.get_current_timezone()

        def at(time):
            if data.get("date") is None or time is None:
                return None
            return timezone.make_aware(datetime.datetime.combine(data["date"], time), tz)

        return {"title": data.get("title", ""), "starts_at": at(data.get("starts")), "ends_at": at(data.get("ends")),
                "place": data.get("place", ""), "address": data.get("address", ""),
                "access_notes": data.get("access_notes", ""),
                "selection": self.panels.get(data.get("selection") or ""),
                "facilitators": [self.people[k] for k in data.get("facilitators") or [] if k in self.people]}


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Activity"), max_length=140)
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=600,
                                 widget=forms.NumberInput(attrs={"min": 1, "max": 600, "inputmode": "numeric"}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The invitees with an e-mail address receive it."))


class RsvpForm(forms.Form):
    rsvp = forms.ChoiceField(label=_("Will you be there?"), widget=forms.RadioSelect,
                             choices=[("yes", _("Yes, I will be there")), ("no", _("No, I cannot come"))])
    name_consent = forms.BooleanField(label=_("I agree that my name appears in the minutes"), required=False)


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("A first name and an initial are enough."))
    email = forms.EmailField(label=_("E-mail address (optional)"), required=False)
    name_consent = forms.BooleanField(label=_("Agrees that their name appears in the minutes"), required=False)

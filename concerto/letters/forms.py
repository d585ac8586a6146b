from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.campaigns.models import SupportLevel

from .models import BatchKind
from .pdf import PLACEHOLDERS
from .rendering import reminder_intro
from .selectors import USED_FILTERS
from .services import REASON_MAX, SETTINGS_LIMITS


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file of the households"),
        help_text=_("Saved from a spreadsheet as CSV (UTF-8 or Excel's “CSV (separator: semicolon)”). "
                    "First line: the column titles adresse, complement, code_postal, ville, secteur, nom."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )


def placeholders_help() -> str:
    return "; ".join(f"{{{name}}}: {label}" for name, label in PLACEHOLDERS.items())


class SettingsForm(forms.Form):
    sender_lines = forms.CharField(
        label=_("Sender"), required=False, max_length=SETTINGS_LIMITS["sender_lines"],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One line per line, at most 6: printed at the top left of each letter."))
    place = forms.CharField(label=_("Place written before the date"), required=False,
                            max_length=SETTINGS_LIMITS["place"], help_text=_("For example “Aix-en-Provence”."))
    title = forms.CharField(label=_("Subject"), required=False, max_length=SETTINGS_LIMITS["title"])
    body = forms.CharField(label=_("Letter text"), max_length=SETTINGS_LIMITS["body"],
                           widget=forms.Textarea(attrs={"rows": 16}))
    signature = forms.CharField(label=_("Signature"), required=False, max_length=SETTINGS_LIMITS["signature"])
    residents_per_code = forms.IntegerField(
        label=_("Residents who may join with one code"), min_value=1, max_value=20,
        help_text=_("Applies to the codes created from now on (imports and re-issued letters)."))
    support_level = forms.ChoiceField(
        label=_("Who may support and propose actions"), choices=SupportLevel.choices, widget=forms.RadioSelect)
    accept_smaller_text = forms.BooleanField(
        label=_("Print this text in smaller type"), required=False,
        help_text=_("Only if the text cannot be shortened: small type is harder to read for many residents."))
    reminder_after_days = forms.IntegerField(
        label=_("Days after posting before a reminder"), min_value=1, max_value=180, required=False,
        help_text=_("Households reminded or sent a letter within these days are not reminded again."))
    reminder_text = forms.CharField(
        label=_("Reminder paragraph"), required=False, max_length=SETTINGS_LIMITS["reminder_text"],
        widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reminder_text"].help_text = _(
            "Printed above the letter's text in reminders; same placeholders. Empty: “%(default)s”"
        ) % {"default": reminder_intro()}
        self.fields["body"].help_text = _(
            "Plain text; an empty line starts a new paragraph. Placeholders replaced for each household: %(list)s."
        ) % {"list": placeholders_help()}


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Address or name"), required=False, max_length=100)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    used = forms.ChoiceField(label=_("Code"), required=False, choices=[
        ("", _("All households")), ("used", _("Code used")), ("unused", _("Code not used yet")),
        ("revoked", _("Letter re-issued")),
    ])

    def __init__(self, *args, sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = (
            [("", _("All sectors"))] + [(s.code, s.name) for s in sectors] + [("none", _("Without sector"))]
        )

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        used = data.get("used", "")
        return {"q": data.get("q", ""), "sector": data.get("sector", ""),
                "used": used if used in USED_FILTERS else ""}


class StreetRuleForm(forms.Form):
    street = forms.CharField(label=_("Street"), max_length=200,
                             help_text=_("As written in addresses, without number: “avenue Saint-Jérôme”. "
                                         "Abbreviations (av., bd, ch.) and accents do not matter."))
    sector = forms.ChoiceField(label=_("Sector"))

    def __init__(self, *args, sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "—")] + [(str(s.pk), s.name) for s in sectors]


class BatchForm(forms.Form):
    kind = forms.ChoiceField(choices=[(BatchKind.INVITATION, BatchKind.INVITATION.label),
                                      (BatchKind.REMINDER, BatchKind.REMINDER.label)], widget=forms.HiddenInput)
    scope = forms.ChoiceField(label=_("Households"), required=False, widget=forms.RadioSelect, choices=[
        ("new", _("Households that never had an invitation letter")),
        ("all", _("All households (reprint every letter)")),
    ])
    # Reminders: the sectors to remind (sector pks, "none" for households without sector).
    sectors = forms.MultipleChoiceField(label=_("Sectors"), required=False, widget=forms.CheckboxSelectMultiple)
    # Asked only when the letter prints a reply date already past (selectors.deadline_warning).
    accept_past_deadline = forms.BooleanField(required=False)

    def __init__(self, *args, sector_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].choices = [(key, key) for key in sector_keys]


class ReissueForm(forms.Form):
    reason = forms.CharField(label=_("Why is the letter re-issued?"), max_length=REASON_MAX,
                             help_text=_("For example “letter lost” or “code given to a neighbour”."))


# --- Correcting households ----------------------------------------------------------------------


class HouseholdForm(forms.Form):
    """The household's name and address; cleaned and checked by ``services.household_update``."""

    name = forms.CharField(label=_("Name on the letter"), required=False, max_length=200,
                           help_text=_("Optional, e.g. “Famille Martin”."))
    address_line1 = forms.CharField(label=_("Address"), max_length=200, help_text=_("Number and street."))
    address_line2 = forms.CharField(label=_("Address (continued)"), required=False, max_length=200,
                                    help_text=_("Building, staircase, flat…"))
    address_line3 = forms.CharField(label=_("Address line 3"), required=False, max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=12)
    city = forms.CharField(label=_("City"), max_length=120)


class HouseholdSectorForm(forms.Form):
    sector = forms.ChoiceField(label=_("Sector"))

    def __init__(self, *args, sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = (
            [("rules", _("Decided by the street rules")), ("none", _("No sector (chosen by hand)"))]
            + [(str(s.pk), s.name) for s in sectors]
        )


class HouseholdDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why is this household deleted?"), max_length=REASON_MAX,
                             help_text=_("For example “vacant home, letter returned” or “address imported twice”."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "delete_%s")  # the re-issue form on the same page has a "reason" too
        super().__init__(*args, **kwargs)

"""The forms of the campaign back office (``views_campaigns``). They check shapes and lengths; the
rules that matter (a free, well-formed address; a locked address once letters exist; a valid
contact) are ``campaigns.services``', shown on the fields by ``core.forms.apply_errors``."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from concerto.campaigns.models import SupportLevel


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name of the campaign"), max_length=200,
                           help_text=_("For example: Concertation Saint-Jérôme 2026."))
    slug = forms.CharField(
        label=_("Address"), max_length=80,
        help_text=_("The end of the campaign's web address (/c/address/), printed on the letters: lowercase "
                    "letters without accents, digits and hyphens, e.g. “saint-jerome”."))
    territory = forms.CharField(label=_("Territory"), max_length=200,
                                help_text=_("The neighbourhood and town, e.g. Saint-Jérôme, Aix-en-Provence."))
    description = forms.CharField(label=_("Home text"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("Shown on the campaign's home page. Plain text; blank lines "
                                              "separate paragraphs."))
    support_level = forms.ChoiceField(label=_("Who may support and propose"), choices=SupportLevel.choices,
                                      widget=forms.RadioSelect)
    allow_email_join = forms.BooleanField(label=_("Residents may join by e-mail without a letter code"),
                                          required=False)
    is_public = forms.BooleanField(label=_("List the campaign on the home page"), required=False)
    languages = forms.MultipleChoiceField(label=_("Languages of the campaign"), choices=settings.LANGUAGES,
                                          widget=forms.CheckboxSelectMultiple)
    contact_name = forms.CharField(label=_("Contact name"), max_length=120, required=False,
                                   help_text=_("A person or a team, e.g. Comité de quartier Saint-Jérôme."))
    contact_email = forms.CharField(label=_("Contact e-mail"), max_length=254, required=False,
                                    widget=forms.EmailInput)
    contact_phone = forms.CharField(label=_("Contact telephone"), max_length=40, required=False,
                                    widget=forms.TextInput(attrs={"type": "tel"}))
    contact_note = forms.CharField(
        label=_("Where and when to meet the organisers"), max_length=300, required=False,
        help_text=_("For example: drop-in every Tuesday 5–7 pm at the community centre, 5 rue des Lilas."))
    legal_notice = forms.CharField(label=_("Legal notice"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                                   help_text=_("Who publishes the site, its publication director and its host. "
                                               "Plain text."))
    privacy_notice = forms.CharField(
        label=_("Privacy notice"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What is collected, why, for how long, who sees it, and whom to ask to see or erase "
                    "one's data. Plain text."))

    def __init__(self, *args, slug_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if slug_locked:
            field = self.fields["slug"]
            field.disabled = True
            field.help_text = _("Letters were already generated with this address: it can no longer change.")

    def clean_slug(self):
        return self.cleaned_data["slug"].strip()


class CampaignCreateForm(CampaignForm):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, choices=())

    field_order = ["organisation"]

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.choices = [(o.pk, o.name) for o in organisations]
        # One organisation: nothing to choose, the field is not shown.
        self.only = organisations[0].pk if len(organisations) == 1 else None
        if self.only is not None:
            field.required = False

    def clean_organisation(self):
        return self.cleaned_data.get("organisation") or self.only


class ConsentTextForm(forms.Form):
    text = forms.CharField(
        label=_("Consent text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What residents accept when they join: what their account is for, what is shown "
                    "publicly, how to leave. Saving makes a new version; earlier versions stay as they were."))


class ConfirmForm(forms.Form):
    """Archive and restore: a POST with the CSRF token, nothing else."""

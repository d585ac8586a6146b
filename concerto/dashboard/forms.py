"""The forms of “Mon espace” (``/moi/``): public name, API tokens, account deletion.

They live with the pages that show them; residents' services do the work.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

# The token form offers the scopes and lifetimes residents' tokens have (an enum and two
# constants, listed in pyproject.toml's exceptions to "no app imports another app's models").
from concerto.residents.models import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, TokenScope


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Public name"), max_length=60, required=False,
        help_text=_("Shown next to your comments. Leave empty to appear as “Resident #n”."),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80,
                           help_text=_("For example the script or tool that will use it."))
    scope = forms.ChoiceField(
        label=_("What the token may do"), choices=TokenScope.choices, initial=TokenScope.READ, required=False,
        help_text=_("A read-only token cannot support, propose, comment or change anything."),
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"), coerce=int, initial=TOKEN_DEFAULT_DAYS, required=False, empty_value=TOKEN_DEFAULT_DAYS,
        choices=[(7, _("1 week")), (30, _("30 days")), (90, _("90 days")), (180, _("6 months")),
                 (TOKEN_MAX_DAYS, _("1 year"))],
    )

    def clean_scope(self):
        # A form posted without a scope (an older page) gets the least: read only.
        return self.cleaned_data["scope"] or TokenScope.READ


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(label=_("Type DELETE to confirm"), max_length=20)

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip().upper()
        if value not in {"DELETE", "SUPPRIMER"}:
            raise forms.ValidationError(_("Type DELETE to confirm the deletion."))
        return value

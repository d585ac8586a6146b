from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TEAM_ROLES


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class PasswordForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def _team_role_choices():
    return [(role.value, role.label) for role in TEAM_ROLES]


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=_team_role_choices, widget=forms.RadioSelect)


class RoleRemoveForm(forms.Form):
    role = forms.CharField(max_length=20)


def _password_field(label, autocomplete="new-password", help_text=""):
    return forms.CharField(label=label, strip=False, help_text=help_text,
                           widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}))


PASSWORD_HELP = _("At least 12 characters, not a common password, and not close to your name or e-mail address.")


class NewPasswordForm(forms.Form):
    password = _password_field(_("New password"), help_text=PASSWORD_HELP)
    password_again = _password_field(_("New password, again"))


class InvitationAcceptForm(NewPasswordForm):
    display_name = forms.CharField(
        label=_("Your public name"), max_length=60,
        help_text=_("Shown to residents next to your role, for example “Claire Martin”."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["display_name", "password", "password_again"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Choose a password")
        self.fields["password_again"].label = _("The same password, again")


class PasswordResetForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "username", "inputmode": "email"}))


class PasswordChangeForm(NewPasswordForm):
    current_password = _password_field(_("Current password"), autocomplete="current-password")
    field_order = ["current_password", "password", "password_again"]

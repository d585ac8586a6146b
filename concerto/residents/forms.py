from django import forms
from django.utils.translation import gettext_lazy as _


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


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Public name"), max_length=60, required=False,
        help_text=_("Shown next to your comments. Leave empty to appear as “Resident #n”."),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80,
                           help_text=_("For example the script or tool that will use it."))


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(label=_("Type DELETE to confirm"), max_length=20)

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip().upper()
        if value not in {"DELETE", "SUPPRIMER"}:
            raise forms.ValidationError(_("Type DELETE to confirm the deletion."))
        return value

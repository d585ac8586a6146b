"""Forms of the join page and of the code + PIN sign-in. They check shapes only; the rules
(check character, PIN strength, uses left) are in ``joining`` so that the API applies them too."""

from django import forms
from django.utils.translation import gettext_lazy as _

CODE_HELP = _("10 characters, printed in large type on your letter, for example K7QM-4XPT-9C. "
              "Dashes and spaces are optional; upper or lower case.")


def _code_field(**kwargs):
    return forms.CharField(
        label=_("Code printed on your letter"), max_length=40, help_text=CODE_HELP,
        widget=forms.TextInput(attrs={
            "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "size": 14,
        }),
        error_messages={"required": _("Please type the code printed on your letter.")},
        **kwargs,
    )


def _pin_field(label, help_text="", autocomplete="new-password"):
    return forms.CharField(
        label=label, max_length=6, min_length=4, help_text=help_text, strip=True,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": autocomplete,
                                          "pattern": "[0-9]*", "size": 8}),
        error_messages={
            "required": _("Type your PIN (4 to 6 digits)."),
            "min_length": _("Choose a PIN of 4 to 6 digits (numbers only)."),
            "max_length": _("Choose a PIN of 4 to 6 digits (numbers only)."),
        },
    )


def _name_field(required: bool, help_text):
    return forms.CharField(
        label=_("Public name"), max_length=60, required=required, help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        error_messages={"required": _(
            "Type a public name (for example your first name): it tells you apart from the other members "
            "of your household when you sign in."
        )},
    )


class CodeForm(forms.Form):
    """Step 1: the code (pre-filled from ``?code=`` when the QR code was scanned)."""

    code = _code_field()


class EmailJoinForm(forms.Form):
    """Step 2, with an e-mail address."""

    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    email = forms.EmailField(
        label=_("Your e-mail address"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    display_name = _name_field(False, _("Shown next to your comments. Leave empty to appear as “Resident #n”."))


class PinJoinForm(forms.Form):
    """Step 2, without e-mail: a public name and a PIN typed twice."""

    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    display_name = _name_field(True, _("For example your first name. Other members of your household may join "
                                       "with the same code: your name tells you apart."))
    pin = _pin_field(_("Choose a PIN"), _("4 to 6 digits you will remember. Not 0000, 1234 or the like."))
    pin_again = _pin_field(_("Type the PIN again"))


class PinSignInForm(forms.Form):
    code = _code_field()
    pin = _pin_field(_("Your PIN"), autocomplete="current-password")
    display_name = forms.CharField(
        label=_("Your public name (only if asked)"), max_length=60, required=False,
        help_text=_("Needed only when several people of your household joined with the same code and PIN."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

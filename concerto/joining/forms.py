"""Forms of the join page and of the code + PIN sign-in. They check shapes only; the rules
(check character, PIN strength, uses left) are in ``joining`` so that the API applies them too."""

from django import forms
from django.utils.formats import date_format
from django.utils.timezone import localtime
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


class PinResetFindForm(forms.Form):
    """The organiser's PIN reset, step 1: the household's code (shown on its page under "Households")."""

    code = forms.CharField(
        label=_("The household's code"), max_length=40,
        help_text=_("As printed on the letter, or as shown on the household's page under “Households”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false", "size": 14}),
    )


class PinResetForm(forms.Form):
    """Step 2: who, and which new PIN (a random one, or the one the resident chose)."""

    GENERATE, CHOSEN = "generate", "chosen"

    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    user = forms.TypedChoiceField(label=_("Resident"), coerce=int, widget=forms.RadioSelect,
                                  error_messages={"required": _("Choose the resident whose PIN to reset.")})
    mode = forms.ChoiceField(
        label=_("New PIN"), widget=forms.RadioSelect, initial=GENERATE,
        choices=[(GENERATE, _("Generate a random PIN of 6 digits, to tell the resident")),
                 (CHOSEN, _("Type the PIN the resident chose (4 to 6 digits)"))],
    )
    pin = _pin_field(_("PIN chosen by the resident"), autocomplete="off")
    pin_again = _pin_field(_("The same PIN, again"), autocomplete="off")

    def __init__(self, *args, uses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [
            (use.user_id, _("%(name)s (joined on %(date)s)") % {
                "name": use.user.public_name, "date": date_format(localtime(use.created_at), "j F Y")})
            for use in uses
        ]
        if len(uses) == 1:
            self.fields["user"].initial = uses[0].user_id
        self.fields["pin"].required = self.fields["pin_again"].required = False

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.GENERATE:
            data["pin"] = data["pin_again"] = ""
        elif data.get("mode") == self.CHOSEN and not data.get("pin"):
            self.add_error("pin", _("Type the PIN the resident chose (4 to 6 digits)."))
        return data

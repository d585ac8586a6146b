from django.utils.translation import gettext_lazy as _

from concerto.core.errors import Invalid, NotAllowed


class LinkInvalid(Invalid):
    code = "link_invalid"

    def __init__(self):
        super().__init__(_("This sign-in link is invalid, expired or already used. Ask for a new one."))


class CannotJoin(NotAllowed):
    code = "cannot_join"

    def __init__(self):
        super().__init__(_("You cannot take part in this campaign with this account."))

"""Fictitious values for previews and for checking a letter's text before it is saved.

Never a real household, address or code: previews are passed around for proofreading (issue 8,
F12). Texts go through gettext like any other; nothing here is seed data.
"""

from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

from .codes import check_character

# Nine fixed data characters of the sample code; its check character makes it well-formed.
CODE_DATA = "K7QM4XPT9"
# Only fills {lien} while the text is checked; previews print the campaign's real join page.
LINK = "https://example.org/"


def address_lines() -> list[str]:
    """A fictitious household: name, street, town."""
    return [_("Sample Household"), _("1 Example Street"), _("00000 Sample Town")]


def code() -> str:
    """A well-formed code (length, alphabet and check character); the caller makes sure no household holds it."""
    return CODE_DATA + check_character(CODE_DATA)


def deadline() -> str:
    """``{date_limite}`` while the campaign has no phase to take it from: 1 January, in the active language."""
    return formats.date_format(date(2000, 1, 1), "j F")

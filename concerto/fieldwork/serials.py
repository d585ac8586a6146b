"""Paper form serials: generation, printing and forgiving parsing.

A canonical serial is six characters of the letters' alphabet (``letters.codes.ALPHABET``: 31
symbols, no 0/O, no 1/I/L): five random data characters and one check character. The check uses
the letters' weighted scheme, with six weights instead of ten: since 31 is prime and every weight
(1..6) is below it, the check catches every single mistyped character and every swap of two
neighbouring characters before any lookup (tests/test_paper_serials.py tries them all).

Check scheme: with the values v1..v6 of the six characters (v6 being the check character), the
serial is valid when  sum(i * v_i for i in 1..6) ≡ 0 (mod 31).

Random rather than sequential: a typed serial that passes the check by chance (two typos) almost
never names another printed sheet (31**5 ≈ 28.6 million serials per campaign), so it is refused as
unknown instead of landing on a neighbour's sheet.
"""

import secrets
import uuid

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concerto.letters.codes import ALPHABET, SEPARATORS

from .errors import SerialInvalid

BASE = len(ALPHABET)  # 31, prime
DATA_LENGTH = 5
LENGTH = DATA_LENGTH + 1
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_INVERSE_CHECK_WEIGHT = pow(LENGTH, -1, BASE)
_LOOKALIKES = frozenset("0O1IL")
_NAMESPACE = uuid.UUID("3f0b9d1e-2a57-4c52-9a43-6d0c1f0e5a17")


def sheet_client_id(campaign_id: int, serial: str) -> uuid.UUID:
    """The participation id of a sheet (``Participation.client_id``, unique): derived from the serial,
    so a sheet can never be applied twice, whatever the path."""
    return uuid.uuid5(_NAMESPACE, f"{campaign_id}:{serial}")


def check_character(data: str) -> str:
    """The check character that makes ``data`` (five canonical characters) a valid serial."""
    total = sum(weight * _VALUE[symbol] for weight, symbol in enumerate(data, start=1))
    return ALPHABET[(-total * _INVERSE_CHECK_WEIGHT) % BASE]


def is_valid_check(canonical: str) -> bool:
    return sum(weight * _VALUE[symbol] for weight, symbol in enumerate(canonical, start=1)) % BASE == 0


def new_serial() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return data + check_character(data)


def format_serial(canonical: str) -> str:
    """Two groups of three for paper and screens: ``K7Q-M4X``."""
    return f"{canonical[:3]}-{canonical[3:]}"


def parse_serial(text: str) -> str:
    """The canonical serial of what staff typed (dashes, spaces and case forgiven), or
    ``SerialInvalid`` saying exactly what is wrong."""
    cleaned = "".join(ch for ch in (text or "") if ch not in SEPARATORS).upper()
    if not cleaned:
        raise SerialInvalid(_("Type the form number printed at the top right of the form."), code="serial_empty")
    wrong = [ch for ch in cleaned if ch not in _VALUE]
    if wrong:
        if wrong[0] in _LOOKALIKES:
            message = gettext("Form numbers never contain O, I or L, nor 0 or 1: you typed “%(character)s”. "
                              "Look at that character on the form again.") % {"character": wrong[0]}
        else:
            message = gettext("Form numbers only contain capital letters and the digits 2 to 9: "
                              "“%(character)s” cannot be part of one.") % {"character": wrong[0]}
        raise SerialInvalid(message, code="serial_characters")
    if len(cleaned) != LENGTH:
        message = gettext("A form number has %(expected)d characters (not counting the dash); you typed "
                          "%(count)d.") % {"expected": LENGTH, "count": len(cleaned)}
        raise SerialInvalid(message, code="serial_length")
    if not is_valid_check(cleaned):
        raise SerialInvalid(_("One character of this form number is mistyped (or two neighbouring characters are "
                              "swapped): check it against the form."), code="serial_check")
    return cleaned

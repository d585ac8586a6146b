"""Invitation codes: generation, paper formatting and forgiving parsing.

A canonical code is ten characters from ``ALPHABET``: nine random data characters and one
check character. The alphabet has 31 symbols (no 0/O, no 1/I/L) and 31 is prime, so the
weighted check below catches every single mistyped character and every swap of two
neighbouring characters before any database lookup (see docs/joining.md and test_codes.py).

Check scheme: with the values v1..v10 of the ten characters (v10 being the check character),
the code is valid when  sum(i * v_i for i in 1..10) ≡ 0 (mod 31).
"""

import secrets

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import CodeError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, prime
DATA_LENGTH = 9  # 31**9 ≈ 2**44.6
LENGTH = DATA_LENGTH + 1
GROUPS = (4, 4, 2)
SEPARATORS = " -._\t\u00a0\u202f\u2010\u2011\u2012\u2013\u2014"

_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
# Inverse of the check character's weight (10) modulo 31: 10 * 28 = 280 = 9 * 31 + 1.
_INVERSE_CHECK_WEIGHT = pow(LENGTH, -1, BASE)

# Characters left out of the alphabet because they are easy to confuse.
_LOOKALIKES = frozenset("0O1IL")


def check_character(data: str) -> str:
    """The check character that makes ``data`` (nine canonical characters) a valid code."""
    total = sum(weight * _VALUE[symbol] for weight, symbol in enumerate(data, start=1))
    return ALPHABET[(-total * _INVERSE_CHECK_WEIGHT) % BASE]


def is_valid_check(canonical: str) -> bool:
    return sum(weight * _VALUE[symbol] for weight, symbol in enumerate(canonical, start=1)) % BASE == 0


def new_code() -> str:
    """A fresh random canonical code (about 44.6 bits of randomness)."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return data + check_character(data)


def format_code(canonical: str) -> str:
    """Groups of 4-4-2 characters for paper: ``K7QM-4XPT-9C``."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(canonical[start : start + size])
        start += size
    if canonical[start:]:
        parts.append(canonical[start:])
    return "-".join(part for part in parts if part)


def _strip(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch not in SEPARATORS).upper()


def parse_code(text: str) -> str:
    """The canonical form of what the resident typed, or ``CodeError`` saying exactly what is wrong."""
    cleaned = _strip(text)
    if not cleaned:
        raise CodeError("empty", _("Please type the code printed on your letter."))
    wrong = [ch for ch in cleaned if ch not in _VALUE]
    if wrong:
        first = wrong[0]
        if first in _LOOKALIKES:
            message = gettext(
                "Codes never contain the letters O, I or L, nor the digits 0 and 1, because they are too easy "
                "to confuse. You typed “%(character)s”: look at that character on your letter again."
            ) % {"character": first}
        else:
            message = gettext(
                "Codes only contain capital letters and the digits 2 to 9 (never O, I, L, 0 or 1). "
                "The character “%(character)s” cannot be part of a code."
            ) % {"character": first}
        raise CodeError("characters", message)
    if len(cleaned) != LENGTH:
        message = gettext(
            "A code has exactly %(expected)d characters (not counting dashes); you typed %(count)d."
        ) % {"expected": LENGTH, "count": len(cleaned)}
        raise CodeError("length", message)
    if not is_valid_check(cleaned):
        raise CodeError(
            "check",
            _(
                "One character of this code is mistyped (or two neighbouring characters are swapped). "
                "Check each character against your letter."
            ),
        )
    return cleaned

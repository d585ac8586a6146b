"""Joining's failure budgets: counting an attempt before it is checked, and the 429 a resident reads.

Every budget counts the attempt atomically *before* checking it (``take``), and gives the slot
back when the attempt was right (``give_back``): a burst of simultaneous requests gets no more
checks than the budget, and only failures stay counted. Numbers and reasoning: docs/joining.md,
"Brute force".

Codes: only well-formed codes that are not found count as failures (a code whose check character
is wrong cannot be a guess at a real code, it is a typo caught before any lookup).

- Per address (``join_code_ip``): once spent, every code typed from that address answers 429,
  a valid one included. Letting a valid code through would tell a guesser which of their guesses
  exist (429 for the wrong ones, a form for the right one) and so give them unlimited guesses. The
  cost falls on people sharing the guesser's address only; a resident who mistypes is not counted
  (check character), and the pause is short.
- Per campaign (``join_code_campaign``): an alert, never a block. Blocking there let anyone
  suspend joining for everybody with 300 random codes. Reaching the threshold logs
  ``letters.code.alert`` and e-mails the organisers, once per window.

PIN sign-in counts wrong PINs per address (``code_pin_ip``), per code and address
(``code_pin_code_ip``, tight) and per code (``code_pin_code``, larger), both over a week.
Someone typing wrong PINs from one address locks only that address out of that code: the owner
signs in from theirs. Several addresses together can pause the code for new browsers, at a rate
(20 PINs a week) that keeps a 4-digit PIN out of reach for years; a browser where a PIN user of the
code signed in before (signed cookie, ``services.PIN_DEVICE_COOKIE``) counts against that account's
own budget only (``code_pin_device``), so its owner is never locked out by others.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import ngettext_lazy

from concerto.core import ratelimit
from concerto.core.audit import log_action
from concerto.core.errors import RateLimited
from concerto.letters.tasks import send_code_guessing_alert

_HOUSEHOLD_PAUSED_HERE = ngettext_lazy(
    "After several wrong PINs, signing in with this code is paused here for up to %(days)d day to "
    "protect your household's accounts. If you forgot your PIN, ask the organisers.",
    "After several wrong PINs, signing in with this code is paused here for up to %(days)d days to "
    "protect your household's accounts. If you forgot your PIN, ask the organisers.",
    "days",
)
# What a resident reads once a budget is spent: the unit of the window it names, and the text.
_REFUSALS = {
    "join_code_ip": ("minutes", ngettext_lazy(
        "Too many wrong codes were typed from your connection. For security, joining with a code is "
        "paused for %(minutes)d minute. Your code is not lost: try again later.",
        "Too many wrong codes were typed from your connection. For security, joining with a code is "
        "paused for %(minutes)d minutes. Your code is not lost: try again later.",
        "minutes",
    )),
    "code_pin_ip": ("minutes", ngettext_lazy(
        "Too many wrong attempts from your connection. For security, please wait %(minutes)d minute "
        "and try again.",
        "Too many wrong attempts from your connection. For security, please wait %(minutes)d minutes "
        "and try again.",
        "minutes",
    )),
    "code_pin_code_ip": ("days", _HOUSEHOLD_PAUSED_HERE),
    "code_pin_device": ("days", _HOUSEHOLD_PAUSED_HERE),
    "code_pin_code": ("days", ngettext_lazy(
        "After many wrong PINs, signing in with this code is paused for up to %(days)d day to protect your "
        "household's accounts. If you did not type them, or if you forgot your PIN, tell the organisers.",
        "After many wrong PINs, signing in with this code is paused for up to %(days)d days to protect your "
        "household's accounts. If you did not type them, or if you forgot your PIN, tell the organisers.",
        "days",
    )),
}
_UNIT_SECONDS = {"minutes": 60, "days": 86400}


def window(scope: str, unit: str = "minutes") -> int:
    """The length of ``scope``'s window in whole minutes or days, at least 1."""
    return max(1, settings.CONCERTO_RATE_LIMITS[scope][1] // _UNIT_SECONDS[unit])


def refusal(scope: str) -> RateLimited:
    """The 429 of a spent budget, in words a resident understands."""
    unit, message = _REFUSALS[scope]
    return RateLimited(message % {unit: window(scope, unit)})


def take(*buckets: tuple[str, str]) -> list[ratelimit.Slot]:
    """Count this attempt in each ``(scope, ident)`` budget, atomically and before anything is checked.

    Over a budget, the attempt is refused (429) and every slot it took is given back: a refused
    attempt checks nothing, so it must not eat into the next budgets (one address spending the
    budget of a whole code, for instance). The caller gives the slots back when the attempt was
    right (``give_back``); a wrong attempt keeps them, so that only failures stay counted.
    """
    slots = []
    for scope, ident in buckets:
        slot = ratelimit.take(scope, ident)
        slots.append(slot)
        if not slot.allowed:
            give_back(slots)
            raise refusal(scope)
    return slots


def give_back(slots: list[ratelimit.Slot]) -> None:
    for slot in slots:
        ratelimit.release(slot)


def campaign_failure(campaign, ip: str) -> None:
    """One more unknown code for the whole campaign: an alert to its organisers, never a block.

    The count is atomic, so exactly one request per window reaches the threshold and raises the
    alert (an audit entry, and an e-mail sent once the transaction commits).
    """
    slot = ratelimit.take("join_code_campaign", str(campaign.pk))
    if slot.count != slot.limit:
        return
    minutes = window("join_code_campaign")
    log_action("letters.code.alert", scope=campaign.slug, failures=slot.count, minutes=minutes, ip=ip_digest(ip))
    campaign_id, failures, language = campaign.pk, slot.count, settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send_code_guessing_alert.enqueue(
        campaign_id=campaign_id, failures=failures, minutes=minutes, language=language))


def ip_digest(ip: str) -> str:
    """A truncated, keyed hash of an address: enough to group attempts in the audit trail, not to recover it."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:12]


# --- Clearing a code's PIN lock-out (an organiser's PIN reset) --------------------------------------

_GENERATION_KEY = "pin-budgets-generation:{}"
_CODE_SCOPES = ("code_pin_code", "code_pin_code_ip", "code_pin_device")


def code_ident(canonical: str) -> str:
    """How the code's PIN budgets name it: the code, plus the generation set by its last reset.

    A reset cannot delete the counters kept per (code, address), since the addresses are not
    known; it starts a new generation instead, so that every budget of the code starts at zero."""
    generation = cache.get(_GENERATION_KEY.format(canonical))
    return f"{canonical}~{generation}" if generation else canonical


def code_budgets_reset(canonical: str) -> None:
    """Every PIN budget of this code starts again at zero (``code_ident``). The generation lives at
    least as long as the longest of these windows, so counters from before it never come back."""
    timeout = max(settings.CONCERTO_RATE_LIMITS[scope][1] for scope in _CODE_SCOPES) + 60
    cache.set(_GENERATION_KEY.format(canonical), secrets.token_hex(6), timeout=timeout)

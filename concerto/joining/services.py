"""Joining a campaign with a letter code, and signing in with code + PIN.

Three ways to join, one function each: signed in (``code_join_signed_in``), with an e-mail address
to prove first (``code_join_by_email``), or without e-mail, with a public name and a PIN
(``code_join_with_pin``). The failure budgets they count against: ``limits``.
"""

import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from concerto.campaigns.errors import CampaignArchived
from concerto.campaigns.selectors import campaign_is_archived
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, Invalid, RateLimited
from concerto.core.http import require
from concerto.core.text import clean_line
from concerto.letters import selectors as letters_selectors
from concerto.letters import services as letters_services
from concerto.letters.codes import parse_code
from concerto.letters.errors import CodeRejected
from concerto.residents import rules as residents_rules
from concerto.residents import services as residents_services
from concerto.residents.errors import CannotJoin

from . import limits, rules
from .errors import (
    CodeNotFound,
    CodeRevoked,
    CodeUsedUp,
    CodeWithdrawn,
    PinResidentNotFound,
    PinSignInFailed,
)

PIN_MIN, PIN_MAX = 4, 6
# A browser where someone signed in with code + PIN (or joined with a PIN) keeps a signed cookie
# naming that account: from there, its owner is not held back by the code's shared budget.
PIN_DEVICE_COOKIE = "concerto_pin_device"
PIN_DEVICE_MAX_AGE = 180 * 24 * 3600
# Named when joining lived in letters; changing it would forget every remembered browser.
_PIN_DEVICE_SALT = "concerto.letters.pin-device"
_PIN_RE = re.compile(rf"[0-9]{{{PIN_MIN},{PIN_MAX}}}")
# A hash that matches no PIN, checked when a code has no PIN user, so that every answer costs the same.
_DUMMY_PIN_HASH = None


# --- Codes --------------------------------------------------------------------------------------


def code_lookup(*, campaign, text: str, ip: str, user=None):
    """The campaign's code typed by a resident, checked in this order: format (not counted),
    failure budget (429), existence (a failure is counted and logged), revocation, remaining uses.

    ``user``: a code that this user already redeemed is never "used up" for them.
    An archived campaign takes no new resident: ``CampaignArchived`` (403) before anything is counted.
    """
    if campaign_is_archived(campaign):
        raise CampaignArchived()
    canonical = parse_code(text)
    slots = limits.take(("join_code_ip", ip))
    code = letters_selectors.code_for(campaign, canonical)
    if code is None:
        limits.campaign_failure(campaign, ip)
        log_action("letters.code.failed", actor=user, scope=campaign.slug, ip=limits.ip_digest(ip))
        raise CodeNotFound()
    limits.give_back(slots)  # a real code (even revoked or used up) is not a guess
    if code.revoked_at is not None:
        raise CodeWithdrawn() if code.household_id is None else CodeRevoked()
    already = user is not None and user.is_authenticated and letters_selectors.code_use_of(code, user) is not None
    if code.use_count >= code.max_uses and not already:
        raise CodeUsedUp(code.use_count)
    return code


def _redeem(user, code, pin_hash: str):
    campaign = code.campaign
    if not rules.can_join_with_code(user, campaign):
        raise CannotJoin()
    sector = code.household.sector
    existing = letters_selectors.code_use_of(code, user)
    if existing is not None:
        if not residents_rules.is_letter_verified(user, campaign):
            residents_services.resident_verify_by_letter(user=user, campaign=campaign, sector=sector)
        return existing
    use = letters_services.code_use_take(code=code, user=user, pin_hash=pin_hash)
    if use is None:
        if code.revoked_at is not None:
            raise CodeRevoked()
        raise CodeUsedUp(code.use_count)
    residents_services.resident_verify_by_letter(user=user, campaign=campaign, sector=sector)
    return use


def code_redeem(*, user, code, pin_hash: str = ""):
    """Use one of the code's places for the user (idempotent per user) and verify them by letter."""
    try:
        with transaction.atomic():
            return _redeem(user, code, pin_hash)
    except IntegrityError:
        # The same person, in two simultaneous requests: the other one counted.
        existing = letters_selectors.code_use_of(code, user)
        if existing is None:
            raise
        return existing


# --- PIN ----------------------------------------------------------------------------------------


def _trivial_pin(pin: str) -> bool:
    digits = [int(d) for d in pin]
    steps = {b - a for a, b in zip(digits, digits[1:], strict=False)}
    if len(set(digits)) == 1 or steps in ({1}, {-1}):  # 0000, 1234, 9876
        return True
    if len(pin) % 2 == 0 and pin == pin[:2] * (len(pin) // 2):  # 1212, 454545
        return True
    if len(pin) == 6 and pin[:3] == pin[3:]:  # 123123
        return True
    return pin in {"2580", "0852", "1004", "2000", "1100", "1122", "6969"}


def pin_validate(pin: str, pin_again: str) -> str:
    """The PIN chosen by a resident without e-mail, or ``FieldErrors`` saying what is wrong."""
    pin = (pin or "").strip()
    if not _PIN_RE.fullmatch(pin):
        raise FieldErrors({"pin": _("Choose a PIN of 4 to 6 digits (numbers only).")})
    if _trivial_pin(pin):
        raise FieldErrors({"pin": _(
            "This PIN is too easy to guess (same digit, a sequence like 1234, or a repeated pattern). "
            "Choose another one."
        )})
    if (pin_again or "").strip() != pin:
        raise FieldErrors({"pin_again": _("The two PINs are different. Type the same PIN twice.")})
    return pin


def _dummy_hash() -> str:
    global _DUMMY_PIN_HASH
    if _DUMMY_PIN_HASH is None:
        _DUMMY_PIN_HASH = make_password("no-pin-matches-this")
    return _DUMMY_PIN_HASH


def _same_name(a: str, b: str) -> bool:
    return clean_line(a).casefold() == clean_line(b).casefold()


def pin_device_token(user) -> str:
    """The value of ``PIN_DEVICE_COOKIE`` after ``user`` signed in (or joined) with a PIN on this browser."""
    return signing.dumps(user.pk, salt=_PIN_DEVICE_SALT)


def _device_user_id(canonical: str, device: str) -> int | None:
    """The PIN user of this code named by a valid device cookie, or None."""
    if not device:
        return None
    try:
        user_id = signing.loads(device, salt=_PIN_DEVICE_SALT, max_age=PIN_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    return user_id if letters_selectors.is_pin_user_of(canonical, user_id) else None


def _pin_budgets(canonical: str, ip: str, device: str) -> list[tuple[str, str]]:
    """Which budgets an attempt counts against (docs/joining.md, "Brute force").

    From a browser where a PIN user of this code signed in before, only that account's own budget:
    nobody else can spend it, so nobody else can lock its owner out. Anywhere else: the address,
    the code from this address (tight), and the code from everywhere (larger).
    """
    device_user = _device_user_id(canonical, device)
    ident = limits.code_ident(canonical)  # changes when an organiser resets a PIN of the code
    if device_user is not None:
        return [("code_pin_device", f"{ident}|{device_user}")]
    return [("code_pin_ip", ip), ("code_pin_code_ip", f"{ident}|{ip}"), ("code_pin_code", ident)]


def pin_sign_in(*, text: str, pin: str, ip: str, display_name: str = "", device: str = ""):
    """The resident without e-mail who joined with this code and chose this PIN.

    Same answer whether the code or the PIN is wrong. Every PIN user of the code is checked
    (constant work). When two members of a household chose the same PIN, their public name
    tells them apart. ``device``: the ``PIN_DEVICE_COOKIE`` sent by the browser, if any.
    """
    canonical = parse_code(text)
    slots = limits.take(*_pin_budgets(canonical, ip, device))
    uses = letters_selectors.pin_uses_for(canonical)
    pin = (pin or "").strip()
    matches = [use for use in uses if check_password(pin, use.pin_hash)]
    if not uses:
        check_password(pin, _dummy_hash())
    matches = [use for use in matches if use.user.is_active]
    if display_name.strip():
        matches = [use for use in matches if _same_name(use.user.display_name, display_name)]
    if len(matches) != 1:
        scope = uses[0].code.campaign.slug if uses else ""
        log_action("letters.pin.failed", scope=scope, ip=limits.ip_digest(ip))
        if slots[-1].scope == "code_pin_code" and slots[-1].count == slots[-1].limit:
            log_action("letters.pin.locked", scope=scope, ip=limits.ip_digest(ip))
        raise PinSignInFailed()
    limits.give_back(slots)
    use = matches[0]
    log_action("letters.pin.signed_in", actor=use.user, scope=use.code.campaign.slug, target=use.user)
    return use.user


# --- Joining ------------------------------------------------------------------------------------


@dataclass
class JoinResult:
    """What happened: ``sign_in`` says whether the view must sign ``user`` in."""

    user: object = None
    code_use: object = None
    created: bool = False
    sign_in: bool = False
    link_sent: bool = False
    email: str = ""
    demo_link: str = ""
    sector: object = None


def code_join_signed_in(*, user, campaign, text: str, ip: str) -> JoinResult:
    """A signed-in person joins ``campaign`` with a letter code (a resident who joined by e-mail
    becomes verified by letter). Idempotent: the same person twice uses one place."""
    if not rules.can_join_with_code(user, campaign):
        raise CannotJoin()
    code = code_lookup(campaign=campaign, text=text, ip=ip, user=user)
    use = code_redeem(user=user, code=code)
    return JoinResult(user=user, code_use=use, sector=code.household.sector)


def _public_name(display_name: str) -> str:
    name = clean_line(display_name or "")
    if len(name) > 60:
        raise FieldErrors({"display_name": _("The public name is limited to 60 characters.")})
    return residents_services.public_name_clean(name, field="display_name") if name else name


def code_join_by_email(
    *, campaign, text: str, ip: str, email: str, build_url, display_name: str = "", next_url: str = "",
) -> JoinResult:
    """Someone signed out joins with an e-mail address: nothing is created and nobody is signed in
    yet; a sign-in link is sent to the address. Opening it (``code_join_after_link``) signs them in,
    keeps the public name typed here and uses the code, then leads to ``next_url``.

    ``build_url(secret)`` makes the link. Whether or not an account has the address, the answer is
    the same: signing in here would let anyone holding a letter take over, or squat, someone else's
    address, and answering differently for known addresses would reveal who has an account.
    """
    name = _public_name(display_name)  # refused names are refused here too, before the link is sent
    try:
        email = residents_services.normalise_email((email or "").strip())
    except Invalid as exc:
        raise FieldErrors({"email": exc.message}) from exc
    code = code_lookup(campaign=campaign, text=text, ip=ip)
    link = residents_services.sign_in_link_request(
        email=email, ip=ip, build_url=build_url, next_url=next_url,
        intent={"display_name": name, "code": code.code, "campaign": campaign.slug})
    return JoinResult(link_sent=True, email=email, demo_link=link, sector=code.household.sector)


@dataclass
class LinkJoin:
    """What opening a join link did: ``user`` is signed in; ``joined`` is the JoinResult, or None with
    ``error`` (the code was used up or revoked meanwhile: the view offers the join page again)."""

    user: object
    next_url: str
    code: str = ""
    joined: JoinResult | None = None
    error: object = None


def code_join_after_link(*, secret: str, campaign, ip: str) -> LinkJoin:
    """The link of ``code_join_by_email`` opened: sign-in (the account is created on first use, with
    the public name typed when joining), then the code is used for that account, in one step."""
    user, link = residents_services.sign_in_link_use(secret=secret)
    intent = link.intent or {}
    code = str(intent.get("code") or "")
    outcome = LinkJoin(user=user, next_url=link.next_url, code=code)
    if not code or intent.get("campaign") != campaign.slug:
        return outcome
    try:
        outcome.joined = code_join_signed_in(user=user, campaign=campaign, text=code, ip=ip)
    except (CannotJoin, CodeRejected, RateLimited) as exc:
        outcome.error = exc
    return outcome


def code_join_with_pin(*, campaign, text: str, ip: str, display_name: str, pin: str, pin_again: str) -> JoinResult:
    """Someone without e-mail joins with a public name (telling the household's members apart) and a
    PIN typed twice: a new account, signed in by the caller (``result.sign_in``)."""
    name = _public_name(display_name)
    errors = {}
    if not name:
        errors["display_name"] = _(
            "Type a public name (for example your first name): it tells you apart from the other members "
            "of your household when you sign in."
        )
    try:
        pin = pin_validate(pin, pin_again)
    except FieldErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    code = code_lookup(campaign=campaign, text=text, ip=ip)
    if any(_same_name(other, name) for other in letters_selectors.pin_names_of(code)):
        raise FieldErrors({"display_name": _(
            "Someone of your household already joined with this name. Choose another one, for example "
            "add the initial of your surname."
        )})
    with transaction.atomic():
        new_user = residents_services.resident_create_without_email(display_name=name)
        use = code_redeem(user=new_user, code=code, pin_hash=make_password(pin))
        log_action("residents.account.created", actor=new_user, scope=campaign.slug, target=new_user,
                   via="letter_code_pin")
    return JoinResult(user=new_user, code_use=use, created=True, sign_in=True, sector=code.household.sector)


# --- PIN reset by an organiser ---------------------------------------------------------------------


def _new_pin() -> str:
    while True:
        pin = f"{secrets.randbelow(10 ** PIN_MAX):0{PIN_MAX}d}"
        if not _trivial_pin(pin):
            return pin


def pin_residents_of(*, by, campaign, text: str):
    """For the organiser's PIN reset page: the campaign's code typed (``CodeError`` if malformed,
    ``CodeNotFound``) and the uses of it by residents who sign in with a PIN, oldest first."""
    require(rules.can_reset_pins(by, campaign))
    canonical = parse_code(text)
    code = letters_selectors.code_for(campaign, canonical)
    if code is None:
        raise CodeNotFound()
    return code, [use for use in letters_selectors.pin_uses_for(canonical) if use.code_id == code.pk]


def pin_reset(*, by, campaign, text: str, user_id, pin: str = "", pin_again: str = "") -> str:
    """An organiser gives a resident without e-mail a new PIN; returns it, to be shown once.

    ``pin``: the PIN the resident chose (typed twice, the same rules as when joining); empty: a
    random 6-digit PIN. The code's PIN lock-out is cleared (every budget starts again) and the
    resident's sessions end, so whoever knew the old PIN is signed out. Organisers only (anyone
    else: not found); audited as ``letters.pin.reset``, without the PIN.
    """
    code, uses = pin_residents_of(by=by, campaign=campaign, text=text)
    use = next((u for u in uses if str(u.user_id) == str(user_id)), None)
    if use is None:
        raise PinResidentNotFound()
    chosen = bool((pin or "").strip())
    pin = pin_validate(pin, pin_again) if chosen else _new_pin()
    with transaction.atomic():
        if not letters_services.code_use_pin_set(code=code, user=use.user, pin_hash=make_password(pin)):
            raise PinResidentNotFound()
        residents_services.sessions_end(user=use.user)
        log_action("letters.pin.reset", actor=by, scope=campaign.slug, target=use.user, household=code.household_id,
                   chosen_by="resident" if chosen else "generated")
    limits.code_budgets_reset(code.code)
    return pin

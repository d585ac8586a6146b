"""Joining a campaign with a letter code, and signing in with code + PIN (services and selectors).

Every budget counts the attempt atomically *before* checking it (``_take``), and gives the slot
back when the attempt was right: a burst of simultaneous requests gets no more checks than the
budget, and only failures stay counted. Numbers and reasoning: docs/joining.md, "Brute force".

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
(20 PINs a week) that keeps a 4-digit PIN out of reach for years; a browser where a PIN user of the code
signed in before (signed cookie, ``PIN_DEVICE_COOKIE``) counts against that account's own budget
only (``code_pin_device``), so its owner is never locked out by others.
"""

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.core import ratelimit
from concerto.core.audit import log_action
from concerto.core.errors import DomainError, FieldErrors, Invalid, NotFound, RateLimited
from concerto.core.text import clean_line
from concerto.residents import rules as residents_rules
from concerto.residents import services as residents_services
from concerto.residents.errors import CannotJoin
from concerto.residents.models import Membership, Role, User, Verification

from . import rules
from .codes import CodeError, parse_code
from .models import CodeUse, InvitationCode
from .tasks import send_code_guessing_alert

PIN_MIN, PIN_MAX = 4, 6
# A browser where someone signed in with code + PIN (or joined with a PIN) keeps a signed cookie
# naming that account: from there, its owner is not held back by the code's shared budget.
PIN_DEVICE_COOKIE = "concerto_pin_device"
PIN_DEVICE_MAX_AGE = 180 * 24 * 3600
_PIN_DEVICE_SALT = "concerto.letters.pin-device"
_PIN_RE = re.compile(rf"[0-9]{{{PIN_MIN},{PIN_MAX}}}")
# A hash that matches no PIN, checked when a code has no PIN user, so that every answer costs the same.
_DUMMY_PIN_HASH = None


# --- Errors -------------------------------------------------------------------------------------


class CodeFormatInvalid(Invalid):
    """The typed code cannot be right (caught before any lookup). ``code`` is ``code_<reason>``."""

    def __init__(self, error: CodeError):
        super().__init__(error.message, code=f"code_{error.reason}")
        self.reason = error.reason


class CodeNotFound(NotFound):
    code = "code_not_found"

    def __init__(self):
        super().__init__(_(
            "This code does not exist for this campaign. Check each character against your letter, "
            "and that the letter is for this neighbourhood."
        ))


class CodeRevoked(DomainError):
    code = "code_revoked"
    status = 409

    def __init__(self):
        super().__init__(_(
            "This code was replaced by a new letter sent to your household: use the code printed on the "
            "most recent letter, or ask the organisers."
        ))


class CodeUsedUp(DomainError):
    code = "code_used_up"
    status = 409

    def __init__(self, count: int):
        super().__init__(ngettext(
            "This code has already been used by %(count)d person: the limit for one household is reached. "
            "Ask the organisers if someone else in your household needs to join.",
            "This code has already been used by %(count)d people: the limit for one household is reached. "
            "Ask the organisers if someone else in your household needs to join.",
            count,
        ) % {"count": count})


class PinSignInFailed(Invalid):
    code = "code_pin_failed"

    def __init__(self):
        super().__init__(_(
            "This code and PIN do not match. Check the code on your letter and your PIN. If several people "
            "of your household joined with this code, also type your public name."
        ))


# --- Rate limits --------------------------------------------------------------------------------


def _minutes(scope: str) -> int:
    return max(1, settings.CONCERTO_RATE_LIMITS[scope][1] // 60)


def _days(scope: str) -> int:
    return max(1, settings.CONCERTO_RATE_LIMITS[scope][1] // 86400)


def _refusal(scope: str) -> RateLimited:
    """The 429 of a spent budget, in words a resident understands."""
    if scope == "join_code_ip":
        minutes = _minutes(scope)
        return RateLimited(ngettext(
            "Too many wrong codes were typed from your connection. For security, joining with a code is "
            "paused for %(minutes)d minute. Your code is not lost: try again later.",
            "Too many wrong codes were typed from your connection. For security, joining with a code is "
            "paused for %(minutes)d minutes. Your code is not lost: try again later.",
            minutes,
        ) % {"minutes": minutes})
    if scope == "code_pin_ip":
        minutes = _minutes(scope)
        return RateLimited(ngettext(
            "Too many wrong attempts from your connection. For security, please wait %(minutes)d minute "
            "and try again.",
            "Too many wrong attempts from your connection. For security, please wait %(minutes)d minutes "
            "and try again.",
            minutes,
        ) % {"minutes": minutes})
    days = _days(scope)
    if scope in ("code_pin_code_ip", "code_pin_device"):
        return RateLimited(ngettext(
            "After several wrong PINs, signing in with this code is paused here for up to %(days)d day to "
            "protect your household's accounts. If you forgot your PIN, ask the organisers.",
            "After several wrong PINs, signing in with this code is paused here for up to %(days)d days to "
            "protect your household's accounts. If you forgot your PIN, ask the organisers.",
            days,
        ) % {"days": days})
    return RateLimited(ngettext(
        "After many wrong PINs, signing in with this code is paused for up to %(days)d day to protect your "
        "household's accounts. If you did not type them, or if you forgot your PIN, tell the organisers.",
        "After many wrong PINs, signing in with this code is paused for up to %(days)d days to protect your "
        "household's accounts. If you did not type them, or if you forgot your PIN, tell the organisers.",
        days,
    ) % {"days": days})


def _take(*buckets: tuple[str, str]) -> list[ratelimit.Slot]:
    """Count this attempt in each ``(scope, ident)`` budget, atomically and before anything is checked.

    Over a budget, the attempt is refused (429) and every slot it took is given back: a refused
    attempt checks nothing, so it must not eat into the next budgets (one address spending the
    budget of a whole code, for instance). The caller gives the slots back when the attempt was
    right (``_give_back``); a wrong attempt keeps them, so that only failures stay counted.
    """
    slots = []
    for scope, ident in buckets:
        slot = ratelimit.take(scope, ident)
        slots.append(slot)
        if not slot.allowed:
            _give_back(slots)
            raise _refusal(scope)
    return slots


def _give_back(slots: list[ratelimit.Slot]) -> None:
    for slot in slots:
        ratelimit.release(slot)


def _campaign_failure(campaign, ip: str) -> None:
    """One more unknown code for the whole campaign: an alert to its organisers, never a block.

    The count is atomic, so exactly one request per window reaches the threshold and raises the
    alert (an audit entry, and an e-mail sent once the transaction commits).
    """
    slot = ratelimit.take("join_code_campaign", str(campaign.pk))
    if slot.count != slot.limit:
        return
    minutes = _minutes("join_code_campaign")
    log_action("letters.code.alert", scope=campaign.slug, failures=slot.count, minutes=minutes, ip=ip_digest(ip))
    campaign_id, failures, language = campaign.pk, slot.count, settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send_code_guessing_alert.enqueue(
        campaign_id=campaign_id, failures=failures, minutes=minutes, language=language))


def ip_digest(ip: str) -> str:
    """A truncated, keyed hash of an address: enough to group attempts in the audit trail, not to recover it."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:12]


# --- Codes --------------------------------------------------------------------------------------


def _parse(text: str) -> str:
    try:
        return parse_code(text)
    except CodeError as exc:
        raise CodeFormatInvalid(exc) from exc


def code_check_format(text: str) -> str:
    """The canonical code, or ``CodeFormatInvalid``. No lookup, no counting: safe to expose."""
    return _parse(text)


def code_lookup(*, campaign, text: str, ip: str, user=None) -> InvitationCode:
    """The campaign's code typed by a resident, checked in this order: format (not counted),
    failure budget (429), existence (a failure is counted and logged), revocation, remaining uses.

    ``user``: a code that this user already redeemed is never "used up" for them.
    """
    canonical = _parse(text)
    slots = _take(("join_code_ip", ip))
    code = (
        InvitationCode.objects.select_related("household__sector", "campaign")
        .filter(campaign=campaign, code=canonical)
        .first()
    )
    if code is None:
        _campaign_failure(campaign, ip)
        log_action("letters.code.failed", actor=user, scope=campaign.slug, ip=ip_digest(ip))
        raise CodeNotFound()
    _give_back(slots)  # a real code (even revoked or used up) is not a guess
    if code.revoked_at is not None:
        raise CodeRevoked()
    already = user is not None and user.is_authenticated and CodeUse.objects.filter(code=code, user=user).exists()
    if code.use_count >= code.max_uses and not already:
        raise CodeUsedUp(code.use_count)
    return code


def _redeem(user, code: InvitationCode, pin_hash: str) -> CodeUse:
    campaign = code.campaign
    if not rules.can_join_with_code(user, campaign):
        raise CannotJoin()
    sector = code.household.sector
    existing = CodeUse.objects.filter(code=code, user=user).first()
    if existing is not None:
        if not residents_rules.is_letter_verified(user, campaign):
            residents_services.resident_verify_by_letter(user=user, campaign=campaign, sector=sector)
        return existing
    # The conditional UPDATE is the exact counter, whatever the number of simultaneous requests.
    updated = InvitationCode.objects.filter(
        pk=code.pk, revoked_at__isnull=True, use_count__lt=F("max_uses")
    ).update(use_count=F("use_count") + 1)
    if not updated:
        code.refresh_from_db(fields=["revoked_at", "use_count", "max_uses"])
        if code.revoked_at is not None:
            raise CodeRevoked()
        raise CodeUsedUp(code.use_count)
    use = CodeUse.objects.create(code=code, user=user, pin_hash=pin_hash)
    code.refresh_from_db(fields=["use_count"])
    residents_services.resident_verify_by_letter(user=user, campaign=campaign, sector=sector)
    log_action("letters.code.used", actor=user, scope=campaign.slug, target=code, household=code.household_id)
    return use


def code_redeem(*, user, code: InvitationCode, pin_hash: str = "") -> CodeUse:
    """Use one of the code's places for the user (idempotent per user) and verify them by letter."""
    try:
        with transaction.atomic():
            return _redeem(user, code, pin_hash)
    except IntegrityError:
        # The same person, in two simultaneous requests: the other one counted.
        existing = CodeUse.objects.filter(code=code, user=user).first()
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
    known = CodeUse.objects.filter(code__code=canonical, user_id=user_id).exclude(pin_hash="").exists()
    return user_id if known else None


def _pin_budgets(canonical: str, ip: str, device: str) -> list[tuple[str, str]]:
    """Which budgets an attempt counts against (docs/joining.md, "Brute force").

    From a browser where a PIN user of this code signed in before, only that account's own budget:
    nobody else can spend it, so nobody else can lock its owner out. Anywhere else: the address,
    the code from this address (tight), and the code from everywhere (larger).
    """
    device_user = _device_user_id(canonical, device)
    if device_user is not None:
        return [("code_pin_device", f"{canonical}|{device_user}")]
    return [("code_pin_ip", ip), ("code_pin_code_ip", f"{canonical}|{ip}"), ("code_pin_code", canonical)]


def pin_sign_in(*, text: str, pin: str, ip: str, display_name: str = "", device: str = "") -> User:
    """The resident without e-mail who joined with this code and chose this PIN.

    Same answer whether the code or the PIN is wrong. Every PIN user of the code is checked
    (constant work). When two members of a household chose the same PIN, their public name
    tells them apart. ``device``: the ``PIN_DEVICE_COOKIE`` sent by the browser, if any.
    """
    canonical = _parse(text)
    slots = _take(*_pin_budgets(canonical, ip, device))
    uses = list(
        CodeUse.objects.select_related("user", "code__campaign")
        .filter(code__code=canonical)
        .exclude(pin_hash="")
        .order_by("pk")
    )
    pin = (pin or "").strip()
    matches = [use for use in uses if check_password(pin, use.pin_hash)]
    if not uses:
        check_password(pin, _dummy_hash())
    matches = [use for use in matches if use.user.is_active]
    if display_name.strip():
        matches = [use for use in matches if _same_name(use.user.display_name, display_name)]
    if len(matches) != 1:
        scope = uses[0].code.campaign.slug if uses else ""
        log_action("letters.pin.failed", scope=scope, ip=ip_digest(ip))
        if slots[-1].scope == "code_pin_code" and slots[-1].count == slots[-1].limit:
            log_action("letters.pin.locked", scope=scope, ip=ip_digest(ip))
        raise PinSignInFailed()
    _give_back(slots)
    use = matches[0]
    log_action("letters.pin.signed_in", actor=use.user, scope=use.code.campaign.slug, target=use.user)
    return use.user


# --- Joining ------------------------------------------------------------------------------------


@dataclass
class JoinResult:
    """What happened: ``sign_in`` says whether the view must sign ``user`` in."""

    user: User | None = None
    code_use: CodeUse | None = None
    created: bool = False
    sign_in: bool = False
    link_sent: bool = False
    email: str = ""
    demo_link: str = ""
    sector: object = None


def join_with_code(
    *, campaign, text: str, ip: str, user=None, email: str = "", display_name: str = "",
    pin: str = "", pin_again: str | None = None, build_url=None, next_url: str = "",
) -> JoinResult:
    """Join ``campaign`` with a letter code: signed in, with an e-mail, or without one (PIN).

    ``build_url(secret)`` makes the sign-in link when the e-mail already has an account;
    ``next_url`` is where that link leads (the join page with the code filled in).
    ``pin_again`` defaults to ``pin`` (callers that already compared them).
    """
    signed_in = user is not None and user.is_authenticated
    if signed_in and not rules.can_join_with_code(user, campaign):
        raise CannotJoin()
    if signed_in:
        code = code_lookup(campaign=campaign, text=text, ip=ip, user=user)
        use = code_redeem(user=user, code=code)
        return JoinResult(user=user, code_use=use, sector=code.household.sector)

    email = (email or "").strip()
    name = clean_line(display_name or "")
    if len(name) > 60:
        raise FieldErrors({"display_name": _("The public name is limited to 60 characters.")})
    name = residents_services.public_name_clean(name, field="display_name") if name else name
    if email:
        try:
            email = residents_services.normalise_email(email)
        except Invalid as exc:
            raise FieldErrors({"email": exc.message}) from exc
        code = code_lookup(campaign=campaign, text=text, ip=ip)
        # Whether or not an account exists, the address must be proven first: a sign-in link is
        # sent and the code is used once it is opened (back on the join page, signed in). Signing
        # in here would let anyone holding a letter take over, or squat, someone else's address,
        # and answering differently for known addresses would reveal who has an account.
        if build_url is None:
            raise Invalid(_("Sign in first, then type your code again."), code="sign_in_required")
        link = residents_services.sign_in_link_request(email=email, ip=ip, build_url=build_url, next_url=next_url)
        return JoinResult(link_sent=True, email=email, demo_link=link, sector=code.household.sector)

    # Without e-mail: a public name to tell the household's members apart, and a PIN.
    errors = {}
    if not name:
        errors["display_name"] = _(
            "Type a public name (for example your first name): it tells you apart from the other members "
            "of your household when you sign in."
        )
    try:
        pin = pin_validate(pin, pin if pin_again is None else pin_again)
    except FieldErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    code = code_lookup(campaign=campaign, text=text, ip=ip)
    taken = CodeUse.objects.filter(code=code).exclude(pin_hash="").values_list("user__display_name", flat=True)
    if any(_same_name(other, name) for other in taken):
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


# --- Selectors ----------------------------------------------------------------------------------


def letter_status_for(user) -> list[dict]:
    """For "My space": in each campaign where the user is a resident, whether they are verified by
    letter, their sector, and whether they can sign in with a code + PIN. The code is never shown."""
    if user is None or not user.is_authenticated:
        return []
    memberships = (
        Membership.objects.filter(user=user, role=Role.RESIDENT)
        .select_related("campaign", "sector")
        .order_by("campaign__name")
    )
    uses = {
        use.code.campaign_id: use
        for use in CodeUse.objects.filter(user=user).select_related("code").order_by("created_at")
    }
    with_letters = set(
        InvitationCode.objects.filter(campaign__in=[m.campaign_id for m in memberships])
        .values_list("campaign_id", flat=True).distinct()
    )
    rows = []
    for membership in memberships:
        use = uses.get(membership.campaign_id)
        rows.append({
            "campaign": membership.campaign,
            "verified_by_letter": membership.verification == Verification.LETTER,
            "sector": membership.sector.name if membership.sector else "",
            "joined_with_code_at": use.created_at if use else None,
            "pin_sign_in": bool(use and use.pin_hash),
            "letters_sent": membership.campaign_id in with_letters,
        })
    return rows

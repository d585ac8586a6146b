"""Writes about accounts: sign-in links, joining a campaign, API tokens, account deletion."""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from concerto.core import ratelimit
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, Invalid, NotAllowed, NotFound
from concerto.core.text import clean_line

from . import emails, names, rules, selectors
from .errors import CannotJoin, LinkInvalid, PasswordRequired, TokenReadOnly
from .models import (
    TOKEN_DEFAULT_DAYS,
    TOKEN_MAX_DAYS,
    ApiToken,
    Membership,
    Role,
    SignInLink,
    TokenScope,
    User,
    Verification,
)
from .tasks import send_sign_in_link

logger = logging.getLogger("concerto.residents")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """The stored form of an address (see ``emails.py``); every lookup then matches it exactly."""
    return emails.normalise_email(email)


def sign_in_link_request(*, email: str, ip: str, build_url, next_url: str = "", intent: dict | None = None) -> str:
    """Create a one-time link and mail it after commit. Returns the link (shown on screen in demo mode only).

    The answer is the same whether or not an account exists, so the form does not reveal who takes part.
    ``intent``: what to finish when the link is opened (``SignInLink.intent``).
    """
    email = normalise_email(email)
    # Per (address, connection) first, then a loose per-address cap that bounds the mail sent:
    # links asked from one connection cannot stop the owner getting one from theirs (F13).
    ratelimit.hit("sign_in_ip", ip)
    ratelimit.hit("sign_in_email_ip", f"{email}|{ip}")
    ratelimit.hit("sign_in_email", email)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        SignInLink.objects.create(
            email=email,
            token_hash=_hash(secret),
            expires_at=timezone.now() + timedelta(minutes=settings.CONCERTO_MAGIC_LINK_TTL_MINUTES),
            next_url=next_url[:300],
            intent=intent or {},
        )
        url = build_url(secret)
        language = translation.get_language() or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: send_sign_in_link.enqueue(email=email, url=url, language=language))
    if settings.CONCERTO_DEMO_MODE:
        logger.warning("Demo sign-in link for %s: %s", email, url)
    return url


def sign_in_links_purge(*, now=None, dry_run: bool = False) -> int:
    """Delete sign-in links that can no longer be used: each holds an e-mail address, which has no
    reason to stay once the link expired (``manage.py purge_expired_data``, daily). Returns the count."""
    expired = SignInLink.objects.filter(expires_at__lte=now or timezone.now())
    if dry_run:
        return expired.count()
    count, _ = expired.delete()
    if count:
        log_action("residents.sign_in_links.purged", count=count)
    return count


def sign_in_link_peek(*, secret: str) -> SignInLink:
    """The link if it can still be used; consuming it needs a POST (mail scanners only GET)."""
    link = SignInLink.objects.filter(token_hash=_hash(secret or "")).first()
    if link is None or link.used_at is not None or link.expires_at <= timezone.now():
        raise LinkInvalid()
    return link


def sign_in_link_consume(*, secret: str) -> tuple[User, str]:
    """Use the link once and return (user, next_url), creating the account on first sign-in."""
    user, link = sign_in_link_use(secret=secret)
    return user, link.next_url


def sign_in_link_use(*, secret: str) -> tuple[User, SignInLink]:
    """Use the link once and return (user, link), creating the account on first sign-in. A public
    name typed when the link was asked (``intent["display_name"]``) is kept if the account has none."""
    now = timezone.now()
    with transaction.atomic():
        link = SignInLink.objects.select_for_update().filter(token_hash=_hash(secret or "")).first()
        # The conditional UPDATE is the single-use guarantee, even where SELECT … FOR UPDATE is a no-op (SQLite).
        if link is None or not SignInLink.objects.filter(
            pk=link.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now):
            raise LinkInvalid()
        try:
            email = normalise_email(link.email)  # links made before the normal form are normalised too
        except Invalid:
            raise LinkInvalid() from None
        # Exact match on the normal form: email__iexact is UPPER()=UPPER() on PostgreSQL, which
        # folds look-alike letters (ı, ſ, K) into someone else's address.
        user = User.objects.filter(email=email).first()
        created = False
        if user is None:
            try:
                with transaction.atomic():
                    user = User.objects.create_user(email)
                    created = True
            except IntegrityError:
                user = User.objects.get(email=email)
        if not user.is_active:
            raise LinkInvalid()
        if not created and rules.signs_in_with_password(user):
            staff = user
        else:
            staff = None
            log_action("residents.account.created" if created else "residents.sign_in.link", actor=user, target=user)
            _keep_public_name(user, (link.intent or {}).get("display_name"))
    if staff is not None:
        # Outside the transaction, so the link stays used and the refusal stays in the journal.
        log_action("residents.sign_in.link_refused", actor=None, target=staff)
        raise PasswordRequired()
    return user, link


def _keep_public_name(user: User, name) -> None:
    """The name typed before the link was sent, checked again now that the account is known; a
    name refused meanwhile (or an account that already has one) leaves the account as it is."""
    if user.display_name or not isinstance(name, str) or not clean_line(name):
        return
    name = clean_line(name)[:60]
    try:
        name = public_name_clean(name, user=user)
    except (Invalid, FieldErrors):
        return
    user.display_name = name
    user.save(update_fields=["display_name"])


def password_sign_in(*, request, email: str, password: str, ip: str) -> User:
    """Staff sign-in. Attempts are counted before the password is checked, so parallel guesses
    cannot slip past the limit: tightly per (account, connection), loosely per account, so that
    wrong passwords sent from one connection do not lock the owner out of theirs (F13)."""
    try:
        email = normalise_email(email)
    except Invalid:
        email = ""  # no account has it: the same answer as a wrong password
    ratelimit.hit("password_ip", ip)
    if email:
        ratelimit.hit("password_email_ip", f"{email}|{ip}")
        ratelimit.hit("password_email", email)
    user = authenticate(request, username=email, password=password) if email else None
    if user is None:
        raise Invalid(_("Wrong e-mail address or password."), code="bad_credentials")
    return user


def resident_join(*, user: User, campaign) -> Membership:
    """Make the user a resident of the campaign (idempotent)."""
    if not rules.can_join_as_resident(user, campaign):
        raise CannotJoin()
    membership, created = Membership.objects.get_or_create(user=user, campaign=campaign, role=Role.RESIDENT)
    if created:
        rules.forget_roles(user)
        log_action("residents.resident.joined", actor=user, scope=campaign.slug, target=user)
    return membership


def resident_verify_by_letter(*, user: User, campaign, sector=None) -> Membership:
    """Record that the user lives in a household that received a letter (joins if needed).

    Called by the letters app once a valid invitation code has been consumed; a code is
    proof of address, so this works even where e-mail joining is closed. Candidates never
    become residents.
    """
    if Role.CANDIDATE in rules.roles_of(user, campaign):
        raise CannotJoin()
    membership, created = Membership.objects.get_or_create(
        user=user,
        campaign=campaign,
        role=Role.RESIDENT,
        defaults={"verification": Verification.LETTER, "sector": sector},
    )
    if not created and (membership.verification != Verification.LETTER or membership.sector_id != getattr(sector, "pk", None)):
        membership.verification = Verification.LETTER
        membership.sector = sector or membership.sector
        membership.save(update_fields=["verification", "sector"])
    rules.forget_roles(user)
    log_action("residents.resident.verified_by_letter", actor=user, scope=campaign.slug, target=user)
    return membership


def resident_create_without_email(*, display_name: str = "") -> User:
    """An account for a resident without e-mail; they sign in with their letter code and a PIN."""
    return User.objects.create_user(None, display_name=clean_line(display_name)[:60])


def role_grant(*, by, campaign, user: User, role: str) -> Membership:
    """``by`` is required and must organise the campaign; the demo loader and the shell use
    ``role_grant_by_system``, so no caller skips the check by omission."""
    if not rules.can_grant_roles(by, campaign):
        raise NotAllowed(_("Only the organisers of this campaign can grant roles."))
    return _role_grant(campaign=campaign, user=user, role=role, actor=by)


def role_grant_by_system(*, campaign, user: User, role: str) -> Membership:
    """Internal use only (demo loader, shell, tests' set-up): nothing is checked; the audit entry
    has no actor and says ``via="system"``. Never call it from a view or the API."""
    return _role_grant(campaign=campaign, user=user, role=role, actor=None, via="system")


def _role_grant(*, campaign, user: User, role: str, actor, **audit) -> Membership:
    if role not in Role.values:
        raise Invalid(_("Unknown role."), code="role_invalid")
    membership, created = Membership.objects.get_or_create(user=user, campaign=campaign, role=role)
    if created:
        rules.forget_roles(user)
        log_action("residents.role.granted", actor=actor, scope=campaign.slug, target=user, role=role, **audit)
    return membership


def profile_update(*, user: User, display_name: str) -> User:
    name = clean_line(display_name)
    if len(name) > 60:
        raise Invalid(_("The public name is limited to 60 characters."), code="name_too_long")
    if name:  # empty: back to the default "Resident #n"
        name = public_name_clean(name, user=user)
    user.display_name = name
    user.save(update_fields=["display_name"])
    return user


def public_name_clean(name: str, *, user: User | None = None, campaign=None, field: str | None = None) -> str:
    """The public name to store, or an error if it would mislead readers (issue 8, F7).

    Refused: a name that shows no letter or digit (spaces, fillers such as U+3164, invisible
    characters); one that claims a role ("Claire, organisatrice", "Liste …"); the default name of
    a resident ("Habitant·e n°5"); one that looks like (same confusable skeleton as) the name of a
    team member or candidate of any campaign, or of another resident of the campaigns concerned
    (``campaign``, else ``user``'s; joining passes neither, so the form reveals no resident's name
    before the code is checked, and the household check follows). Filler characters are removed
    from an accepted name.
    ``field``: raise ``FieldErrors`` for that form field instead of ``Invalid``.
    """
    def refuse(message, code):
        if field:
            exc = FieldErrors({field: message})
            exc.code = code
            raise exc
        raise Invalid(message, code=code)

    if names.displays_blank(name):
        refuse(_("A public name needs at least one visible letter or digit."), "name_blank")
    name = names.without_fillers(name)
    if names.claims_a_role(name):
        refuse(_("A public name cannot claim a role (organiser, moderator, candidate, list…): the platform "
                 "shows roles itself, next to the names of the team and the candidates."), "name_claims_role")
    if names.is_default_name(name):
        refuse(_("Names such as “Resident #5” are kept for residents who have not chosen a name. "
                 "Choose another one, or leave the field empty."), "name_default_reserved")
    key = names.skeleton(name)
    me = user.pk if user is not None and user.pk else None
    if key in selectors.team_and_candidate_skeletons(exclude_user=me):
        refuse(_("This name is, or looks like, the name of a campaign team member or a candidate. "
                 "Choose another one."), "name_reserved")
    campaigns = [campaign.pk] if campaign is not None else selectors.campaign_ids_of(user) if me else []
    if campaigns and key in selectors.resident_skeletons(campaigns, exclude_user=me):
        refuse(_("Another resident of this campaign already uses this name, or one that looks the same. "
                 "Add an initial, for example."), "name_taken")
    return name


TOKEN_PREFIX = "cto_"  # noqa: S105 - a public marker, not a secret


def api_token_create(
    *, user: User, name: str, scope: str = TokenScope.WRITE, days: int = TOKEN_DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """Create a token valid ``days`` days (at most a year); the clear secret is returned once and never stored."""
    name = clean_line(name)[:80]
    if not name:
        raise Invalid(_("Give the token a name, e.g. the script that will use it."), code="token_name_missing")
    if scope not in TokenScope.values:
        raise Invalid(_("Choose whether the token may only read or also write."), code="token_scope_invalid")
    if not isinstance(days, int) or not 1 <= days <= TOKEN_MAX_DAYS:
        raise Invalid(_("A token is valid for 1 to %(max)s days.") % {"max": TOKEN_MAX_DAYS},
                      code="token_days_invalid")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[:10], token_hash=_hash(secret),
                                    scope=scope, expires_at=timezone.now() + timedelta(days=days))
    log_action("residents.token.created", actor=user, target=token, token_scope=scope, days=days)
    return token, secret


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(_("This token does not exist or is already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    log_action("residents.token.revoked", actor=user, target=token)
    return token


def api_token_authenticate(secret: str, *, write: bool = False) -> User | None:
    """The token's owner, or None if the token is unknown, revoked or expired.

    ``write``: the request changes something; a read-only token is then refused with
    ``TokenReadOnly`` (403), not as unknown, so its owner sees why."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(secret), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if write and token.scope != TokenScope.WRITE:
        raise TokenReadOnly()
    # Throttled so that reads do not each cost a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def erased_address_hash(*, email: str, campaign_id: int) -> str:
    """A keyed hash of an address for one campaign, kept on the supports of an erased account so
    that the same address cannot support the same action again after deleting its account (F11).

    HMAC-SHA256 under a key derived from SECRET_KEY: without the key the hash reveals nothing and
    cannot be tested against a list of addresses; the campaign in the message makes hashes of two
    campaigns unlinkable. Changing SECRET_KEY forgets these links (supports stay counted)."""
    try:
        email = normalise_email(email)
    except Invalid:  # an address stored before the normal form that the rules now refuse
        email = email.strip().lower()
    value = f"{campaign_id}:{email}"
    return salted_hmac("concerto.residents.erased_address", value, algorithm="sha256").hexdigest()


def account_delete(*, user: User) -> None:
    """Delete the account row. Call ``dashboard.services.account_delete``, which first erases the
    person's participation with exact counters; this function alone would leave counters stale."""
    with transaction.atomic():
        log_action("residents.account.deleted", actor=None, target=f"residents.user:{user.pk}")
        if user.email:
            SignInLink.objects.filter(email=user.email).delete()
        user.delete()

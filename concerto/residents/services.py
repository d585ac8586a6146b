"""Writes about accounts: sign-in links, passwords, joining a campaign, the team (roles and invitations),
API tokens, account deletion."""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from concerto.campaigns.errors import SectorNotFound
from concerto.campaigns.live import figures_changed
from concerto.campaigns.selectors import consent_current, public_contact
from concerto.core import ratelimit
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, Invalid, NotAllowed, NotFound
from concerto.core.http import require
from concerto.core.text import clean_line

from . import emails, names, rules, selectors
from .errors import (
    AlreadyMember,
    CannotJoin,
    InvitationExpired,
    InvitationInvalid,
    InvitationNotFound,
    InvitationOtherAccount,
    InvitationPending,
    InvitationRevoked,
    InvitationSignInFirst,
    InvitationUsed,
    LastOrganiser,
    LinkInvalid,
    MemberNotFound,
    PasswordRequired,
    PasswordResetLinkInvalid,
    TokenReadOnly,
    WrongPassword,
)
from .models import (
    INVITATION_DAYS,
    TEAM_ROLES,
    TOKEN_DEFAULT_DAYS,
    TOKEN_MAX_DAYS,
    ApiToken,
    Membership,
    OrganisationMembership,
    OrganisationRole,
    Role,
    SignInLink,
    TeamInvitation,
    TokenScope,
    User,
    Verification,
)
from .tasks import send_password_reset, send_sign_in_link, send_team_invitation

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
        figures_changed(campaign)
    return membership


def resident_verify_by_letter(*, user: User, campaign, sector=None) -> Membership:
    """Record that the user lives in a household that received a letter (joins if needed).

    Called by the letters app once a valid invitation code has been consumed; a code is
    proof of address, so this works even where e-mail joining is closed. Candidates never
    become residents.
    """
    if Role.CANDIDATE in rules.roles_of(user, campaign):
        raise CannotJoin()
    # The join page shows the current consent text next to the code: joining accepts that version.
    consent = consent_current(campaign)
    version = consent.version if consent is not None else None
    membership, created = Membership.objects.get_or_create(
        user=user,
        campaign=campaign,
        role=Role.RESIDENT,
        defaults={"verification": Verification.LETTER, "sector": sector, "consent_version": version},
    )
    if not created and (membership.verification != Verification.LETTER
                        or membership.sector_id != getattr(sector, "pk", None)
                        or (version is not None and membership.consent_version != version)):
        membership.verification = Verification.LETTER
        membership.sector = sector or membership.sector
        membership.consent_version = version if version is not None else membership.consent_version
        membership.save(update_fields=["verification", "sector", "consent_version"])
    rules.forget_roles(user)
    if created:
        figures_changed(campaign)
    log_action("residents.resident.verified_by_letter", actor=user, scope=campaign.slug, target=user,
               **({"consent_version": version} if version is not None else {}))
    return membership


def resident_join_met(*, user: User, campaign, sector=None) -> Membership:
    """A resident met by an ambassador at their door, or who sent a paper form, without a letter code:
    a resident whose address staff saw (verification "met"), even where e-mail joining is closed.
    Called by the fieldwork app, which checked who recorded them and their consent."""
    if Role.CANDIDATE in rules.roles_of(user, campaign):
        raise CannotJoin()
    membership, created = Membership.objects.get_or_create(
        user=user, campaign=campaign, role=Role.RESIDENT,
        defaults={"verification": Verification.MET, "sector": sector},
    )
    if created:
        rules.forget_roles(user)
        log_action("residents.resident.met", actor=None, scope=campaign.slug, target=user)
        figures_changed(campaign)
    return membership


def resident_leave_merged(*, user: User, campaign, into: User) -> None:
    """The account made for a resident met offline, once recognised as ``into`` (who joined online):
    its resident role ends and it is deactivated, so the person is counted once. Its rows (supports,
    proposals) were moved to ``into`` by the caller beforehand."""
    Membership.objects.filter(user=user, campaign=campaign, role=Role.RESIDENT).delete()
    rules.forget_roles(user)
    if not Membership.objects.filter(user=user).exists():
        User.objects.filter(pk=user.pk, email__isnull=True).update(is_active=False)
    log_action("residents.resident.merged", actor=into, scope=campaign.slug, target=user, into=into.pk)
    figures_changed(campaign)


def resident_create_without_email(*, display_name: str = "") -> User:
    """An account for a resident without e-mail; they sign in with their letter code and a PIN."""
    return User.objects.create_user(None, display_name=clean_line(display_name)[:60])


def account_for_email(*, email: str, display_name: str = "") -> User:
    """The account of this address, created without a password when there is none (a team
    invitation's link then sets it: live_event gives a candidate's list its account this way)."""
    email = normalise_email(email)
    account = User.objects.filter(email=email).first()
    return account or User.objects.create_user(email, display_name=clean_line(display_name)[:60])


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


def campaign_creator_grant(*, by: User, campaign) -> Membership:
    """The administrator who opened ``campaign`` becomes its organiser (``dashboard.services.campaign_open``).
    Checks ``by`` itself: only an administrator of the campaign's organisation."""
    if not rules.can_create_campaign(by, campaign.organisation):
        raise NotAllowed(_("Only the administrators of this organisation can open its campaigns."))
    return _role_grant(campaign=campaign, user=by, role=Role.ORGANISER, actor=by, via="campaign_created")


def organisation_admin_grant_by_system(*, organisation, user: User) -> OrganisationMembership:
    """Internal use only (``manage.py concerto_setup``, the demo loader, tests' set-up): nothing is
    checked; audited with no actor and ``via="system"``. Never call it from a view or the API."""
    membership, created = OrganisationMembership.objects.get_or_create(
        user=user, organisation=organisation, role=OrganisationRole.ADMIN)
    if created:
        rules.forget_roles(user)
        log_action("residents.organisation_admin.granted", actor=None, scope=f"organisation:{organisation.slug}",
                   target=user, organisation=organisation.slug, via="system")
    return membership


def first_admin_create_by_system(*, organisation, email: str, display_name: str, password: str) -> User:
    """The first administrator of a new organisation (``manage.py concerto_setup``): a staff account
    that signs in with its password. Refused, with nothing created, when the address already has an
    account or the password is weak (Django's password validators)."""
    errors = {}
    try:
        email = normalise_email((email or "").strip())
    except Invalid as exc:
        errors["email"] = exc.message
    name = clean_line(display_name or "")
    if not name:
        errors["display_name"] = _("Type the administrator's name, as the team will see it.")
    elif len(name) > 60:
        errors["display_name"] = _("The public name is limited to 60 characters.")
    if "email" not in errors and User.objects.filter(email=email).exists():
        errors["email"] = _("An account already uses this e-mail address: nothing was changed.")
    try:
        validate_password(password or "", User(email=email if "email" not in errors else None, display_name=name))
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        user = User.objects.create_user(email, password=password, display_name=name)
        log_action("residents.account.created", actor=None, target=user, via="system")
        organisation_admin_grant_by_system(organisation=organisation, user=user)
    return user


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


def memberships_sector_move(*, by, campaign, source, target) -> int:
    """Residents' sector ``source`` becomes ``target`` (a merge of sectors, dashboard.services.sector_merge)."""
    if not rules.is_organiser(by, campaign):
        raise SectorNotFound()
    if source.campaign_id != campaign.pk or target.campaign_id != campaign.pk:
        raise ValueError("both sectors must belong to the campaign")
    with transaction.atomic():
        return Membership.objects.filter(campaign=campaign, sector=source).update(sector=target)
# --- Passwords (staff) ----------------------------------------------------------------------------


def _password_check_new(user: User, password: str, password_again: str, *, field: str = "password") -> str:
    """The new password, or ``FieldErrors`` with Django's validators' messages (settings
    ``AUTH_PASSWORD_VALIDATORS``) on ``field``, or on ``<field>_again`` when the two differ."""
    errors = {}
    try:
        password_validation.validate_password(password or "", user=user)
    except ValidationError as exc:
        errors[field] = " ".join(str(m) for m in exc.messages)
    if not errors and password != password_again:
        errors[f"{field}_again"] = _("The two passwords are different. Type the same password twice.")
    if errors:
        exc = FieldErrors(errors)
        exc.code = "password_invalid"
        raise exc
    return password


def password_reset_request(*, email: str, ip: str, build_url) -> str | None:
    """"Forgot your password?": mail a one-time link to choose a new password, after commit.

    Only accounts that sign in with a password get one (residents sign in with a link or a PIN).
    The caller answers the same whatever happens here, so the form does not reveal which
    addresses have an account; the limits count every address, known or not. ``build_url(uidb64,
    token)`` makes the link; it is returned for the tests and the demo's terminal, never shown.
    """
    try:
        email = normalise_email(email)
    except Invalid:
        email = ""
    ratelimit.hit("password_reset_ip", ip)
    if not email:
        return None
    ratelimit.hit("password_reset_email", email)
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None or not (user.has_usable_password() or rules.signs_in_with_password(user)):
        return None
    url = build_url(urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user))
    minutes = max(1, settings.PASSWORD_RESET_TIMEOUT // 60)
    language = translation.get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        log_action("residents.password.reset_requested", actor=None, target=user)
        transaction.on_commit(lambda: send_password_reset.enqueue(email=email, url=url, minutes=minutes,
                                                                  language=language))
    if settings.CONCERTO_DEMO_MODE:
        logger.warning("Demo password link for %s: %s", email, url)
    return url


def password_reset_check(*, uidb64: str, token: str) -> User:
    """The account of a valid "choose a password" link. Django's token changes once the password
    (or the last sign-in) changes, so a link works once, and for ``PASSWORD_RESET_TIMEOUT`` seconds."""
    try:
        user_id = int(urlsafe_base64_decode(uidb64 or "").decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        raise PasswordResetLinkInvalid() from None
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email=None).first()
    if user is None or not default_token_generator.check_token(user, token or ""):
        raise PasswordResetLinkInvalid()
    return user


@transaction.atomic
def password_reset_confirm(*, uidb64: str, token: str, password: str, password_again: str) -> User:
    """Set the password chosen through a reset link. Every other session of the account ends (its
    session hash follows the password)."""
    user = password_reset_check(uidb64=uidb64, token=token)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not default_token_generator.check_token(user, token):  # a simultaneous use of the same link
        raise PasswordResetLinkInvalid()
    user.set_password(_password_check_new(user, password, password_again))
    user.save(update_fields=["password"])
    log_action("residents.password.reset", actor=user, target=user)
    return user


@transaction.atomic
def password_change(*, user: User, current_password: str, password: str, password_again: str) -> User:
    """A signed-in person with a password changes it (the caller keeps their own session with
    ``update_session_auth_hash``; their other sessions end)."""
    if not user.has_usable_password():
        raise NotFound()
    ratelimit.hit("password_change", str(user.pk))
    if not user.check_password(current_password or ""):
        exc = FieldErrors({"current_password": WrongPassword.message})
        exc.code = WrongPassword.code
        raise exc
    user.set_password(_password_check_new(user, password, password_again))
    user.save(update_fields=["password"])
    log_action("residents.password.changed", actor=user, target=user)
    return user


def sessions_end(*, user: User) -> None:
    """End every session of an account without password (a resident signing in with a PIN or a
    link): its session hash is derived from the password field, which gets a new unusable value."""
    if user.has_usable_password():
        raise Invalid(_("This account has a password: change the password to end its sessions."),
                      code="has_password")
    user.set_unusable_password()
    user.save(update_fields=["password"])


# --- The team: invitations and roles ---------------------------------------------------------------


def _team_role(role: str) -> str:
    if role not in [r.value for r in TEAM_ROLES]:
        exc = FieldErrors({"role": _("Choose a role: organiser, facilitator, moderator, ambassador or candidate.")})
        exc.code = "role_invalid"
        raise exc
    return role


def _require_organiser(by, campaign) -> None:
    """Staff-only: anyone who does not organise the campaign is told it does not exist."""
    require(rules.can_grant_roles(by, campaign))


def _invitation_send(invitation: TeamInvitation, secret: str, build_url, by) -> str:
    url = build_url(secret)
    language = translation.get_language() or settings.LANGUAGE_CODE
    values = {"email": invitation.email, "url": url, "campaign_name": invitation.campaign.name,
              "role": invitation.role, "inviter": by.display_name or by.email or "", "days": INVITATION_DAYS,
              "contact": public_contact(invitation.campaign), "language": language}
    transaction.on_commit(lambda: send_team_invitation.enqueue(**values))
    if settings.CONCERTO_DEMO_MODE:
        logger.warning("Demo invitation link for %s: %s", invitation.email, url)
    return url


def team_invite(*, by, campaign, email: str, role: str, build_url) -> tuple[TeamInvitation, str]:
    """Invite a person by e-mail to take ``role`` in the campaign. ``by`` must organise it.

    The link (``build_url(secret)``) is mailed after commit and returned (the demo shows it; code
    such as the demo loader passes it to ``team_invitation_accept``). An expired invitation for the
    same address and role is replaced; a pending one is refused (resend it instead).
    """
    _require_organiser(by, campaign)
    _team_role(role)
    try:
        email = normalise_email(email)
    except Invalid as exc:
        raise FieldErrors({"email": exc.message}) from exc
    if Membership.objects.filter(campaign=campaign, role=role, user__email=email).exists():
        raise AlreadyMember()
    ratelimit.hit("team_invite", str(by.pk))
    ratelimit.hit("team_invite_email", f"{campaign.pk}|{email}")
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        previous = (TeamInvitation.objects.select_for_update()
                    .filter(campaign=campaign, email=email, role=role, accepted_at=None, revoked_at=None).first())
        if previous is not None and not previous.is_expired:
            raise InvitationPending()
        if previous is not None:
            TeamInvitation.objects.filter(pk=previous.pk).update(revoked_at=now)
        try:
            with transaction.atomic():
                invitation = TeamInvitation.objects.create(
                    campaign=campaign, email=email, role=role, token_hash=_hash(secret), invited_by=by,
                    sent_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
        except IntegrityError:  # the same invitation sent at the same moment by another request
            raise InvitationPending() from None
        log_action("residents.invitation.sent", actor=by, scope=campaign.slug, target=invitation, role=role,
                   replaces=previous.pk if previous else None)
        url = _invitation_send(invitation, secret, build_url, by)
    return invitation, url


def _open_invitation(campaign, invitation_id) -> TeamInvitation:
    try:
        invitation_id = int(invitation_id)
    except (TypeError, ValueError):
        raise InvitationNotFound() from None
    invitation = (TeamInvitation.objects.select_for_update().select_related("campaign")
                  .filter(pk=invitation_id, campaign=campaign, accepted_at=None, revoked_at=None).first())
    if invitation is None:
        raise InvitationNotFound()
    return invitation


def team_invitation_resend(*, by, campaign, invitation_id, build_url) -> tuple[TeamInvitation, str]:
    """Send a pending invitation again with a new link, valid ``INVITATION_DAYS`` days from now;
    the previous link stops working. Limited per address (``team_invite_email``)."""
    _require_organiser(by, campaign)
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        invitation = _open_invitation(campaign, invitation_id)
        ratelimit.hit("team_invite", str(by.pk))
        ratelimit.hit("team_invite_email", f"{campaign.pk}|{invitation.email}")
        invitation.token_hash = _hash(secret)
        invitation.sent_at = now
        invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
        invitation.sent_count += 1
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "sent_count"])
        log_action("residents.invitation.resent", actor=by, scope=campaign.slug, target=invitation,
                   role=invitation.role, sent_count=invitation.sent_count)
        url = _invitation_send(invitation, secret, build_url, by)
    return invitation, url


@transaction.atomic
def team_invitation_revoke(*, by, campaign, invitation_id) -> TeamInvitation:
    """Cancel a pending invitation: its link then says so."""
    _require_organiser(by, campaign)
    invitation = _open_invitation(campaign, invitation_id)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log_action("residents.invitation.revoked", actor=by, scope=campaign.slug, target=invitation,
               role=invitation.role)
    return invitation


def _invitation_state(invitation: TeamInvitation | None) -> TeamInvitation:
    """The invitation if it can still be accepted, else the error that says why."""
    if invitation is None:
        raise InvitationInvalid()
    if invitation.accepted_at is not None:
        raise InvitationUsed()
    if invitation.revoked_at is not None:
        raise InvitationRevoked()
    if invitation.is_expired:
        raise InvitationExpired()
    # Whoever invited must still organise the campaign: removing an organiser stops their invitations.
    if invitation.invited_by is None or not rules.can_grant_roles(invitation.invited_by, invitation.campaign):
        raise InvitationRevoked()
    return invitation


def team_invitation_peek(*, secret: str) -> TeamInvitation:
    """The invitation of this link if it can still be accepted (GET: nothing changes)."""
    return _invitation_state(
        TeamInvitation.objects.select_related("campaign", "invited_by").filter(token_hash=_hash(secret or "")).first()
    )


class InvitationStep:
    """What the person who opened an invitation link must do (``team_invitation_step``)."""

    ACCEPT = "accept"  # signed in as the invited account, which has a password: one button
    SIGN_IN = "sign_in"  # the account exists and has a password: sign in first
    SET_UP = "set_up"  # no account yet, or one without password: name and password
    OTHER_ACCOUNT = "other_account"  # signed in as someone else


def team_invitation_step(invitation: TeamInvitation, user) -> str:
    signed_in = user is not None and user.is_authenticated
    if signed_in and user.email != invitation.email:
        return InvitationStep.OTHER_ACCOUNT
    account = user if signed_in else User.objects.filter(email=invitation.email).first()
    if account is None or not account.has_usable_password():
        return InvitationStep.SET_UP
    return InvitationStep.ACCEPT if signed_in else InvitationStep.SIGN_IN


def team_invitation_accept(*, secret: str, user=None, display_name: str = "", password: str = "",
                           password_again: str = "") -> User:
    """Accept an invitation: the role is granted to the invited address's account, and the account is
    returned (the view signs it in).

    Opening the mailed link proves the address, as a sign-in link does. Without an account, or with
    one that has no password (a resident), the person chooses their public name and a password
    (Django's validators), since team members sign in with a password. An account that has a
    password must be signed in (``user``) to accept. Expired, revoked, used or replaced links are
    refused with an error saying which.
    """
    now = timezone.now()
    with transaction.atomic():
        invitation = _invitation_state(
            TeamInvitation.objects.select_for_update(of=("self",)).select_related("campaign", "invited_by")
            .filter(token_hash=_hash(secret or "")).first())
        campaign = invitation.campaign
        step = team_invitation_step(invitation, user)
        if step == InvitationStep.OTHER_ACCOUNT:
            raise InvitationOtherAccount()
        if step == InvitationStep.SIGN_IN:
            raise InvitationSignInFirst()
        account = user if step == InvitationStep.ACCEPT else User.objects.filter(email=invitation.email).first()
        if step == InvitationStep.SET_UP:
            account = _invited_account(invitation, account, display_name, password, password_again)
        if not account.is_active:
            raise InvitationInvalid()
        # The conditional UPDATE is the single-use guarantee, also where FOR UPDATE is a no-op (SQLite).
        if not TeamInvitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None,
                                             expires_at__gt=now).update(accepted_at=now, accepted_by=account):
            raise InvitationUsed()
        _role_grant(campaign=campaign, user=account, role=invitation.role, actor=account, via="invitation",
                    invitation=invitation.pk, invited_by=invitation.invited_by_id)
        log_action("residents.invitation.accepted", actor=account, scope=campaign.slug, target=invitation,
                   role=invitation.role)
    return account


def _invited_account(invitation, account, display_name, password, password_again) -> User:
    """Create the invited account, or give a password to an existing one that had none."""
    errors = {}
    name = clean_line(display_name or "")
    try:
        if not name:
            raise FieldErrors({"display_name": _("Type your public name: residents see it next to your role.")})
        if len(name) > 60:
            raise FieldErrors({"display_name": _("The public name is limited to 60 characters.")})
        name = public_name_clean(name, user=account, campaign=invitation.campaign, field="display_name")
    except FieldErrors as exc:
        errors.update(exc.errors)
    probe = account or User(email=invitation.email, display_name=name)
    try:
        _password_check_new(probe, password, password_again)
    except FieldErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    if account is None:
        try:
            with transaction.atomic():
                account = User.objects.create_user(invitation.email, password=password, display_name=name)
        except IntegrityError:  # the address signed up at the same moment: give it the password
            account = User.objects.get(email=invitation.email)
            if account.has_usable_password():
                raise InvitationSignInFirst() from None
        else:
            log_action("residents.account.created", actor=account, scope=invitation.campaign.slug, target=account,
                       via="invitation")
            return account
    account.set_password(password)
    account.display_name = name
    account.save(update_fields=["password", "display_name"])
    log_action("residents.password.set", actor=account, target=account, via="invitation")
    return account


@transaction.atomic
def role_revoke(*, by, campaign, user_id, role: str) -> None:
    """Remove one team role from a member. ``by`` must organise the campaign; the last organiser
    cannot be removed (by themselves or anyone else), so a campaign always keeps one."""
    _require_organiser(by, campaign)
    if role not in [r.value for r in TEAM_ROLES]:
        raise MemberNotFound()
    membership = (Membership.objects.select_for_update().select_related("user")
                  .filter(campaign=campaign, user_id=user_id, role=role).first())
    if membership is None:
        raise MemberNotFound()
    if role == Role.ORGANISER:
        organisers = list(Membership.objects.select_for_update().filter(campaign=campaign, role=Role.ORGANISER)
                          .values_list("pk", flat=True))
        if len(organisers) <= 1:
            raise LastOrganiser()
    membership.delete()
    rules.forget_roles(membership.user)
    rules.forget_roles(by)
    log_action("residents.role.revoked", actor=by, scope=campaign.slug, target=membership.user, role=role)

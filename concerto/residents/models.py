"""Accounts, roles per campaign, one-time sign-in links and API tokens."""

from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.campaigns.models import Campaign, Organisation
from concerto.core.errors import Invalid
from concerto.core.state import BumpingQuerySet

from .emails import normalise_email


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        """Django's hook, used by createsuperuser and the admin: the one normal form (``emails.py``)."""
        return normalise_email(email) if email else email

    def get_by_natural_key(self, username):
        """Password sign-in (ModelBackend) and the admin look up the normal form, exactly."""
        try:
            username = normalise_email(username)
        except Invalid:
            raise self.model.DoesNotExist from None
        return self.get(**{self.model.USERNAME_FIELD: username})

    def create_user(self, email: str | None, password: str | None = None, **fields):
        email = self.normalize_email(email) if email else None
        user = self.model(email=email, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Residents have no password (magic link); staff sign in with one."""

    # NULL for residents who joined with a letter code and sign in with code + PIN.
    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    display_name = models.CharField(_("public name"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or _("Resident #%(id)s") % {"id": self.pk}


class Role(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    FACILITATOR = "facilitator", _("Facilitator")
    MODERATOR = "moderator", _("Moderator")
    AMBASSADOR = "ambassador", _("Ambassador")
    CANDIDATE = "candidate", _("Candidate")
    RESIDENT = "resident", _("Resident")


class Verification(models.TextChoices):
    """How a resident's link to the neighbourhood was established."""

    EMAIL = "email", _("E-mail only")
    LETTER = "letter", _("Verified by letter")
    # Met at their address by an ambassador (door to door) or who sent the paper form of their letter.
    MET = "met", _("Met at their door or by paper")


STAFF_ROLES = {Role.ORGANISER, Role.FACILITATOR, Role.MODERATOR, Role.AMBASSADOR}


class Membership(models.Model):
    """One role of one person in one campaign."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Meaningful for the resident role only.
    verification = models.CharField(
        _("verification"), max_length=10, choices=Verification.choices, default=Verification.EMAIL
    )
    sector = models.ForeignKey(
        "campaigns.Sector", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sector")
    )
    # Residents who joined with a letter code: the version of the campaign's consent text
    # (``campaigns.ConsentText``) shown on the join page when they joined; None if there was none.
    consent_version = models.PositiveIntegerField(_("consent text version accepted"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BumpingQuerySet.as_manager()  # bulk writes change the state token (concerto.core.state)

    class Meta:
        verbose_name = _("role in a campaign")
        verbose_name_plural = _("roles in campaigns")
        constraints = [
            models.UniqueConstraint(fields=["user", "campaign", "role"], name="membership_unique")
        ]
        indexes = [models.Index(fields=["campaign", "role"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.campaign_id}"


class OrganisationRole(models.TextChoices):
    ADMIN = "admin", _("Organisation administrator")


class OrganisationMembership(models.Model):
    """A role in an organisation, above its campaigns: its administrators create campaigns (and become
    their organisers). The first one is made by ``manage.py concerto_setup``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organisation_memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=OrganisationRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BumpingQuerySet.as_manager()  # bulk writes change the state token (concerto.core.state)

    class Meta:
        verbose_name = _("role in an organisation")
        verbose_name_plural = _("roles in organisations")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="organisation_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ organisation {self.organisation_id}"


class SignInLink(models.Model):
    """A one-time, expiring sign-in link. Only the SHA-256 of the secret is stored."""

    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    next_url = models.CharField(max_length=300, blank=True)
    # What the person was doing when they asked for the link, finished once it is opened:
    # ``{"display_name": …}`` (the public name typed when joining) and ``{"code": …}`` (the letter
    # code of a join, read by ``joining``). Deleted with the link.
    intent = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["email", "created_at"])]

    def __str__(self) -> str:
        return f"sign-in link {self.pk}"


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365


def token_default_expiry():
    """Also the value the migration gave tokens made before expiry existed."""
    return timezone.now() + timedelta(days=TOKEN_DEFAULT_DAYS)


class ApiToken(models.Model):
    """A personal Bearer token. The secret is shown once; only its SHA-256 is stored.

    It expires (at most a year after creation) and is read-only unless made for writing: a token
    left in a script is worth less to whoever finds it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The default is what tokens made before scopes kept: they could already write.
    scope = models.CharField(_("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.WRITE)
    expires_at = models.DateTimeField(_("expires"), default=token_default_expiry)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


# Roles an organiser hands out through the team page (the resident role comes with joining).
TEAM_ROLES = [Role.ORGANISER, Role.FACILITATOR, Role.MODERATOR, Role.AMBASSADOR, Role.CANDIDATE]
INVITATION_DAYS = 7


class TeamInvitation(models.Model):
    """An invitation, sent by e-mail, to take a role in a campaign's team.

    Only the SHA-256 of the link's secret is stored; resending makes a new secret (the old link
    stops working). Its state is read from the dates: pending until accepted, revoked or expired.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="team_invitations")
    email = models.EmailField(_("e-mail address"))  # the normal form (emails.normalise_email)
    role = models.CharField(_("role"), max_length=20, choices=[(r.value, r.label) for r in TEAM_ROLES])
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_count = models.PositiveSmallIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email", "role"], name="team_invitation_one_open",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

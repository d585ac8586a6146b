"""Households of the neighbourhood, their invitation codes, the letters printed for them and
the residents who joined with a code."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from concerto.campaigns.models import Campaign, Sector


class LetterSettings(models.Model):
    """The organiser's letter: text with placeholders, sender block, residents per code."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="letter_settings")
    sender_lines = models.TextField(_("sender (one line per line)"), blank=True)
    place = models.CharField(_("place written before the date"), max_length=100, blank=True)
    title = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("letter text"), blank=True)
    signature = models.CharField(_("signature"), max_length=200, blank=True)
    residents_per_code = models.PositiveSmallIntegerField(
        _("residents who may join with one code"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Reminders: only households whose letter was posted at least this many days ago; the
    # paragraph printed above the letter's text (empty: the default one, rendering.reminder_intro).
    reminder_after_days = models.PositiveSmallIntegerField(
        _("days after posting before a reminder"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    reminder_text = models.TextField(_("reminder paragraph"), blank=True)

    class Meta:
        verbose_name = _("letter settings")
        verbose_name_plural = _("letter settings")

    def __str__(self) -> str:
        return f"letter settings of {self.campaign_id}"


class StreetRule(models.Model):
    """Households whose address is in this street belong to this sector."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="street_rules")
    street = models.CharField(_("street"), max_length=200)
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="street_rules", verbose_name=_("sector"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["street"]
        verbose_name = _("street rule")
        verbose_name_plural = _("street rules")
        constraints = [models.UniqueConstraint(fields=["campaign", "street"], name="street_rule_unique")]

    def __str__(self) -> str:
        return self.street


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Previewed")
    IMPORTED = "imported", _("Imported")
    CANCELLED = "cancelled", _("Cancelled")
    UNDONE = "undone", _("Undone")


class HouseholdImport(models.Model):
    """One uploaded CSV file: previewed first, imported only when valid and confirmed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="household_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The parsed rows and errors, kept between the preview and the confirmation.
    preview = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    # Set when the organiser undid the import (services.household_import_undo).
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class Household(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="households")
    name = models.CharField(_("name"), max_length=200, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    address_line3 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12)
    city = models.CharField(_("city"), max_length=120)
    sector = models.ForeignKey(
        Sector, on_delete=models.SET_NULL, null=True, blank=True, related_name="households", verbose_name=_("sector")
    )
    # Normalised address, to detect the same household imported twice.
    key = models.CharField(max_length=400)
    source = models.ForeignKey(HouseholdImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="households")
    # When an organiser chose the sector by hand: the street rules never change it afterwards.
    sector_set_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sector_id", "address_line1", "pk"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="household_key_unique")]

    def __str__(self) -> str:
        return self.address_line1

    @property
    def address_lines(self) -> list[str]:
        lines = [self.name, self.address_line1, self.address_line2, self.address_line3, f"{self.postcode} {self.city}"]
        return [line for line in lines if line.strip()]


class InvitationCode(models.Model):
    """The personal code printed on a household's letter. One active code per household.

    A household deleted by an organiser (vacant, or undone with its import) leaves its codes behind,
    revoked and without household (``household`` NULL): the audit trail and the batches that printed
    them still name them, and joining refuses them with its own message.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitation_codes")
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="codes")
    # Canonical form: upper case, no separators, check character last.
    code = models.CharField(max_length=16, unique=True)
    max_uses = models.PositiveSmallIntegerField(default=4)
    use_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoke_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(revoked_at__isnull=True), name="one_active_code_per_household"
            ),
            models.CheckConstraint(condition=Q(use_count__lte=F("max_uses")), name="code_use_count_bounded"),
        ]
        indexes = [models.Index(fields=["campaign", "use_count"])]

    def __str__(self) -> str:
        return f"code {self.pk}"


class CodeUse(models.Model):
    """A resident who joined with a code. Residents without e-mail sign in with code + PIN."""

    code = models.ForeignKey(InvitationCode, on_delete=models.CASCADE, related_name="uses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="code_uses")
    pin_hash = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "user"], name="code_use_unique")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"use of code {self.code_id} by {self.user_id}"


class BatchKind(models.TextChoices):
    INVITATION = "invitation", _("Invitations")
    REMINDER = "reminder", _("Reminders")
    REISSUE = "reissue", _("Re-issued letter")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class LetterBatch(models.Model):
    """One PDF mail-merge: the letters of a set of households, generated in the background."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="letter_batches")
    kind = models.CharField(max_length=12, choices=BatchKind.choices)
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="letters/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set by the organiser once the letters are printed and posted.
    sent_at = models.DateTimeField(null=True, blank=True)
    codes = models.ManyToManyField(InvitationCode, through="BatchLetter", related_name="batches")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("batch of letters")
        verbose_name_plural = _("batches of letters")

    def __str__(self) -> str:
        return f"batch {self.pk}"

    # Templates and views ask these instead of spelling status strings.
    @property
    def is_working(self) -> bool:
        return self.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == BatchStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == BatchStatus.FAILED

    @property
    def is_downloadable(self) -> bool:
        """The PDF exists: the batch is done and its file was kept (the site serves it, never MEDIA_ROOT)."""
        return self.is_done and bool(self.file)


class BatchLetter(models.Model):
    batch = models.ForeignKey(LetterBatch, on_delete=models.CASCADE, related_name="letters")
    code = models.ForeignKey(InvitationCode, on_delete=models.CASCADE, related_name="letters")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["batch", "code"], name="batch_letter_unique")]

    def __str__(self) -> str:
        return f"letter {self.position} of batch {self.batch_id}"

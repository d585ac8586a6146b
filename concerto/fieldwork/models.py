"""Door to door and paper: devices, rounds, visits, the residents who took part, paper sheets, flags.

Exactly-once is a database property here: every capture made offline carries the id its phone drew
(``client_id``, unique in the database) and the hash of its canonical content (``content_hash``). A
replay with the same id and hash is a no-op; the same id with another hash is a conflict, kept apart
(``SyncConflict``) for review and never applied.

A visit's effects (the resident's account, supports, proposals) are applied only when its batch is
counted (``Batch.status`` accepted or released): a batch that raises a flag is held for an organiser.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.campaigns.models import Campaign, Sector
from concerto.core.models import TimeStampedModel


class FieldworkSettings(models.Model):
    """A campaign's door-to-door policy, edited by its organisers."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="fieldwork_settings")
    # Above this many residents taking part in one day, an ambassador's further visits are held.
    daily_ceiling = models.PositiveSmallIntegerField(_("participations per ambassador and day"), default=40)
    # "More than ~25 doors an hour" is not humanly possible (3–5 minutes per door).
    doors_per_hour_max = models.PositiveSmallIntegerField(_("doors per hour, at most"), default=25)
    participations_per_address_max = models.PositiveSmallIntegerField(_("participations per address, at most"),
                                                                      default=4)
    contact_rate_min = models.PositiveSmallIntegerField(_("usual contact rate, lowest (%)"), default=15)
    contact_rate_max = models.PositiveSmallIntegerField(_("usual contact rate, highest (%)"), default=30)
    # Consent read aloud at the door: the scripted text (versions in ConsentScript).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("door-to-door settings")
        verbose_name_plural = _("door-to-door settings")

    def __str__(self) -> str:
        return f"fieldwork settings {self.campaign_id}"


class ConsentScript(models.Model):
    """The consent text an ambassador reads aloud at the door (or printed on the paper form).
    Versions are never changed or deleted: a participation names the version it was given."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="consent_scripts")
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    # sha256 of the text: what a phone sends back, so a capture proves which words were read.
    text_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["campaign", "-version"]
        verbose_name = _("consent script")
        verbose_name_plural = _("consent scripts")
        constraints = [models.UniqueConstraint(fields=["campaign", "version"], name="consent_script_version_unique")]

    def __str__(self) -> str:
        return f"consent script v{self.version}"


class Device(models.Model):
    """One phone enrolled for one ambassador in one campaign. Its token (only the hash is kept) is
    the credential of its sync requests, together with the ambassador's session."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="devices")
    ambassador = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    label = models.CharField(_("name"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["campaign", "-created_at"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return self.label


class Enrolment(models.Model):
    """A single-use QR code shown on the organiser's screen: scanned within its validity, it enrols
    the phone that opens it as ``device``. Only the secret's hash is kept."""

    device = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="enrolment")
    secret_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"enrolment of device {self.device_id}"


class RoundStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("round", "Planned")
    DONE = "done", pgettext_lazy("round", "Done")
    CANCELLED = "cancelled", pgettext_lazy("round", "Cancelled")


class Round(TimeStampedModel):
    """One ambassador's afternoon: the doors of some sectors, on one day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rounds")
    ambassador = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="rounds",
                                   verbose_name=_("ambassador"))
    day = models.DateField(_("day"))
    sectors = models.ManyToManyField(Sector, related_name="rounds", verbose_name=_("sectors"))
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.PLANNED)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")

    class Meta:
        ordering = ["campaign", "day", "pk"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        indexes = [models.Index(fields=["campaign", "ambassador", "day"])]

    def __str__(self) -> str:
        return f"round {self.pk} ({self.day})"


class RoundDoor(models.Model):
    """A household on a round's list, in walking order. ``day`` repeats the round's day so that the
    database refuses one door on two ambassadors' lists the same day."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="doors")
    household = models.ForeignKey("letters.Household", on_delete=models.CASCADE, related_name="round_doors")
    day = models.DateField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["round", "position"]
        constraints = [models.UniqueConstraint(fields=["household", "day"], name="round_door_once_a_day")]

    def __str__(self) -> str:
        return f"door {self.household_id} on round {self.round_id}"


class BatchStatus(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("batch", "Counted")
    HELD = "held", pgettext_lazy("batch", "Held for review")
    RELEASED = "released", pgettext_lazy("batch", "Counted after review")
    REJECTED = "rejected", pgettext_lazy("batch", "Not counted after review")


COUNTED_BATCH = (BatchStatus.ACCEPTED, BatchStatus.RELEASED)


class Batch(models.Model):
    """The new visits of one sync request. Its status decides whether they count."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="fieldwork_batches")
    ambassador = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="batches")
    received_at = models.DateTimeField()
    status = models.CharField(_("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.ACCEPTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["campaign", "-received_at"]
        verbose_name = _("sync batch")
        verbose_name_plural = _("sync batches")
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"batch {self.pk}"


class Outcome(models.TextChoices):
    ABSENT = "absent", pgettext_lazy("door", "Nobody home")
    REFUSED = "refused", pgettext_lazy("door", "Refused")
    TALKED = "talked", pgettext_lazy("door", "Talked")
    LATER = "later", pgettext_lazy("door", "Come back later")


OPENED_OUTCOMES = (Outcome.REFUSED, Outcome.TALKED, Outcome.LATER)


class Visit(models.Model):
    """One knock on one door, captured on a phone (possibly offline) and synced once.

    Deleting an ambassador's account keeps their visits, batches, flags and rounds, anonymised
    (``ambassador`` NULL): what was counted stays counted and its review stays explainable."""

    client_id = models.UUIDField(unique=True)
    content_hash = models.CharField(max_length=64)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="visits")
    batch = models.ForeignKey(Batch, on_delete=models.RESTRICT, related_name="visits")
    ambassador = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="visits")
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    round = models.ForeignKey(Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    household = models.ForeignKey("letters.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    address = models.CharField(_("address"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    captured_at = models.DateTimeField(_("captured at"))
    received_at = models.DateTimeField(_("received at"))
    # The canonical content as the phone sent it: what a held batch applies when released.
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["campaign", "captured_at", "pk"]
        verbose_name = _("door visit")
        verbose_name_plural = _("door visits")
        indexes = [models.Index(fields=["campaign", "ambassador", "captured_at"])]

    def __str__(self) -> str:
        return f"visit {self.client_id}"


class Channel(models.TextChoices):
    """How a participation reached us (the same values as ``proposals.Channel``)."""

    DOOR_TO_DOOR = "door_to_door", _("Door to door")
    PAPER = "paper", _("Paper form")


class ConsentMethod(models.TextChoices):
    ORAL = "oral", _("Read aloud and agreed orally")
    PAPER = "paper", _("Signed on the paper form")


class Participation(models.Model):
    """A resident who took part without the website: at a door, or on a paper form typed by staff.

    ``user`` is the account that holds their supports and proposals: an account without e-mail made
    for them, or, once they were recognised (``linked_at``), the account they joined with online.
    """

    client_id = models.UUIDField(unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="offline_participations")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, null=True, blank=True, related_name="participations")
    sheet = models.OneToOneField("PaperSheet", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="participation")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="offline_participations")
    household = models.ForeignKey("letters.Household", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="offline_participations")
    code = models.ForeignKey("letters.InvitationCode", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    initials = models.CharField(_("first name or initials"), max_length=40, blank=True)
    profile = models.JSONField(_("profile answers"), default=dict, blank=True)
    wants_post = models.BooleanField(_("wants news by post"), default=False)
    # Consent (GDPR art. 7(1)): which words, how, when, and who heard it.
    consent_script = models.ForeignKey(ConsentScript, on_delete=models.RESTRICT, related_name="participations")
    consent_method = models.CharField(_("consent"), max_length=10, choices=ConsentMethod.choices)
    consent_at = models.DateTimeField(_("consent given at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the resident was recognised as someone with an online account (``participation_link``).
    linked_at = models.DateTimeField(null=True, blank=True)
    # Set when an organiser decided a possible duplicate is another person.
    distinct_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "created_at", "pk"]
        verbose_name = _("offline participation")
        verbose_name_plural = _("offline participations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(channel="door_to_door", visit__isnull=False, sheet__isnull=True)
                           | Q(channel="paper", sheet__isnull=False, visit__isnull=True)),
                name="participation_from_visit_or_sheet",
            )
        ]

    def __str__(self) -> str:
        return f"participation {self.client_id}"


class PaperSheet(models.Model):
    """One printed paper form. Its serial is printed on it (with a check character); typing the same
    serial twice is detected: same content → already entered, other content → a conflict."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="paper_sheets")
    serial = models.CharField(_("form number"), max_length=16)
    printed_at = models.DateTimeField(null=True, blank=True)
    entered_at = models.DateTimeField(null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    content_hash = models.CharField(max_length=64, blank=True)
    # Paper section (added with the printing): the print run that made it, its place in the run, and
    # what staff typed (normalised: the actions' ids, the code, ...), shown again for checks.
    print_run = models.ForeignKey("PaperPrint", on_delete=models.RESTRICT, null=True, blank=True,
                                  related_name="sheets")
    number = models.PositiveIntegerField(_("number in the print run"), default=0)
    entry = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["campaign", "serial"]
        verbose_name = _("paper form")
        verbose_name_plural = _("paper forms")
        constraints = [models.UniqueConstraint(fields=["campaign", "serial"], name="paper_sheet_serial_unique")]

    def __str__(self) -> str:
        return self.serial


class SyncConflict(models.Model):
    """A capture whose id was already stored with other content: kept, never applied, for review."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sync_conflicts")
    client_id = models.UUIDField()
    kind = models.CharField(max_length=20)  # "visit" or "paper"
    ambassador = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    content_hash = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["campaign", "-received_at"]
        constraints = [
            # The same conflicting content replayed is stored once.
            models.UniqueConstraint(fields=["client_id", "content_hash"], name="sync_conflict_once"),
        ]

    def __str__(self) -> str:
        return f"conflict on {self.client_id}"


class FlagKind(models.TextChoices):
    TOO_FAST = "too_fast", _("Visits faster than humanly possible")
    ADDRESS_CROWDED = "address_crowded", _("Many participations at one address")
    STREET_OUTLIER = "street_outlier", _("Supports far above the street's average")
    CONTACT_RATE = "contact_rate", _("Contact rate far from the usual")
    DAILY_CEILING = "daily_ceiling", _("Daily ceiling passed")
    SAME_ANSWERS = "same_answers", _("Identical answers, one after the other")
    TOO_SHORT = "too_short", _("Visits too short for a resident to take part")


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("flag", "To review")
    CLEARED = "cleared", pgettext_lazy("flag", "Cleared")
    UPHELD = "upheld", pgettext_lazy("flag", "Upheld")


class Flag(models.Model):
    """An anomaly an organiser must look at. Flags never delete anything."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="fieldwork_flags")
    kind = models.CharField(_("kind"), max_length=20, choices=FlagKind.choices)
    ambassador = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, null=True, blank=True, related_name="flags")
    day = models.DateField(_("day"))
    # The figures behind the flag (e.g. {"doors_per_hour": 41}), shown in a sentence to organisers.
    detail = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "-created_at"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"flag {self.kind}"


# --- Paper forms ---------------------------------------------------------------------------------

class PrintStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("print", "Waiting")
    RUNNING = "running", pgettext_lazy("print", "Being made")
    DONE = "done", pgettext_lazy("print", "Ready")
    FAILED = "failed", pgettext_lazy("print", "Failed")


class PaperPrint(models.Model):
    """Forms an organiser asked for at once: their sheets (one serial each) and the PDF made in the
    background (``tasks.render_paper_print``).

    ``actions`` is the numbering printed on these forms, ``[{"n": 3, "id": 41}, ...]``: staff type the
    numbers. A number is never given to another action of the campaign (``services._paper_numbering``),
    so one number means one action on every form ever printed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="paper_prints")
    count = models.PositiveIntegerField(_("forms"))
    actions = models.JSONField(default=list)
    consent_script = models.ForeignKey(ConsentScript, on_delete=models.RESTRICT, related_name="paper_prints")
    status = models.CharField(_("status"), max_length=10, choices=PrintStatus.choices, default=PrintStatus.QUEUED)
    file = models.FileField(upload_to="fieldwork/", blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "-created_at", "-pk"]
        verbose_name = _("printing of paper forms")
        verbose_name_plural = _("printings of paper forms")

    def __str__(self) -> str:
        return f"paper print {self.pk}"

    @property
    def is_working(self) -> bool:
        return self.status in (PrintStatus.QUEUED, PrintStatus.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == PrintStatus.DONE and bool(self.file)

    @property
    def is_failed(self) -> bool:
        return self.status == PrintStatus.FAILED


# --- Linking: a resident recognises (or not) a participation of their household ------------------

class LinkDismissal(models.Model):
    """A resident said « not me, someone else of my household » about a door or paper participation.

    Kept in the database rather than in the session: the question must not come back on another
    device or after signing in again. It is one person's answer: another member of the household
    is still asked, and the participation itself is unchanged (it may still be linked by its owner,
    or reviewed as a possible duplicate by an organiser)."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="dismissals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participation", "user"], name="link_dismissal_once")]

    def __str__(self) -> str:
        return f"not {self.user_id}: participation {self.participation_id}"

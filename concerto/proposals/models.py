"""Actions (proposals), supports, comments and reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concerto.campaigns.models import Campaign, Sector
from concerto.core.models import TimeStampedModel
from concerto.core.state import BumpingQuerySet


class Theme(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)

    objects = BumpingQuerySet.as_manager()  # bulk writes change the state token (concerto.core.state)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [models.UniqueConstraint(fields=["campaign", "slug"], name="theme_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Origin(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    ONLINE = "online", _("Online")
    DOOR_TO_DOOR = "door_to_door", _("Door to door")
    PAPER = "paper", _("Paper form")


class ActionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another action")
    WITHDRAWN = "withdrawn", _("Withdrawn by its author")


PUBLIC_STATUSES = (ActionStatus.PUBLISHED, ActionStatus.MERGED)


class Action(TimeStampedModel):
    """A proposal. Contributions from residents are actions whose origin is not a workshop."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("title"), max_length=140)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("description"), blank=True)
    body_html = models.TextField(editable=False, blank=True)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    place = models.CharField(_("place"), max_length=140, blank=True)
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, default=Origin.ONLINE)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PENDING)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Denormalised; changed only by services in the same transaction as the rows they count.
    support_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    search_text = models.TextField(editable=False, blank=True)
    # The title lower-cased and without accents (``core.text.search_key``): what ``similar_actions``
    # compares, with pg_trgm on PostgreSQL (a GIN trigram index, migration 0005) or in Python on SQLite.
    title_key = models.CharField(max_length=140, editable=False, blank=True, default="")
    # Set when a moderator corrected the contribution before publishing it: its author is told.
    edited_by_moderation_at = models.DateTimeField(_("edited by the moderators at"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            models.Index(fields=["campaign", "status", "-support_count"]),
            models.Index(fields=["campaign", "status", "-published_at"]),
            # The public list sorts all public actions of a campaign: partial indexes in the
            # exact sort order turn a scan-and-sort into an index walk (11 → 0.1 ms at 10,000 actions).
            models.Index(fields=["campaign", "-support_count", "-id"], name="action_public_by_support",
                         condition=models.Q(status__in=["published", "merged"])),
            models.Index(fields=["campaign", "-published_at", "-id"], name="action_public_by_date",
                         condition=models.Q(status__in=["published", "merged"])),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="merged_action_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    # Templates ask these instead of spelling status strings.
    @property
    def is_pending(self) -> bool:
        return self.status == ActionStatus.PENDING

    @property
    def is_published(self) -> bool:
        return self.status == ActionStatus.PUBLISHED

    @property
    def is_rejected(self) -> bool:
        return self.status == ActionStatus.REJECTED

    @property
    def is_merged(self) -> bool:
        return self.status == ActionStatus.MERGED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == ActionStatus.WITHDRAWN


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    DOOR_TO_DOOR = "door_to_door", _("Door to door")
    WORKSHOP = "workshop", _("Workshop")
    PAPER = "paper", _("Paper form")


class Support(models.Model):
    """One resident supports one action. ``user`` becomes NULL when the account is deleted:
    the support stays counted, anonymised. NULLs are distinct in the unique constraint."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="supports"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the account is erased: a keyed hash of its address for this campaign (never the
    # address), so that the same address cannot support the action again with a new account.
    erased_address_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["action", "user"], name="one_support_per_resident")]
        indexes = [models.Index(fields=["user", "action"])]

    def __str__(self) -> str:
        return f"support {self.pk} on action {self.action_id}"


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden by moderation")


class Comment(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(_("comment"))
    status = models.CharField(max_length=10, choices=CommentStatus.choices, default=CommentStatus.VISIBLE)
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    open_report_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["action", "status", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on action {self.action_id}"

    @property
    def is_hidden(self) -> bool:
        return self.status == CommentStatus.HIDDEN


class ReportKind(models.TextChoices):
    """Why a comment is reported: the moderators read it next to the comment."""

    INSULT = "insult", _("Insulting, hateful or threatening")
    PERSONAL = "personal", _("Reveals someone's personal information")
    SPAM = "spam", _("Advertising or spam")
    OFF_TOPIC = "off_topic", _("Off topic or misleading")
    OTHER = "other", _("Another reason")


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("reason"), max_length=20, choices=ReportKind.choices, default=ReportKind.OTHER)
    reason = models.CharField(_("details"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_person")]

    def __str__(self) -> str:
        return f"report {self.pk} on comment {self.comment_id}"

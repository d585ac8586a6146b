"""The candidates' TV set: candidates, the event and its running order, positions, speaking time,
audience questions, and the on-air log that gives replay chapters.

Every change the set makes goes through the event's row (``Event.seq``, taken under
``select_for_update``): it orders the changes, numbers the live states the screens receive, and
lets a reloaded overlay know it holds the latest one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concerto.campaigns.models import Campaign
from concerto.core.models import TimeStampedModel

SUMMARY_MAX = 280
IMPROVEMENT_MAX = 1000
WRITTEN_MAX = 2000
QUESTION_MAX = 280


class Candidate(TimeStampedModel):
    """A list standing in the election, and the person who speaks for it on the set."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(_("candidate's name"), max_length=120)
    list_name = models.CharField(_("list name"), max_length=200)
    # The person on the set when the head of the list sends someone (shown beside the name).
    representative = models.CharField(_("representative present"), max_length=120, blank=True)
    photo = models.FileField(_("photo"), upload_to="candidates/", blank=True)
    photo_alt = models.CharField(_("description of the photo"), max_length=300, blank=True)
    contact_email = models.EmailField(_("contact e-mail for the dossier"), blank=True)
    # The account that writes this list's reactions; the account has the CANDIDATE role.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="candidacies")
    # The order of the lists on the official panel (drawn by the prefecture); every page lists the
    # candidates in this order, never by any figure of theirs.
    ballot_order = models.PositiveSmallIntegerField(_("order on the official panel"))

    class Meta:
        ordering = ["campaign", "ballot_order", "id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="candidate_name_unique"),
            models.UniqueConstraint(fields=["campaign", "ballot_order"], name="candidate_ballot_order_unique"),
            models.UniqueConstraint(fields=["campaign", "user"], condition=Q(user__isnull=False),
                                    name="candidate_user_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ON_AIR = "on_air", _("On air")
    ENDED = "ended", _("Ended")


class Event(TimeStampedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="live_events")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("planned start"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    stream_url = models.URLField(_("address of the video stream to embed"), blank=True)
    # Origins allowed to frame the overlay and live pages (the mixing software, a partner's site):
    # ``frame-ancestors`` of those pages only; every other page keeps 'none'.
    frame_origins = models.JSONField(_("sites allowed to embed the live pages"), default=list, blank=True)
    questions_open = models.BooleanField(_("audience questions open"), default=False)
    # Equal time: the gap between the most and the least exposed candidate at the end.
    target_gap_seconds = models.PositiveIntegerField(_("largest gap in speaking time (seconds)"), default=60)
    status = models.CharField(_("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The reply order (a Latin square from this seed), published before the show and never changed after.
    order_seed = models.CharField(max_length=64, blank=True)
    order_published_at = models.DateTimeField(null=True, blank=True)
    on_air = models.ForeignKey("RunningItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Increased by every change of the set, under the event's row lock: the live states' number.
    seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("live event")
        verbose_name_plural = _("live events")

    def __str__(self) -> str:
        return self.title


class RunningItem(models.Model):
    """An action on the running order, with the resident who presents it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="items")
    action = models.ForeignKey("proposals.Action", on_delete=models.CASCADE, related_name="running_items")
    position = models.PositiveSmallIntegerField()
    presenter = models.CharField(_("resident presenting it"), max_length=120, blank=True)
    # The candidates' reply order for this action (candidate ids), from the published Latin square.
    reply_order = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["event", "position"]
        constraints = [
            models.UniqueConstraint(fields=["event", "action"], name="running_item_action_unique"),
            models.UniqueConstraint(fields=["event", "position"], name="running_item_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.event} – {self.position}"


class Stance(models.TextChoices):
    COMMITS = "commits", _("Commits to it")
    FAVOURABLE = "favourable", _("Favourable")
    WITH_CHANGES = "with_changes", _("Favourable with changes")
    RESERVED = "reserved", _("Reserved")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")
    NO_ANSWER = "no_answer", _("No answer")


class Position(models.Model):
    """A candidate's position on an action, as said on the set and recorded by a facilitator."""

    item = models.ForeignKey(RunningItem, on_delete=models.CASCADE, related_name="positions")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="positions")
    stance = models.CharField(_("position"), max_length=20, choices=Stance.choices)
    summary = models.CharField(_("what they said"), max_length=SUMMARY_MAX, blank=True)
    improvement = models.TextField(_("improvement suggested"), max_length=IMPROVEMENT_MAX, blank=True)
    # The control room's id for this cell (live inputs carry a client id) and its edit counter: a
    # retried or late save with a lower revision never overwrites a newer one.
    client_id = models.UUIDField(unique=True)
    revision = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["item", "candidate__ballot_order"]
        constraints = [models.UniqueConstraint(fields=["item", "candidate"], name="position_item_candidate_unique")]

    def __str__(self) -> str:
        return f"{self.candidate} – {self.get_stance_display()}"


class WrittenReaction(models.Model):
    """A candidate's own written reaction to an action, before or after the event."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="written_reactions")
    action = models.ForeignKey("proposals.Action", on_delete=models.CASCADE, related_name="written_reactions")
    stance = models.CharField(_("position"), max_length=20, choices=Stance.choices)
    text = models.TextField(_("your reaction"), max_length=WRITTEN_MAX, blank=True)
    improvement = models.TextField(_("improvement suggested"), max_length=IMPROVEMENT_MAX, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["action", "candidate__ballot_order"]
        constraints = [models.UniqueConstraint(fields=["candidate", "action"], name="written_reaction_unique")]

    def __str__(self) -> str:
        return f"{self.candidate} – {self.get_stance_display()}"


class SpeakingTurn(models.Model):
    """One stretch of a candidate speaking, timed by the server's clock."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="turns")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="turns")
    item = models.ForeignKey(RunningItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="turns")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    client_id = models.UUIDField(unique=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["event", "started_at", "id"]
        constraints = [
            # One clock runs at a time on a set.
            models.UniqueConstraint(fields=["event"], condition=Q(ended_at__isnull=True), name="one_open_turn"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                                   name="turn_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} – {self.started_at:%H:%M:%S}"


class AirSpan(models.Model):
    """An action's time on air (an action may come back on air): the replay chapters."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="air_spans")
    item = models.ForeignKey(RunningItem, on_delete=models.CASCADE, related_name="air_spans")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event"], condition=Q(ended_at__isnull=True), name="one_open_air_span"),
        ]

    def __str__(self) -> str:
        return f"{self.item} – {self.started_at:%H:%M:%S}"


class QuestionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not kept")


class AudienceQuestion(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    item = models.ForeignKey(RunningItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.CharField(_("your question"), max_length=QUESTION_MAX)
    status = models.CharField(max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.PENDING)
    client_id = models.UUIDField(unique=True)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # The one question on screen now (approved ones wait in a list until the facilitator shows one).
    shown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "created_at", "id"]

    def __str__(self) -> str:
        return self.text

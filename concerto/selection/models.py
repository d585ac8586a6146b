"""Fair selections of workshop participants among the volunteers (``concerto.volunteers``), and their seats."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.campaigns.models import Campaign


class SelectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPUTING = "computing", _("Computing")
    INFEASIBLE = "infeasible", _("Quotas cannot be met")
    FAILED = "failed", _("Failed")
    PUBLISHED = "published", _("Distribution published")
    ANNOUNCED = "announced", _("Random source announced")
    DRAWN = "drawn", _("Drawn")


# From publication on, a selection's audit page is public (``rules.can_view_selection``).
PUBLIC_STATUSES = frozenset({SelectionStatus.PUBLISHED, SelectionStatus.ANNOUNCED, SelectionStatus.DRAWN})


class Selection(models.Model):
    """One selection of workshop participants: quotas, the published distribution, the public draw."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="selections")
    title = models.CharField(_("title"), max_length=200)
    panel_size = models.PositiveSmallIntegerField(_("panel size"))
    # [{"category": "age", "value": "18-29", "min": 1, "max": 4}, {"category": "talent:dessin", "value": "oui", ...}]
    quotas = models.JSONField(default=list)
    # Volunteers must be available on all these workshop dates (codes) to be in the pool.
    required_dates = models.JSONField(default=list)
    time_limit = models.PositiveIntegerField(_("time limit (seconds)"), default=60)
    # No panel may hold two volunteers of the same household (one letter can give four accounts).
    one_per_household = models.BooleanField(_("one seat per household"), default=False)
    status = models.CharField(max_length=12, choices=SelectionStatus.choices, default=SelectionStatus.DRAFT)
    progress = models.FloatField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # Stage 1, computed deterministically and published.
    pool = models.JSONField(default=list)
    pool_sha256 = models.CharField(max_length=64, blank=True)
    distribution = models.JSONField(default=dict)
    infeasibility = models.JSONField(default=dict)
    lowest_probability = models.FloatField(null=True, blank=True)
    method = models.CharField(max_length=20, blank=True)
    complete = models.BooleanField(default=False)
    versions = models.JSONField(default=dict)
    compute_seconds = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Stage 2: the random source is announced before it is known, then its value entered.
    random_source = models.CharField(_("source of the random value"), max_length=300, blank=True)
    # Fixed at the announcement, before the value exists: the exact format the value must have
    # (``algorithms.draw.validate_random_format``) and the moment it will be known (e.g. the evening
    # of the lottery draw). The draw accepts only a value in this format and uses its canonical form,
    # so nobody can pick among spellings, and it is refused before that moment (``DrawTooEarly``).
    random_format = models.JSONField(default=dict, blank=True)
    random_known_at = models.DateTimeField(_("moment the random value will be known"), null=True, blank=True)
    witnesses = models.TextField(_("witnesses"), blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    random_value = models.CharField(_("random value"), max_length=200, blank=True)
    ticket = models.CharField(max_length=40, blank=True)
    panel_index = models.PositiveIntegerField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the volunteers' answers are erased after the retention period
    # (``selection.erasure.volunteers_purge_expired``): the pool then keeps pseudonyms only, and what the
    # public pages show comes from here: ``{"at", "counts": {category: {value: n}}, "panel_counts",
    # "current_counts", "current_meets_quotas", "document": selection.json as published}``.
    archived = models.JSONField(default=dict, blank=True)
    # Not the same as ``archived`` above: a drawn selection the organisers put away (a rehearsal, a
    # superseded draw). It leaves the lists but keeps its audit page; drawn selections are never
    # deleted (``selection_archive``; drafts and undrawn ones are deleted: ``selection_delete``).
    archived_at = models.DateTimeField(null=True, blank=True)
    # The selection whose panel is the campaign's workshop panel: the only one that feeds public
    # figures (``selectors.selection_figures``). Set by organisers on a drawn selection, at most one.
    is_workshop_panel = models.BooleanField(_("workshop panel"), default=False)
    # The first workshop meeting, told to the drawn people (the workshops themselves come later:
    # until then, a place and a start are all a notification needs), and the organisers' own
    # paragraph of the notification (``notifications.seat_message``; empty: the default one).
    workshop_place = models.CharField(_("place of the first workshop"), max_length=300, blank=True)
    workshop_starts_at = models.DateTimeField(_("date and time of the first workshop"), null=True, blank=True)
    notice_text = models.TextField(_("message to the selected people"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        constraints = [
            models.UniqueConstraint(fields=["campaign"], condition=Q(is_workshop_panel=True),
                                    name="selection_one_workshop_panel"),
            models.CheckConstraint(condition=~Q(is_workshop_panel=True) | Q(status="drawn"),
                                   name="selection_workshop_panel_drawn"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def random_date(self):
        """The local day of ``random_known_at`` (what the published file has always called ``random_date``)."""
        return timezone.localdate(self.random_known_at) if self.random_known_at else None


class SeatStatus(models.TextChoices):
    SELECTED = "selected", _("Selected")
    RESERVE = "reserve", _("Reserve")
    WITHDRAWN = "withdrawn", _("Withdrew")


class SeatAnswer(models.TextChoices):
    """A selected person's answer to their notification (through the link it carries)."""

    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class SelectionSeat(models.Model):
    """A volunteer's place after the draw: on the panel, on the reserve list, or withdrawn."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="seats")
    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.CASCADE, related_name="seats")
    status = models.CharField(max_length=10, choices=SeatStatus.choices)
    reserve_rank = models.PositiveIntegerField(null=True, blank=True)
    # The withdrawn person this reserve replaced.
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now=True)
    # When this panel seat was given up (status withdrawn), and how it was refilled: ``{"quotas_kept":
    # bool, "skipped": [reserve pseudonyms passed over because they had withdrawn], "reason":
    # "organiser" | "account_deleted"}``. Published in order, so verify.py can replay every change.
    left_at = models.DateTimeField(null=True, blank=True)
    replacement_info = models.JSONField(default=dict, blank=True)
    # Empty until the person answers through the link of their notification (``seat_answer``).
    answer = models.CharField(max_length=10, choices=SeatAnswer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "reserve_rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["selection", "volunteer"], name="seat_unique")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.status}"

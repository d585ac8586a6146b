"""Workshops: sessions and their attendees, the idea wall (ideas, themes, dots) and action sheets.

The wall is a phase machine (``Phase``), one field on ``Workshop`` changed only by
``services.workshop_phase_set``. Every wall write bumps ``Workshop.version`` under the workshop's
row lock; that number is the live event's version (``concerto.core.live``) and the fragment cache key.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.campaigns.models import Campaign
from concerto.core.models import TimeStampedModel


class Phase(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("workshop phase", "Not started")
    COLLECT = "collect", pgettext_lazy("workshop phase", "Collecting ideas")
    REVEAL = "reveal", pgettext_lazy("workshop phase", "Ideas revealed")
    CLUSTER = "cluster", pgettext_lazy("workshop phase", "Grouping into themes")
    VOTE = "vote", pgettext_lazy("workshop phase", "Dot-vote")
    SHEETS = "sheets", pgettext_lazy("workshop phase", "Action sheets")
    CLOSED = "closed", pgettext_lazy("workshop phase", "Closed")


# The only order the wall moves in: one step forward, or one step back.
PHASE_ORDER = [Phase.PLANNED, Phase.COLLECT, Phase.REVEAL, Phase.CLUSTER, Phase.VOTE, Phase.SHEETS, Phase.CLOSED]
# Phases in which peers see each other's ideas (before the reveal only the author and the
# facilitators do: no groupthink).
REVEALED_PHASES = (Phase.REVEAL, Phase.CLUSTER, Phase.VOTE, Phase.SHEETS, Phase.CLOSED)
# Phases after the vote closed: totals are shown.
VOTE_CLOSED_PHASES = (Phase.SHEETS, Phase.CLOSED)

DOTS_MIN, DOTS_MAX, DOTS_DEFAULT = 1, 99, 5
IDEA_MAX_LENGTH = 280
ROOM_CODE_LENGTH = 6
# Room codes avoid letters and digits that look alike when read off a projector (0/O, 1/I/L, 5/S).
ROOM_CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY2346789"


class Workshop(TimeStampedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="workshops")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=140)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=140)
    address = models.CharField(_("address"), max_length=200, blank=True)
    access_notes = models.TextField(_("access and accessibility"), blank=True)
    # The drawn panel whose people (and reserves) are invited.
    selection = models.ForeignKey("selection.Selection", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="workshops", verbose_name=_("panel"))
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                          related_name="facilitated_workshops", verbose_name=_("facilitators"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)

    # The wall.
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.PLANNED)
    phase_changed_at = models.DateTimeField(null=True, blank=True)
    room_code = models.CharField(_("room code"), max_length=ROOM_CODE_LENGTH, unique=True)
    # Anonymity is per phase: every phase change turns names off again.
    names_visible = models.BooleanField(_("names shown to participants"), default=False)
    dots_per_participant = models.PositiveSmallIntegerField(
        _("dots per participant"), default=DOTS_DEFAULT,
        validators=[MinValueValidator(DOTS_MIN), MaxValueValidator(DOTS_MAX)])
    max_dots_per_item = models.PositiveSmallIntegerField(
        _("maximum dots on one item"), null=True, blank=True,
        validators=[MinValueValidator(DOTS_MIN), MaxValueValidator(DOTS_MAX)])
    # A countdown shown in the room; during the vote, no dot is accepted once it has run out.
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    # Increased under the row lock by every wall write: the live event's version.
    version = models.PositiveIntegerField(default=0)
    # Increased only by writes that change what participants' screens and the projector show (not a
    # peer's hidden idea, not a dot: totals are hidden): their pages refetch on this one, so 40 people
    # voting at once do not make 40 screens re-render 200 times for nothing.
    shared_version = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes_pdf = models.FileField(upload_to="workshops/", blank=True)
    minutes_pdf_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "starts_at", "number"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="workshop_number_unique"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="workshop_ends_after_start"),
            models.CheckConstraint(condition=models.Q(dots_per_participant__gte=DOTS_MIN,
                                                      dots_per_participant__lte=DOTS_MAX),
                                   name="workshop_dots_range"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_revealed(self) -> bool:
        return self.phase in REVEALED_PHASES

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.CLOSED


class AgendaItem(models.Model):
    """A timed activity of the workshop's agenda."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("activity"), max_length=140)
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"),
                                               validators=[MinValueValidator(1), MaxValueValidator(600)])

    class Meta:
        ordering = ["workshop", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class AttendeeSource(models.TextChoices):
    PANEL = "panel", _("Drawn panel")
    RESERVE = "reserve", _("Reserve list")
    WALK_IN = "walk_in", _("Walk-in")


class Rsvp(models.TextChoices):
    PENDING = "pending", _("No answer yet")
    YES = "yes", _("Coming")
    NO = "no", _("Not coming")


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not recorded")
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class InvitationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Printed letter")


class Attendee(models.Model):
    """A person invited to a workshop (or who walked in): RSVP, attendance, and their seat on the wall."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="workshop_seats")
    # The shortest name the room uses ("Nadia B."): shown to facilitators, to peers only when names are on.
    name = models.CharField(_("name"), max_length=80)
    email = models.EmailField(_("e-mail address"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=AttendeeSource.choices)
    seat = models.ForeignKey("selection.SelectionSeat", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="workshop_attendees")
    rsvp = models.CharField(_("answer"), max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    rsvp_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices,
                                  default=Attendance.UNKNOWN)
    invitation_channel = models.CharField(max_length=10, choices=InvitationChannel.choices, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # May the name appear in the minutes and exports? Asked, never assumed.
    name_consent = models.BooleanField(_("agrees to be named in the minutes"), default=False)
    # The personal link of the invitation (RSVP and joining the wall without typing the room code):
    # only its hash is kept.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workshop", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "user"], condition=models.Q(user__isnull=False),
                                    name="attendee_user_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class JoinRequest(models.Model):
    """Someone typed the room code without being recognised: a facilitator admits them as an
    attendee (or a walk-in) or turns them away. The device holds ``device_id`` in its session."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="join_requests")
    name = models.CharField(_("name"), max_length=80)
    device_id = models.UUIDField(unique=True)
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    refused_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Prompt(models.TextChoices):
    GOOD = "good", _("What works well")
    MISSING = "missing", _("What is missing")
    PROPOSE = "propose", _("What I propose")


class WallTheme(models.Model):
    """A group of ideas on the wall (what the room calls a theme)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(default=0)
    # Accepted from a suggestion (shown as such in the audit trail and the minutes' method note).
    from_suggestion = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workshop", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class Idea(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="ideas")
    # Whose idea it is (typed by them, or for them by a facilitator: proxy_by); null for a
    # facilitator's own note.
    attendee = models.ForeignKey(Attendee, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas")
    proxy_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    prompt = models.CharField(_("prompt"), max_length=10, choices=Prompt.choices)
    text = models.CharField(_("idea"), max_length=IDEA_MAX_LENGTH)
    place = models.CharField(_("place"), max_length=140, blank=True)
    # Generated by the device before sending: a retried send is recognised, never stored twice.
    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    theme = models.ForeignKey(WallTheme, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas")
    position = models.PositiveIntegerField(default=0)
    # A duplicate merged into another idea keeps its row (the minutes count it) but leaves the wall.
    merged_into = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="merged_ideas")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workshop", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Dot(models.Model):
    """Dots one attendee put on one theme, or on one idea left outside any theme."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="dots")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="dots")
    theme = models.ForeignKey(WallTheme, on_delete=models.CASCADE, null=True, blank=True, related_name="dots")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="dots")
    count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(DOTS_MAX)])
    # Placed by a facilitator for this attendee (no phone): counts exactly like the attendee's own.
    proxy_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(theme__isnull=True) ^ models.Q(idea__isnull=True),
                                   name="dot_one_target"),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="dot_count_positive"),
            models.UniqueConstraint(fields=["attendee", "theme"], condition=models.Q(theme__isnull=False),
                                    name="dot_attendee_theme_unique"),
            models.UniqueConstraint(fields=["attendee", "idea"], condition=models.Q(idea__isnull=False),
                                    name="dot_attendee_idea_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.count} × {self.theme_id or self.idea_id}"


class Actor(models.TextChoices):
    CITY = "city", _("The city")
    METROPOLIS = "metropolis", _("The metropolis")
    ASSOCIATION = "association", _("An association")
    RESIDENTS = "residents", _("Residents")
    OTHER = "other", _("Someone else")


class CostRange(models.TextChoices):
    UNKNOWN = "unknown", _("Not estimated")
    NONE = "none", _("Almost nothing")
    SMALL = "small", _("Under €10,000")
    MEDIUM = "medium", _("€10,000 to €100,000")
    LARGE = "large", _("Over €100,000")


class Horizon(models.TextChoices):
    SOON = "soon", _("Within a year")
    MANDATE = "mandate", _("During the mandate")
    LONG = "long", _("Longer term")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RETAINED = "retained", _("Retained")
    PUBLISHED = "published", _("Published")


class ActionSheet(TimeStampedModel):
    """A concrete action written by the room from retained ideas or themes; published, it becomes
    an action of origin ``workshop`` in the participation phase."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="sheets")
    title = models.CharField(_("title"), max_length=140)
    problem = models.TextField(_("problem observed"), max_length=2000)
    proposal = models.TextField(_("proposal"), max_length=4000)
    place = models.CharField(_("place"), max_length=140, blank=True)
    actors = models.JSONField(_("who could act"), default=list, blank=True)  # Actor values
    cost = models.CharField(_("rough cost"), max_length=10, choices=CostRange.choices, default=CostRange.UNKNOWN)
    horizon = models.CharField(_("time horizon"), max_length=10, choices=Horizon.choices, default=Horizon.MANDATE)
    theme = models.ForeignKey(WallTheme, on_delete=models.SET_NULL, null=True, blank=True, related_name="sheets")
    ideas = models.ManyToManyField(Idea, blank=True, related_name="sheets", verbose_name=_("linked ideas"))
    status = models.CharField(_("status"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    position = models.PositiveIntegerField(default=0)
    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    # The action it became (``proposals``), once published.
    action = models.OneToOneField("proposals.Action", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="workshop_sheet")

    class Meta:
        ordering = ["workshop", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class SuggestionDismissal(models.Model):
    """A theme suggestion a facilitator chose to ignore, so it is not offered again in this workshop.

    Kept in the database rather than in the session: co-facilitators share one wall from several
    devices, and an ignored suggestion must stay ignored after a reload or a change of device.
    ``key`` names the suggestion by its ideas (and target theme), see ``suggestions.Suggestion.key``:
    when new ideas change a group, it is a new suggestion and may be offered again."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="dismissed_suggestions")
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workshop", "key"], name="suggestion_dismissal_unique")]

    def __str__(self) -> str:
        return self.key

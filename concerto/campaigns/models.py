"""Organisations, campaigns, their phase calendar, election rounds and territory."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.core.models import TimeStampedModel
from concerto.core.state import BumpingQuerySet


class Organisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    website = models.URLField(_("website"), blank=True)

    objects = BumpingQuerySet.as_manager()  # bulk writes change the state token (concerto.core.state)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class SupportLevel(models.TextChoices):
    ANY_RESIDENT = "any", _("Every resident, verified by letter or joined by e-mail")
    LETTER = "letter", _("Only residents verified by a letter code")


def default_languages() -> list[str]:
    return ["fr", "en"]


class Campaign(TimeStampedModel):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    territory = models.CharField(_("territory"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Campaign policy (edited by organisers), not infrastructure settings.
    allow_email_join = models.BooleanField(
        _("residents may join by e-mail without a letter code"), default=True
    )
    is_public = models.BooleanField(_("listed publicly"), default=True)
    support_level = models.CharField(
        _("who may support and propose"),
        max_length=10,
        choices=SupportLevel.choices,
        default=SupportLevel.ANY_RESIDENT,
    )
    # Who residents turn to: shown wherever a message says "ask the organisers", and on letters.
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    contact_note = models.CharField(
        _("where and when to meet the organisers"), max_length=300, blank=True,
        help_text=_("For example: drop-in every Tuesday 5–7 pm at the community centre, 5 rue des Lilas."),
    )
    legal_notice = models.TextField(_("legal notice"), blank=True)
    privacy_notice = models.TextField(_("privacy notice"), blank=True)
    languages = models.JSONField(_("languages"), default=default_languages)
    # Archived campaigns leave every public list and accept no new participation; nothing is erased.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    objects = BumpingQuerySet.as_manager()  # bulk writes change the state token (concerto.core.state)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    """A street or block of the territory."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sectors")
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40)

    objects = BumpingQuerySet.as_manager()  # bulk writes change the state token (concerto.core.state)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="sector_code_unique")]

    def __str__(self) -> str:
        return self.name


class PhaseKind(models.TextChoices):
    INVITATION = "invitation", _("Letters")
    SELECTION = "selection", _("Selection")
    WORKSHOPS = "workshops", _("Workshops")
    PARTICIPATION = "participation", _("Participation")
    DOOR_TO_DOOR = "door_to_door", _("Door to door")
    LIVE_EVENT = "live_event", _("Live event")
    SYNTHESIS = "synthesis", _("Synthesis")


PHASE_ORDER = list(PhaseKind.values)


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=20, choices=PhaseKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # Organisers may close a phase before its end date (e.g. supports stop early); dates stay as planned.
    is_closed = models.BooleanField(_("closed by the organisers"), default=False)

    objects = BumpingQuerySet.as_manager()  # bulk writes change the state token (concerto.core.state)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="phase_kind_unique"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="phase_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.get_kind_display()}"

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.starts_at:
            return "upcoming"
        if now >= self.ends_at:
            return "past"
        return "current"


class ElectionRound(models.Model):
    """A round of the election the consultation leads to (municipales: two Sundays a week apart).

    From 00:00 on the eve of a vote until the polls close, the electoral code (article L49) forbids
    new electoral content online: the campaign's public pages freeze (``campaigns.selectors.
    election_freeze``), staying readable."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="election_rounds")
    number = models.PositiveSmallIntegerField(pgettext_lazy("election", "round"))
    vote_date = models.DateField(_("date of the vote"))
    # Polling stations close at 18:00, 19:00 or 20:00 depending on the commune (prefectoral order).
    polls_close = models.TimeField(_("polls close at"), default=datetime.time(20, 0))

    objects = BumpingQuerySet.as_manager()  # bulk writes change the state token (concerto.core.state)

    class Meta:
        ordering = ["vote_date", "number"]
        verbose_name = _("election round")
        verbose_name_plural = _("election rounds")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="election_round_number_unique"),
            models.UniqueConstraint(fields=["campaign", "vote_date"], name="election_round_date_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=2), name="election_round_number_range"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.number}"

    def freeze_window(self):
        """(start, end) aware datetimes in the server's zone: 00:00 on the eve → polls closing."""
        tz = timezone.get_current_timezone()
        eve = self.vote_date - datetime.timedelta(days=1)
        start = timezone.make_aware(datetime.datetime.combine(eve, datetime.time(0, 0)), tz)
        end = timezone.make_aware(datetime.datetime.combine(self.vote_date, self.polls_close), tz)
        return start, end


class ConsentText(models.Model):
    """What residents accept when they join a campaign. Editing adds a version; none is ever changed or
    deleted, so whoever accepted version n can be shown the exact text of version n."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="consent_texts")
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # A string reference: campaigns stands below residents, which owns the user model.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("written by"))

    class Meta:
        ordering = ["campaign", "-version"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="consent_text_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="consent_text_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – v{self.version}"

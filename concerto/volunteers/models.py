"""The call for volunteers (what residents are asked) and each volunteer's answers and consent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concerto.campaigns.models import Campaign, Sector


class VolunteerCall(models.Model):
    """What volunteers are asked, per campaign: talents, workshop dates, profile questions, consent.

    ``talents``: ``[{"code": "dessin", "label": "Dessiner"}, ...]``;
    ``workshop_dates``: ``[{"code": "atelier-1", "label": "Samedi 14 mars, 9 h 30"}, ...]``;
    ``profile_questions``: ``[{"code": "age", "label": "Âge", "options": [{"code": "18-29", "label": "18 à 29 ans"}, ...]}, ...]``.
    The sector is not a question: it comes from the household's letter.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="volunteer_call")
    is_open = models.BooleanField(_("volunteering is open"), default=False)
    intro = models.TextField(_("introduction"), blank=True)
    talents = models.JSONField(_("talents"), default=list)
    workshop_dates = models.JSONField(_("workshop dates"), default=list)
    profile_questions = models.JSONField(_("profile questions"), default=list)
    consent_text = models.TextField(_("consent text"), blank=True)
    # Bumped when the consent text changes, so each volunteer's consent names the text they saw.
    consent_version = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The models were born in ``selection``: the tables keep their names (migration 0001 is state-only).
        db_table = "selection_volunteercall"
        verbose_name = _("call for volunteers")
        verbose_name_plural = _("calls for volunteers")

    def __str__(self) -> str:
        return f"volunteer call of {self.campaign_id}"


class Volunteer(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="volunteers")
    # NULL once the person deleted their account: the row stays, anonymised, when a published
    # selection's pool or seats refer to its pseudonym (see ``selection.erasure.volunteer_account_erase``).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="volunteering")
    # Stable pseudonym used in everything published about selections (e.g. "V-7K3Q").
    pseudonym = models.CharField(max_length=12)
    talents = models.JSONField(default=list)
    availability = models.JSONField(default=list)
    profile = models.JSONField(default=dict)
    sector = models.ForeignKey(Sector, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    consent_at = models.DateTimeField()
    consent_version = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "selection_volunteer"
        ordering = ["pseudonym"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="volunteer_unique"),
            models.UniqueConstraint(fields=["campaign", "pseudonym"], name="volunteer_pseudonym_unique"),
        ]

    def __str__(self) -> str:
        return self.pseudonym

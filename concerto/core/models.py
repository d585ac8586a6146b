"""Shared kernel: base model and the audit trail. No domain here."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One act that matters to public trust, e.g. ``proposals.action.merged``.

    ``scope`` is the campaign slug (or "" for instance-wide acts): core must not
    depend on the campaigns app, so it is kept as text.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    code = models.CharField(_("action code"), max_length=80, db_index=True)
    scope = models.CharField(_("campaign"), max_length=80, blank=True, db_index=True)
    target = models.CharField(_("target"), max_length=120, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.code} {self.target}"

"""The audit trail: ``log_action`` inside the service's transaction, so an act and its entry commit together."""

from typing import Any

from django.db import models

from .models import AuditEntry


def log_action(
    code: str, *, actor=None, scope: str = "", target: models.Model | str | None = None, **data: Any
) -> AuditEntry:
    if isinstance(target, models.Model):
        target = f"{target._meta.label_lower}:{target.pk}"
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(code=code, actor=actor, scope=scope, target=target or "", data=data)

from django.db.models import Q

from .models import AuditEntry


def audit_entries(*, scope: str, include: tuple[str, ...], exclude: tuple[str, ...] = ()):
    """Audit entries of one campaign whose code starts with one of ``include`` prefixes."""
    wanted = Q()
    for prefix in include:
        wanted |= Q(code__startswith=prefix)
    qs = AuditEntry.objects.filter(wanted, scope=scope).select_related("actor")
    for prefix in exclude:
        qs = qs.exclude(code__startswith=prefix)
    return qs.order_by("-at", "-id")


def acts_of(user, *, codes: tuple[str, ...], limit: int = 200):
    """This person's own entries of the given codes, newest first (their sign-in history)."""
    return AuditEntry.objects.filter(actor=user, code__in=codes).order_by("-at", "-id")[:limit]

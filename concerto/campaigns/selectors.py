from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Campaign, Phase


def campaign_list():
    return Campaign.objects.filter(is_public=True).select_related("organisation").order_by("-created_at")


def campaign_get(slug: str) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("organisation"), slug=slug)


def phase_timeline(campaign: Campaign, now=None) -> list[dict]:
    now = now or timezone.now()
    return [
        {"phase": p, "kind": p.kind, "label": p.get_kind_display(), "state": p.state(now)}
        for p in Phase.objects.filter(campaign=campaign).order_by("starts_at", "id")
    ]


def phase_is_open(campaign: Campaign, kind: str, now=None) -> bool:
    now = now or timezone.now()
    return Phase.objects.filter(campaign=campaign, kind=kind, starts_at__lte=now, ends_at__gt=now).exists()

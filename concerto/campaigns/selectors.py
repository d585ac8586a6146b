import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import CampaignNotFound
from .models import Campaign, Phase

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def campaign_list():
    return Campaign.objects.filter(is_public=True).select_related("organisation").order_by("-created_at")


def campaign_get(slug: str) -> Campaign:
    if not _SLUG.fullmatch(slug or ""):
        raise CampaignNotFound()  # also keeps NUL bytes away from PostgreSQL
    campaign = Campaign.objects.select_related("organisation").filter(slug=slug).first()
    if campaign is None:
        raise CampaignNotFound()
    return campaign


def campaign_phases(campaign: Campaign) -> list[Phase]:
    """The campaign's phases, loaded once per campaign object (i.e. once per request)."""
    cached = campaign.__dict__.get("_phases")
    if cached is None:
        cached = campaign.__dict__["_phases"] = list(
            Phase.objects.filter(campaign=campaign).order_by("starts_at", "id")
        )
    return cached


# What the timeline says of a phase, by ``Phase.state``.
STATE_LABELS = {"upcoming": _("upcoming"), "current": _("in progress"), "past": _("done")}


def phase_timeline(campaign: Campaign, now=None) -> list[dict]:
    now = now or timezone.now()
    steps = []
    for p in campaign_phases(campaign):
        state = p.state(now)
        steps.append({"phase": p, "kind": p.kind, "label": p.get_kind_display(), "state": state,
                      "state_label": STATE_LABELS[state]})
    return steps


def phase_is_open(campaign: Campaign, kind: str, now=None) -> bool:
    now = now or timezone.now()
    return any(
        p.kind == kind and not p.is_closed and p.starts_at <= now < p.ends_at for p in campaign_phases(campaign)
    )


def public_contact(campaign: Campaign) -> str:
    """How residents reach the organisers, in one sentence ("" when nothing is set)."""
    parts = [x for x in (campaign.contact_name, campaign.contact_email, campaign.contact_phone) if x]
    if campaign.contact_note:
        parts.append(campaign.contact_note)
    return ", ".join(parts)

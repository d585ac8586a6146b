import re

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import CampaignNotFound, OrganisationNotFound
from .models import Campaign, ConsentText, Organisation, Phase

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def campaign_list():
    """The public list (home page, API): listed campaigns that are not archived."""
    return (Campaign.objects.filter(is_public=True, archived_at__isnull=True).select_related("organisation")
            .order_by("-created_at"))


def campaign_is_archived(campaign: Campaign) -> bool:
    """An archived campaign stays readable but accepts no new participation (joining, supports,
    contributions, comments, volunteering: every phase counts as closed, see ``phase_is_open``)."""
    return campaign.archived_at is not None


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
    if campaign_is_archived(campaign):
        return False
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


def organisation_get(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first() if _SLUG.fullmatch(slug or "") else None
    if organisation is None:
        raise OrganisationNotFound()
    return organisation


def organisation_exists(slug: str) -> bool:
    return Organisation.objects.filter(slug=slug).exists()


def organisations_by_ids(ids, *, every: bool = False) -> list[Organisation]:
    """The organisations with these ids (``every``: all of them, for platform superusers), by name."""
    qs = Organisation.objects.all() if every else Organisation.objects.filter(pk__in=list(ids))
    return list(qs.order_by("name"))


def back_office_campaigns(*, organisation_ids, campaign_ids, every: bool = False) -> dict[str, list[Campaign]]:
    """The campaigns of these organisations plus these campaigns (``every``: all, for platform
    superusers), split into ``active`` and ``archived``, newest first. One query."""
    qs = Campaign.objects.select_related("organisation").order_by("-created_at")
    if not every:
        qs = qs.filter(Q(organisation_id__in=list(organisation_ids)) | Q(pk__in=list(campaign_ids)))
    rows = list(qs)
    return {"active": [c for c in rows if c.archived_at is None],
            "archived": [c for c in rows if c.archived_at is not None]}


def consent_current(campaign: Campaign) -> ConsentText | None:
    """The consent text residents accept when they join now (the latest version), or None."""
    return ConsentText.objects.filter(campaign=campaign).order_by("-version").first()


def consent_versions(campaign: Campaign) -> list[ConsentText]:
    """Every version, newest first, with who wrote it."""
    return list(ConsentText.objects.filter(campaign=campaign).select_related("created_by").order_by("-version"))


def sector_count(campaign: Campaign) -> int:
    return campaign.sectors.count()

import re

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core import state

from .errors import CampaignNotFound, OrganisationNotFound, PhaseNotFound, SectorNotFound
from .models import Campaign, ConsentText, ElectionRound, Organisation, Phase, PhaseKind, Sector

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


def campaign_for_page(slug: str, user=None) -> Campaign:
    """``campaign_get`` with its phases, from this process's copy while no campaign data changed,
    with the viewer's cached roles and supports attached (``campaign.__dict__["_concerto_state"]``, read
    in the same cache round trip; see ``concerto.core.state``). For the pages read on every
    request; services that write keep ``campaign_get``."""
    if not _SLUG.fullmatch(slug or ""):
        raise CampaignNotFound()
    user_id = user.pk if user is not None and user.is_authenticated else None
    snapshot = state.Snapshot(user_id, slug, parts=("roles", "supported"))

    def load():
        campaign = campaign_get(slug)
        campaign_phases(campaign)
        election_rounds(campaign)  # every public page asks whether the eve-of-vote freeze is on
        return campaign

    campaign = state.held("campaign", slug, snapshot.token, load)
    campaign.__dict__["_concerto_state"] = snapshot
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


CLOSED_LABEL = _("closed early")


def phase_timeline(campaign: Campaign, now=None) -> list[dict]:
    """Each phase with its state; a phase the organisers closed before its end counts as done
    (``"past"``, shown "closed early"), as ``phase_is_open`` says."""
    now = now or timezone.now()
    steps = []
    for p in campaign_phases(campaign):
        state = p.state(now)
        closed = p.is_closed and state != "past"
        if closed:
            state = "past"
        steps.append({"phase": p, "kind": p.kind, "label": p.get_kind_display(), "state": state,
                      "closed": closed, "state_label": CLOSED_LABEL if closed else STATE_LABELS[state]})
    return steps


def election_rounds(campaign: Campaign) -> list[ElectionRound]:
    """The campaign's election rounds, cached on the instance (read on every public page)."""
    cached = campaign.__dict__.get("_election_rounds")
    if cached is None:
        cached = campaign.__dict__["_election_rounds"] = list(
            ElectionRound.objects.filter(campaign=campaign).order_by("vote_date", "number")
        )
    return cached


def election_freeze(campaign: Campaign, now=None) -> ElectionRound | None:
    """The round whose eve-of-vote freeze is in force now (L49: from 00:00 on the eve until the polls
    close), or None. During it the public pages stay readable but take no new content."""
    now = now or timezone.now()
    for r in election_rounds(campaign):
        start, end = r.freeze_window()
        if start <= now < end:
            return r
    return None


# Phases whose contributions are published on the campaign's pages (supports, proposals, comments):
# closed during the eve-of-vote freeze (article L49 of the electoral code forbids publishing new
# electoral content online from 00:00 on the eve until the polls close). Joining, reading, the
# door-to-door round (its phones send visits already made) and the team's work stay possible.
FROZEN_ON_THE_EVE = (PhaseKind.PARTICIPATION,)


def phase_is_open(campaign: Campaign, kind: str, now=None) -> bool:
    if campaign_is_archived(campaign):
        return False
    now = now or timezone.now()
    if kind in FROZEN_ON_THE_EVE and election_freeze(campaign, now) is not None:
        return False
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
# --------------------------------------------------------------------------------------------------
# The calendar and sectors pages of the back office (issue 10).
# --------------------------------------------------------------------------------------------------

# What else in Concerto reads a phase: told to the organiser before they delete or close it.
PHASE_DEPENDENTS = {
    PhaseKind.PARTICIPATION: _("Residents may support, propose and comment only while this phase is open."),
    PhaseKind.SELECTION: _("Letters give the end of this phase as the deadline to volunteer."),
    PhaseKind.INVITATION: _("When there is no selection phase, letters give the end of this phase as the "
                            "deadline."),
    PhaseKind.WORKSHOPS: _("The volunteers' form offers the first and last days of this phase as workshop "
                           "dates."),
}


def phase_dependents(phase: Phase, now=None) -> list[str]:
    """Sentences for the organiser: what depends on this phase (empty when nothing does)."""
    said = PHASE_DEPENDENTS.get(phase.kind)
    if said is None:
        return []
    sentences = [str(said)]
    now = now or timezone.now()
    if phase.kind == PhaseKind.PARTICIPATION and not phase.is_closed and phase.starts_at <= now < phase.ends_at:
        sentences.append(str(_("It is open now: supports, proposals and comments stop at once.")))
    return sentences


def phase_closing_warning(phase: Phase, *, is_closed: bool = True, starts_at=None, ends_at=None, now=None) -> str:
    """What this change stops at once, or "" when residents notice nothing: the participation phase,
    open now, closed early or given dates that no longer include the present moment."""
    now = now or timezone.now()
    if phase.kind != PhaseKind.PARTICIPATION or phase.is_closed or not phase.starts_at <= now < phase.ends_at:
        return ""
    starts_at, ends_at = starts_at or phase.starts_at, ends_at or phase.ends_at
    if is_closed:
        return str(_("Closing the participation phase stops supports, proposals and comments at once, "
                     "before its end date."))
    if not starts_at <= now < ends_at:
        return str(_("With these dates the participation phase is no longer open now: supports, proposals "
                     "and comments stop at once."))
    return ""


def phase_get(campaign: Campaign, phase_id) -> Phase:
    phase = Phase.objects.filter(campaign=campaign, pk=phase_id).first() if str(phase_id).isdigit() else None
    if phase is None:
        raise PhaseNotFound()
    return phase


def sector_list(campaign: Campaign) -> list[Sector]:
    return list(Sector.objects.filter(campaign=campaign).order_by("name", "pk"))


def sector_get(campaign: Campaign, sector_id) -> Sector:
    sector = Sector.objects.filter(campaign=campaign, pk=sector_id).first() if str(sector_id).isdigit() else None
    if sector is None:
        raise SectorNotFound()
    return sector

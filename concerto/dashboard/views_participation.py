"""The participation dashboard (organisers), its public summary, and the trace of one action.

Figures come from ``selectors.participation_dashboard`` and ``selectors.action_trace``; the charts
are SVG drawn by the templates from ``charts.py`` geometry, each with its table. No JavaScript."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from concerto.campaigns.selectors import campaign_for_page, campaign_get
from concerto.core.http import public_page_cache, require
from concerto.proposals.selectors import action_for_trace
from concerto.residents import rules as resident_rules

from .selectors import action_trace, participation_dashboard


@login_required
@require_GET
def participation_organisers(request, slug):
    """Exact figures, for the campaign's organisers only (404 to anyone else)."""
    campaign = campaign_get(slug)
    require(resident_rules.is_organiser(request.user, campaign))
    return render(request, "dashboard/participation/organisers.html", {
        "campaign": campaign, "figures": participation_dashboard(campaign, public=False)})


@public_page_cache
@require_GET
def participation_public(request, slug):
    """The public summary: the same figures with every group under 5 people hidden."""
    campaign = campaign_for_page(slug, request.user)
    return render(request, "dashboard/participation/public.html", {
        "campaign": campaign, "figures": participation_dashboard(campaign, public=True),
        "is_organiser": resident_rules.is_organiser(request.user, campaign)})


@public_page_cache
@require_GET
def action_trace_view(request, slug, action_id):
    """One public action end to end, as a timeline."""
    campaign = campaign_for_page(slug, request.user)
    action = action_for_trace(campaign, action_id)
    return render(request, "dashboard/participation/trace.html", {"campaign": campaign, "trace": action_trace(action)})

"""The back office of a campaign's calendar, themes and sectors: organisers only, 404 to anyone else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerto.campaigns import selectors as campaign_selectors
from concerto.campaigns import services as campaign_services
from concerto.campaigns.models import PHASE_ORDER
from concerto.core.errors import DomainError
from concerto.core.forms import apply_errors
from concerto.core.http import require
from concerto.proposals import selectors as proposal_selectors
from concerto.proposals import services as proposal_services
from concerto.residents import rules as resident_rules

from . import services as dashboard_services
from .forms_calendar import MergeForm, PhaseForm, SectorForm, ThemeForm
from .selectors import sector_rows, sector_usage

GET_POST = require_http_methods(["GET", "POST"])


def _posted(request):
    """The submitted data, even when empty (``request.POST or None`` would leave an empty form unbound)."""
    return request.POST if request.method == "POST" else None


def _organised(request, slug):
    """The campaign, for its organisers; 404 to anyone else (the one refusal rule)."""
    campaign = campaign_selectors.campaign_get(slug)
    require(resident_rules.is_organiser(request.user, campaign))
    return campaign


# --- The phase calendar -----------------------------------------------------------------------------


def _phase_rows(campaign) -> list[dict]:
    return campaign_selectors.phase_timeline(campaign)


def _phase_values(form, phase=None) -> dict:
    data = form.cleaned_data
    values = {"kind": data["kind"], "starts_at": data["starts_at"], "ends_at": data["ends_at"],
              "summary": data["summary"], "is_closed": data["is_closed"]}
    if phase is not None:  # the form shows minutes: a date left as shown keeps its stored seconds
        for name in ("starts_at", "ends_at"):
            if values[name] == getattr(phase, name).replace(second=0, microsecond=0):
                values[name] = getattr(phase, name)
    return values


@login_required
@GET_POST
def calendar(request, slug):
    campaign = _organised(request, slug)
    present = {p.kind for p in campaign_selectors.campaign_phases(campaign)}
    missing = [k for k in PHASE_ORDER if k not in present]
    form = PhaseForm(_posted(request), kinds=missing)
    if request.method == "POST" and form.is_valid():
        try:
            phase = campaign_services.phase_create(by=request.user, campaign=campaign, **_phase_values(form))
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The phase “%(phase)s” is in the calendar.") % {
                "phase": phase.get_kind_display()})
            return redirect("dashboard:calendar", campaign.slug)
    return render(request, "dashboard/calendar/calendar.html", {
        "campaign": campaign, "rows": _phase_rows(campaign), "form": form, "missing": missing,
    })


@login_required
@GET_POST
def phase_edit(request, slug, phase_id):
    campaign = _organised(request, slug)
    phase = campaign_selectors.phase_get(campaign, phase_id)
    initial = {"kind": phase.kind, "starts_at": timezone.localtime(phase.starts_at),
               "ends_at": timezone.localtime(phase.ends_at), "summary": phase.summary, "is_closed": phase.is_closed}
    form = PhaseForm(_posted(request), initial=initial)
    warning = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        warning = campaign_selectors.phase_closing_warning(
            phase, is_closed=data["is_closed"], starts_at=data["starts_at"], ends_at=data["ends_at"])
        if warning and not data["confirm"]:
            form.add_error("confirm", _("Tick this box to confirm."))
        else:
            try:
                phase = campaign_services.phase_update(by=request.user, campaign=campaign, phase_id=phase.pk,
                                                       **_phase_values(form, phase))
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The phase “%(phase)s” is saved.") % {"phase": phase.get_kind_display()})
                return redirect("dashboard:calendar", campaign.slug)
    return render(request, "dashboard/calendar/phase_edit.html", {
        "campaign": campaign, "phase": phase, "form": form, "warning": warning,
    })


@login_required
@GET_POST
def phase_delete(request, slug, phase_id):
    campaign = _organised(request, slug)
    phase = campaign_selectors.phase_get(campaign, phase_id)
    if request.method == "POST":
        campaign_services.phase_delete(by=request.user, campaign=campaign, phase_id=phase.pk)
        messages.success(request, _("The phase “%(phase)s” is removed from the calendar.") % {
            "phase": phase.get_kind_display()})
        return redirect("dashboard:calendar", campaign.slug)
    return render(request, "dashboard/calendar/phase_delete.html", {
        "campaign": campaign, "phase": phase, "dependents": campaign_selectors.phase_dependents(phase),
    })


# --- Themes -----------------------------------------------------------------------------------------


@login_required
@GET_POST
def themes(request, slug):
    campaign = _organised(request, slug)
    form = ThemeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            theme = proposal_services.theme_create(by=request.user, campaign=campaign, name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The theme “%(name)s” is added.") % {"name": theme.name})
            return redirect("dashboard:themes", campaign.slug)
    return render(request, "dashboard/calendar/themes.html", {
        "campaign": campaign, "themes": proposal_selectors.theme_list(campaign), "form": form,
    })


@login_required
@GET_POST
def theme_edit(request, slug, theme_id):
    campaign = _organised(request, slug)
    theme = proposal_selectors.theme_get(campaign, theme_id)
    form = ThemeForm(_posted(request), initial={"name": theme.name})
    if request.method == "POST" and form.is_valid():
        try:
            theme = proposal_services.theme_rename(by=request.user, campaign=campaign, theme_id=theme.pk,
                                                   name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The theme is renamed “%(name)s”.") % {"name": theme.name})
            return redirect("dashboard:themes", campaign.slug)
    return render(request, "dashboard/calendar/rename.html", {
        "campaign": campaign, "form": form, "thing": theme, "kind": "theme",
        "back": "dashboard:themes",
    })


@login_required
@require_POST
def theme_move(request, slug, theme_id):
    campaign = _organised(request, slug)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if offset is None:
        messages.error(request, _("A theme moves one place up or down."))
    else:
        proposal_services.theme_move(by=request.user, campaign=campaign, theme_id=theme_id, offset=offset)
    return redirect("dashboard:themes", campaign.slug)


@login_required
@GET_POST
def theme_delete(request, slug, theme_id):
    campaign = _organised(request, slug)
    theme = proposal_selectors.theme_get(campaign, theme_id)
    targets = [t for t in proposal_selectors.theme_list(campaign) if t.pk != theme.pk]
    form = MergeForm(_posted(request), targets=targets)
    if request.method == "POST":
        try:
            if theme.action_count:
                if form.is_valid():
                    kept = proposal_services.theme_merge(by=request.user, campaign=campaign, theme_id=theme.pk,
                                                         into_id=form.cleaned_data["into"])
                    messages.success(request, _("The theme “%(name)s” is merged into “%(into)s”.") % {
                        "name": theme.name, "into": kept.name})
                    return redirect("dashboard:themes", campaign.slug)
            else:
                proposal_services.theme_delete(by=request.user, campaign=campaign, theme_id=theme.pk)
                messages.success(request, _("The theme “%(name)s” is deleted.") % {"name": theme.name})
                return redirect("dashboard:themes", campaign.slug)
        except DomainError as exc:
            apply_errors(form, exc)
    return render(request, "dashboard/calendar/theme_delete.html", {
        "campaign": campaign, "theme": theme, "form": form, "targets": targets,
    })


# --- Sectors ----------------------------------------------------------------------------------------


@login_required
@GET_POST
def sectors(request, slug):
    campaign = _organised(request, slug)
    form = SectorForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            sector = campaign_services.sector_create(by=request.user, campaign=campaign,
                                                     name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The sector “%(name)s” is added (code %(code)s).") % {
                "name": sector.name, "code": sector.code})
            return redirect("dashboard:sectors", campaign.slug)
    return render(request, "dashboard/calendar/sectors.html", {
        "campaign": campaign, "rows": sector_rows(campaign), "form": form,
    })


@login_required
@GET_POST
def sector_edit(request, slug, sector_id):
    campaign = _organised(request, slug)
    sector = campaign_selectors.sector_get(campaign, sector_id)
    form = SectorForm(_posted(request), initial={"name": sector.name})
    if request.method == "POST" and form.is_valid():
        try:
            sector = campaign_services.sector_rename(by=request.user, campaign=campaign, sector_id=sector.pk,
                                                    name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The sector is renamed “%(name)s”.") % {"name": sector.name})
            return redirect("dashboard:sectors", campaign.slug)
    return render(request, "dashboard/calendar/rename.html", {
        "campaign": campaign, "form": form, "thing": sector, "kind": "sector", "back": "dashboard:sectors",
    })


@login_required
@GET_POST
def sector_delete(request, slug, sector_id):
    campaign = _organised(request, slug)
    sector = campaign_selectors.sector_get(campaign, sector_id)
    usage = sector_usage(campaign, sector.pk)
    targets = [s for s in campaign_selectors.sector_list(campaign) if s.pk != sector.pk]
    form = MergeForm(_posted(request), targets=targets)
    if request.method == "POST":
        try:
            if usage["total"]:
                if form.is_valid():
                    kept = dashboard_services.sector_merge(by=request.user, campaign=campaign, sector_id=sector.pk,
                                                           into_id=form.cleaned_data["into"])
                    messages.success(request, _("The sector “%(name)s” is merged into “%(into)s”.") % {
                        "name": sector.name, "into": kept.name})
                    return redirect("dashboard:sectors", campaign.slug)
            else:
                dashboard_services.sector_delete(by=request.user, campaign=campaign, sector_id=sector.pk)
                messages.success(request, _("The sector “%(name)s” is deleted.") % {"name": sector.name})
                return redirect("dashboard:sectors", campaign.slug)
        except DomainError as exc:
            apply_errors(form, exc)
    return render(request, "dashboard/calendar/sector_delete.html", {
        "campaign": campaign, "sector": sector, "usage": usage, "form": form, "targets": targets,
    })

"""Action sheets: facilitators write them with the room during the sheets phase, retain the best
and publish them, in one step, as actions of the participation phase.

Thin views: ``workshop_run_get`` authorizes (anyone who may not run the wall gets the 404 page),
one service call, then POST-redirect-GET; every form works without JavaScript. The wall pages
show the same list in ``_panel_sheets.html`` (facilitators) and ``_seat_sheets.html`` (read-only).
"""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.utils import ErrorDict
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError
from concerto.core.forms import apply_errors

from .. import selectors, services
from ..models import Actor, CostRange, Horizon, Phase, SheetStatus
from .common import error_json, wants_json


class SheetForm(forms.Form):
    """The sheet's fields; the service checks them again (the form only shapes the page)."""

    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=140)
    problem = forms.CharField(label=gettext_lazy("Problem observed"), widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=gettext_lazy("What the room noticed, in its own words."))
    proposal = forms.CharField(label=gettext_lazy("Proposal"), widget=forms.Textarea(attrs={"rows": 5}),
                               help_text=gettext_lazy("What should be done. Its first 300 characters become "
                                                      "the action's summary."))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=140, required=False)
    actors = forms.MultipleChoiceField(label=gettext_lazy("Who could act"), choices=Actor.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    cost = forms.ChoiceField(label=gettext_lazy("Rough cost"), choices=CostRange.choices, initial=CostRange.UNKNOWN)
    horizon = forms.ChoiceField(label=gettext_lazy("Time horizon"), choices=Horizon.choices, initial=Horizon.MANDATE)
    theme = forms.TypedChoiceField(label=gettext_lazy("Theme"), required=False, empty_value=None)
    ideas = forms.MultipleChoiceField(label=gettext_lazy("Linked ideas"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    field_aliases = {"theme_id": "theme", "idea_ids": "ideas"}

    def __init__(self, *args, workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("No theme"))] + [(str(t.pk), t.name) for t in
                                                                 selectors.wall_themes(workshop)]
        self.fields["ideas"].choices = [(str(i.pk), i.text + (f" ({i.theme.name})" if i.theme_id else ""))
                                        for i in selectors.wall_ideas(workshop)]


def _sheets_url(campaign, workshop) -> str:
    return reverse("workshops:sheets", args=[campaign.slug, workshop.pk])


def _runner_workshop(request, slug, workshop_id):
    campaign = campaign_get(slug)
    return campaign, selectors.workshop_run_get(request.user, campaign, workshop_id)


def _list_context(request, workshop, *, runner: bool) -> dict:
    sheets = list(selectors.sheet_list(workshop))
    return {
        "sheets": sheets,
        "sheets_retained": sum(1 for s in sheets if s.status == SheetStatus.RETAINED),
        "sheets_published": sum(1 for s in sheets if s.status == SheetStatus.PUBLISHED),
        "sheets_editable": runner and workshop.phase == Phase.SHEETS and workshop.cancelled_at is None,
        "can_publish": runner and workshop.phase in (Phase.SHEETS, Phase.CLOSED),
        "sheet_themes": list(selectors.wall_themes(workshop)) if runner else [],
        "vote_results": selectors.vote_results(workshop),
    }


def sheets_context(request, workshop, *, seat, runner: bool) -> dict:
    return _list_context(request, workshop, runner=runner)


def closed_context(request, workshop, *, seat, runner: bool) -> dict:
    return _list_context(request, workshop, runner=runner)


@login_required
@require_http_methods(["GET"])
def sheet_list(request, slug, workshop_id):
    campaign, workshop = _runner_workshop(request, slug, workshop_id)
    return render(request, "workshops/sheet_list.html", {
        "campaign": campaign, "workshop": workshop, **_list_context(request, workshop, runner=True)})


def _form_page(request, campaign, workshop, sheet=None):
    if request.method == "POST":
        try:
            saved, created = services.sheet_save(
                by=request.user, workshop=workshop, sheet_id=sheet.pk if sheet else None,
                client_id=request.POST.get("client_id"), title=request.POST.get("title", ""),
                problem=request.POST.get("problem", ""), proposal=request.POST.get("proposal", ""),
                place=request.POST.get("place", ""), actors=request.POST.getlist("actors"),
                cost=request.POST.get("cost", ""), horizon=request.POST.get("horizon", ""),
                theme_id=request.POST.get("theme") or None, idea_ids=request.POST.getlist("ideas"))
        except DomainError as exc:
            if wants_json(request):
                return error_json(exc)
            # The service's messages only (the form's own checks would say the same twice).
            form = SheetForm(request.POST, workshop=workshop)
            form._errors, form.cleaned_data = ErrorDict(), {}
            apply_errors(form, exc)
            return render(request, "workshops/sheet_form.html",
                          {"campaign": campaign, "workshop": workshop, "sheet": sheet, "form": form}, status=400)
        if wants_json(request):
            return JsonResponse({"ok": True, "id": saved.pk, "created": created}, status=201 if created else 200)
        if sheet is None:
            messages.success(request, _("Sheet “%(title)s” saved.") % {"title": saved.title} if created
                             else _("This sheet was already saved."))
        else:
            messages.success(request, _("Sheet “%(title)s” changed.") % {"title": saved.title})
        return redirect(_sheets_url(campaign, workshop) + f"#sheet-{saved.pk}")
    if sheet is None:
        initial = {"client_id": uuid.uuid4(), **selectors.sheet_prefill(
            workshop, theme_id=request.GET.get("theme"), idea_id=request.GET.get("idea"))}
    else:
        initial = {"title": sheet.title, "problem": sheet.problem, "proposal": sheet.proposal, "place": sheet.place,
                   "actors": sheet.actors, "cost": sheet.cost, "horizon": sheet.horizon, "theme": sheet.theme_id,
                   "ideas": [i.pk for i in sheet.ideas.all()]}
    initial["ideas"] = [str(i) for i in initial.get("ideas", [])]
    if initial.get("theme"):
        initial["theme"] = str(initial["theme"])
    form = SheetForm(initial=initial, workshop=workshop)
    return render(request, "workshops/sheet_form.html",
                  {"campaign": campaign, "workshop": workshop, "sheet": sheet, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def sheet_new(request, slug, workshop_id):
    campaign, workshop = _runner_workshop(request, slug, workshop_id)
    return _form_page(request, campaign, workshop)


@login_required
@require_http_methods(["GET", "POST"])
def sheet_edit(request, slug, workshop_id, sheet_id):
    campaign, workshop = _runner_workshop(request, slug, workshop_id)
    return _form_page(request, campaign, workshop, selectors.sheet_get(workshop, sheet_id))


def _act(request, campaign, workshop, act, success):
    try:
        act()
    except DomainError as exc:
        if wants_json(request):
            return error_json(exc)
        messages.error(request, exc.message)
    else:
        if wants_json(request):
            return JsonResponse({"ok": True})
        if success:
            messages.success(request, success)
    return redirect(_sheets_url(campaign, workshop))


@login_required
@require_http_methods(["GET", "POST"])
def sheet_delete(request, slug, workshop_id, sheet_id):
    campaign, workshop = _runner_workshop(request, slug, workshop_id)
    sheet = selectors.sheet_get(workshop, sheet_id)
    if request.method == "GET":
        return render(request, "workshops/sheet_delete.html", {"campaign": campaign, "workshop": workshop,
                                                               "sheet": sheet})
    return _act(request, campaign, workshop,
                lambda: services.sheet_delete(by=request.user, workshop=workshop, sheet_id=sheet.pk),
                _("Sheet “%(title)s” deleted.") % {"title": sheet.title})


@login_required
@require_POST
def sheet_move(request, slug, workshop_id, sheet_id):
    campaign, workshop = _runner_workshop(request, slug, workshop_id)
    return _act(request, campaign, workshop, lambda: services.sheet_move(
        by=request.user, workshop=workshop, sheet_id=sheet_id, direction=request.POST.get("direction", "")), None)


@login_required
@require_POST
def sheet_status(request, slug, workshop_id, sheet_id):
    campaign, workshop = _runner_workshop(request, slug, workshop_id)
    status = request.POST.get("status", "")
    return _act(request, campaign, workshop, lambda: services.sheet_status_set(
        by=request.user, workshop=workshop, sheet_id=sheet_id, status=status),
        _("Sheet retained.") if status == SheetStatus.RETAINED else _("Sheet back to draft."))


@login_required
@require_http_methods(["GET", "POST"])
def sheets_publish(request, slug, workshop_id):
    """A confirmation page listing what will be published, then one POST publishes it all."""
    campaign, workshop = _runner_workshop(request, slug, workshop_id)
    if request.method == "POST":
        try:
            published = services.sheets_publish(by=request.user, workshop=workshop)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(_sheets_url(campaign, workshop))
        messages.success(request, _("%(n)d sheets published as actions.") % {"n": len(published)})
        return redirect(_sheets_url(campaign, workshop))
    waiting = [s for s in selectors.sheet_list(workshop) if s.status == SheetStatus.RETAINED and not s.action_id]
    return render(request, "workshops/sheet_publish.html", {
        "campaign": campaign, "workshop": workshop, "waiting": waiting,
        "phase_ok": workshop.phase in (Phase.SHEETS, Phase.CLOSED)})


W = "ateliers/<int:workshop_id>/fiches/"
urlpatterns = [
    path(W, sheet_list, name="sheets"),
    path(W + "nouvelle/", sheet_new, name="sheet_new"),
    path(W + "publier/", sheets_publish, name="sheets_publish"),
    path(W + "<int:sheet_id>/", sheet_edit, name="sheet_edit"),
    path(W + "<int:sheet_id>/supprimer/", sheet_delete, name="sheet_delete"),
    path(W + "<int:sheet_id>/deplacer/", sheet_move, name="sheet_move"),
    path(W + "<int:sheet_id>/statut/", sheet_status, name="sheet_status"),
]
room_urlpatterns: list = []

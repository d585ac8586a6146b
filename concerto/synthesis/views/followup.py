"""After the election: the elected list's commitments on a public follow-up board, each with its
dated timeline, the yearly report, the CSV export and import, subscriptions to news about an action.

The board, a commitment's page, the yearly report and their CSV are public (``rules.can_view_results``).
Marking the elected list and importing updates are the organisers' (404 to anyone else, the sign-in
page for a visitor); adding an update is a form on the commitment's page, shown to organisers only.
Subscribing needs an account; the e-mail's unsubscribe link works signed out (a signed token).
Thin views: one service or selector each, POST-redirect-GET, every form without JavaScript.
"""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError
from concerto.core.forms import apply_errors
from concerto.core.http import require
from concerto.live_event import selectors as live_selectors

from .. import followup_csv, notifications, rules, selectors, services
from ..errors import FollowupImportErrors, SynthesisNotFound
from ..models import CommitmentStatus


def _organiser_campaign(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_view_synthesis_back_office(request.user, campaign), SynthesisNotFound())
    return campaign


class ElectedForm(forms.Form):
    candidate = forms.TypedChoiceField(label=gettext_lazy("The elected list"), coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(label=gettext_lazy("Why you change it"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}), help_text=gettext_lazy(
                                 "Required to change a list already marked; recorded in the campaign's journal."))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = [(c.pk, f"{c.list_name} ({c.name})") for c in candidates]


class UpdateForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("What happened, in a few words"), max_length=140)
    happened_on = forms.DateField(label=gettext_lazy("Date"),
                                  widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off"}),
                                  input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                  help_text=gettext_lazy("Such as 14/03/2027: not in the future, not before the "
                                                         "election."))
    status = forms.ChoiceField(label=gettext_lazy("Status after this update"), choices=CommitmentStatus.choices,
                               help_text=gettext_lazy("Rate the outcome, not the intention: “Kept” once it is done."))
    note = forms.CharField(label=gettext_lazy("What happened"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    evidence_url = forms.CharField(label=gettext_lazy("Evidence (link)"), required=False, max_length=200,
                                   help_text=gettext_lazy("A web address starting with https://: a council "
                                                          "decision, an article, a photo."),
                                   widget=forms.URLInput())
    client_id = forms.CharField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"), help_text=gettext_lazy(
        "The board's export, with new lines: each with its own client_id (a UUID)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))


# --- Public pages -----------------------------------------------------------------------------------

@require_GET
def board(request, slug):
    campaign = campaign_get(slug)
    theme = request.GET.get("theme", "")
    status = request.GET.get("status", "")
    everything = selectors.commitments(campaign)
    shown = selectors.commitments(campaign, theme=theme, status=status) if (theme or status) else everything
    tally = selectors.status_tally(c.status for c in everything)
    return render(request, "synthesis/followup/board.html", {
        "campaign": campaign, "elected": selectors.elected_list(campaign), "commitments": shown,
        "total": len(everything), "tally": tally, "chart": selectors.tally_chart(tally),
        "themes": selectors.board_themes(campaign), "statuses": CommitmentStatus.choices,
        "theme": theme, "status": status, "years": selectors.term_years(campaign),
        "can_manage": rules.can_manage_synthesis(request.user, campaign),
        "election_day": selectors.election_day(campaign)})


@require_GET
def board_csv(request, slug):
    campaign = campaign_get(slug)
    rows = followup_csv.export_rows(selectors.commitments(campaign), selectors.board_updates(campaign))
    response = HttpResponse(followup_csv.write(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="suivi-{campaign.slug}.csv"'
    return response


def _commitment_page(request, campaign, commitment, form=None, status=200):
    can_manage = rules.can_manage_synthesis(request.user, campaign)
    if can_manage and form is None:
        form = UpdateForm(initial={"client_id": str(uuid.uuid4()), "status": commitment.status,
                                   "happened_on": timezone.localdate()})
    return render(request, "synthesis/followup/commitment.html", {
        "campaign": campaign, "commitment": commitment, "timeline": selectors.commitment_timeline(commitment),
        "form": form if can_manage else None,
        "subscribed": selectors.is_subscribed(request.user, commitment.action)}, status=status)


@require_GET
def commitment(request, slug, commitment_id):
    campaign = campaign_get(slug)
    return _commitment_page(request, campaign, selectors.commitment_get(campaign, commitment_id))


@login_required
@require_POST
def update_add(request, slug, commitment_id):
    campaign = campaign_get(slug)
    require(rules.can_manage_synthesis(request.user, campaign), SynthesisNotFound())
    found = selectors.commitment_get(campaign, commitment_id)
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            _update, created = services.commitment_update_add(by=request.user, campaign=campaign,
                                                              commitment_id=found.pk, **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            if created:
                messages.success(request, _("The update is added; the commitment's status follows it."))
            return redirect("synthesis:followup_commitment", campaign.slug, found.pk)
    return _commitment_page(request, campaign, found, form=form, status=400)


@require_GET
def year(request, slug, number):
    campaign = campaign_get(slug)
    report = selectors.year_report(campaign, number)
    if report is None:
        raise SynthesisNotFound()
    return render(request, "synthesis/followup/year.html", {
        "campaign": campaign, "elected": selectors.elected_list(campaign), "report": report,
        "chart": selectors.tally_chart(report["tally"]), "years": selectors.term_years(campaign)})


@require_GET
def year_csv(request, slug, number):
    campaign = campaign_get(slug)
    report = selectors.year_report(campaign, number)
    if report is None:
        raise SynthesisNotFound()
    rows = [[str(r["commitment"].pk), r["commitment"].action.title,
             r["commitment"].action.theme.name if r["commitment"].action.theme else "", r["status"],
             str(len(r["during"])), " | ".join(f"{u.happened_on.isoformat()} {u.title}" for u in r["during"])]
            for r in report["rows"]]
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["commitment_id", "action", "theme", "status_at_year_end", "updates_during_year", "updates"])
    writer.writerows([[followup_csv._safe_cell(v) for v in row] for row in rows])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="suivi-{campaign.slug}-annee-{number}.csv"'
    return response


# --- Subscriptions ----------------------------------------------------------------------------------

@login_required
@require_POST
def subscribe(request, slug, commitment_id):
    campaign = campaign_get(slug)
    found = selectors.commitment_get(campaign, commitment_id)
    if request.POST.get("do") == "stop":
        services.action_unsubscribe(user_id=request.user.pk, action_id=found.action_id)
        messages.success(request, _("You will no longer receive news about this action."))
    else:
        services.action_subscribe(user=request.user, campaign=campaign, action_id=found.action_id)
        messages.success(request, _("You will receive an e-mail at each update of this commitment."))
    return redirect("synthesis:followup_commitment", campaign.slug, found.pk)


@require_http_methods(["GET", "POST"])
def unsubscribe(request, slug, unsubscribe_token):
    campaign = campaign_get(slug)
    pair = notifications.unsubscribe_from_token(unsubscribe_token)
    if pair is None:
        raise SynthesisNotFound()
    done = False
    if request.method == "POST":
        services.action_unsubscribe(user_id=pair[0], action_id=pair[1])
        done = True
    return render(request, "synthesis/followup/unsubscribe.html", {"campaign": campaign, "done": done})


# --- Organisers -------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def elected(request, slug):
    campaign = _organiser_campaign(request, slug)
    current = selectors.elected_list(campaign)
    candidates = live_selectors.candidate_list(campaign)
    form = ElectedForm(request.POST or None, candidates=candidates,
                       initial={"candidate": current.candidate_id} if current else None)
    status = 200
    if request.method == "POST":
        status = 400
        require(rules.can_manage_synthesis(request.user, campaign), SynthesisNotFound())
        if form.is_valid():
            try:
                services.elected_list_mark(by=request.user, campaign=campaign,
                                           candidate_id=form.cleaned_data["candidate"],
                                           reason=form.cleaned_data["reason"])
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The elected list is marked; its commitments are on the follow-up "
                                            "board."))
                return redirect("synthesis:followup_board", campaign.slug)
    return render(request, "synthesis/followup/elected.html", {
        "campaign": campaign, "form": form, "current": current, "over": selectors.election_is_over(campaign),
        "election_end": selectors.election_end(campaign), "stances": selectors.COMMITMENT_STANCES},
        status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_updates(request, slug):
    campaign = _organiser_campaign(request, slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    lines, status = [], 200
    if request.method == "POST":
        status = 400
        require(rules.can_manage_synthesis(request.user, campaign), SynthesisNotFound())
        if form.is_valid():
            try:
                result = services.commitment_updates_import(by=request.user, campaign=campaign,
                                                            data=form.cleaned_data["file"].read())
            except FollowupImportErrors as exc:
                lines = exc.lines
                form.add_error(None, exc.message)
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Import done: %(added)s updates added, %(unchanged)s already there.")
                                 % result)
                return redirect("synthesis:followup_board", campaign.slug)
    return render(request, "synthesis/followup/import.html", {
        "campaign": campaign, "form": form, "lines": lines, "columns": followup_csv.COLUMNS}, status=status)


urlpatterns = [
    path("suivi/", board, name="followup_board"),
    path("suivi/suivi.csv", board_csv, name="followup_csv"),
    path("suivi/liste-elue/", elected, name="followup_elected"),
    path("suivi/import/", import_updates, name="followup_import"),
    path("suivi/bilan/<int:number>/", year, name="followup_year"),
    path("suivi/bilan/<int:number>/bilan.csv", year_csv, name="followup_year_csv"),
    path("suivi/desabonnement/<str:unsubscribe_token>/", unsubscribe, name="followup_unsubscribe"),
    path("suivi/<int:commitment_id>/", commitment, name="followup_commitment"),
    path("suivi/<int:commitment_id>/mise-a-jour/", update_add, name="followup_update_add"),
    path("suivi/<int:commitment_id>/abonnement/", subscribe, name="followup_subscribe"),
]

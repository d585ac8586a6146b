"""Volunteering pages: the residents' volunteer form, the organisers' call settings, list and export.

Plain forms with POST-redirect-GET; nothing needs JavaScript. Organiser pages answer 404 to
everyone else, so they do not reveal that a list of volunteers exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, FieldErrors
from concerto.letters.selectors import join_url as letters_join_url

from . import rules
from . import volunteers as v
from .volunteer_forms import CallForm, VolunteerForm


def _require_organiser(request, campaign):
    if not rules.can_manage_selection(request.user, campaign):
        raise Http404


def _answers_for_display(call, volunteer) -> dict:
    """The resident's own answers with their labels (codes the call no longer has are left out)."""
    profile = volunteer.profile if isinstance(volunteer.profile, dict) else {}
    rows = []
    for q in call.profile_questions:
        labels = {o["code"]: o["label"] for o in q["options"]}
        rows.append({"label": q["label"], "answer": labels.get(profile.get(q["code"], ""), "")})
    return {
        "talents": [t["label"] for t in call.talents if t["code"] in (volunteer.talents or [])],
        "dates": [d["label"] for d in call.workshop_dates if d["code"] in (volunteer.availability or [])],
        "profile": rows,
    }


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_form(request, slug):
    campaign = campaign_get(slug)
    call = v.call_for(campaign)
    volunteer = v.volunteer_of(request.user, campaign)
    refusal = v.volunteer_refusal(request.user, campaign, call)
    status = 200
    form = None
    if refusal is None:
        form = VolunteerForm.for_volunteer(call, volunteer, request.POST if request.method == "POST" else None)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    _volunteer, created = v.volunteer_save(user=request.user, campaign=campaign, **form.answers())
                except FieldErrors as exc:
                    form.add_service_errors(exc.errors)
                except DomainError as exc:
                    form.add_error(None, exc.message)
                    status = exc.status
                else:
                    messages.success(request, _("Thank you! You are a volunteer for the workshops.") if created
                                     else _("Your answers are updated."))
                    return redirect("volunteering:form", campaign.slug)
    elif request.method == "POST":
        messages.error(request, refusal.message)
        return redirect("volunteering:form", campaign.slug)
    else:
        status = 200 if isinstance(refusal, v.VolunteeringClosed) else 403
    return render(request, "selection/volunteer_form.html", {
        "campaign": campaign, "call": call, "form": form, "volunteer": volunteer,
        "active": volunteer is not None and volunteer.withdrawn_at is None,
        "refusal": refusal, "closed": call is None or not call.is_open,
        "needs_letter": isinstance(refusal, v.NotLetterVerified | v.NotResident),
        "join_url": letters_join_url(campaign),
        "sector": v.resident_sector(request.user, campaign),
        "stale_consent": volunteer is not None and call is not None and volunteer.withdrawn_at is None
        and volunteer.consent_version != call.consent_version,
        "answers": _answers_for_display(call, volunteer) if volunteer is not None and call is not None else None,
        "is_organiser": rules.can_manage_selection(request.user, campaign),
    }, status=status)


@login_required
@require_POST
def volunteer_withdraw(request, slug):
    campaign = campaign_get(slug)
    try:
        v.volunteer_withdraw(user=request.user, campaign=campaign)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are no longer a volunteer. Thank you for your interest."))
    return redirect("volunteering:form", campaign.slug)


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request, slug):
    campaign = campaign_get(slug)
    _require_organiser(request, campaign)
    call = v.call_for_editing(campaign)
    form = CallForm.for_call(call, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                v.call_configure(user=request.user, campaign=campaign, **form.cleaned_data)
            except FieldErrors as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("The call for volunteers is saved."))
                return redirect("volunteering:call", campaign.slug)
    return render(request, "selection/call_form.html", {
        "campaign": campaign, "call": call, "form": form, "saved": call.pk is not None,
        "warnings": v.stale_answers(call),
    }, status=status)


@login_required
@require_GET
def volunteer_list(request, slug):
    campaign = campaign_get(slug)
    _require_organiser(request, campaign)
    call = v.call_for_editing(campaign)
    sectors = list(campaign.sectors.all())
    talent_labels = {t["code"]: t["label"] for t in call.talents}
    rows = []
    volunteers = list(v.volunteer_list(campaign))
    households = v.volunteer_households(campaign, volunteers)
    for volunteer in volunteers:
        profile = volunteer.profile if isinstance(volunteer.profile, dict) else {}
        rows.append({
            "volunteer": volunteer,
            "household": households.get(volunteer.pk),
            "talents": [talent_labels[c] for c in volunteer.talents or [] if c in talent_labels],
            "dates": [d["code"] in (volunteer.availability or []) for d in call.workshop_dates],
            "profile": [{o["code"]: o["label"] for o in q["options"]}.get(profile.get(q["code"], ""), "")
                        for q in call.profile_questions],
            "stale_consent": volunteer.consent_version != call.consent_version,
        })
    return render(request, "selection/volunteer_list.html", {
        "campaign": campaign, "call": call, "rows": rows,
        "counts": v.volunteer_counts(campaign, call, sectors),
        "warnings": v.stale_answers(call),
    })


@login_required
@require_GET
def volunteer_export(request, slug):
    campaign = campaign_get(slug)
    _require_organiser(request, campaign)
    content = v.volunteers_export(user=request.user, campaign=campaign)
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="volontaires-{campaign.slug}.csv"'
    response["Cache-Control"] = "no-store"
    return response

"""Volunteering pages: the residents' volunteer form, the organisers' call settings, list and export.

Plain forms with POST-redirect-GET; nothing needs JavaScript. Organiser pages answer 404 to
everyone else (``core.http.require``), so they do not reveal that a list of volunteers exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, FieldErrors
from concerto.core.forms import apply_errors
from concerto.core.http import require
from concerto.letters.selectors import join_url
from concerto.residents.selectors import resident_sector

from . import rules, selectors, services
from .errors import NotLetterVerified, NotResident, VolunteeringClosed
from .export import volunteers_export
from .forms import CallEditor, CallForm, VolunteerForm


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_form(request, slug):
    campaign = campaign_get(slug)
    call = selectors.call_for(campaign)
    volunteer = selectors.volunteer_of(request.user, campaign)
    refusal = rules.volunteer_refusal(request.user, campaign, call)
    status = 200
    form = None
    if refusal is None:
        form = VolunteerForm.for_volunteer(call, volunteer, request.POST if request.method == "POST" else None)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    _volunteer, created = services.volunteer_save(user=request.user, campaign=campaign,
                                                                  **form.answers())
                except DomainError as exc:
                    apply_errors(form, exc)
                    status = exc.status
                else:
                    messages.success(request, _("Thank you! You are a volunteer for the workshops.") if created
                                     else _("Your answers are updated."))
                    return redirect("volunteering:form", campaign.slug)
    elif request.method == "POST":
        messages.error(request, refusal.message)
        return redirect("volunteering:form", campaign.slug)
    else:
        status = 200 if isinstance(refusal, VolunteeringClosed) else 403
    return render(request, "volunteers/volunteer_form.html", {
        "campaign": campaign, "call": call, "form": form, "volunteer": volunteer,
        "active": volunteer is not None and volunteer.withdrawn_at is None,
        "refusal": refusal, "closed": call is None or not call.is_open,
        "needs_letter": isinstance(refusal, NotLetterVerified | NotResident),
        "join_url": join_url(campaign),
        "sector": resident_sector(request.user, campaign),
        "stale_consent": volunteer is not None and call is not None and volunteer.withdrawn_at is None
        and volunteer.consent_version != call.consent_version,
        "answers": selectors.answers_for_display(call, volunteer) if volunteer is not None and call is not None
        else None,
        "is_organiser": rules.can_manage_volunteers(request.user, campaign),
    }, status=status)


@login_required
@require_POST
def volunteer_withdraw(request, slug):
    campaign = campaign_get(slug)
    try:
        services.volunteer_withdraw(user=request.user, campaign=campaign)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are no longer a volunteer. Thank you for your interest."))
    return redirect("volunteering:form", campaign.slug)


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_manage_volunteers(request.user, campaign))
    call = selectors.call_for_editing(campaign)
    status, unsaved = 200, False
    if request.method == "GET":
        form, editor = CallForm.for_call(call), CallEditor.for_call(call)
    else:
        form, editor = CallForm.for_call(call, request.POST), CallEditor.from_post(request.POST)
        op = request.POST.get("op", "save")
        if op != "save":
            # Add or move a row: the page comes back with the change, saved only by "Save".
            editor.apply(op)
            form = CallForm(initial={"is_open": bool(request.POST.get("is_open")),  # errors: only on "Save"
                                     "intro": request.POST.get("intro", ""),
                                     "consent_text": request.POST.get("consent_text", "")})
            unsaved = True
        else:
            status = 400
            lists = editor.cleaned()
            if form.is_valid() and lists is not None:
                try:
                    services.call_configure(user=request.user, campaign=campaign, **form.cleaned_data, **lists)
                except FieldErrors as exc:  # the lists' errors above their list, the others on their field
                    editor.errors.update({k: m for k, m in exc.errors.items() if k not in form.fields})
                    apply_errors(form, FieldErrors({k: m for k, m in exc.errors.items() if k in form.fields}))
                    status = exc.status
                except DomainError as exc:
                    apply_errors(form, exc)
                    status = exc.status
                else:
                    messages.success(request, _("The call for volunteers is saved."))
                    return redirect("volunteering:call", campaign.slug)
        editor.add_blanks()
    return render(request, "volunteers/call_form.html", {
        "campaign": campaign, "call": call, "form": form, "editor": editor, "saved": call.pk is not None,
        "unsaved": unsaved, "warnings": selectors.stale_answers(call),
    }, status=status)


@login_required
@require_GET
def volunteer_list(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_manage_volunteers(request.user, campaign))
    call = selectors.call_for_editing(campaign)
    return render(request, "volunteers/volunteer_list.html", {
        "campaign": campaign, "call": call, "rows": selectors.volunteer_rows(campaign, call),
        "counts": selectors.volunteer_counts(campaign, call, list(campaign.sectors.all())),
        "warnings": selectors.stale_answers(call),
    })


@login_required
@require_GET
def volunteer_export(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_manage_volunteers(request.user, campaign))
    content = volunteers_export(user=request.user, campaign=campaign)
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="volontaires-{campaign.slug}.csv"'
    response["Cache-Control"] = "no-store"
    return response

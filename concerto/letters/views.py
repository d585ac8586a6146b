"""The organiser's pages for households, letters and their tracking. Organisers only: a visitor is
sent to sign in, anyone else gets 404, as for a campaign or batch that does not exist (the refusal
rule, docs/architecture.md). Every form works without JavaScript (POST, redirect, GET); htmx only
refreshes the progress of a batch being generated."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, FieldErrors, NotFound
from concerto.core.forms import apply_errors
from concerto.core.http import require

from . import rules, selectors, services
from .forms import (
    BatchForm,
    HouseholdFilterForm,
    ReissueForm,
    SettingsForm,
    StreetRuleForm,
    UploadForm,
)
from .models import BatchKind, BatchStatus

PAGE_SIZE = 50


def _campaign_for_organiser(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_manage_letters(request.user, campaign))
    return campaign


# --- Tracking -----------------------------------------------------------------------------------


@login_required
@require_GET
def tracking(request, slug):
    campaign = _campaign_for_organiser(request, slug)
    return render(request, "letters/tracking.html", {
        "campaign": campaign, "figures": selectors.figures_with_rate(campaign),
        "by_sector": selectors.tracking_by_sector(campaign), "by_day": selectors.tracking_by_day(campaign),
        "batches": list(selectors.batch_list(campaign)[:20]),
    })


# --- Settings -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def letter_settings(request, slug):
    """The letter's text. "Preview" shows the page as typed (nothing saved) with what does not fit;
    "Save" refuses a text that no longer fits at the normal size unless the organiser ticks the
    small-type box, and shows the preview then too."""
    campaign = _campaign_for_organiser(request, slug)
    current = selectors.letter_settings(campaign)
    initial = {
        "sender_lines": current.sender_lines, "place": current.place, "title": current.title,
        "body": current.body, "signature": current.signature, "residents_per_code": current.residents_per_code,
        "support_level": campaign.support_level, "reminder_after_days": current.reminder_after_days,
        "reminder_text": current.reminder_text,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    join_url = selectors.join_url(campaign, request)
    status, check = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = dict(form.cleaned_data)  # add_error() takes a field out of cleaned_data
            if request.POST.get("action") == "preview":
                status = 200
            else:
                try:
                    services.letter_settings_update(user=request.user, campaign=campaign, join_url=join_url,
                                                    **values)
                except DomainError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, _("The letter is saved."))
                    return redirect("letters:settings", slug)
            try:
                check = services.letter_text_check(user=request.user, campaign=campaign, join_url=join_url,
                                                   **values)
            except DomainError as exc:
                if status == 200:
                    apply_errors(form, exc)
                    status = 400
    else:
        try:
            check = services.letter_text_check(user=request.user, campaign=campaign, join_url=join_url,
                                               image=False, **initial)
        except DomainError:
            check = None  # a text saved before placeholders changed: the form shows it, saving explains
    return render(request, "letters/settings.html", {
        "campaign": campaign, "form": form, "saved": current.pk is not None, "check": check,
        "preview_png": base64.b64encode(check["png"]).decode() if check and check["png"] else "",
        "ask_smaller_text": bool(form["accept_smaller_text"].errors or form["accept_smaller_text"].value()),
    }, status=status)


@login_required
@require_GET
def letter_preview(request, slug):
    campaign = _campaign_for_organiser(request, slug)
    try:
        pdf = services.letter_preview_pdf(user=request.user, campaign=campaign, join_url=selectors.join_url(campaign, request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("letters:settings", slug)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="apercu-courrier-{campaign.slug}.pdf"'
    return response


# --- Households ---------------------------------------------------------------------------------


@login_required
@require_GET
def household_list(request, slug):
    campaign = _campaign_for_organiser(request, slug)
    sectors = selectors.sectors_of(campaign)
    form = HouseholdFilterForm(request.GET or None, sectors=sectors)
    values = form.values()
    page = Paginator(selectors.household_list(campaign, **values), PAGE_SIZE).get_page(request.GET.get("page"))
    households = list(page.object_list)
    for household in households:
        household.active = selectors.active_code(household)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "letters/households.html", {
        "campaign": campaign, "form": form, "page": page, "households": households,
        "querystring": query.urlencode(), "without_sector": selectors.households_without_sector(campaign),
    })


@login_required
@require_GET
def household_detail(request, slug, household_id):
    campaign = _campaign_for_organiser(request, slug)
    household = selectors.household_get(campaign, household_id)
    return render(request, "letters/household_detail.html", {
        "campaign": campaign, "household": household, "codes": list(household.codes.all()),
        "form": ReissueForm(),
    })


@login_required
@require_POST
def household_reissue(request, slug, household_id):
    campaign = _campaign_for_organiser(request, slug)
    household = selectors.household_get(campaign, household_id)
    form = ReissueForm(request.POST)
    if form.is_valid():
        try:
            batch = services.household_reissue(user=request.user, campaign=campaign, household_id=household.pk,
                                               reason=form.cleaned_data["reason"],
                                               join_url=selectors.join_url(campaign, request))
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The old code is revoked and a new letter is ready to print."))
            return redirect("letters:batch", slug, batch.pk)
    return render(request, "letters/household_detail.html", {
        "campaign": campaign, "household": household, "codes": list(household.codes.all()), "form": form,
    }, status=400)


# --- Import -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, slug):
    campaign = _campaign_for_organiser(request, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.upload_size_check(upload.size)
                created = services.household_import_preview(
                    user=request.user, campaign=campaign, filename=upload.name, data=upload.read())
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                return redirect("letters:import_preview", slug, created.pk)
    return render(request, "letters/import_upload.html", {
        "campaign": campaign, "form": form, "imports": selectors.recent_imports(campaign),
        "sectors": selectors.sectors_of(campaign),
    }, status=status)


@login_required
@require_GET
def import_preview(request, slug, import_id):
    campaign = _campaign_for_organiser(request, slug)
    upload = selectors.household_import_get(campaign, import_id)
    return render(request, "letters/import_preview.html", {
        "campaign": campaign, "upload": upload, **selectors.import_preview_view(upload)})


@login_required
@require_POST
def import_confirm(request, slug, import_id):
    campaign = _campaign_for_organiser(request, slug)
    upload = selectors.household_import_get(campaign, import_id)
    try:
        if request.POST.get("decision") == "cancel":
            services.household_import_cancel(user=request.user, campaign=campaign, import_id=upload.pk)
            messages.success(request, _("The import is cancelled: nothing was imported."))
            return redirect("letters:import", slug)
        created = services.household_import_confirm(user=request.user, campaign=campaign, import_id=upload.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("letters:import_preview", slug, upload.pk)
    messages.success(request, _("%(count)s households imported, each with its invitation code.") % {"count": created})
    return redirect("letters:households", slug)


# --- Street rules -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def street_rules(request, slug):
    campaign = _campaign_for_organiser(request, slug)
    sectors = selectors.sectors_of(campaign)
    form = StreetRuleForm(request.POST or None, sectors=sectors)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.street_rule_add(user=request.user, campaign=campaign, street=form.cleaned_data["street"],
                                         sector_id=form.cleaned_data["sector"])
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The rule is added."))
                return redirect("letters:street_rules", slug)
    return render(request, "letters/street_rules.html", {
        "campaign": campaign, "form": form, "rules": selectors.street_rules_of(campaign),
        "without_sector": selectors.households_without_sector(campaign),
    }, status=status)


@login_required
@require_POST
def street_rule_delete(request, slug, rule_id):
    campaign = _campaign_for_organiser(request, slug)
    try:
        services.street_rule_delete(user=request.user, campaign=campaign, rule_id=rule_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The rule is deleted."))
    return redirect("letters:street_rules", slug)


@login_required
@require_POST
def street_rules_apply(request, slug):
    campaign = _campaign_for_organiser(request, slug)
    changed = services.street_rules_apply(user=request.user, campaign=campaign)
    messages.success(request, _("%(count)s households received a sector.") % {"count": changed})
    return redirect("letters:street_rules", slug)


# --- Batches ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def batch_list(request, slug):
    campaign = _campaign_for_organiser(request, slug)
    reminders = selectors.reminder_choices(campaign)
    late = selectors.deadline_warning(campaign)
    form = BatchForm(request.POST or None, initial={"kind": BatchKind.INVITATION, "scope": "new"},
                     sector_keys=[row["key"] for row in reminders["sectors"]])
    if request.method == "POST":
        if form.is_valid():
            reminder = form.cleaned_data["kind"] == BatchKind.REMINDER
            try:
                if late and not form.cleaned_data["accept_past_deadline"]:
                    raise DomainError(_("%(warning)s To print it anyway, tick the box under the warning.")
                                      % {"warning": late})
                batch = services.batch_create(
                    user=request.user, campaign=campaign, kind=form.cleaned_data["kind"],
                    scope=form.cleaned_data["scope"] or "new", join_url=selectors.join_url(campaign, request),
                    sectors=form.cleaned_data["sectors"] if reminder else None)
            except DomainError as exc:
                if isinstance(exc, FieldErrors):
                    messages.error(request, " ".join(str(message) for message in exc.errors.values()))
                else:
                    messages.error(request, exc.message)
            else:
                if batch.status == BatchStatus.QUEUED:
                    messages.success(request, _("The letters are being generated."))
                return redirect("letters:batch", slug, batch.pk)
        else:
            messages.error(request, _("Choose which households receive a letter."))
        return redirect("letters:batches", slug)
    return render(request, "letters/batches.html", {
        "campaign": campaign, "form": form, "batches": list(selectors.batch_list(campaign)[:100]),
        "counts": selectors.printable_counts(campaign), "reminders": reminders, "deadline_warning": late,
    })


def _batch_context(campaign, batch):
    return {"campaign": campaign, "batch": batch, "percent": selectors.batch_percent(batch),
            "working": batch.is_working}


@login_required
@require_GET
def batch_detail(request, slug, batch_id):
    campaign = _campaign_for_organiser(request, slug)
    batch = selectors.batch_get(campaign, batch_id)
    return render(request, "letters/batch_detail.html", _batch_context(campaign, batch))


@login_required
@require_GET
def batch_progress(request, slug, batch_id):
    """The progress box alone, polled by htmx every 2 s while the batch is generated."""
    campaign = _campaign_for_organiser(request, slug)
    batch = selectors.batch_get(campaign, batch_id)
    return render(request, "letters/_batch_progress.html", _batch_context(campaign, batch))


@login_required
@require_GET
def batch_download(request, slug, batch_id):
    """The PDF, never served from MEDIA_ROOT directly: organisers only, as an attachment."""
    campaign = _campaign_for_organiser(request, slug)
    batch = selectors.batch_get(campaign, batch_id)
    require(batch.is_downloadable)
    try:
        handle = batch.file.open("rb")
    except FileNotFoundError:
        raise NotFound() from None
    filename = f"courriers-{campaign.slug}-{batch.get_kind_display()}-{batch.pk}.pdf".replace(" ", "-")
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def batch_sent(request, slug, batch_id):
    campaign = _campaign_for_organiser(request, slug)
    try:
        services.batch_mark_sent(user=request.user, campaign=campaign, batch_id=batch_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The letters of this batch now count as sent."))
    return redirect("letters:batch", slug, batch_id)


@login_required
@require_POST
def batch_retry(request, slug, batch_id):
    campaign = _campaign_for_organiser(request, slug)
    try:
        services.batch_retry(user=request.user, campaign=campaign, batch_id=batch_id,
                             join_url=selectors.join_url(campaign, request))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("letters:batch", slug, batch_id)

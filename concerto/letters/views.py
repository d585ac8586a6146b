"""The organiser's pages for households, letters and their tracking. Organisers only: a visitor is
sent to sign in, anyone else gets 404, as for a campaign or batch that does not exist (the refusal
rule, docs/architecture.md). Every form works without JavaScript (POST, redirect, GET); htmx only
refreshes the progress of a batch being generated."""

import base64
import itertools
import re

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, FieldErrors, NotFound
from concerto.core.forms import apply_errors
from concerto.core.http import require

from . import rules, selectors, services
from .forms import (
    BatchForm,
    HouseholdDeleteForm,
    HouseholdFilterForm,
    HouseholdForm,
    HouseholdSectorForm,
    ReissueForm,
    SettingsForm,
    StreetRuleForm,
    UploadForm,
)
from .households_csv import csv_lines
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
    return _household_page(request, campaign, household)


def _household_page(request, campaign, household, *, status=200, **forms):
    """The household page, with the forms given (bound, showing their errors) or fresh ones."""
    sectors = selectors.sectors_of(campaign)
    sector_choice = str(household.sector_id) if household.sector_id else "none"
    if household.sector_set_at is None:
        sector_choice = "rules"
    context = {
        "campaign": campaign, "household": household, "codes": list(household.codes.all()),
        "residents": selectors.household_residents(household),
        "delete_check": selectors.household_delete_check(campaign, household),
        "form": forms.get("form") or ReissueForm(),
        "edit_form": forms.get("edit_form") or HouseholdForm(initial={
            field: getattr(household, field) for field in HouseholdForm.base_fields}),
        "sector_form": forms.get("sector_form") or HouseholdSectorForm(
            sectors=sectors, initial={"sector": sector_choice}),
        "delete_form": forms.get("delete_form") or HouseholdDeleteForm(),
    }
    return render(request, "letters/household_detail.html", context, status=status)


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
    return _household_page(request, campaign, household, status=400, form=form)


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


# --- Correcting households ----------------------------------------------------------------------


@login_required
@require_POST
def household_edit(request, slug, household_id):
    campaign = _campaign_for_organiser(request, slug)
    household = selectors.household_get(campaign, household_id)
    form = HouseholdForm(request.POST)
    if form.is_valid():
        try:
            services.household_update(user=request.user, campaign=campaign, household_id=household.pk,
                                      **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The address is saved."))
            return redirect("letters:household", slug, household.pk)
    return _household_page(request, campaign, household, status=400, edit_form=form)


@login_required
@require_POST
def household_sector(request, slug, household_id):
    campaign = _campaign_for_organiser(request, slug)
    household = selectors.household_get(campaign, household_id)
    form = HouseholdSectorForm(request.POST, sectors=selectors.sectors_of(campaign))
    if form.is_valid():
        try:
            services.household_sector_set(user=request.user, campaign=campaign, household_id=household.pk,
                                          sector_id=form.cleaned_data["sector"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The sector is saved."))
            return redirect("letters:household", slug, household.pk)
    return _household_page(request, campaign, household, status=400, sector_form=form)


@login_required
@require_POST
def household_delete(request, slug, household_id):
    campaign = _campaign_for_organiser(request, slug)
    household = selectors.household_get(campaign, household_id)
    form = HouseholdDeleteForm(request.POST)
    if form.is_valid():
        try:
            services.household_delete(user=request.user, campaign=campaign, household_id=household.pk,
                                      reason=form.cleaned_data["reason"])
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The household is deleted and its code revoked."))
            return redirect("letters:households", slug)
    return _household_page(request, campaign, household, status=400, delete_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def import_undo(request, slug, import_id):
    """GET: what undoing would remove and keep; POST: undo."""
    campaign = _campaign_for_organiser(request, slug)
    upload = selectors.household_import_get(campaign, import_id)
    if request.method == "POST":
        try:
            result = services.household_import_undo(user=request.user, campaign=campaign, import_id=upload.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("letters:import_undo", slug, upload.pk)
        messages.success(request, ngettext(
            "Import undone: %(removed)s household removed, its code revoked.",
            "Import undone: %(removed)s households removed, their codes revoked.", result["removed"],
        ) % result + ("" if not result["kept"] else " " + ngettext(
            "%(kept)s household is kept (see why below).", "%(kept)s households are kept (see why below).",
            result["kept"]) % result))
        return redirect("letters:import_undo", slug, upload.pk)
    return render(request, "letters/import_undo.html", {
        "campaign": campaign, "upload": upload, **selectors.import_undo_plan(campaign, upload)})


def _csv_response(request, lines, filename: str) -> StreamingHttpResponse:
    """A CSV download streamed line by line, as an attachment, never stored by a cache."""
    response = StreamingHttpResponse(_streamed(request, lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _streamed(request, lines):
    """``lines`` (a generator reading the database) as the server wants it: under ASGI an async
    iterator reading a block of lines per thread hop (a sync iterator would be read whole into
    memory first); under WSGI and in tests, the generator itself, encoded."""
    encoded = (line.encode("utf-8") for line in lines)
    if not isinstance(request, ASGIRequest):
        return encoded

    def block():
        return b"".join(itertools.islice(encoded, 500))

    async def chunks():
        while data := await sync_to_async(block)():
            yield data

    return chunks()


@login_required
@require_GET
def import_rejected(request, slug, import_id):
    """The rejected lines of a file, with their reasons, to correct in a spreadsheet and upload again."""
    campaign = _campaign_for_organiser(request, slug)
    upload = selectors.household_import_get(campaign, import_id)
    stem = upload.filename.rsplit(".", 1)[0] or "foyers"
    filename = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{stem}-lignes-rejetees.csv")
    return _csv_response(request, csv_lines(selectors.import_rejected_rows(upload)), filename)


@login_required
@require_http_methods(["GET", "POST"])
def households_export(request, slug):
    """GET: the warning (codes are personal); POST: the CSV, streamed (audited by the service)."""
    campaign = _campaign_for_organiser(request, slug)
    if request.method == "POST":
        lines = services.households_export(user=request.user, campaign=campaign)
        filename = f"foyers-codes-{campaign.slug}-{timezone.localdate():%Y-%m-%d}.csv"
        return _csv_response(request, lines, filename)
    return render(request, "letters/households_export.html", {
        "campaign": campaign, "count": selectors.letter_figures(campaign)["households"]})

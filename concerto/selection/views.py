"""Selection pages: the organisers' steps (quotas, computation, publication, announcement, draw,
reserve, notifications) and the public audit page with its downloadable files.

Thin views: authorize (``selectors.selection_get_for`` / ``selection_manage_get`` raise
``SelectionNotFound``, the 404 page, for anyone who may not see the selection), call one service,
redirect (POST-redirect-GET). Everything works without JavaScript; htmx only
refreshes the progress of a computation.
"""

from datetime import datetime
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, NotFound
from concerto.core.forms import apply_errors
from concerto.core.http import public_page_cache, require, vary_on_htmx
from concerto.core.journal import described
from concerto.core.ratelimit import client_ip, hit

from . import notifications, rules, selectors, services
from .errors import NoReplacementKeepsQuotas, NotComputed
from .forms import AnnounceForm, AnswerForm, DrawForm, LookupForm, NoticeForm, SelectionForm
from .models import PUBLIC_STATUSES, SeatAnswer, SeatStatus, SelectionStatus

VERIFY_SCRIPT = Path(__file__).resolve().parent / "verify.py"
PROBABILITIES_PAGE_SIZE = 500



def _manage_url(campaign, selection) -> str:
    return reverse("selection:manage", args=[campaign.slug, selection.pk])


def _audit_url(request, campaign, selection) -> str:
    return request.build_absolute_uri(reverse("selection:detail", args=[campaign.slug, selection.pk]))


# --- List -----------------------------------------------------------------------------------------


@public_page_cache
@require_GET
def selection_list(request, slug):
    campaign = campaign_get(slug)
    archived = request.GET.get("archivees") == "1"
    return render(request, "selection/list.html", {
        "campaign": campaign, "selections": selectors.selections_for(campaign, request.user, archived=archived),
        "showing_archived": archived, "archived_count": selectors.archived_count(campaign, request.user),
        "can_manage": rules.can_manage_selection(request.user, campaign),
    })


# --- Settings and quotas --------------------------------------------------------------------------


def _settings_page(request, campaign, selection=None):
    require(rules.can_manage_selection(request.user, campaign))
    if request.method == "POST":
        required = request.POST.getlist("required_dates")
        known = {d["code"] for d in selectors.workshop_dates(campaign)}
        required = [d for d in required if d in known]
    else:
        required = list(selection.required_dates) if selection else []
    page = selectors.selection_settings_view(campaign, required_dates=required)
    categories, keys, dates = page["categories"], page["keys"], page["dates"]
    status = 200
    if request.method == "POST":
        form = SelectionForm(request.POST, dates=dates, keys=keys, labels=categories)
        values = form.settings()
        suggest = "suggest" in request.POST
        if form.is_valid() and not suggest:
            try:
                if selection is None:
                    selection = services.selection_create(by=request.user, campaign=campaign, **values)
                    messages.success(request, _("The selection is saved as a draft. Compute its distribution when "
                                                "the quotas suit you."))
                else:
                    services.selection_update(by=request.user, selection=selection, **values)
                    messages.success(request, _("The selection's settings are saved."))
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                return redirect(_manage_url(campaign, selection))
        elif suggest:
            # Recompute the proportional suggestion for the typed panel size and dates, without saving.
            try:
                panel_size = max(services.PANEL_MIN, min(services.PANEL_MAX, int(values["panel_size"])))
            except (TypeError, ValueError):
                panel_size = services.DEFAULT_PANEL_SIZE
            suggestion = selectors.quota_suggestion(categories=categories, counts=page["counts"],
                                                    pool_size=page["pool_size"], panel_size=panel_size)
            data = request.POST.copy()
            for i, row in enumerate(suggestion):
                data[services.quota_field(i, "min")] = str(row["min"])
                data[services.quota_field(i, "max")] = str(row["max"])
            form = SelectionForm(data, dates=dates, keys=keys, labels=categories)
            messages.info(request, _("The quotas below are the proportional suggestion; nothing is saved yet."))
        else:
            status = 400
    else:
        if selection is not None and selection.quotas:
            quotas = selection.quotas
        else:
            panel_size = selection.panel_size if selection else services.DEFAULT_PANEL_SIZE
            quotas = selectors.quota_suggestion(categories=categories, counts=page["counts"],
                                                pool_size=page["pool_size"], panel_size=panel_size)
        form = SelectionForm(initial=SelectionForm.initial_for(selection=selection, quotas=quotas, keys=keys),
                             dates=dates, keys=keys, labels=categories)
    return render(request, "selection/form.html", {
        "campaign": campaign, "selection": selection, "form": form, "groups": form.quota_groups(page["counts"]),
        "pool_size": page["pool_size"], "has_call": bool(categories),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def selection_create(request, slug):
    return _settings_page(request, campaign_get(slug))


@login_required
@require_http_methods(["GET", "POST"])
def selection_edit(request, slug, selection_id):
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    if selection.status not in services.EDITABLE:
        messages.error(request, _("This selection can no longer be changed."))
        return redirect(_manage_url(campaign, selection))
    return _settings_page(request, campaign, selection)


# --- The organisers' page -------------------------------------------------------------------------


def _manage_context(request, campaign, selection, **extra) -> dict:
    categories = selectors.selection_categories(campaign)
    counts = selectors.pool_figures(selection)["counts"] if selection.archived else selectors.pool_counts(selection.pool)
    seats = selectors.seats_of(selection) if selection.status == SelectionStatus.DRAWN else []
    lot = request.GET.get("lot", "")
    context = {
        "campaign": campaign, "selection": selection, "Status": SelectionStatus, "SeatStatus": SeatStatus,
        "computed": services.is_computed(selection),
        "editable": selection.status in services.EDITABLE,
        "quota_table": selectors.quota_table(categories=categories, quotas=selection.quotas, counts=counts),
        "seats": seats,
        "selected_seats": [s for s in seats if s.status == SeatStatus.SELECTED],
        "reserve_seats": [s for s in seats if s.status == SeatStatus.RESERVE],
        "withdrawn_seats": [s for s in seats if s.status == SeatStatus.WITHDRAWN],
        "summary": selectors.seat_summary(selection) if seats else None,
        "postal": notifications.postal_seats(selection) if seats else [],
        "lot": lot,
        "announce_form": AnnounceForm(initial={"random_source": selection.random_source,
                                               "witnesses": selection.witnesses}),
        "Answer": SeatAnswer, "deletable": selection.status not in PUBLIC_STATUSES,
        "too_early": bool(selection.random_known_at and timezone.now() < selection.random_known_at),
        "draw_form": DrawForm(),
        "announcement": selectors.announcement_view(selection),
        "entries": described(selectors.audit_entries(selection)),
        "relaxation_rows": _relaxation_rows(selection, categories),
        "conflicts": selectors.conflict_messages(selection, categories),
        "failure": selectors.failure_text(selection, categories),
        "lowest_percent": (selection.lowest_probability or 0) * 100,
    }
    context.update(extra)
    return context


def _relaxation_rows(selection, categories) -> list[dict]:
    rows = []
    for change in (selection.infeasibility or {}).get("relaxation") or []:
        info = categories.get(change["category"]) or {"label": _("a question no longer asked"), "values": {}}
        rows.append({**change, "category_label": info["label"],
                     "value_label": info["values"].get(change["value"], _("an answer no longer offered"))})
    return rows


@login_required
@require_GET
def selection_manage(request, slug, selection_id):
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    return render(request, "selection/manage.html", _manage_context(request, campaign, selection))


def _step(request, slug, selection_id, act, success):
    """Run one stage change (POST) and come back to the organisers' page."""
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    try:
        act(selection)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(_manage_url(campaign, selection))


@login_required
@require_POST
def selection_compute(request, slug, selection_id):
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    try:
        selection = services.selection_compute(by=request.user, selection=selection)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_manage_url(campaign, selection))
    if selection.status == SelectionStatus.COMPUTING:
        return redirect("selection:progress", slug, selection.pk)
    if selection.status == SelectionStatus.INFEASIBLE:
        messages.error(request, _("The quotas cannot all be met: see why below."))
    elif selection.status == SelectionStatus.FAILED:
        messages.error(request, _("The computation failed: see the error below."))
    else:
        messages.success(request, _("The distribution is computed. Check it, then publish it."))
    return redirect(_manage_url(campaign, selection))


@login_required
@vary_on_htmx
@require_GET
def selection_progress(request, slug, selection_id):
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    done = selection.status != SelectionStatus.COMPUTING
    if request.htmx and done:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _manage_url(campaign, selection)
        return response
    template = "selection/_progress.html" if request.htmx else "selection/progress.html"
    return render(request, template, {"campaign": campaign, "selection": selection, "done": done,
                                      "percent": round(selection.progress * 100),
                                      "progress_text": selectors.progress_text(selection)})


@login_required
@require_POST
def selection_cancel(request, slug, selection_id):
    return _step(request, slug, selection_id,
                 lambda s: services.selection_cancel(by=request.user, selection=s),
                 _("The computation is stopped. You can change the settings and compute again."))


@login_required
@require_POST
def selection_relax(request, slug, selection_id):
    return _step(request, slug, selection_id,
                 lambda s: services.selection_relax(by=request.user, selection=s),
                 _("The quotas are relaxed as proposed. Compute the distribution again."))


@login_required
@require_POST
def selection_publish(request, slug, selection_id):
    return _step(request, slug, selection_id,
                 lambda s: services.selection_publish(by=request.user, selection=s),
                 _("The distribution is published. Announce the source of the random value before the draw."))


def _form_step(request, slug, selection_id, form_class, act, success, form_name):
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            act(selection, form)
        except DomainError as exc:
            apply_errors(form, exc)
            status = exc.status
        else:
            messages.success(request, success)
            return redirect(_manage_url(campaign, selection))
    selection.refresh_from_db()
    return render(request, "selection/manage.html",
                  _manage_context(request, campaign, selection, **{form_name: form}), status=status)


@login_required
@require_POST
def selection_announce(request, slug, selection_id):
    return _form_step(
        request, slug, selection_id, AnnounceForm,
        lambda s, form: services.selection_announce(by=request.user, selection=s, **form.announcement()),
        _("The random source and the witnesses are announced on the public page."), "announce_form")


@login_required
@require_POST
def selection_draw(request, slug, selection_id):
    return _form_step(
        request, slug, selection_id, DrawForm,
        lambda s, form: services.selection_draw(by=request.user, selection=s,
                                                random_value=form.cleaned_data["random_value"]),
        _("The panel is drawn. Notify the selected and reserve volunteers."), "draw_form")


@login_required
@require_POST
def seat_replace(request, slug, selection_id, seat_id):
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    force = request.POST.get("force") == "1"
    try:
        replacement = services.seat_replace(by=request.user, selection=selection, seat_id=seat_id, force=force)
    except NoReplacementKeepsQuotas as exc:
        return render(request, "selection/manage.html", _manage_context(
            request, campaign, selection, confirm_seat_id=seat_id, confirm_message=exc.message,
            confirm_possible=bool(exc.first_reserve)), status=409)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if replacement is None:
            messages.success(request, _("The person is marked as withdrawn; no one replaces them."))
        else:
            messages.success(request, _("%(pseudonym)s (reserve number %(rank)s) takes the place. Notify them.") % {
                "pseudonym": replacement.volunteer.pseudonym, "rank": replacement.reserve_rank})
    return redirect(_manage_url(campaign, selection))


@login_required
@require_POST
def selection_notify(request, slug, selection_id):
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    try:
        result = services.selection_notify(by=request.user, selection=selection,
                                           audit_url=_audit_url(request, campaign, selection),
                                           previewed=request.POST.get("previewed", ""),
                                           language=translation.get_language() or "fr")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("selection:message", slug, selection.pk)
    messages.success(request, _("%(emails)s e-mail(s) are being sent; %(letters)s letter(s) to print.") % {
        "emails": result["emails"], "letters": result["letters"]})
    url = _manage_url(campaign, selection)
    if result["letters"]:
        url += "?lot=" + result["at"].isoformat().replace("+", "%2B") + "#letters"
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def selection_message(request, slug, selection_id):
    """The notification, edited then previewed: place and time of the first workshop, the organisers'
    paragraph; below, the messages exactly as people will read them, and the button that sends them."""
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    if selection.status != SelectionStatus.DRAWN:
        messages.error(request, _("People are notified after the draw."))
        return redirect(_manage_url(campaign, selection))
    status = 200
    if request.method == "POST":
        form = NoticeForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.selection_workshop_update(by=request.user, selection=selection, **form.cleaned_data)
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The message is saved. Read the preview below, then send it."))
                return redirect(reverse("selection:message", args=[slug, selection.pk]) + "#preview")
    else:
        form = NoticeForm(initial={"workshop_place": selection.workshop_place,
                                   "workshop_starts_at": selection.workshop_starts_at and
                                   timezone.localtime(selection.workshop_starts_at),
                                   "notice_text": selection.notice_text})
    ready = bool(selection.workshop_place and selection.workshop_starts_at)
    return render(request, "selection/message.html", {
        "campaign": campaign, "selection": selection, "form": form, "ready": ready,
        "previews": notifications.preview_messages(selection, audit_url=_audit_url(request, campaign, selection))
        if ready else [],
        "digest": notifications.notice_digest(selection), "summary": selectors.seat_summary(selection),
    }, status=status)


@login_required
@require_POST
def selection_workshop_panel(request, slug, selection_id):
    return _step(request, slug, selection_id,
                 lambda s: services.selection_set_workshop_panel(by=request.user, selection=s),
                 _("This selection is now the workshop panel: the campaign's public figures count its panel."))


def _confirm_page(request, slug, selection_id, *, act, template_action, success, done_url):
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    if request.method == "POST":
        try:
            act(selection)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(_manage_url(campaign, selection))
        messages.success(request, success)
        return redirect(done_url(campaign, selection))
    return render(request, "selection/confirm.html", {"campaign": campaign, "selection": selection,
                                                      "act": template_action})


@login_required
@require_http_methods(["GET", "POST"])
def selection_delete(request, slug, selection_id):
    return _confirm_page(request, slug, selection_id, template_action="delete",
                         act=lambda s: services.selection_delete(by=request.user, selection=s),
                         success=_("The selection is deleted."),
                         done_url=lambda c, s: reverse("selection:list", args=[c.slug]))


@login_required
@require_http_methods(["GET", "POST"])
def selection_archive(request, slug, selection_id):
    return _confirm_page(request, slug, selection_id, template_action="archive",
                         act=lambda s: services.selection_archive(by=request.user, selection=s),
                         success=_("The selection is archived: it no longer appears in the list, and its audit "
                                   "page stays at the same address."),
                         done_url=lambda c, s: _manage_url(c, s))


@require_http_methods(["GET", "POST"])
def seat_answer(request, slug):
    """A selected person answers through the link of their notification: no account needed, the
    signed link is the proof. GET only shows the question (mail scanners follow links); POST answers."""
    campaign = campaign_get(slug)
    token = request.POST.get("t") if request.method == "POST" else request.GET.get("t", "")
    seat_id = notifications.seat_from_token(token)
    seat = selectors.seat_for_answer(campaign, seat_id)
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                seat = services.seat_answer(campaign=campaign, token=token, answer=form.cleaned_data["answer"])
            except DomainError as exc:
                if exc.status == 404:
                    raise
                messages.error(request, exc.message)
            else:
                if seat.answer == SeatAnswer.CONFIRMED:
                    messages.success(request, _("Thank you: your participation is confirmed. See you at the first "
                                                "workshop!"))
                else:
                    messages.success(request, _("Thank you for telling us. The organisers will offer your place to "
                                                "the next person on the reserve list."))
            return redirect(reverse("selection:answer", args=[slug]) + "?t=" + token)
        messages.error(request, _("Choose whether you take part or not."))
    return render(request, "selection/answer.html", {
        "campaign": campaign, "seat": seat, "selection": seat.selection, "token": token,
        "Answer": SeatAnswer, "on_panel": seat.status == SeatStatus.SELECTED,
        "when": notifications.workshop_when(seat.selection),
    })


@require_GET
def selection_lookup(request, slug, selection_id):
    """"Am I drawn?": a pseudonym typed in the audit page's form, answered in one sentence. Pseudonyms
    are already public on that page; the limit per address only keeps the page from being scraped."""
    campaign = campaign_get(slug)
    selection = selectors.selection_get_for(request.user, campaign, selection_id)
    form = LookupForm(request.GET or None)
    result, status = None, 200
    if form.is_bound and form.is_valid():
        try:
            hit("selection_lookup", client_ip(request))
        except DomainError as exc:
            form.add_error("pseudonyme", exc.message)
            status = exc.status
        else:
            result = selectors.pseudonym_lookup(selection, form.cleaned_data["pseudonyme"])
    elif form.is_bound:
        status = 400
    return render(request, "selection/lookup.html", {
        "campaign": campaign, "selection": selection, "form": form, "result": result, "Status": SelectionStatus,
    }, status=status)


@login_required
@require_GET
def letters_pdf(request, slug, selection_id):
    campaign = campaign_get(slug)
    selection = selectors.selection_manage_get(request.user, campaign, selection_id)
    at = None
    if request.GET.get("lot"):
        try:
            at = datetime.fromisoformat(request.GET["lot"])
        except ValueError:
            raise NotFound() from None
    pdf, count = notifications.letters_pdf(selection, audit_url=_audit_url(request, campaign, selection), at=at)
    if not count:
        messages.error(request, _("There is no letter to print: everyone notified has an e-mail address."))
        return redirect(_manage_url(campaign, selection))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="selection-{selection.pk}-courriers.pdf"'
    return response


# --- Public audit ---------------------------------------------------------------------------------


@public_page_cache
@require_GET
def selection_detail(request, slug, selection_id):
    campaign = campaign_get(slug)
    selection = selectors.selection_get_for(request.user, campaign, selection_id)
    audit = selectors.audit_view(selection)
    probabilities = Paginator(audit["probabilities"], PROBABILITIES_PAGE_SIZE).get_page(request.GET.get("p"))
    mine = selectors.my_pseudonym(request.user, campaign)
    in_pool = bool(mine) and any(p["id"] == mine for p in selection.pool)
    return render(request, "selection/detail.html", {
        "campaign": campaign, "selection": selection, "Status": SelectionStatus, "audit": audit,
        "probabilities": probabilities,
        "my_pseudonym": mine, "in_pool": in_pool,
        # A percentage, as every other probability on the page (the marginals are fractions).
        "my_probability": audit["marginals"].get(mine, 0.0) * 100 if in_pool else None,
        "my_line": selectors.my_pool_line(selection, mine) if in_pool else None,
        "can_manage": rules.can_manage_selection(request.user, campaign),
        "plain": selectors.plain_summary(selection, audit), "lookup_form": LookupForm(),
    })


@require_GET
def selection_json(request, slug, selection_id):
    campaign = campaign_get(slug)
    selection = selectors.selection_get_for(request.user, campaign, selection_id)
    require(services.is_computed(selection), NotComputed)
    document = selectors.audit_document(selection)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = 'attachment; filename="selection.json"'
    return response


@require_GET
def verify_script(request, slug, selection_id):
    campaign = campaign_get(slug)
    selectors.selection_get_for(request.user, campaign, selection_id)
    try:
        content = VERIFY_SCRIPT.read_bytes()
    except FileNotFoundError:  # pragma: no cover - shipped with the app
        raise NotFound() from None
    response = HttpResponse(content, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verify.py"'
    return response

"""The final plan, the candidates' dossiers, their dispatch and its public log.

- public: the plan's web page (the HTML twin of its PDF) and its PDF, the dispatch log;
- organisers (404 to anyone else, the sign-in page for a visitor): generate, send, resend, see
  each edition's status, its PDF and its HTML twin;
- a candidate: « Mon dossier » (their account), or the personal link of their e-mail, where they
  acknowledge receipt (POST).

Thin views: one service or selector each, POST-redirect-GET, every form without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError
from concerto.core.http import public_page_cache, require

from .. import rules, selectors, services
from ..errors import DocumentNotFound, DossierLinkInvalid, SynthesisNotFound
from ..models import DocumentKind, DocumentStatus
from ..plan import plan_data


def _organiser_campaign(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_view_synthesis_back_office(request.user, campaign), SynthesisNotFound())
    return campaign


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _pdf(document, filename: str):
    """The stored file as it is (a few hundred kB at most): its SHA-256 is the one published."""
    with document.file.open("rb") as fh:
        response = HttpResponse(fh.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _filename(document) -> str:
    if document.kind == DocumentKind.PLAN:
        return f"plan-d-actions-edition-{document.edition}.pdf"
    return f"dossier-{document.candidate.ballot_order}-edition-{document.edition}.pdf"


def _content(document) -> dict:
    """The HTML twin: the data this edition's PDF was compiled from."""
    if document.content:
        return document.content
    from ..plan import dossier_data

    return plan_data(document.campaign) if document.kind == DocumentKind.PLAN else dossier_data(document.candidate)


# --- Public ------------------------------------------------------------------------------------

@public_page_cache
@require_GET
def plan(request, slug):
    """The final plan, as a web page: the latest published edition's content, else the plan so far."""
    campaign = campaign_get(slug)
    latest = selectors.latest_plan(campaign)
    data = latest.content if latest is not None and latest.content else plan_data(campaign)
    return render(request, "synthesis/documents/plan.html", {
        "campaign": campaign, "data": data, "document": latest})


@require_GET
def plan_pdf(request, slug):
    campaign = campaign_get(slug)
    latest = selectors.latest_plan(campaign)
    require(latest is not None, DocumentNotFound())
    return _pdf(latest, _filename(latest))


@public_page_cache
@require_GET
def dispatch_log(request, slug):
    campaign = campaign_get(slug)
    return render(request, "synthesis/documents/dispatch_log.html", {
        "campaign": campaign, "log": selectors.dispatch_log(campaign)})


# --- Organisers --------------------------------------------------------------------------------

@login_required
@require_GET
def documents(request, slug):
    campaign = _organiser_campaign(request, slug)
    return render(request, "synthesis/documents/manage.html", {
        "campaign": campaign, "overview": selectors.documents_overview(campaign),
        "can_manage": rules.can_manage_synthesis(request.user, campaign)})


def _act(request, slug, run, done):
    campaign = _organiser_campaign(request, slug)
    try:
        result = run(campaign)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(result))
    return redirect("synthesis:documents", slug)


@login_required
@require_POST
def documents_generate(request, slug):
    return _act(request, slug, lambda c: services.documents_generate(by=request.user, campaign=c),
                lambda docs: ngettext("Edition %(edition)d: %(n)d document is being prepared.",
                                      "Edition %(edition)d: %(n)d documents are being prepared.", len(docs))
                % {"edition": docs[0].edition, "n": len(docs)})


@login_required
@require_POST
def dossiers_send(request, slug):
    return _act(request, slug, lambda c: services.dossiers_send(by=request.user, campaign=c,
                                                                base_url=_base_url(request)),
                lambda sent: ngettext("%(n)d dossier is being sent.", "%(n)d dossiers are being sent.", len(sent))
                % {"n": len(sent)})


@login_required
@require_POST
def dispatch_resend(request, slug, candidate_id):
    return _act(request, slug, lambda c: services.dispatch_resend(by=request.user, campaign=c,
                                                                  candidate_id=candidate_id,
                                                                  base_url=_base_url(request)),
                lambda d: _("The dossier is being sent again to %(name)s; the previous link no longer works.")
                % {"name": d.candidate.name})


def _readable(request, slug, document_id):
    campaign = campaign_get(slug)
    document = selectors.document_get(campaign, document_id)
    if document.kind == DocumentKind.PLAN:
        allowed = rules.can_view_synthesis_back_office(request.user, campaign)
    else:
        allowed = rules.can_read_dossier(request.user, document.candidate)
    require(allowed, DocumentNotFound())
    return campaign, document


@login_required
@require_GET
def document_html(request, slug, document_id):
    campaign, document = _readable(request, slug, document_id)
    require(document.status == DocumentStatus.READY, DocumentNotFound())
    return render(request, "synthesis/documents/document.html", {
        "campaign": campaign, "document": document, "data": _content(document)})


@login_required
@require_GET
def document_pdf(request, slug, document_id):
    campaign, document = _readable(request, slug, document_id)
    require(document.status == DocumentStatus.READY and bool(document.file), DocumentNotFound())
    return _pdf(document, _filename(document))


# --- Candidates --------------------------------------------------------------------------------

@login_required
@require_GET
def my_dossier(request, slug):
    """« Mon dossier »: the candidate's account reads its list's latest dossier."""
    campaign = campaign_get(slug)
    candidate, document = selectors.dossier_of_user(request.user, campaign)
    require(candidate is not None and rules.can_read_dossier(request.user, candidate), SynthesisNotFound())
    return render(request, "synthesis/documents/my_dossier.html", {
        "campaign": campaign, "candidate": candidate, "document": document,
        "data": _content(document) if document is not None else None})


@require_http_methods(["GET", "POST"])
def dossier_download(request, slug, dossier_token):
    token = dossier_token
    """The personal link of the e-mail: counted as opened; the candidate acknowledges receipt (POST)."""
    campaign = campaign_get(slug)
    try:
        selectors.dispatch_by_token(token)
    except DossierLinkInvalid as exc:
        return render(request, "synthesis/documents/link_invalid.html", {"campaign": campaign, "message": exc.message},
                      status=404)
    if request.method == "POST":
        dispatch = services.dispatch_acknowledge(token=token)
        require(dispatch.document.campaign_id == campaign.pk, SynthesisNotFound())
        messages.success(request, _("Thank you: your receipt is recorded, with its time."))
        return redirect("synthesis:dossier_download", slug, token)
    dispatch = services.dispatch_open(token=token)
    require(dispatch.document.campaign_id == campaign.pk, SynthesisNotFound())
    response = render(request, "synthesis/documents/download.html", {
        "campaign": campaign, "dispatch": dispatch, "document": dispatch.document, "token": token,
        "data": _content(dispatch.document)})
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def dossier_download_pdf(request, slug, dossier_token):
    token = dossier_token
    campaign = campaign_get(slug)
    dispatch = selectors.dispatch_by_token(token)
    require(dispatch.document.campaign_id == campaign.pk, SynthesisNotFound())
    response = _pdf(dispatch.document, _filename(dispatch.document))
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("synthese/plan/", plan, name="plan"),
    path("synthese/plan/pdf/", plan_pdf, name="plan_pdf"),
    path("synthese/envois/", dispatch_log, name="dispatch_log"),
    path("synthese/documents/", documents, name="documents"),
    path("synthese/documents/generer/", documents_generate, name="documents_generate"),
    path("synthese/documents/envoyer/", dossiers_send, name="dossiers_send"),
    path("synthese/documents/renvoyer/<int:candidate_id>/", dispatch_resend, name="dispatch_resend"),
    path("synthese/documents/<int:document_id>/", document_html, name="document_html"),
    path("synthese/documents/<int:document_id>/pdf/", document_pdf, name="document_pdf"),
    path("synthese/mon-dossier/", my_dossier, name="my_dossier"),
    path("synthese/dossier/<str:dossier_token>/", dossier_download, name="dossier_download"),
    path("synthese/dossier/<str:dossier_token>/pdf/", dossier_download_pdf, name="dossier_download_pdf"),
]

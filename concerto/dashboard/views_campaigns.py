"""The campaign back office: the list of one's campaigns, create, edit, archive and restore, consent
texts, the launch checklist; and the public legal and privacy notices of each campaign.

Who: administrators of the campaign's organisation and the campaign's organisers
(``residents.rules.can_manage_campaign``); creating: the organisation's administrators
(``can_create_campaign``). Anyone else gets 404 (the one refusal rule), visitors the sign-in page.
``campaigns.services`` cannot check the actor (campaigns sits below residents): these views do,
before each call.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns import selectors as campaign_selectors
from concerto.campaigns import services as campaign_services
from concerto.campaigns.models import SupportLevel
from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError
from concerto.core.forms import apply_errors
from concerto.core.http import public_page_cache, require
from concerto.letters.selectors import letters_generated
from concerto.residents import rules
from concerto.residents.selectors import organised_campaign_ids

from . import services
from .forms_campaigns import CampaignCreateForm, CampaignForm, ConfirmForm, ConsentTextForm
from .selectors import campaign_checklist

FORM_FIELDS = ("name", "slug", "territory", "description", "support_level", "allow_email_join", "is_public",
               "languages", "contact_name", "contact_email", "contact_phone", "contact_note", "legal_notice",
               "privacy_notice")


def _creatable_organisations(user) -> list:
    return campaign_selectors.organisations_by_ids(rules.administered_organisation_ids(user),
                                                   every=rules.is_platform_superuser(user))


def _managed_campaign(request, slug):
    """The campaign if the signed-in person may manage it; 404 otherwise, existing or not."""
    require(rules.can_use_campaign_back_office(request.user))
    campaign = campaign_get(slug)
    require(rules.can_manage_campaign(request.user, campaign))
    return campaign


@login_required
@require_GET
def campaigns_manage(request):
    user = request.user
    require(rules.can_use_campaign_back_office(user))
    campaigns = campaign_selectors.back_office_campaigns(
        organisation_ids=rules.administered_organisation_ids(user), campaign_ids=organised_campaign_ids(user),
        every=rules.is_platform_superuser(user))
    return render(request, "dashboard/campaigns/list.html", {
        "active": campaigns["active"], "archived": campaigns["archived"],
        "can_create": bool(_creatable_organisations(user)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    organisations = _creatable_organisations(request.user)
    require(bool(organisations))
    initial = {"support_level": SupportLevel.ANY_RESIDENT, "allow_email_join": True, "is_public": True,
               "languages": [code for code, _name in settings.LANGUAGES], "organisation": organisations[0].pk}
    form = CampaignCreateForm(request.POST or None, initial=initial, organisations=organisations)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            organisation = next(o for o in organisations if o.pk == data.pop("organisation"))
            try:
                campaign = services.campaign_open(by=request.user, organisation=organisation, **data)
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The campaign “%(name)s” is created. Here is what it still needs "
                                            "before it opens.") % {"name": campaign.name})
                return redirect("dashboard:campaign_checklist", campaign.slug)
    return render(request, "dashboard/campaigns/form.html", {
        "form": form, "campaign": None, "single_organisation": len(organisations) == 1,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, slug):
    campaign = _managed_campaign(request, slug)
    locked = letters_generated(campaign)
    initial = {key: getattr(campaign, key) for key in FORM_FIELDS}
    form = CampaignForm(request.POST or None, initial=initial, slug_locked=locked)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                campaign_services.campaign_update(by=request.user, campaign=campaign, slug_locked=locked,
                                                  **form.cleaned_data)
            except DomainError as exc:
                apply_errors(form, exc)
                campaign.refresh_from_db()
            else:
                messages.success(request, _("The campaign's settings are saved."))
                return redirect("dashboard:campaign_edit", campaign.slug)
    return render(request, "dashboard/campaigns/form.html", {
        "form": form, "campaign": campaign, "slug_locked": locked, "confirm_form": ConfirmForm(),
    }, status=status)


@login_required
@require_POST
def campaign_archive(request, slug):
    campaign = _managed_campaign(request, slug)
    try:
        campaign_services.campaign_archive(by=request.user, campaign=campaign)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The campaign is archived: it left the public lists and accepts no new "
                                    "participation. Nothing was erased."))
    return redirect("dashboard:campaigns_manage")


@login_required
@require_POST
def campaign_restore(request, slug):
    campaign = _managed_campaign(request, slug)
    try:
        campaign_services.campaign_restore(by=request.user, campaign=campaign)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The campaign is restored: residents can take part again during its open "
                                    "phases."))
    return redirect("dashboard:campaigns_manage")


@login_required
@require_http_methods(["GET", "POST"])
def campaign_consent(request, slug):
    campaign = _managed_campaign(request, slug)
    current = campaign_selectors.consent_current(campaign)
    form = ConsentTextForm(request.POST or None, initial={"text": current.text if current else ""})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                consent = campaign_services.consent_text_add(by=request.user, campaign=campaign,
                                                             text=form.cleaned_data["text"])
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Version %(v)d of the consent text is saved: residents who join from "
                                            "now on accept it.") % {"v": consent.version})
                return redirect("dashboard:campaign_consent", campaign.slug)
    return render(request, "dashboard/campaigns/consent.html", {
        "campaign": campaign, "form": form, "versions": campaign_selectors.consent_versions(campaign),
    }, status=status)


@login_required
@require_GET
def campaign_checklist_view(request, slug):
    campaign = _managed_campaign(request, slug)
    return render(request, "dashboard/campaigns/checklist.html", {
        "campaign": campaign, "checklist": campaign_checklist(campaign, request.user),
    })


@public_page_cache
@require_GET
def campaign_legal_notice(request, slug):
    campaign = campaign_get(slug)
    return render(request, "campaigns/notice.html", {
        "campaign": campaign, "title": _("Legal notice"), "text": campaign.legal_notice,
    })


@public_page_cache
@require_GET
def campaign_privacy_notice(request, slug):
    campaign = campaign_get(slug)
    return render(request, "campaigns/notice.html", {
        "campaign": campaign, "title": _("Privacy notice"), "text": campaign.privacy_notice,
        "consent": campaign_selectors.consent_current(campaign),
    })

"""Public campaign pages and “Mon espace”, composed from other apps' selectors and services."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import (
    campaign_for_page,
    campaign_get,
    campaign_list,
    phase_timeline,
)
from concerto.core.errors import DomainError
from concerto.core.http import public_page_cache, require
from concerto.core.journal import described
from concerto.fieldwork.selectors import link_candidates
from concerto.joining.selectors import letter_status_for
from concerto.proposals import selectors as proposal_selectors
from concerto.proposals.rules import can_take_part, participation_open
from concerto.residents import rules as resident_rules
from concerto.residents import selectors as resident_selectors
from concerto.residents import services as resident_services
from concerto.workshops.selectors import my_invitations

from . import services as dashboard_services
from .forms import DeleteAccountForm, ProfileForm, TokenForm
from .selectors import (
    campaign_home_figures,
    campaign_journal,
    channel_figures,
    my_data,
    my_data_json,
)


@public_page_cache
@require_GET
def index(request):
    return render(request, "dashboard/index.html", {"campaigns": list(campaign_list())})


@public_page_cache
@require_GET
def campaign_home(request, slug):
    # The cached campaign with its phases and election rounds (every page asks about the eve-of-vote freeze).
    campaign = campaign_for_page(slug, request.user)
    top = proposal_selectors.action_list_home(campaign)
    return render(request, "dashboard/campaign_home.html", {
        "campaign": campaign,
        "timeline": phase_timeline(campaign),
        "stats": campaign_home_figures(campaign),
        "top_actions": top,
        "supported": proposal_selectors.supported_ids(request.user, [a.pk for a in top]),
        "participation_open": participation_open(campaign),
        "can_take_part": can_take_part(request.user, campaign),
        # A resident who joined with their letter code: was a door or paper participation of their
        # household theirs? (fieldwork; answered by fieldwork.views.link)
        "link_candidates": link_candidates(request.user, campaign),
        "channels": channel_figures(campaign) if resident_rules.is_organiser(request.user, campaign) else None,
    })


@login_required
@require_GET
def campaign_journal_view(request, slug):
    """The team's acts on this campaign (moderation decisions, roles), for its organisers."""
    campaign = campaign_get(slug)
    require(resident_rules.is_organiser(request.user, campaign))
    page = Paginator(campaign_journal(campaign), 50).get_page(request.GET.get("page"))
    return render(request, "dashboard/journal.html", {"campaign": campaign, "page": page,
                                                      "lines": described(page.object_list)})


@login_required
@require_GET
def me(request):
    user = request.user
    return render(request, "dashboard/me.html", {
        "memberships": list(resident_selectors.my_memberships(user)),
        "letter_status": letter_status_for(user),
        "workshop_invitations": my_invitations(user),
        "supports": list(proposal_selectors.my_supports(user)[:200]),
        "contributions": list(proposal_selectors.my_contributions(user)[:200]),
        "tokens": list(resident_selectors.my_tokens(user)),
        "profile_form": ProfileForm(initial={"display_name": user.display_name}),
        "token_form": TokenForm(),
        "delete_form": DeleteAccountForm(),
        "new_token": request.session.pop("new_token", None),
    })


@login_required
@require_POST
def me_profile(request):
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            resident_services.profile_update(user=request.user, display_name=form.cleaned_data["display_name"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your public name is saved."))
    else:
        messages.error(request, _("The public name is limited to 60 characters."))
    return redirect("dashboard:me")


@login_required
@require_POST
def me_token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        if "name" in form.errors:
            messages.error(request, _("Give the token a name, e.g. the script that will use it."))
        else:
            messages.error(request, _("Choose what the token may do and how long it stays valid."))
        return redirect("dashboard:me")
    try:
        _token, secret = resident_services.api_token_create(
            user=request.user, name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"], days=form.cleaned_data["days"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:me")
    # Shown once on the next page, then gone: the database only keeps its hash.
    request.session["new_token"] = secret
    return redirect("dashboard:me")


@login_required
@require_POST
def me_token_revoke(request, token_id):
    try:
        resident_services.api_token_revoke(user=request.user, token_id=token_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The token is revoked."))
    return redirect("dashboard:me")


@login_required
@require_GET
def me_data(request):
    """Everything Concerto holds about the signed-in person, as a page (GDPR right of access)."""
    return render(request, "dashboard/me_data.html", {"sections": my_data(request.user)})


@login_required
@require_GET
def me_export(request):
    """The same, as a JSON file, each part and field named in ``labels``."""
    data = my_data_json(request.user, my_data(request.user))
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-concerto.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def me_delete(request):
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        dashboard_services.account_delete(user=user)
        messages.success(request, _("Your account is deleted. Your supports stay counted, anonymously."))
        return redirect("dashboard:index")
    return render(request, "dashboard/me_delete.html", {"form": form}, status=400 if form.errors else 200)

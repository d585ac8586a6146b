"""Versions and amendments: each action's versions and their diffs (public), a new version after
contributions (organisers), the candidates' amendments and their decisions (organisers; decided
ones public), the workshop participants' opinion, the supporters' digest.

Organisers' pages answer 404 to anyone else (the sign-in page for a visitor). Thin views: one
service or selector each, POST-redirect-GET, every form without JavaScript.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError
from concerto.core.forms import apply_errors
from concerto.core.http import require
from concerto.proposals import selectors as proposal_selectors

from .. import rules, selectors, services
from ..errors import SynthesisNotFound, VersionNotFound
from ..models import AmendmentStatus, Opinion

DATETIME_INPUTS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def _organiser_campaign(request, slug, *, manage=False):
    campaign = campaign_get(slug)
    allowed = (rules.can_manage_synthesis if manage else rules.can_view_synthesis_back_office)(request.user, campaign)
    require(allowed, SynthesisNotFound())
    return campaign


# --- Versions (public) ----------------------------------------------------------------------------

@require_GET
def versions(request, slug, action_id):
    """Every version of the action, and two of them compared (a plain GET form chooses which)."""
    campaign = campaign_get(slug)
    action = selectors.public_action_get(campaign, action_id)
    error = None
    try:
        page = selectors.versions_page(action, request.GET.get("old"), request.GET.get("new"))
    except VersionNotFound as exc:
        error = exc.message
        page = selectors.versions_page(action)
    view = "side" if request.GET.get("view") == "side" else "inline"
    return render(request, "synthesis/amend/versions.html", {
        "campaign": campaign, "action": action, **page, "view": view, "error": error,
        "decided": selectors.decided_amendments_of(action),
        "can_manage": rules.can_manage_synthesis(request.user, campaign),
        "field_labels": {"title": _("Title"), "summary": _("Summary"), "body": _("Description")}},
        status=404 if error else 200)


class VersionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=140)
    summary = forms.CharField(label=gettext_lazy("Summary"), max_length=300,
                              widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(label=gettext_lazy("Description"), required=False,
                           widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=gettext_lazy("Paragraphs separated by a blank line; simple Markdown."))
    reason = forms.CharField(label=gettext_lazy("Why it changed"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}), help_text=gettext_lazy(
                                 "Shown to everyone with the new version, e.g. the contributions it takes up."))


@login_required
@require_http_methods(["GET", "POST"])
def version_new(request, slug, action_id):
    """A new version after online contributions and door-to-door captures (organisers)."""
    campaign = _organiser_campaign(request, slug, manage=True)
    action = selectors.public_action_get(campaign, action_id)
    status = 200
    if request.method == "POST":
        form = VersionForm(request.POST)
        if form.is_valid():
            try:
                version = services.version_record(
                    by=request.user, campaign=campaign, action_id=action.pk, stage="contributions",
                    reason=form.cleaned_data["reason"], title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"], body=form.cleaned_data["body"])
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Version %(n)s is recorded.") % {"n": version.number})
                return redirect(reverse("synthesis:versions", args=[slug, action.pk]))
        status = 400
    else:
        form = VersionForm(initial={"title": action.title, "summary": action.summary, "body": action.body})
    return render(request, "synthesis/amend/version_form.html", {
        "campaign": campaign, "action": action, "form": form}, status=status)


# --- Amendments (organisers) ------------------------------------------------------------------------

@login_required
@require_GET
def amendment_list(request, slug):
    campaign = _organiser_campaign(request, slug)
    status, candidate, theme = (request.GET.get(k, "") for k in ("status", "candidate", "theme"))
    from concerto.live_event import selectors as live_selectors

    return render(request, "synthesis/amend/amendment_list.html", {
        "campaign": campaign, "amendments": selectors.amendment_list(
            campaign, status=status, candidate=candidate, theme=theme),
        "open_count": selectors.amendments_open_count(campaign),
        "statuses": [("undecided", _("Not decided yet")), *AmendmentStatus.choices],
        "candidates": live_selectors.candidate_list(campaign),
        "themes": proposal_selectors.themes_for(campaign),
        "chosen": {"status": status, "candidate": candidate, "theme": theme},
        "can_manage": rules.can_manage_synthesis(request.user, campaign)})


@login_required
@require_POST
def amendments_collect(request, slug):
    campaign = _organiser_campaign(request, slug, manage=True)
    count = services.amendments_collect(by=request.user, campaign=campaign)
    messages.success(request, _("%(n)s new amendment(s) collected.") % {"n": count})
    return redirect("synthesis:amendments", slug)


@login_required
@require_POST
def digest_send(request, slug):
    campaign = _organiser_campaign(request, slug, manage=True)
    count = services.digest_send(by=request.user, campaign=campaign, base_url=request.build_absolute_uri("/"))
    messages.success(request, _("The digest is being sent to %(n)s supporter(s).") % {"n": count})
    return redirect("synthesis:amendments", slug)


class AnchorForm(forms.Form):
    quote = forms.CharField(label=gettext_lazy("Passage of the action"), required=False, max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 2}), help_text=gettext_lazy(
                                "Copy the words the amendment is about, exactly as in the text. "
                                "Empty: the whole action."))


class ConsultForm(forms.Form):
    until = forms.DateTimeField(label=gettext_lazy("Opinions until"), input_formats=DATETIME_INPUTS,
                                widget=forms.DateTimeInput(format="%d/%m/%Y %H:%M"),
                                help_text=gettext_lazy("Date and time, for example 14/03/2027 18:00."))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect, choices=[
        (AmendmentStatus.ACCEPTED, gettext_lazy("Accept: the text below becomes the new version")),
        (AmendmentStatus.ACCEPTED_MODIFIED, gettext_lazy(
            "Accept with changes: the new version's words differ from the suggestion")),
        (AmendmentStatus.DECLINED, gettext_lazy("Decline: the text stays as it is")),
    ])
    reason = forms.CharField(label=gettext_lazy("Reason for the decision"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("Required, and public: the candidate and everyone read it."))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=140, required=False)
    summary = forms.CharField(label=gettext_lazy("Summary"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(label=gettext_lazy("Description"), required=False, widget=forms.Textarea(
        attrs={"rows": 12}), help_text=gettext_lazy(
            "When accepting: the action's text with the suggestion (in brackets) to rewrite into final words."))


def _amendment_page(request, campaign, amendment, *, anchor_form=None, consult_form=None, decision_form=None,
                    status=200):
    if decision_form is None:
        decision_form = DecisionForm(initial=selectors.suggested_text(amendment))
    return render(request, "synthesis/amend/amendment_detail.html", {
        "campaign": campaign, "amendment": amendment, "action": amendment.action,
        "anchor": selectors.amendment_anchor_view(amendment),
        "tally": selectors.opinion_tally(amendment),
        "anchor_form": anchor_form or AnchorForm(initial={"quote": amendment.quote_exact}),
        "consult_form": consult_form or ConsultForm(),
        "decision_form": decision_form,
        "can_manage": rules.can_manage_synthesis(request.user, campaign),
        "opinion_open": amendment.status == AmendmentStatus.CONSULTING and amendment.opinion_until
        and amendment.opinion_until > timezone.now()}, status=status)


@login_required
@require_GET
def amendment_detail(request, slug, amendment_id):
    campaign = _organiser_campaign(request, slug)
    return _amendment_page(request, campaign, selectors.amendment_get(campaign, amendment_id))


def _amendment_form_post(request, slug, amendment_id, *, form_class, field, form_key, act, success):
    """An organiser's form on an amendment's page: valid and accepted by ``act(campaign, amendment, data)``,
    back to the page with ``success``; else the page again with the form's errors (400)."""
    campaign = _organiser_campaign(request, slug, manage=True)
    amendment = selectors.amendment_get(campaign, amendment_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(campaign, amendment, form.cleaned_data)
        except DomainError as exc:
            form.add_error(field, exc.message)
        else:
            messages.success(request, success)
            return redirect("synthesis:amendment", slug, amendment.pk)
    return _amendment_page(request, campaign, amendment, status=400, **{form_key: form})


@login_required
@require_POST
def amendment_anchor(request, slug, amendment_id):
    return _amendment_form_post(
        request, slug, amendment_id, form_class=AnchorForm, field="quote", form_key="anchor_form",
        act=lambda campaign, amendment, data: services.amendment_anchor(
            by=request.user, campaign=campaign, amendment_id=amendment.pk, quote=data["quote"]),
        success=_("The amendment is anchored."))


@login_required
@require_POST
def amendment_consult(request, slug, amendment_id):
    return _amendment_form_post(
        request, slug, amendment_id, form_class=ConsultForm, field="until", form_key="consult_form",
        act=lambda campaign, amendment, data: services.amendment_consult(
            by=request.user, campaign=campaign, amendment_id=amendment.pk, until=data["until"]),
        success=_("The workshop participants may give their opinion."))


@login_required
@require_POST
def amendment_decide(request, slug, amendment_id):
    campaign = _organiser_campaign(request, slug, manage=True)
    amendment = selectors.amendment_get(campaign, amendment_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.amendment_decide(by=request.user, campaign=campaign, amendment_id=amendment.pk,
                                      decision=data["decision"], reason=data["reason"], title=data["title"],
                                      summary=data["summary"], body=data["body"])
        except DomainError as exc:
            apply_errors(form, exc, field_for=lambda e: "reason" if e.code == "reason_required" else None)
        else:
            messages.success(request, _("The decision is recorded."))
            if data["decision"] != AmendmentStatus.DECLINED:
                return redirect(reverse("synthesis:versions", args=[slug, amendment.action_id]))
            return redirect("synthesis:amendment", slug, amendment.pk)
    amendment = selectors.amendment_get(campaign, amendment_id)
    return _amendment_page(request, campaign, amendment, decision_form=form, status=400)


# --- Decided amendments (public) ------------------------------------------------------------------

@require_GET
def amendments_public(request, slug):
    campaign = campaign_get(slug)
    return render(request, "synthesis/amend/amendments_public.html", {
        "campaign": campaign, "amendments": selectors.amendment_list(campaign, decided_only=True)})


# --- Participants' opinion --------------------------------------------------------------------------

class OpinionForm(forms.Form):
    opinion = forms.ChoiceField(label=gettext_lazy("Your opinion"), choices=Opinion.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("Comment (optional)"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


@login_required
@require_http_methods(["GET", "POST"])
def amendment_opinion(request, slug, amendment_id):
    """A participant of the action's workshop says what they think of the amendment (404 to others)."""
    campaign = campaign_get(slug)
    amendment = selectors.amendment_get(campaign, amendment_id)
    require(rules.can_give_opinion(request.user, amendment), SynthesisNotFound())
    mine = selectors.my_opinion(request.user, amendment)
    status = 200
    if request.method == "POST":
        form = OpinionForm(request.POST)
        if form.is_valid():
            try:
                services.amendment_opinion_give(user=request.user, campaign=campaign, amendment_id=amendment.pk,
                                                opinion=form.cleaned_data["opinion"],
                                                comment=form.cleaned_data["comment"])
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your opinion is recorded."))
                return redirect("synthesis:amendment_opinion", slug, amendment.pk)
        status = 400
    else:
        form = OpinionForm(initial={"opinion": mine.opinion, "comment": mine.comment} if mine else None)
    return render(request, "synthesis/amend/opinion.html", {
        "campaign": campaign, "amendment": amendment, "action": amendment.action, "form": form, "mine": mine,
        "anchor": selectors.amendment_anchor_view(amendment)}, status=status)


# --- Supporters' digest -------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def digest_preference(request, slug):
    campaign = campaign_get(slug)
    if request.method == "POST":
        on = request.POST.get("digest") == "on"
        services.digest_opt_in_set(user=request.user, campaign=campaign, on=on)
        messages.success(request, _("You will be told if an action you supported changes.") if on
                         else _("You will not be told about changes any more."))
        return redirect("synthesis:digest_preference", slug)
    return render(request, "synthesis/amend/digest_preference.html", {
        "campaign": campaign, "opted_in": selectors.digest_opted_in(request.user, campaign)})


@login_required
@require_http_methods(["GET", "POST"])
def support_withdraw(request, slug, action_id):
    """From the digest's link: confirm, then withdraw the support (signed in, POST)."""
    campaign = campaign_get(slug)
    action = selectors.public_action_get(campaign, action_id)
    supported = action.pk in proposal_selectors.supported_ids(request.user, [action.pk], campaign)
    error = None
    if request.method == "POST":
        try:
            services.support_withdraw_after_change(user=request.user, campaign=campaign, action_id=action.pk)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your support is withdrawn."))
            return redirect(reverse("synthesis:versions", args=[slug, action.pk]))
    return render(request, "synthesis/amend/support_withdraw.html", {
        "campaign": campaign, "action": action, "supported": supported, "error": error},
        status=400 if error else 200)


urlpatterns = [
    path("actions/<int:action_id>/versions/", versions, name="versions"),
    path("actions/<int:action_id>/versions/nouvelle/", version_new, name="version_new"),
    path("actions/<int:action_id>/retirer-mon-soutien/", support_withdraw, name="support_withdraw"),
    path("amendements/", amendments_public, name="amendments_public"),
    path("amendements/<int:amendment_id>/avis/", amendment_opinion, name="amendment_opinion"),
    path("moi/resume-des-soutiens/", digest_preference, name="digest_preference"),
    path("synthese/amendements/", amendment_list, name="amendments"),
    path("synthese/amendements/collecter/", amendments_collect, name="amendments_collect"),
    path("synthese/amendements/resume-des-soutiens/", digest_send, name="digest_send"),
    path("synthese/amendements/<int:amendment_id>/", amendment_detail, name="amendment"),
    path("synthese/amendements/<int:amendment_id>/ancrer/", amendment_anchor, name="amendment_anchor"),
    path("synthese/amendements/<int:amendment_id>/avis/", amendment_consult, name="amendment_consult"),
    path("synthese/amendements/<int:amendment_id>/decision/", amendment_decide, name="amendment_decide"),
]

"""Thin views: authorize, call one service or selector, render. Work without JavaScript; htmx enhances."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.models import SupportLevel
from concerto.campaigns.selectors import campaign_for_page, campaign_get
from concerto.core import state
from concerto.core.errors import DomainError, FieldErrors, NotFound
from concerto.core.forms import apply_errors
from concerto.core.fragments import CSRF_MARK, SUPPORT_MARK, overlay, shared_page
from concerto.core.http import public_page_cache, require, safe_next, vary_on_htmx
from concerto.residents import rules as resident_rules

from . import rules, selectors, services
from .errors import LetterRequired, SignInToSupport
from .forms import (
    DRAFT_FIELDS,
    CommentForm,
    ContributionForm,
    FilterForm,
    HideForm,
    MergeSearchForm,
    ModerationEditForm,
    RejectForm,
    ReportForm,
)
from .models import PUBLIC_STATUSES
from .templatetags.action_fragments import PK_MARK, SHARED, comment_data, mine_badge

PAGE_SIZE = 20


def _support_box(user, action) -> dict:
    """What the support box offers this person: the button, or why not and what to do about it."""
    refusal = rules.support_refusal(user, action)
    return {
        "can_support": refusal is None,
        "sign_in_to_support": isinstance(refusal, SignInToSupport),
        "letter_required": isinstance(refusal, LetterRequired),
        "letter_level": action.campaign.support_level == SupportLevel.LETTER,
    }


@public_page_cache
@vary_on_htmx
@require_GET
def action_list(request, slug):
    campaign = campaign_for_page(slug, request.user)
    themes = selectors.themes_for(campaign)
    form = FilterForm(request.GET or None, themes=themes)
    values = form.values()
    qs = selectors.action_list(campaign, **values)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    actions = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "campaign": campaign, "form": form, "page": page, "actions": actions, "values": values,
        "selects": form.selects(values),
        "supported": selectors.supported_ids(request.user, [a.pk for a in actions], campaign),
        "querystring": query.urlencode(), "can_take_part": rules.can_take_part(request.user, campaign),
    }
    template = "proposals/_results.html" if request.htmx and request.htmx.target == "results" else "proposals/action_list.html"
    if _page_shareable(request, campaign):
        return _shared_list(request, template, context)
    return render(request, template, context)


def _page_shareable(request, campaign) -> bool:
    """May this viewer's page be the page shared by everyone of their kind? Signed-in people
    without a team role here (their navigation is the residents' one) and no message to show."""
    user = request.user
    return bool(
        user.is_authenticated and not rules.can_moderate(user, campaign)
        and not resident_rules.can_manage_campaign(user, campaign)
        and CookieStorage.cookie_name not in request.COOKIES and SessionStorage.session_key not in request.session
    )


def _shared_list(request, template, context):
    """The list as shared by every viewer of the same kind, with this viewer's badges and CSRF
    token filled in (``core.fragments.overlay``). The key holds everything the page prints."""
    campaign, page = context["campaign"], context["page"]
    key = (
        template, request.get_full_path(), state.token_of(campaign), bool(context["can_take_part"]),
        rules.frozen(campaign),
        page.number, page.paginator.count, page.paginator.num_pages,
        # What the cards print, as stored: labels follow from these and the language, theme
        # names from the state token.
        tuple((a.pk, a.title, a.summary, a.theme_id, a.origin, a.status, a.support_count) for a in context["actions"]),
    )
    html = shared_page(key, lambda: render_to_string(
        template, {**context, "supported": SHARED, "csrf_token": CSRF_MARK}, request))
    supported = context["supported"]
    return HttpResponse(overlay(html, csrf_token=get_token(request), supported=supported,
                                mine_html=mine_badge() if supported else ""))


COMMENTS_PAGE_SIZE = 30


def _detail_context(request, campaign, action, comment_form=None):
    comments = Paginator(selectors.visible_comments(action), COMMENTS_PAGE_SIZE).get_page(request.GET.get("commentaires"))
    return {
        "campaign": campaign, "action": action,
        "comments": comments,
        "supported": selectors.supported_ids(request.user, [action.pk], campaign),
        **_support_box(request.user, action),
        "can_comment": rules.can_comment(request.user, action),
        "participation_open": rules.participation_open(campaign),
        "comment_form": comment_form or CommentForm(),
        "report_form": ReportForm(),
        "is_author": request.user.is_authenticated and action.author_id == request.user.pk,
        "can_withdraw": rules.can_withdraw(request.user, action),
        "can_moderate": rules.can_moderate(request.user, campaign),
        # Stable once the action exists (a published sheet keeps its workshop), so the shared page's
        # key (action.pk) covers it.
        "origin_note": selectors.origin_note(action),
        # Links other apps add (a show's replay at this action): they change with those apps'
        # records, so the shared page's key holds them.
        "action_extras": selectors.action_extras(action),
        "action_sections": selectors.action_sections(action),
    }


@public_page_cache
@require_GET
def action_detail(request, slug, action_id):
    campaign = campaign_for_page(slug, request.user)
    action = selectors.action_get_for(request.user, campaign, action_id)
    context = _detail_context(request, campaign, action)
    if action.status in PUBLIC_STATUSES and not context["is_author"] and _page_shareable(request, campaign):
        return _shared_detail(request, context)
    return render(request, "proposals/action_detail.html", context)


_DETAIL_KIND = ("can_support", "sign_in_to_support", "letter_required", "letter_level", "can_comment",
                "participation_open", "can_withdraw", "can_moderate", "is_author")


def _shared_detail(request, context):
    """The action page as shared by every viewer of the same kind, with this viewer's support box,
    report forms and CSRF token filled in (``core.fragments.overlay``). The key holds everything
    the page prints."""
    campaign, action, comments = context["campaign"], context["action"], context["comments"]
    merged_into = action.merged_into if action.merged_into_id else None
    key = (
        "detail", request.get_full_path(), state.token_of(campaign), tuple(bool(context[k]) for k in _DETAIL_KIND),
        (action.pk, action.title, action.summary, action.body_html, action.theme_id, action.origin, action.status,
         action.place, action.support_count, action.comment_count, action.edited_by_moderation_at,
         merged_into.pk if merged_into else None, merged_into.title if merged_into else ""),
        comments.number, comments.paginator.count, comments.paginator.num_pages,
        tuple((c.pk, c.author_id, *sorted(comment_data(c).items())) for c in comments),
        tuple((str(e["text"]), str(e["url"])) for e in context["action_extras"]),
        tuple(section["key"] for section in context["action_sections"]), rules.frozen(campaign),
    )

    def render_shared():
        shared = {**context, "csrf_token": CSRF_MARK, "shared_page": True}
        return (
            render_to_string("proposals/action_detail.html", {**shared, "support_mark": SUPPORT_MARK}, request),
            render_to_string("proposals/_support.html", {**shared, "supported": {action.pk}}, request),
            render_to_string("proposals/_support.html", {**shared, "supported": set()}, request),
            render_to_string("proposals/_report_form.html", {
                "campaign": campaign, "pk": PK_MARK, "report_form": context["report_form"], "csrf_token": CSRF_MARK}),
        )

    page, box_supported, box_not, report = shared_page(key, render_shared)
    return HttpResponse(overlay(
        page, csrf_token=get_token(request), viewer_id=request.user.pk, report_html=report, pk_mark=PK_MARK,
        support_html=box_supported if action.pk in context["supported"] else box_not))


@vary_on_htmx
@require_POST
def action_support(request, slug, action_id):
    campaign = campaign_get(slug)
    action = selectors.action_get_for_support(request.user, campaign, action_id)
    detail_url = reverse("proposals:detail", args=[slug, action.pk])
    if not request.user.is_authenticated:
        return redirect(f"{reverse('residents:sign_in')}?next={detail_url}")
    status = 200
    try:
        if request.POST.get("op") == "withdraw":
            services.support_withdraw(user=request.user, action=action)
            message = _("Your support is withdrawn.")
        else:
            services.support_add(user=request.user, action=action)
            message = _("Thank you, your support is counted.")
    except DomainError as exc:
        message, status = exc.message, exc.status
        if not request.htmx:
            messages.error(request, message)
    else:
        if not request.htmx:
            messages.success(request, message)
    if request.htmx:
        action.refresh_from_db(fields=["support_count"])
        return render(request, "proposals/_support.html", {
            "action": action, "campaign": campaign, **_support_box(request.user, action),
            "supported": selectors.supported_ids(request.user, [action.pk]), "flash": message,
            "flash_error": status != 200,
        }, status=status if status != 200 else 200)
    return redirect(safe_next(request, request.POST.get("back"), detail_url))


@require_POST
def comment_create(request, slug, action_id):
    campaign = campaign_get(slug)
    action = selectors.action_get_for(request.user, campaign, action_id)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('residents:sign_in')}?next={reverse('proposals:detail', args=[slug, action.pk])}")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(user=request.user, action=action, body=form.cleaned_data["body"])
        except DomainError as exc:
            apply_errors(form, exc)
            status = exc.status
        else:
            messages.success(request, _("Your comment is published."))
            return redirect(reverse("proposals:detail", args=[slug, action.pk]) + "#comments")
    else:
        status = 400
    return render(request, "proposals/action_detail.html", _detail_context(request, campaign, action, form),
                  status=status)


@login_required
@require_POST
def comment_report(request, slug, comment_id):
    campaign = campaign_get(slug)
    comment = selectors.comment_get_for(request.user, campaign, comment_id)
    form = ReportForm(request.POST)
    try:
        created = services.comment_report(user=request.user, comment=comment,
                                          reason=form.data.get("reason", ""), kind=form.data.get("kind", ""))
    except FieldErrors as exc:
        for message in exc.errors.values():
            messages.error(request, message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you, the moderators will look at this comment.") if created
                         else _("You have already reported this comment."))
    return redirect(reverse("proposals:detail", args=[slug, comment.action_id]) + f"#comment-{comment.pk}")


def _draft_key(campaign) -> str:
    return f"proposal_draft:{campaign.pk}"


def _draft_from(data) -> dict:
    return {name: str(data.get(name, ""))[:limit] for name, limit in DRAFT_FIELDS.items()}


@login_required
@require_http_methods(["GET", "POST"])
def contribution_create(request, slug):
    """The proposal form. "Already proposed?" lists published actions close to the title: while
    typing (htmx, ``contribution_similar``), or with the "Check similar proposals" button. Both
    keep the draft in the session, and so do the links of that list: going to read an action
    never loses what was typed. Nothing there ever blocks sending."""
    campaign = campaign_get(slug)
    themes = selectors.themes_for(campaign)
    similar_url = reverse("proposals:similar", args=[slug])
    draft = request.session.get(_draft_key(campaign)) or {}
    status, similar, checked = 200, [], False
    if request.method == "POST" and ("check" in request.POST or "see" in request.POST):
        draft = _draft_from(request.POST)
        request.session[_draft_key(campaign)] = draft
        if "see" in request.POST:
            try:
                return redirect("proposals:detail", slug, int(request.POST["see"]))
            except (TypeError, ValueError):
                pass
        form = ContributionForm(initial=draft, themes=themes, similar_url=similar_url)
        similar, checked = selectors.similar_actions(campaign, draft["title"]), True
    elif request.method == "POST":
        form = ContributionForm(request.POST, themes=themes, similar_url=similar_url)
        status = 400
        if form.is_valid():
            try:
                action = services.action_propose(
                    user=request.user, campaign=campaign, title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"], body=form.cleaned_data["body"],
                    theme_id=form.cleaned_data["theme"] or None, place=form.cleaned_data["place"],
                )
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                request.session.pop(_draft_key(campaign), None)
                messages.success(request, _("Thank you! Your contribution will be published once a moderator has read it."))
                return redirect("proposals:detail", slug, action.pk)
    else:
        form = ContributionForm(initial=draft, themes=themes, similar_url=similar_url)
        if draft.get("title"):
            similar, checked = selectors.similar_actions(campaign, draft["title"]), True
    can_take_part = rules.can_take_part(request.user, campaign)
    if request.method == "GET" and not can_take_part:
        status = 403
    return render(request, "proposals/contribution_form.html", {
        "campaign": campaign, "form": form, "can_take_part": can_take_part,
        "participation_open": rules.participation_open(campaign), "similar": similar, "checked": checked,
        "draft_kept": bool(draft) and request.method == "GET",
    }, status=status)


@require_GET
def contribution_similar(request, slug):
    """The "Already proposed?" list for a title being typed (the htmx fragment of the proposal
    form; a plain page without JavaScript). Published titles only: nothing that is not public."""
    campaign = campaign_get(slug)
    title = request.GET.get("title", "")
    context = {"campaign": campaign, "similar": selectors.similar_actions(campaign, title), "checked": True,
               "title": title[:200]}
    template = "proposals/_similar.html" if request.htmx else "proposals/similar.html"
    return render(request, template, context)


@login_required
@require_POST
def contribution_withdraw(request, slug, action_id):
    campaign = campaign_get(slug)
    detail_url = reverse("proposals:detail", args=[slug, action_id])
    try:
        services.action_withdraw(user=request.user, campaign=campaign, action_id=action_id)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your contribution is withdrawn: nobody else will see it."))
    return redirect(safe_next(request, request.POST.get("back"), detail_url))


def _require_moderator(request, campaign):
    require(rules.can_moderate(request.user, campaign))  # do not reveal the queue exists to others


@login_required
@require_GET
def moderation_queue(request, slug):
    campaign = campaign_get(slug)
    _require_moderator(request, campaign)
    pending, reported = selectors.moderation_queue(campaign)
    return render(request, "proposals/moderation.html", {
        "campaign": campaign, "pending": list(pending[:50]), "pending_count": pending.count(),
        "reported": list(reported[:50]), "reject_form": RejectForm(), "hide_form": HideForm(),
    })


@vary_on_htmx
@login_required
@require_GET
def moderation_merge(request, slug, action_id):
    """Choose where to merge a pending contribution: similar published actions first, or a search
    by a few letters of a title (accents and typos do not matter). htmx refreshes the results."""
    campaign = campaign_get(slug)
    _require_moderator(request, campaign)
    action = selectors.pending_for_moderation(campaign, action_id)
    form = MergeSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    if q:
        targets = selectors.similar_actions(campaign, q, 15, exclude_id=action.pk)
    else:
        targets = selectors.similar_actions(campaign, action.title, 8, exclude_id=action.pk)
    context = {"campaign": campaign, "action": action, "form": form, "q": q, "targets": targets}
    template = "proposals/_merge_targets.html" if request.htmx else "proposals/moderation_merge.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def moderation_edit(request, slug, action_id):
    """A moderator corrects a pending contribution before deciding; its author is told."""
    campaign = campaign_get(slug)
    _require_moderator(request, campaign)
    action = selectors.pending_for_moderation(campaign, action_id)
    themes = selectors.themes_for(campaign)
    initial = {"title": action.title, "summary": action.summary, "body": action.body,
               "theme": str(action.theme_id or "")}
    form = ModerationEditForm(request.POST or None, initial=initial, themes=themes)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.action_edit_by_moderator(
                    moderator=request.user, campaign=campaign, action_id=action.pk,
                    title=form.cleaned_data["title"], summary=form.cleaned_data["summary"],
                    body=form.cleaned_data["body"], theme_id=form.cleaned_data["theme"] or None)
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The contribution is corrected; its author will see that it was edited."))
                return redirect(reverse("proposals:moderation", args=[slug]) + f"#pending-{action.pk}")
    return render(request, "proposals/moderation_edit.html", {"campaign": campaign, "action": action,
                                                              "form": form}, status=status)


@login_required
@require_POST
def moderate_action(request, slug, action_id):
    campaign = campaign_get(slug)
    _require_moderator(request, campaign)
    decision = request.POST.get("decision")
    try:
        if decision == "publish":
            services.action_publish(moderator=request.user, campaign=campaign, action_id=action_id)
            messages.success(request, _("The contribution is published."))
        elif decision == "reject":
            services.action_reject(moderator=request.user, campaign=campaign, action_id=action_id,
                                   reason=request.POST.get("reason", ""))
            messages.success(request, _("The contribution is rejected; its author sees the reason."))
        elif decision == "merge":
            services.action_merge(moderator=request.user, campaign=campaign, action_id=action_id,
                                  into_id=request.POST.get("into"))
            messages.success(request, _("The contribution is merged; its supports moved over."))
        else:
            messages.error(request, _("Unknown decision."))
    except FieldErrors as exc:
        for message in exc.errors.values():
            messages.error(request, message)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("proposals:moderation", slug)


@login_required
@require_POST
def moderate_comment(request, slug, comment_id):
    campaign = campaign_get(slug)
    _require_moderator(request, campaign)
    try:
        if request.POST.get("decision") == "hide":
            services.comment_hide(moderator=request.user, campaign=campaign, comment_id=comment_id,
                                  reason=request.POST.get("reason", ""))
            messages.success(request, _("The comment is hidden."))
        else:
            services.comment_reports_dismiss(moderator=request.user, campaign=campaign, comment_id=comment_id)
            messages.success(request, _("The reports are dismissed; the comment stays visible."))
    except FieldErrors as exc:
        for message in exc.errors.values():
            messages.error(request, message)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("proposals:moderation", slug)

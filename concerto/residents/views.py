"""Sign-in by magic link (residents) or password (staff), sign-out, staff passwords, and the team
(organisers' team page; the invited person's acceptance)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, FieldErrors, Invalid, RateLimited
from concerto.core.forms import apply_errors
from concerto.core.http import demo_mode, require, safe_next
from concerto.core.ratelimit import client_ip

from . import rules, selectors, services
from .errors import PasswordRequired
from .forms import (
    EmailForm,
    InvitationAcceptForm,
    InviteForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordForm,
    PasswordResetForm,
    RoleRemoveForm,
)


@require_http_methods(["GET", "POST"])
def sign_in(request):
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), "")
    form = EmailForm(request.POST or None, initial={"next": next_url})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            url = services.sign_in_link_request(
                email=form.cleaned_data["email"], ip=client_ip(request), next_url=next_url,
                build_url=lambda secret: request.build_absolute_uri(reverse("residents:link", args=[secret])),
            )
        except DomainError as exc:
            form.add_error("email", exc.message)
            status = exc.status
        else:
            return render(request, "residents/link_sent.html", {
                "email": form.cleaned_data["email"], "demo_link": url if demo_mode() else None,
                "ttl_minutes": settings.CONCERTO_MAGIC_LINK_TTL_MINUTES,
            })
    elif request.method == "POST":
        status = 400
    return render(request, "residents/sign_in.html", {
        "form": form, "next": next_url, "ttl_minutes": settings.CONCERTO_MAGIC_LINK_TTL_MINUTES,
    }, status=status)


@never_cache  # the page names the address, and its URL is the secret: keep it out of every cache
@require_http_methods(["GET", "POST"])
def sign_in_link(request, secret):
    """GET shows a button; only the POST uses the link, because mail scanners follow GET links."""
    try:
        link = services.sign_in_link_peek(secret=secret)
    except DomainError as exc:
        return render(request, "residents/link_invalid.html", {"message": exc.message}, status=400)
    if request.method == "POST":
        try:
            user, next_url = services.sign_in_link_consume(secret=secret)
        except PasswordRequired as exc:
            return render(request, "residents/link_invalid.html",
                          {"message": exc.message, "password_required": True}, status=exc.status)
        except DomainError as exc:
            return render(request, "residents/link_invalid.html", {"message": exc.message}, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # rotates the session key
        messages.success(request, _("You are signed in."))
        return redirect(safe_next(request, next_url, reverse("dashboard:me")))
    return render(request, "residents/link_confirm.html", {"email": link.email})


@require_http_methods(["GET", "POST"])
def sign_in_password(request):
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), "")
    form = PasswordForm(request.POST or None, initial={"next": next_url})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = services.password_sign_in(
                    request=request, email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"], ip=client_ip(request),
                )
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                login(request, user)
                messages.success(request, _("You are signed in."))
                return redirect(safe_next(request, next_url, reverse("dashboard:me")))
    return render(request, "residents/sign_in_password.html", {"form": form, "next": next_url}, status=status)


@require_POST
def sign_out(request):
    logout(request)  # flushes the session server-side
    messages.info(request, _("You are signed out."))
    return redirect("dashboard:index")


# --- Passwords (staff) ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """"Forgot your password?": the same answer for every address (no enumeration)."""
    form = PasswordResetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.password_reset_request(
                    email=form.cleaned_data["email"], ip=client_ip(request),
                    build_url=lambda uid, token: request.build_absolute_uri(
                        reverse("residents:password_reset_confirm", args=[uid, token])),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                return render(request, "residents/password_reset_sent.html", {
                    "email": form.cleaned_data["email"], "minutes": max(1, settings.PASSWORD_RESET_TIMEOUT // 60),
                })
    return render(request, "residents/password_reset.html", {"form": form}, status=status)


@never_cache  # the URL is the secret
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, uidb64, reset_token):
    token = reset_token
    try:
        account = services.password_reset_check(uidb64=uidb64, token=token)
    except DomainError as exc:
        return render(request, "residents/password_link_invalid.html", {"message": exc.message}, status=400)
    form = NewPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account = services.password_reset_confirm(uidb64=uidb64, token=token, **form.cleaned_data)
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                login(request, account, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your new password is saved and you are signed in."))
                return redirect("dashboard:me")
    return render(request, "residents/password_reset_confirm.html", {"form": form, "account": account},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """"My space" → change my password. Accounts without password (residents) have no such page."""
    require(request.user.has_usable_password())
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.password_change(user=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                update_session_auth_hash(request, request.user)  # this session stays; the others end
                messages.success(request, _("Your new password is saved. Your other sessions are signed out."))
                return redirect("dashboard:me")
    return render(request, "residents/password_change.html", {"form": form}, status=status)


# --- The team -------------------------------------------------------------------------------------


def _campaign_for_organiser(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_grant_roles(request.user, campaign))
    return campaign


def _invitation_url(request):
    return lambda secret: request.build_absolute_uri(reverse("residents:team_accept", args=[secret]))


def _demo_invitation_notice(request, invitation, url) -> None:
    if demo_mode():
        messages.info(request, _("Demo: no e-mail is sent; the invitation link for %(email)s is %(url)s") % {
            "email": invitation.email, "url": url})


@login_required
@require_http_methods(["GET", "POST"])
def team(request, slug):
    """The campaign's team: members and their roles, pending invitations, the invitation form."""
    campaign = _campaign_for_organiser(request, slug)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                invitation, url = services.team_invite(by=request.user, campaign=campaign,
                                                       build_url=_invitation_url(request), **form.cleaned_data)
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The invitation is sent to %(email)s.") % {"email": invitation.email})
                _demo_invitation_notice(request, invitation, url)
                return redirect("residents:team", slug)
    return render(request, "residents/team.html", {
        "campaign": campaign, "form": form, "members": selectors.team_members(campaign),
        "invitations": selectors.team_invitations_pending(campaign),
        "organisers": selectors.organiser_count(campaign), "now": timezone.now(),
        "invitation_days": services.INVITATION_DAYS,
    }, status=status)


@login_required
@require_POST
def team_resend(request, slug, invitation_id):
    campaign = _campaign_for_organiser(request, slug)
    try:
        invitation, url = services.team_invitation_resend(by=request.user, campaign=campaign,
                                                          invitation_id=invitation_id,
                                                          build_url=_invitation_url(request))
    except (RateLimited, Invalid) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation is sent again to %(email)s with a new link; the previous "
                                    "link no longer works.") % {"email": invitation.email})
        _demo_invitation_notice(request, invitation, url)
    return redirect("residents:team", slug)


@login_required
@require_POST
def team_revoke(request, slug, invitation_id):
    campaign = _campaign_for_organiser(request, slug)
    invitation = services.team_invitation_revoke(by=request.user, campaign=campaign, invitation_id=invitation_id)
    messages.success(request, _("The invitation to %(email)s is cancelled.") % {"email": invitation.email})
    return redirect("residents:team", slug)


@login_required
@require_POST
def team_role_remove(request, slug, user_id):
    campaign = _campaign_for_organiser(request, slug)
    form = RoleRemoveForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else ""
    try:
        services.role_revoke(by=request.user, campaign=campaign, user_id=user_id, role=role)
    except Invalid as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The role is removed."))
    if not rules.can_grant_roles(request.user, campaign):  # one removed their own organiser role
        return redirect("dashboard:campaign_home", slug)
    return redirect("residents:team", slug)


@never_cache  # the URL is the secret
@require_http_methods(["GET", "POST"])
def team_accept(request, invitation_token):
    """The invited person opens the link: GET shows what to do (mail scanners only GET), POST accepts."""
    secret = invitation_token
    try:
        invitation = services.team_invitation_peek(secret=secret)
    except DomainError as exc:
        return render(request, "residents/team_invitation_invalid.html", {"error": exc}, status=400)
    step = services.team_invitation_step(invitation, request.user)
    existing = None if request.user.is_authenticated else selectors.user_by_email(invitation.email)
    form = InvitationAcceptForm(request.POST or None, initial={
        "display_name": (request.user.display_name if request.user.is_authenticated
                         else existing.display_name if existing else ""),
    })
    status = 200
    if request.method == "POST" and step in (services.InvitationStep.ACCEPT, services.InvitationStep.SET_UP):
        status = 400
        data = {}
        if step == services.InvitationStep.SET_UP:
            data = form.cleaned_data if form.is_valid() else None
        if data is not None:
            try:
                account = services.team_invitation_accept(secret=secret, user=request.user, **data)
            except DomainError as exc:
                if isinstance(exc, Invalid) and not isinstance(exc, FieldErrors):
                    return render(request, "residents/team_invitation_invalid.html", {"error": exc}, status=400)
                apply_errors(form, exc)
                status = exc.status
            else:
                if request.user != account:
                    login(request, account, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome to the team of %(campaign)s: you are now %(role)s.") % {
                    "campaign": invitation.campaign.name, "role": invitation.get_role_display().lower()})
                return redirect("dashboard:campaign_home", invitation.campaign.slug)
    elif request.method == "POST":
        status = 400
    return render(request, "residents/team_invitation.html", {
        "invitation": invitation, "step": step, "form": form, "steps": services.InvitationStep,
        "has_account": existing is not None, "next": request.path,
    }, status=status)

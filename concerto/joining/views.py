"""Joining a campaign with a letter code, and signing in with code + PIN. Plain forms, no JavaScript."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, FieldErrors, RateLimited
from concerto.core.forms import apply_errors
from concerto.core.http import demo_mode, require, safe_next
from concerto.core.ratelimit import client_ip
from concerto.letters.codes import format_code
from concerto.letters.errors import CodeRejected
from concerto.residents import services as residents_services
from concerto.residents.errors import PasswordRequired

from . import rules, services
from .forms import (
    CodeForm,
    EmailJoinForm,
    PinJoinForm,
    PinResetFindForm,
    PinResetForm,
    PinSignInForm,
)

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _join_url(slug: str, shown: str = "") -> str:
    url = reverse("joining:join", args=[slug])
    return f"{url}?{urlencode({'code': shown})}" if shown else url


def _about_the_code(exc: DomainError) -> bool:
    """A refused code, or a spent budget (which refuses every code typed from here for a while)."""
    return isinstance(exc, (CodeRejected, RateLimited))


def _code_field(exc: DomainError) -> str | None:
    return "code" if _about_the_code(exc) else None


def _remember_pin_device(request, response, user):
    """This browser is where ``user`` signs in with code + PIN (see ``services._pin_budgets``)."""
    response.set_cookie(services.PIN_DEVICE_COOKIE, services.pin_device_token(user),
                        max_age=services.PIN_DEVICE_MAX_AGE, secure=request.is_secure(), httponly=True,
                        samesite="Lax")
    return response


def _next(request) -> str:
    """Where the person was before joining (an action they wanted to support), kept through every step."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), "")


def _welcome(request, campaign, result, next_url=""):
    if result.sector is not None:
        text = _("Welcome! You joined “%(campaign)s” as a resident verified by letter (sector: %(sector)s).") % {
            "campaign": campaign.name, "sector": result.sector.name}
    else:
        text = _("Welcome! You joined “%(campaign)s” as a resident verified by letter.") % {"campaign": campaign.name}
    messages.success(request, text)
    response = redirect(next_url or reverse("dashboard:campaign_home", args=[campaign.slug]))
    if result.code_use is not None and result.code_use.pin_hash:
        _remember_pin_device(request, response, result.user)
    return response


@require_http_methods(["GET", "POST"])
def join(request, slug):
    campaign = campaign_get(slug)
    user = request.user
    context = {"campaign": campaign, "step": "code", "next": _next(request)}
    if user.is_authenticated and not rules.can_join_with_code(user, campaign):
        context["refused"] = True
        return render(request, "joining/join.html", context, status=403 if request.method == "POST" else 200)

    if request.method == "GET":
        context["form"] = CodeForm(initial={"code": request.GET.get("code", "")[:40]})
        return render(request, "joining/join.html", context)

    step = request.POST.get("step", "code")
    ip = client_ip(request)
    if step in ("email", "pin") and not user.is_authenticated:
        return _join_details(request, campaign, step, ip, context)

    # The code (and, for a signed-in person, the whole join).
    form = CodeForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "joining/join.html", context, status=400)
    try:
        if user.is_authenticated:
            result = services.code_join_signed_in(user=user, campaign=campaign, text=form.cleaned_data["code"], ip=ip)
            return _welcome(request, campaign, result, context["next"])
        code = services.code_lookup(campaign=campaign, text=form.cleaned_data["code"], ip=ip)
    except DomainError as exc:
        apply_errors(form, exc, field_for=_code_field)
        return render(request, "joining/join.html", context, status=exc.status)
    shown = format_code(code.code)
    context.update(step="details", code=shown, sector=code.household.sector,
                   email_form=EmailJoinForm(prefix="email", initial={"code": shown}),
                   pin_form=PinJoinForm(prefix="pin", initial={"code": shown}))
    return render(request, "joining/join.html", context)


def _join_details(request, campaign, step, ip, context):
    """Step 2: the code again (hidden, checked again), then an e-mail or a public name and a PIN."""
    email_form = EmailJoinForm(request.POST if step == "email" else None, prefix="email")
    pin_form = PinJoinForm(request.POST if step == "pin" else None, prefix="pin")
    form = email_form if step == "email" else pin_form
    code_text = request.POST.get(f"{step}-code", "")
    if not email_form.is_bound:
        email_form = EmailJoinForm(prefix="email", initial={"code": code_text})
    if not pin_form.is_bound:
        pin_form = PinJoinForm(prefix="pin", initial={"code": code_text})
    context.update(step="details", code=code_text, email_form=email_form, pin_form=pin_form, chosen=step)
    if not form.is_valid():
        if "code" in form.errors:
            return _back_to_code(request, context, code_text, form.errors["code"][0], 400)
        if step == "pin" and "pin" not in form.errors and "pin_again" not in form.errors:
            try:  # all the errors at once: the PIN rules too, not only the missing name
                services.pin_validate(form.cleaned_data.get("pin", ""), form.cleaned_data.get("pin_again", ""))
            except FieldErrors as exc:
                apply_errors(form, exc)
        return render(request, "joining/join.html", context, status=400)
    data = form.cleaned_data
    try:
        if step == "email":
            result = services.code_join_by_email(
                campaign=campaign, text=data["code"], ip=ip, email=data["email"],
                display_name=data["display_name"],
                build_url=lambda secret: request.build_absolute_uri(
                    reverse("joining:join_link", args=[campaign.slug, secret])),
                next_url=context["next"],
            )
        else:
            result = services.code_join_with_pin(
                campaign=campaign, text=data["code"], ip=ip, display_name=data["display_name"],
                pin=data["pin"], pin_again=data["pin_again"],
            )
    except DomainError as exc:
        if _about_the_code(exc):
            return _back_to_code(request, context, code_text, exc.message, exc.status)
        apply_errors(form, exc)
        return render(request, "joining/join.html", context, status=exc.status)
    if result.link_sent:
        return render(request, "joining/join_link_sent.html", {
            "campaign": campaign, "email": result.email, "demo_link": result.demo_link if demo_mode() else None,
            "ttl_minutes": settings.CONCERTO_MAGIC_LINK_TTL_MINUTES,
        })
    login(request, result.user, backend=BACKEND)  # rotates the session key
    return _welcome(request, campaign, result, context["next"])


@never_cache  # the URL is the secret: keep it out of every cache
@require_http_methods(["GET", "POST"])
def join_link(request, slug, secret):
    """The link mailed by an e-mail join. GET asks for a click (mail scanners follow GET links);
    the POST signs in and uses the code in one step, then goes back where the person was."""
    campaign = campaign_get(slug)
    try:
        link = residents_services.sign_in_link_peek(secret=secret)
    except DomainError as exc:
        return render(request, "residents/link_invalid.html", {"message": exc.message}, status=400)
    if request.method == "GET":
        return render(request, "joining/join_link_confirm.html", {"campaign": campaign, "email": link.email})
    try:
        outcome = services.code_join_after_link(secret=secret, campaign=campaign, ip=client_ip(request))
    except PasswordRequired as exc:
        return render(request, "residents/link_invalid.html",
                      {"message": exc.message, "password_required": True}, status=exc.status)
    except DomainError as exc:
        return render(request, "residents/link_invalid.html", {"message": exc.message}, status=400)
    login(request, outcome.user, backend=BACKEND)  # rotates the session key
    next_url = safe_next(request, outcome.next_url, "")
    if outcome.joined is not None:
        return _welcome(request, campaign, outcome.joined, next_url)
    if outcome.error is not None:
        messages.error(request, outcome.error.message)
        url = _join_url(campaign.slug, format_code(outcome.code) if outcome.code else "")
        return redirect(f"{url}&{urlencode({'next': next_url})}" if next_url and outcome.code else url)
    messages.success(request, _("You are signed in."))
    return redirect(next_url or reverse("dashboard:campaign_home", args=[campaign.slug]))


def _back_to_code(request, context, code_text, message, status):
    """The code is wrong after all (revoked meanwhile, mistyped hidden field, 429): back to step 1."""
    form = CodeForm({"code": code_text})
    if form.is_valid():
        form.add_error("code", message)
    context.update(step="code", form=form)
    return render(request, "joining/join.html", context, status=status)


@require_http_methods(["GET", "POST"])
def pin_sign_in(request):
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"), "")
    form = PinSignInForm(request.POST or None, initial={"next": next_url})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.pin_sign_in(text=data["code"], pin=data["pin"], ip=client_ip(request),
                                            display_name=data["display_name"],
                                            device=request.COOKIES.get(services.PIN_DEVICE_COOKIE, ""))
            except DomainError as exc:
                # Only a mistyped code goes on its field: a wrong code and a wrong PIN get the same
                # answer (PinSignInFailed), above the form.
                apply_errors(form, exc, field_for=lambda exc: "code" if isinstance(exc, CodeRejected) else None)
                status = exc.status
            else:
                login(request, user, backend=BACKEND)  # rotates the session key
                messages.success(request, _("You are signed in."))
                response = redirect(safe_next(request, next_url, reverse("dashboard:me")))
                return _remember_pin_device(request, response, user)
    return render(request, "joining/pin_sign_in.html", {"form": form, "next": next_url}, status=status)


# --- PIN reset by an organiser ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pin_reset(request, slug):
    """An organiser resets the PIN of a resident without e-mail: find the household's code, choose
    the person, generate a PIN or type the one they chose; the new PIN is shown once (never stored
    in clear, never put in a redirect)."""
    campaign = campaign_get(slug)
    require(rules.can_reset_pins(request.user, campaign))
    text = request.POST.get("code") or request.GET.get("code") or ""
    find = PinResetFindForm({"code": text} if text else None, auto_id="find_%s")
    context = {"campaign": campaign, "find": find, "form": None, "uses": None}
    status = 200
    if text and find.is_valid():
        try:
            code, uses = services.pin_residents_of(by=request.user, campaign=campaign, text=text)
        except CodeRejected as exc:
            find.add_error("code", exc.message)
            return render(request, "joining/pin_reset.html", context, status=400 if request.method == "POST" else 200)
        form = PinResetForm(request.POST if request.method == "POST" else None, uses=uses,
                            initial={"code": format_code(code.code)})
        context.update(form=form, uses=uses, code=format_code(code.code), household=code.household)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    pin = services.pin_reset(by=request.user, campaign=campaign, text=data["code"],
                                             user_id=data["user"], pin=data["pin"], pin_again=data["pin_again"])
                except DomainError as exc:
                    apply_errors(form, exc)
                    status = exc.status
                else:
                    person = next(use.user for use in uses if use.user_id == data["user"])
                    return render(request, "joining/pin_reset_done.html", {
                        "campaign": campaign, "person": person, "pin": pin, "code": context["code"]})
    elif request.method == "POST":
        status = 400
    return render(request, "joining/pin_reset.html", context, status=status)

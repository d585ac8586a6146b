"""Sign-in by magic link (residents) or password (staff), and sign-out."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from concerto.core.errors import DomainError, RateLimited
from concerto.core.http import demo_mode, safe_next
from concerto.core.ratelimit import client_ip

from . import services
from .errors import PasswordRequired
from .forms import EmailForm, PasswordForm


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

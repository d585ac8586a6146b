"""Door-to-door views: devices (see ../urls.py).

The organiser prepares a phone for an ambassador (``services.device_create``): the page then shows
the enrolment QR code, drawn on the server, with its link written out, valid 15 minutes and single
use. The phone opens the link at the site root (/terrain/appareil/<secret>/), its holder signs in as
that ambassador and confirms (a POST: link previews and browsers' prefetching never enrol a phone);
``services.device_enrol`` gives the token, kept in the ``concerto_device`` cookie (HttpOnly) that
the app's sync requests carry. A phone is withdrawn with a POST after a confirmation page.

The clear secret exists only in the organiser's session (``SESSION_SECRETS``: device id → secret),
so the QR page can be reloaded during its 15 minutes and is never shown to anyone else.
"""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError
from concerto.core.forms import apply_errors

from .. import selectors, services
from ..errors import EnrolmentInvalid

DEVICE_COOKIE = "concerto_device"
DEVICE_COOKIE_MAX_AGE = 90 * 24 * 3600
SESSION_SECRETS = "fieldwork_enrolment_secrets"


class DeviceForm(forms.Form):
    ambassador = forms.TypedChoiceField(label=gettext_lazy("Ambassador"), coerce=int)
    label = forms.CharField(label=gettext_lazy("Name of the phone"), max_length=60,
                            help_text=gettext_lazy("So that you recognise it in the list, e.g. « Karim's phone »."))

    def __init__(self, *args, ambassadors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambassador"].choices = [("", _("Choose…"))] + [(u.pk, u.public_name) for u in ambassadors]
        self.fields["label"].widget.attrs.update({"autocomplete": "off"})
        self.field_aliases = {"ambassador_id": "ambassador"}


def qr_svg(url: str) -> str:
    """The enrolment QR code as inline SVG (no inline style: the CSP allows none); ``data-figure``
    marks it as the page's own drawing for the XSS suite's scan (as the workshop room's)."""
    svg = segno.make(url, error="m").svg_inline(scale=6, border=4, dark="#000", light="#fff", omitsize=True,
                                                svgclass="qr-code")
    return svg.replace("<svg ", '<svg data-figure="qr" ', 1)


# --- Organisers -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def device_list(request, slug):
    campaign = campaign_get(slug)
    selectors.manage_check(request.user, campaign)
    ambassadors = selectors.ambassadors(campaign)
    status = 200
    if request.method == "POST":
        form = DeviceForm(request.POST, ambassadors=ambassadors)
        status = 400
        if form.is_valid():
            try:
                device, secret = services.device_create(by=request.user, campaign=campaign,
                                                        ambassador_id=form.cleaned_data["ambassador"],
                                                        label=form.cleaned_data["label"])
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                secrets = dict(request.session.get(SESSION_SECRETS) or {})
                secrets[str(device.pk)] = secret
                request.session[SESSION_SECRETS] = secrets
                return redirect("fieldwork:device_code", slug, device.pk)
    else:
        form = DeviceForm(ambassadors=ambassadors)
    return render(request, "fieldwork/devices.html", {
        "campaign": campaign, "form": form, "devices": selectors.device_list(campaign), "ambassadors": ambassadors,
    }, status=status)


@never_cache
@login_required
@require_GET
def device_code(request, slug, device_id):
    """The enrolment QR code of a phone just prepared, while it waits to be scanned."""
    campaign = campaign_get(slug)
    selectors.manage_check(request.user, campaign)
    device = selectors.device_get(campaign, device_id)
    state = next(d.state for d in selectors.device_list(campaign) if d.pk == device.pk)
    secret = (request.session.get(SESSION_SECRETS) or {}).get(str(device.pk)) if state == "waiting" else None
    context = {"campaign": campaign, "device": device, "state": state}
    if secret:
        url = request.build_absolute_uri(reverse("fieldwork_root:enrol", args=[secret]))
        context.update({"enrol_url": url, "qr_svg": qr_svg(url), "expires_at": device.enrolment.expires_at})
    return render(request, "fieldwork/device_code.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def device_revoke(request, slug, device_id):
    campaign = campaign_get(slug)
    selectors.manage_check(request.user, campaign)
    device = selectors.device_get(campaign, device_id)
    if request.method == "POST":
        services.device_revoke(by=request.user, campaign=campaign, device_id=device.pk)
        secrets = dict(request.session.get(SESSION_SECRETS) or {})
        if secrets.pop(str(device.pk), None) is not None:
            request.session[SESSION_SECRETS] = secrets
        messages.success(request, _("The phone « %(name)s » is withdrawn: its visits are refused from now on.")
                         % {"name": device.label})
        return redirect("fieldwork:devices", slug)
    return render(request, "fieldwork/device_revoke.html", {"campaign": campaign, "device": device})


# --- The phone opens the link (site root) ---------------------------------------------------------


def _app_url(campaign) -> str:
    try:
        return reverse("fieldwork:app", args=[campaign.slug])
    except NoReverseMatch:  # the app's pages are another part's; its path is agreed
        return f"/c/{campaign.slug}/terrain/app/"


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request, enrolment_secret):
    """The link of the QR code. Signed out: sign in first and come back. Signed in as the
    phone's ambassador: confirm (POST) and the phone receives its token."""
    enrolment = selectors.enrolment_waiting(enrolment_secret)
    if enrolment is None:
        return render(request, "fieldwork/enrol_invalid.html", {"message": EnrolmentInvalid.message}, status=404)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    device = enrolment.device
    if request.user.pk != device.ambassador_id:
        return render(request, "fieldwork/enrol_invalid.html", {
            "message": _("This code was prepared for another ambassador's phone. Sign out, then sign in with the "
                         "account of the ambassador the phone is for."), "signed_in": True}, status=403)
    if request.method == "POST":
        try:
            device, token = services.device_enrol(user=request.user, secret=enrolment_secret)
        except DomainError as exc:
            return render(request, "fieldwork/enrol_invalid.html", {"message": exc.message}, status=exc.status)
        response = redirect(_app_url(device.campaign))
        response.set_cookie(DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_MAX_AGE, path="/",
                            secure=request.is_secure(), httponly=True, samesite="Lax")
        return response
    return render(request, "fieldwork/enrol.html", {"campaign": device.campaign, "device": device,
                                                    "expires_at": enrolment.expires_at})


urlpatterns = [
    path("terrain/appareils/", device_list, name="devices"),
    path("terrain/appareils/<int:device_id>/code/", device_code, name="device_code"),
    path("terrain/appareils/<int:device_id>/retirer/", device_revoke, name="device_revoke"),
]
root_urlpatterns = [
    path("terrain/appareil/<str:enrolment_secret>/", enrol, name="enrol"),
]

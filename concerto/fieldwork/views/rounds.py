"""Door-to-door views: rounds, and the organiser's door-to-door page (see ../urls.py).

Organisers only (``selectors.manage_check``: 404 to anyone else, the sign-in page for a visitor).
Thin views: one selector or one service each, POST-redirect-GET, every form without JavaScript.
The figures are counts only: who supported what is never shown, and supports by channel hide
groups under 5 (``proposals.selectors.suppress_small``).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from concerto.campaigns.selectors import campaign_get, sector_list
from concerto.core.errors import DomainError
from concerto.core.forms import apply_errors

from .. import selectors, services
from ..models import ConsentMethod, RoundStatus


class RoundForm(forms.Form):
    ambassador = forms.TypedChoiceField(label=gettext_lazy("Ambassador"), coerce=int)
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sectors = forms.TypedMultipleChoiceField(label=gettext_lazy("Sectors"), coerce=int,
                                             widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=gettext_lazy("Note for the ambassador"), max_length=300, required=False,
                           help_text=gettext_lazy("Optional: a meeting point, a building's door code…"))

    def __init__(self, *args, ambassadors=(), sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambassador"].choices = [("", _("Choose…"))] + [(u.pk, u.public_name) for u in ambassadors]
        self.fields["sectors"].choices = [(s.pk, s.name) for s in sectors]
        self.field_aliases = {"ambassador_id": "ambassador", "sector_ids": "sectors"}

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return day


class ConsentScriptForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Text read aloud at the door"), widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=gettext_lazy("Say what is kept, why, for how long, and who to ask to have it "
                                                  "erased. Saving makes a new version: earlier ones stay as they "
                                                  "were, since residents agreed to their words."))


class SettingsForm(forms.Form):
    daily_ceiling = forms.IntegerField(label=gettext_lazy("Residents taking part per ambassador and day, at most"),
                                       min_value=1, max_value=1000)
    doors_per_hour_max = forms.IntegerField(label=gettext_lazy("Doors per hour, at most"), min_value=1, max_value=1000,
                                            help_text=gettext_lazy("A visit takes 3 to 5 minutes: more than about 25 "
                                                                   "doors an hour is not humanly possible."))
    participations_per_address_max = forms.IntegerField(label=gettext_lazy("Residents taking part at one address, "
                                                                           "at most"), min_value=1, max_value=1000)
    contact_rate_min = forms.IntegerField(label=gettext_lazy("Usual contact rate, lowest (%)"), min_value=1,
                                          max_value=100)
    contact_rate_max = forms.IntegerField(label=gettext_lazy("Usual contact rate, highest (%)"), min_value=1,
                                          max_value=100, help_text=gettext_lazy("Door-to-door campaigns usually talk "
                                                                                "with someone at 15 to 30 % of doors."))


def _campaign(request, slug):
    campaign = campaign_get(slug)
    selectors.manage_check(request.user, campaign)
    return campaign


def _review_url(campaign) -> str | None:
    """The review pages are another part's: linked when they exist."""
    for name in ("fieldwork:review", "fieldwork:review_list", "fieldwork:flags"):
        try:
            return reverse(name, args=[campaign.slug])
        except NoReverseMatch:
            continue
    return None


# --- The organiser's door-to-door page ------------------------------------------------------------


@login_required
@require_GET
def overview(request, slug):
    campaign = _campaign(request, slug)
    return render(request, "fieldwork/overview.html", {
        "campaign": campaign, **selectors.overview(campaign), "review_url": _review_url(campaign),
    })


# --- Rounds ---------------------------------------------------------------------------------------


@login_required
@require_GET
def round_list(request, slug):
    campaign = _campaign(request, slug)
    return render(request, "fieldwork/rounds.html", {
        "campaign": campaign, "rounds": selectors.round_list(campaign), "coverage": selectors.coverage(campaign),
        "Status": RoundStatus,
    })


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request, slug):
    campaign = _campaign(request, slug)
    kwargs = {"ambassadors": selectors.ambassadors(campaign), "sectors": sector_list(campaign)}
    status = 200
    if request.method == "POST":
        form = RoundForm(request.POST, **kwargs)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                the_round = services.round_create(by=request.user, campaign=campaign, ambassador_id=data["ambassador"],
                                                  day=data["day"], sector_ids=data["sectors"], note=data["note"])
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, ngettext("The round is planned: %(count)s door.",
                                                   "The round is planned: %(count)s doors.",
                                                   the_round.door_count) % {"count": the_round.door_count})
                if the_round.taken:
                    taken = sum(n for _name, n in the_round.taken)
                    messages.warning(request, ngettext(
                        "%(count)s door was left out: it is already on a round that day (%(who)s).",
                        "%(count)s doors were left out: they are already on a round that day (%(who)s).",
                        taken) % {"count": taken, "who": services.taken_sentence(the_round.taken)})
                return redirect("fieldwork:round_detail", slug, the_round.pk)
    else:
        form = RoundForm(initial={"day": timezone.localdate()}, **kwargs)
    return render(request, "fieldwork/round_form.html", {"campaign": campaign, "form": form, **kwargs},
                  status=status)


@login_required
@require_GET
def round_detail(request, slug, round_id):
    """The round's list, street by street in walking order: readable on screen, printable on paper."""
    campaign = _campaign(request, slug)
    the_round = selectors.round_get(campaign, round_id)
    streets = selectors.round_streets(the_round)
    return render(request, "fieldwork/round_detail.html", {
        "campaign": campaign, "round": the_round, "streets": streets,
        "door_count": sum(len(s["doors"]) for s in streets), "Status": RoundStatus,
    })


@login_required
@require_http_methods(["GET", "POST"])
def round_cancel(request, slug, round_id):
    campaign = _campaign(request, slug)
    the_round = selectors.round_get(campaign, round_id)
    if request.method == "POST":
        try:
            services.round_cancel(by=request.user, campaign=campaign, round_id=the_round.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("fieldwork:round_detail", slug, the_round.pk)
        messages.success(request, _("The round is cancelled: its doors can go on another round that day."))
        return redirect("fieldwork:rounds", slug)
    return render(request, "fieldwork/round_cancel.html", {"campaign": campaign, "round": the_round})


# --- Consent script and settings ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consent_script(request, slug):
    campaign = _campaign(request, slug)
    scripts = selectors.consent_scripts(campaign)
    status = 200
    if request.method == "POST":
        form = ConsentScriptForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                script = services.consent_script_save(by=request.user, campaign=campaign,
                                                      text=form.cleaned_data["text"])
            except DomainError as exc:
                apply_errors(form, exc, field_for=lambda _exc: "text")
                status = exc.status
            else:
                messages.success(request, _("Version %(version)s of the consent text is the one ambassadors read "
                                            "from now on.") % {"version": script.version})
                return redirect("fieldwork:consent", slug)
    else:
        form = ConsentScriptForm(initial={"text": scripts[0].text if scripts else ""})
    return render(request, "fieldwork/consent.html", {
        "campaign": campaign, "form": form, "scripts": scripts, "Method": ConsentMethod,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def fieldwork_settings(request, slug):
    campaign = _campaign(request, slug)
    policy = selectors.settings_of(campaign)
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.fieldwork_settings_save(by=request.user, campaign=campaign, **form.cleaned_data)
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The door-to-door settings are saved."))
                return redirect("fieldwork:settings", slug)
    else:
        form = SettingsForm(initial={name: getattr(policy, name) for name in services.SETTINGS_FIELDS})
    return render(request, "fieldwork/settings.html", {"campaign": campaign, "form": form}, status=status)


urlpatterns = [
    path("terrain/", overview, name="overview"),
    path("terrain/tournees/", round_list, name="rounds"),
    path("terrain/tournees/nouvelle/", round_create, name="round_create"),
    path("terrain/tournees/<int:round_id>/", round_detail, name="round_detail"),
    path("terrain/tournees/<int:round_id>/annuler/", round_cancel, name="round_cancel"),
    path("terrain/consentement/", consent_script, name="consent"),
    path("terrain/reglages/", fieldwork_settings, name="settings"),
]

"""Setting up the candidates' set (organisers): candidates and their accounts, events, the running
order, the published reply order (public page), the election calendar.

Organisers only (``rules.can_manage_live``: 404 to anyone else, the sign-in page for a visitor),
except the published order, which is public. Thin views: one service or selector each,
POST-redirect-GET, every form without JavaScript.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns import services as campaign_services
from concerto.campaigns.selectors import campaign_get, election_rounds
from concerto.core.errors import DomainError
from concerto.core.forms import apply_errors
from concerto.core.http import demo_mode, public_page_cache, require

from .. import rules, selectors, services
from ..errors import EventNotFound
from ..models import Event

DATETIME_INPUTS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y %Hh%M"]


def _campaign(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_manage_live(request.user, campaign), EventNotFound())
    return campaign


def _event(request, slug, pk) -> Event:
    campaign = _campaign(request, slug)
    return selectors.event_get(campaign, pk)


# --- Candidates ---------------------------------------------------------------------------------

class CandidateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Candidate's name"), max_length=120)
    list_name = forms.CharField(label=gettext_lazy("List name"), max_length=200)
    representative = forms.CharField(label=gettext_lazy("Representative present on the set"), max_length=120,
                                     required=False, help_text=gettext_lazy(
                                         "When the head of the list sends someone: shown beside the name."))
    ballot_order = forms.IntegerField(label=gettext_lazy("Place on the official panel"), min_value=1, max_value=99,
                                      required=False, help_text=gettext_lazy(
                                          "Every page lists the candidates in this order. Empty: the next place."))
    photo = forms.FileField(label=gettext_lazy("Photo"), required=False, help_text=gettext_lazy(
        "JPEG, PNG or WebP, 2 MB at most."), widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}))
    photo_remove = forms.BooleanField(label=gettext_lazy("Remove the photo"), required=False)
    photo_alt = forms.CharField(label=gettext_lazy("Description of the photo"), max_length=300, required=False,
                                help_text=gettext_lazy("Required with a photo: what the photo shows, for people "
                                                       "who cannot see it."))
    contact_email = forms.EmailField(label=gettext_lazy("Contact e-mail for the dossier"), required=False)


class AccountForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address of the account"), help_text=gettext_lazy(
        "The person receives an invitation to choose a password; they then write the list's reactions."))


@login_required
@require_GET
def candidates(request, slug):
    campaign = _campaign(request, slug)
    return render(request, "live_event/setup/candidates.html", {
        "campaign": campaign, "candidates": selectors.candidate_list(campaign),
        "kept": selectors.candidates_with_records(campaign)})


def _candidate_form_page(request, campaign, candidate=None):
    initial = {}
    if candidate is not None:
        initial = {k: getattr(candidate, k) for k in ("name", "list_name", "representative", "ballot_order",
                                                     "photo_alt", "contact_email")}
    form = CandidateForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["photo_remove"] = bool(data.get("photo_remove"))
            try:
                saved = services.candidate_save(actor=request.user, campaign=campaign, candidate=candidate, **data)
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The candidate %(name)s is saved.") % {"name": saved.name})
                return redirect("live_event:candidates", campaign.slug)
    return render(request, "live_event/setup/candidate_form.html", {
        "campaign": campaign, "form": form, "candidate": candidate,
        "account_form": AccountForm(initial={"email": candidate.contact_email} if candidate else None)},
        status=status)


@login_required
@require_http_methods(["GET", "POST"])
def candidate_create(request, slug):
    return _candidate_form_page(request, _campaign(request, slug))


@login_required
@require_http_methods(["GET", "POST"])
def candidate_edit(request, slug, cid):
    campaign = _campaign(request, slug)
    return _candidate_form_page(request, campaign, selectors.candidate_get(campaign, cid))


@login_required
@require_http_methods(["GET", "POST"])
def candidate_delete(request, slug, cid):
    campaign = _campaign(request, slug)
    candidate = selectors.candidate_get(campaign, cid)
    error = None
    if request.method == "POST":
        try:
            services.candidate_delete(actor=request.user, candidate=candidate)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The candidate %(name)s is removed.") % {"name": candidate.name})
            return redirect("live_event:candidates", slug)
    return render(request, "live_event/setup/candidate_delete.html", {
        "campaign": campaign, "candidate": candidate, "error": error}, status=400 if error else 200)


@login_required
@require_POST
def candidate_account(request, slug, cid):
    campaign = _campaign(request, slug)
    candidate = selectors.candidate_get(campaign, cid)
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            candidate, url = services.candidate_account_invite(
                actor=request.user, candidate=candidate, email=form.cleaned_data["email"],
                build_url=lambda secret: request.build_absolute_uri(reverse("residents:team_accept", args=[secret])))
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(email)s now writes the reactions of %(name)s.") % {
                "email": candidate.user.email, "name": candidate.name})
            if url and demo_mode():
                messages.info(request, _("Demo: no e-mail is sent; the invitation link is %(url)s") % {"url": url})
            return redirect("live_event:candidates", slug)
    return render(request, "live_event/setup/candidate_form.html", {
        "campaign": campaign, "candidate": candidate, "account_form": form,
        "form": CandidateForm(initial={k: getattr(candidate, k) for k in (
            "name", "list_name", "representative", "ballot_order", "photo_alt", "contact_email")})}, status=400)


# --- Events and their running order -------------------------------------------------------------

class EventForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Date and time"), input_formats=DATETIME_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("For example 14/03/2027 18:00."))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    stream_url = forms.CharField(label=gettext_lazy("Address of the video stream to embed"), max_length=500,
                                 required=False, help_text=gettext_lazy("Starts with https://."))
    frame_origins = forms.CharField(
        label=gettext_lazy("Sites allowed to embed the live pages"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line, such as https://tv.example.org (the mixing software's page, a "
                               "partner's site). Any other site cannot embed them."))
    questions_open = forms.BooleanField(label=gettext_lazy("Audience questions open"), required=False)
    target_gap_seconds = forms.IntegerField(label=gettext_lazy("Largest gap in speaking time (seconds)"),
                                            min_value=0, max_value=3600, initial=60)


def _event_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["frame_origins"] = (data.get("frame_origins") or "").splitlines()
    return data


@login_required
@require_GET
def events(request, slug):
    campaign = _campaign(request, slug)
    return render(request, "live_event/setup/events.html", {
        "campaign": campaign, "events": selectors.event_list(campaign),
        "candidates": selectors.candidate_list(campaign), "rounds": election_rounds(campaign)})


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request, slug):
    campaign = _campaign(request, slug)
    form = EventForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                event = services.event_create(actor=request.user, campaign=campaign, **_event_data(form))
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The event is created: now choose its running order."))
                return redirect("live_event:running_order", slug, event.pk)
    return render(request, "live_event/setup/event_form.html", {"campaign": campaign, "form": form, "event": None},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, slug, pk):
    event = _event(request, slug, pk)
    initial = {k: getattr(event, k) for k in ("title", "starts_at", "place", "stream_url", "questions_open",
                                             "target_gap_seconds")}
    initial["frame_origins"] = "\n".join(event.frame_origins or [])
    form = EventForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.event_update(actor=request.user, event=event, **_event_data(form))
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The event is saved."))
                return redirect("live_event:events", slug)
    return render(request, "live_event/setup/event_form.html", {"campaign": event.campaign, "form": form,
                                                                 "event": event}, status=status)


def _order_rows(request, event, actions):
    """The editor's rows from the form (position number, presenter) or from the stored order."""
    stored = {i.action_id: i for i in selectors.running_items(event)}
    rows = []
    for action in actions:
        if request.method == "POST":
            position = request.POST.get(f"position-{action.pk}", "").strip()
            presenter = request.POST.get(f"presenter-{action.pk}", "")
        else:
            item = stored.get(action.pk)
            position, presenter = (str(item.position), item.presenter) if item else ("", "")
        rows.append({"action": action, "position": position, "presenter": presenter})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def running_order(request, slug, pk):
    """Choose the actions and their order with position numbers (no script needed); an empty
    number leaves the action out."""
    event = _event(request, slug, pk)
    actions = selectors.published_actions(event.campaign)
    rows = _order_rows(request, event, actions)
    error, status = None, 200
    if request.method == "POST":
        chosen, bad = [], False
        for row in rows:
            if not row["position"]:
                continue
            try:
                chosen.append((int(row["position"]), row["action"].pk, row["presenter"]))
            except ValueError:
                bad = True
        if bad:
            error = _("Give each chosen action a whole number (1, 2, 3…), or leave it empty to leave the action out.")
        elif len({p for p, _a, _n in chosen}) != len(chosen):
            error = _("Two actions have the same number: give each one its own place.")
        else:
            try:
                services.running_order_set(actor=request.user, event=event,
                                           items=[(a, n) for _p, a, n in sorted(chosen)])
            except DomainError as exc:
                error = " ".join(str(v) for v in exc.errors.values()) if hasattr(exc, "errors") else exc.message
            else:
                messages.success(request, _("The running order is saved (%(n)s actions).") % {"n": len(chosen)})
                return redirect("live_event:running_order", slug, pk)
        status = 400
    rows.sort(key=lambda r: (not r["position"].isdigit(), int(r["position"]) if r["position"].isdigit() else 0,
                             r["action"].theme.name if r["action"].theme else "", r["action"].title))
    return render(request, "live_event/setup/running_order.html", {
        "campaign": event.campaign, "event": event, "rows": rows, "error": error,
        "locked": event.order_published_at is not None, "items": selectors.running_items(event)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def order_publish(request, slug, pk):
    event = _event(request, slug, pk)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.event_order_publish(actor=request.user, event=event)
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, _("The reply order is published."))
            return redirect("live_event:order", slug, pk)
    return render(request, "live_event/setup/order_publish.html", {
        "campaign": event.campaign, "event": event, "error": error, "items": selectors.running_items(event),
        "candidates": selectors.candidate_list(event.campaign)}, status=status)


@public_page_cache
@require_GET
def order(request, slug, pk):
    """The published reply order, its seed and how to check it: public, as the set is."""
    campaign = campaign_get(slug)
    event = selectors.event_get(campaign, pk)
    require(rules.can_view_event(request.user, event), EventNotFound())
    published = selectors.published_order(event) if event.order_published_at else None
    return render(request, "live_event/setup/order.html", {
        "campaign": campaign, "event": event, "published": published,
        "can_manage": rules.can_manage_live(request.user, campaign)})


# --- The election calendar ----------------------------------------------------------------------

class RoundForm(forms.Form):
    number = forms.TypedChoiceField(label=gettext_lazy("Round"), coerce=int,
                                    choices=[(1, gettext_lazy("Round 1")), (2, gettext_lazy("Round 2"))])
    vote_date = forms.DateField(label=gettext_lazy("Date of the vote"), input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    polls_close = forms.TimeField(label=gettext_lazy("Polls close at"), input_formats=["%H:%M", "%Hh%M"],
                                  initial="20:00", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                  help_text=gettext_lazy("18:00, 19:00 or 20:00 depending on the commune "
                                                         "(prefectoral order)."))


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request, slug):
    campaign = _campaign(request, slug)
    form = RoundForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                campaign_services.election_round_save(by=request.user, campaign=campaign, **form.cleaned_data)
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The election calendar is saved."))
                return redirect("live_event:calendar", slug)
    rounds = [{"round": r, "window": r.freeze_window()} for r in election_rounds(campaign)]
    return render(request, "live_event/setup/calendar.html", {"campaign": campaign, "form": form, "rounds": rounds},
                  status=status)


@login_required
@require_POST
def calendar_delete(request, slug, number):
    campaign = _campaign(request, slug)
    campaign_services.election_round_delete(by=request.user, campaign=campaign, number=number)
    messages.success(request, _("The round is removed from the election calendar."))
    return redirect("live_event:calendar", slug)


urlpatterns = [
    path("candidats/", candidates, name="candidates"),
    path("candidats/nouveau/", candidate_create, name="candidate_create"),
    path("candidats/<int:cid>/", candidate_edit, name="candidate_edit"),
    path("candidats/<int:cid>/retirer/", candidate_delete, name="candidate_delete"),
    path("candidats/<int:cid>/compte/", candidate_account, name="candidate_account"),
    path("direct/evenements/", events, name="events"),
    path("direct/evenements/nouveau/", event_create, name="event_create"),
    path("direct/<int:pk>/modifier/", event_edit, name="event_edit"),
    path("direct/<int:pk>/deroule/", running_order, name="running_order"),
    path("direct/<int:pk>/ordre/publier/", order_publish, name="order_publish"),
    path("direct/<int:pk>/ordre/", order, name="order"),
    path("direct/calendrier/", calendar, name="calendar"),
    path("direct/calendrier/<int:number>/retirer/", calendar_delete, name="calendar_delete"),
]

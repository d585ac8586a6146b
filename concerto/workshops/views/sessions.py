"""Workshop sessions: the public list and page, the organisers' back office (create, edit, agenda,
invitations, letters, cancel), the personal link's page (RSVP, and the way onto the wall), and
attendance on the day.

Thin views: authorize through a fetch-and-authorize selector (``WorkshopNotFound``, the 404 page,
for anyone who may not see the page), call one service, redirect (POST-redirect-GET). Every form
works without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, FieldErrors
from concerto.core.forms import apply_errors
from concerto.core.http import require
from concerto.core.ratelimit import client_ip, hit

from .. import rules, selectors, services
from ..errors import PersonalLinkInvalid, WorkshopNotFound
from ..forms import AgendaItemForm, CancelForm, RsvpForm, WalkInForm, WorkshopForm
from ..models import Attendance, Phase, Rsvp
from .common import remember_seat


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _manage_url(workshop) -> str:
    return reverse("workshops:manage", args=[workshop.campaign.slug, workshop.pk])


def _wall_open(workshop) -> bool:
    return workshop.phase not in (Phase.PLANNED, Phase.CLOSED) and workshop.cancelled_at is None


# --- Public ---------------------------------------------------------------------------------------


@require_GET
def workshop_list(request, slug):
    campaign = campaign_get(slug)
    return render(request, "workshops/list.html", {
        "campaign": campaign, "workshops": selectors.workshop_list(campaign),
        "can_manage": rules.can_manage_workshops(request.user, campaign),
        "can_run": rules.can_run_workshop(request.user, _Probe(campaign)),
    })


class _Probe:
    """What ``can_run_workshop`` reads of a workshop (its campaign), for the list's links."""

    def __init__(self, campaign):
        self.campaign = campaign


@require_GET
def workshop_detail(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_public_get(campaign, workshop_id)
    seat = selectors.my_seat(request.user, workshop)
    return render(request, "workshops/detail.html", {
        "campaign": campaign, "workshop": workshop, "agenda": selectors.agenda_of(workshop),
        "facilitators": list(workshop.facilitators.all()),
        "seat": seat if seat is not None and seat.invited_at else None,
        "rsvp_form": RsvpForm(initial={"rsvp": seat.rsvp, "name_consent": seat.name_consent}) if seat else None,
        "can_manage": rules.can_manage_workshops(request.user, campaign),
        "can_run": rules.can_run_workshop(request.user, workshop),
        "wall_open": _wall_open(workshop), "Phase": Phase, "Rsvp": Rsvp,
    })


@login_required
@require_POST
def workshop_rsvp(request, slug, workshop_id):
    """A signed-in invitee answers from the workshop page or from "My space"."""
    campaign = campaign_get(slug)
    workshop = selectors.workshop_get(campaign, workshop_id)
    seat = selectors.my_seat(request.user, workshop)
    require(seat is not None and seat.invited_at is not None, WorkshopNotFound)
    _answer(request, seat, by=request.user)
    back = request.POST.get("next")
    if back == "me":
        return redirect("dashboard:me")
    return redirect(reverse("workshops:detail", args=[slug, workshop.pk]) + "#rsvp")


def _answer(request, attendee, *, by=None) -> bool:
    form = RsvpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether you will be there: yes or no."))
        return False
    try:
        services.attendee_rsvp(attendee=attendee, rsvp=form.cleaned_data["rsvp"],
                               name_consent=form.cleaned_data["name_consent"], by=by)
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    if form.cleaned_data["rsvp"] == Rsvp.YES:
        messages.success(request, _("Thank you: your answer is saved. See you at the workshop!"))
    else:
        messages.success(request, _("Thank you for telling us. Your answer is saved."))
    return True


# --- The personal link (site root) ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join_token(request, token):
    """The invitation's link: the workshop, the RSVP form, and, when the wall is open, the way onto
    it. No account needed: the link is the proof. GET changes nothing (mail scanners follow links)."""
    attendee = selectors.attendee_by_token(token)
    if attendee is None:
        try:
            hit("workshop_link_ip", client_ip(request))
        except DomainError as exc:
            return render(request, "workshops/link_invalid.html", {"message": exc.message}, status=exc.status)
        return render(request, "workshops/link_invalid.html", {"message": PersonalLinkInvalid.message}, status=404)
    workshop = attendee.workshop
    url = reverse("workshop_room:join_token", args=[token])
    if request.method == "POST":
        if request.POST.get("action") == "join":
            try:
                attendee = services.attendee_join(attendee=attendee)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect(url)
            remember_seat(request, attendee)
            try:
                return redirect("workshops:wall", workshop.campaign.slug, workshop.pk)
            except NoReverseMatch:  # the wall's pages are another part's; until they exist, the workshop page
                return redirect("workshops:detail", workshop.campaign.slug, workshop.pk)
        _answer(request, attendee)
        return redirect(url + "#rsvp")
    return render(request, "workshops/join_token.html", {
        "campaign": workshop.campaign, "workshop": workshop, "attendee": attendee, "token": token,
        "agenda": selectors.agenda_of(workshop), "wall_open": _wall_open(workshop),
        "answerable": workshop.cancelled_at is None and workshop.phase != Phase.CLOSED,
        "rsvp_form": RsvpForm(initial={"rsvp": attendee.rsvp if attendee.rsvp != Rsvp.PENDING else None,
                                       "name_consent": attendee.name_consent}),
        "Rsvp": Rsvp,
    })


# --- Organisers -----------------------------------------------------------------------------------


def _workshop_form(campaign, data=None, initial=None):
    return WorkshopForm(data, initial=initial, panels=selectors.panel_choices(campaign),
                        people=selectors.facilitator_choices(campaign))


@login_required
@require_http_methods(["GET", "POST"])
def workshop_create(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_manage_workshops(request.user, campaign), WorkshopNotFound)
    status = 200
    if request.method == "POST":
        form = _workshop_form(campaign, request.POST)
        status = 400
        if form.is_valid():
            try:
                workshop = services.workshop_create(by=request.user, campaign=campaign, **form.values())
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The workshop is created. Now write its agenda, then invite the panel."))
                return redirect(reverse("workshops:manage_agenda", args=[slug, workshop.pk]))
    else:
        panels = selectors.panel_choices(campaign)
        form = _workshop_form(campaign, initial={"selection": str(panels[0].pk) if panels else ""})
    return render(request, "workshops/form.html", {"campaign": campaign, "form": form, "workshop": None},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_manage_get(request.user, campaign, workshop_id)
    status = 200
    if request.method == "POST":
        form = _workshop_form(campaign, request.POST)
        status = 400
        if form.is_valid():
            try:
                services.workshop_update(by=request.user, workshop=workshop, **form.values())
            except DomainError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The workshop is saved."))
                return redirect(_manage_url(workshop))
    else:
        form = _workshop_form(campaign, initial=WorkshopForm.initial_for(workshop))
    return render(request, "workshops/form.html", {"campaign": campaign, "form": form, "workshop": workshop},
                  status=status)


@login_required
@require_GET
def workshop_manage(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_manage_get(request.user, campaign, workshop_id)
    return render(request, "workshops/manage.html", {
        "campaign": campaign, "workshop": workshop, "agenda": selectors.agenda_of(workshop),
        "attendees": selectors.attendee_list(workshop), "summary": selectors.invitation_summary(workshop),
        "reserves": selectors.reserve_choices(workshop), "facilitators": list(workshop.facilitators.all()),
        "counts": selectors.attendance_counts(workshop), "Phase": Phase,
    })


@login_required
@require_http_methods(["GET", "POST"])
def workshop_agenda(request, slug, workshop_id):
    """The agenda editor: add (``op=add``), save (``op=save``), move (``op=up``/``down``) or remove
    (``op=remove``) one activity per POST; ``item`` names it."""
    campaign = campaign_get(slug)
    workshop = selectors.workshop_manage_get(request.user, campaign, workshop_id)
    form, status, failed_item = AgendaItemForm(), 200, None
    if request.method == "POST":
        op, item_id = request.POST.get("op", "add"), request.POST.get("item", "")
        url = reverse("workshops:manage_agenda", args=[slug, workshop.pk])
        try:
            if op in ("add", "save"):
                posted = AgendaItemForm(request.POST)
                posted.is_valid()  # the service names every error in French
                values = {"title": request.POST.get("title", ""), "minutes": request.POST.get("minutes", "")}
                if op == "add":
                    services.agenda_item_add(by=request.user, workshop=workshop, **values)
                    messages.success(request, _("The activity is added to the agenda."))
                else:
                    services.agenda_item_update(by=request.user, workshop=workshop, item_id=item_id, **values)
                    messages.success(request, _("The activity is saved."))
            elif op in ("up", "down"):
                services.agenda_item_move(by=request.user, workshop=workshop, item_id=item_id, direction=op)
                messages.success(request, _("The agenda's order is saved."))
            elif op == "remove":
                services.agenda_item_remove(by=request.user, workshop=workshop, item_id=item_id)
                messages.success(request, _("The activity is removed from the agenda."))
            else:
                raise FieldErrors({"op": _("This change of the agenda is unknown.")})
        except FieldErrors as exc:
            form = AgendaItemForm(request.POST)
            form.is_valid()
            form.errors.clear()
            apply_errors(form, exc)
            status, failed_item = exc.status, (item_id if op == "save" else None)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(url)
        else:
            return redirect(url + ("#agenda-" + item_id if op in ("up", "down", "save") and item_id else "#agenda"))
    return render(request, "workshops/agenda.html", {
        "campaign": campaign, "workshop": workshop, "agenda": selectors.agenda_of(workshop), "form": form,
        "failed_item": failed_item,
    }, status=status)


@login_required
@require_POST
def workshop_invite(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_manage_get(request.user, campaign, workshop_id)
    try:
        added = services.panel_invite(by=request.user, workshop=workshop,
                                      reserve_seat_ids=request.POST.getlist("reserves"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if added:
            messages.success(request, _("%(n)s person(s) added to the list of invitees. Send the invitations below.")
                             % {"n": added})
        else:
            messages.info(request, _("Everyone is already on the list: nobody was added."))
    return redirect(_manage_url(workshop) + "#invitees")


@login_required
@require_POST
def workshop_send(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_manage_get(request.user, campaign, workshop_id)
    reminder = request.POST.get("reminder") == "1"
    try:
        count = services.invitations_send(by=request.user, workshop=workshop, base_url=_base_url(request),
                                          reminder=reminder)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, (_("%(n)s reminder(s) are being sent by e-mail.") if reminder
                                   else _("%(n)s invitation(s) are being sent by e-mail.")) % {"n": count})
    return redirect(_manage_url(workshop) + "#invitations")


@login_required
@require_POST
def workshop_letters(request, slug, workshop_id):
    """The letters for invitees without e-mail, as a PDF download (each with a new personal link)."""
    campaign = campaign_get(slug)
    workshop = selectors.workshop_manage_get(request.user, campaign, workshop_id)
    reminder = request.POST.get("reminder") == "1"
    try:
        pdf, _count = services.invitation_letters(by=request.user, workshop=workshop, base_url=_base_url(request),
                                                  reminder=reminder)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_manage_url(workshop) + "#invitations")
    response = HttpResponse(pdf, content_type="application/pdf")
    kind = "rappels" if reminder else "invitations"
    response["Content-Disposition"] = f'attachment; filename="atelier-{workshop.number}-{kind}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def workshop_cancel(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_manage_get(request.user, campaign, workshop_id)
    status = 200
    if request.method == "POST":
        form = CancelForm(request.POST)
        form.is_valid()
        try:
            services.workshop_cancel(by=request.user, workshop=workshop, reason=request.POST.get("reason", ""),
                                     base_url=_base_url(request))
        except FieldErrors as exc:
            form.errors.clear()
            apply_errors(form, exc)
            status = exc.status
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(_manage_url(workshop))
        else:
            messages.success(request, _("The workshop is cancelled; the invitees with an e-mail address are told."))
            return redirect(_manage_url(workshop))
    else:
        form = CancelForm()
    return render(request, "workshops/cancel.html", {
        "campaign": campaign, "workshop": workshop, "form": form,
        "summary": selectors.invitation_summary(workshop)}, status=status)


# --- Attendance on the day ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def workshop_attendance(request, slug, workshop_id):
    """One form, one radio group per person (present, excused, absent); walk-ins below."""
    campaign = campaign_get(slug)
    workshop = selectors.workshop_run_get(request.user, campaign, workshop_id)
    url = reverse("workshops:attendance", args=[slug, workshop.pk])
    if request.method == "POST":
        marks = {key[len("a-"):]: value for key, value in request.POST.items() if key.startswith("a-")}
        try:
            changed = services.attendance_set(by=request.user, workshop=workshop, marks=marks)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Attendance saved (%(n)s change(s)).") % {"n": changed})
        return redirect(url)
    return _attendance_page(request, campaign, workshop, WalkInForm())


def _attendance_page(request, campaign, workshop, walk_in_form, status=200):
    return render(request, "workshops/attendance.html", {
        "campaign": campaign, "workshop": workshop, "attendees": selectors.attendee_list(workshop),
        "counts": selectors.attendance_counts(workshop), "walk_in_form": walk_in_form,
        "choices": [(Attendance.PRESENT, _("Present")), (Attendance.EXCUSED, _("Excused")),
                    (Attendance.ABSENT, _("Absent"))],
        "can_manage": rules.can_manage_workshops(request.user, campaign),
        "closed": workshop.cancelled_at is not None or workshop.phase == Phase.CLOSED,
    }, status=status)


@login_required
@require_POST
def workshop_walk_in(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_run_get(request.user, campaign, workshop_id)
    form = WalkInForm(request.POST)
    form.is_valid()
    try:
        attendee = services.walk_in_add(by=request.user, workshop=workshop, name=request.POST.get("name", ""),
                                        email=request.POST.get("email", ""),
                                        name_consent=request.POST.get("name_consent") in ("on", "1", "true"))
    except FieldErrors as exc:
        form.errors.clear()
        apply_errors(form, exc)
        return _attendance_page(request, campaign, workshop, form, status=exc.status)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s is on the list, marked present.") % {"name": attendee.name})
    return redirect(reverse("workshops:attendance", args=[slug, workshop.pk]) + "#walk-in")


urlpatterns = [
    path("ateliers/", workshop_list, name="list"),
    path("ateliers/nouveau/", workshop_create, name="create"),
    path("ateliers/<int:workshop_id>/", workshop_detail, name="detail"),
    path("ateliers/<int:workshop_id>/reponse/", workshop_rsvp, name="rsvp"),
    path("ateliers/<int:workshop_id>/gestion/", workshop_manage, name="manage"),
    path("ateliers/<int:workshop_id>/gestion/modifier/", workshop_edit, name="manage_edit"),
    path("ateliers/<int:workshop_id>/gestion/programme/", workshop_agenda, name="manage_agenda"),
    path("ateliers/<int:workshop_id>/gestion/inviter/", workshop_invite, name="manage_invite"),
    path("ateliers/<int:workshop_id>/gestion/envoyer/", workshop_send, name="manage_send"),
    path("ateliers/<int:workshop_id>/gestion/courriers.pdf", workshop_letters, name="manage_letters"),
    path("ateliers/<int:workshop_id>/gestion/annuler/", workshop_cancel, name="manage_cancel"),
    path("ateliers/<int:workshop_id>/presences/", workshop_attendance, name="attendance"),
    path("ateliers/<int:workshop_id>/presences/sur-place/", workshop_walk_in, name="walk_in"),
]
room_urlpatterns = [
    path("atelier/lien/<str:token>/", join_token, name="join_token"),
]

"""Door-to-door views: review (see ../urls.py). The organisers' verification pages.

/c/<slug>/terrain/verification/: flags to review (per ambassador and day, as sentences), held batches,
conflicts (two versions of one capture), possible duplicates (door, paper and online participation of
one household), the contact rate of each ambassador with its usual band, and the history of decisions.

Organisers only: anyone else signed in gets the 404 page (``FieldworkNotFound``) whether the object
exists or not; a visitor is sent to sign in first. Every form works without JavaScript: it posts, the
service decides, the view redirects back with a message (POST-redirect-GET).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, NotFound
from concerto.core.http import require

from .. import rules, selectors, services
from ..errors import FieldworkNotFound


def _campaign(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_manage_fieldwork(request.user, campaign), FieldworkNotFound)
    return campaign


def _review_url(campaign, anchor: str = "") -> str:
    return reverse("fieldwork:review", args=[campaign.slug]) + (f"#{anchor}" if anchor else "")


def _batch_url(campaign, batch_id) -> str:
    return reverse("fieldwork:review_batch", args=[campaign.slug, batch_id])


@login_required
@require_GET
def review_page(request, slug):
    campaign = _campaign(request, slug)
    return render(request, "fieldwork/review.html", {
        "campaign": campaign, "counts": selectors.review_queue_counts(campaign),
        "flag_groups": selectors.open_flags(campaign), "held": selectors.held_batches(campaign),
        "conflicts": selectors.open_conflicts(campaign), "duplicates": selectors.possible_duplicates(campaign),
        "rates": selectors.review_contact_rates(campaign), "history": selectors.review_history(campaign),
    })


@login_required
@require_GET
def review_batch(request, slug, review_batch_id):
    campaign = _campaign(request, slug)
    return render(request, "fieldwork/review_batch.html", {
        "campaign": campaign, **selectors.review_batch(campaign, review_batch_id)})


@login_required
@require_POST
def review_batch_decide(request, slug, review_batch_id):
    campaign = _campaign(request, slug)
    decision, note = request.POST.get("decision"), request.POST.get("note", "")
    try:
        if decision == "release":
            batch = services.batch_release(by=request.user, campaign=campaign, batch_id=review_batch_id, note=note)
            if batch.not_counted:
                messages.warning(request, _("The batch is counted, except %(n)s visits that no longer fit the "
                                            "campaign (a household deleted, a code used up…): they stay uncounted.")
                                 % {"n": len(batch.not_counted)})
            else:
                messages.success(request, _("The batch is counted: its residents' supports and proposals are in."))
        elif decision == "reject":
            services.batch_reject(by=request.user, campaign=campaign, batch_id=review_batch_id, note=note)
            messages.success(request, _("The batch is not counted. Its visits are kept, marked."))
        else:
            messages.error(request, _("Choose whether the batch counts or not."))
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_batch_url(campaign, review_batch_id))


@login_required
@require_POST
def review_flag_decide(request, slug, flag_id):
    campaign = _campaign(request, slug)
    decision, note = request.POST.get("decision"), request.POST.get("note", "")
    try:
        if decision == "clear":
            services.flag_clear(by=request.user, campaign=campaign, flag_id=flag_id, note=note)
            messages.success(request, _("Flag cleared."))
        elif decision == "uphold":
            services.flag_uphold(by=request.user, campaign=campaign, flag_id=flag_id, note=note)
            messages.success(request, _("Flag upheld. Decide now whether its batch counts."))
        else:
            messages.error(request, _("Choose whether the flag is cleared or upheld."))
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    batch_id = request.POST.get("batch")
    if request.POST.get("back") == "batch" and batch_id and batch_id.isdigit():
        return redirect(_batch_url(campaign, batch_id))
    return redirect(_review_url(campaign, "signalements"))


@login_required
@require_http_methods(["GET", "POST"])
def review_conflict(request, slug, conflict_id):
    campaign = _campaign(request, slug)
    view = selectors.conflict_view(campaign, conflict_id)
    if request.method == "POST":
        try:
            services.conflict_resolve(by=request.user, campaign=campaign, conflict_id=conflict_id,
                                      note=request.POST.get("note", ""))
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("fieldwork:review_conflict", args=[campaign.slug, conflict_id]))
        messages.success(request, _("Conflict resolved: the stored version stays, the other one is not counted."))
        return redirect(_review_url(campaign, "conflits"))
    return render(request, "fieldwork/review_conflict.html", {"campaign": campaign, **view})


@login_required
@require_POST
def review_duplicate_decide(request, slug, duplicate_id):
    campaign = _campaign(request, slug)
    decision = request.POST.get("decision", "")
    try:
        if decision.startswith("same:"):
            services.duplicate_same_person(by=request.user, campaign=campaign, participation_id=duplicate_id,
                                           user_id=decision.partition(":")[2])
            messages.success(request, _("Recognised as the same person: their supports now count once."))
        elif decision == "distinct":
            services.duplicate_distinct(by=request.user, campaign=campaign, participation_id=duplicate_id,
                                        note=request.POST.get("note", ""))
            messages.success(request, _("Marked as different people: both keep counting."))
        else:
            messages.error(request, _("Choose who this resident is, or say they are someone else."))
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_review_url(campaign, "doublons"))


R = "terrain/verification/"
urlpatterns = [
    path(R, review_page, name="review"),
    path(R + "lots/<int:review_batch_id>/", review_batch, name="review_batch"),
    path(R + "lots/<int:review_batch_id>/decision/", review_batch_decide, name="review_batch_decide"),
    path(R + "signalements/<int:flag_id>/", review_flag_decide, name="review_flag_decide"),
    path(R + "conflits/<int:conflict_id>/", review_conflict, name="review_conflict"),
    path(R + "doublons/<int:duplicate_id>/", review_duplicate_decide, name="review_duplicate_decide"),
]

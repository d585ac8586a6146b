"""After the show, for everyone: the fairness report (page and canonical CSV) and the replay
chapters (page, WebVTT file, the « 00:00 Title » lines for a video's description).

Public like the set itself (``rules.can_view_event``); an unknown event, or one of another
campaign, answers 404. Reading the report of an ended show records its signature if the audit
trail does not hold it yet (``services.report_sign``)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from .. import report, rules, services
from ..models import EventStatus
from .common import event_for_viewer


def _signed(event, data):
    """(digest of this CSV, the signatures recorded) once the show has ended; (None, []) before."""
    if event.status != EventStatus.ENDED:
        return None, []
    services.report_sign(event=event)
    return report.csv_digest(report.fairness_csv(data)), report.report_signatures(event)


@require_GET
def fairness(request, slug, pk):
    event = event_for_viewer(request, slug, pk)
    data = report.fairness_report(event)
    digest, signatures = _signed(event, data)
    return render(request, "live_event/report.html", {
        "campaign": event.campaign, "event": event, "report": data, "gap_sentence": report.gap_sentence(data),
        "digest": digest, "signatures": signatures,
        "first_signature": signatures[0] if len(signatures) > 1 else None,
        "signed_at": signatures[-1].at if signatures else None,
        "can_correct": rules.can_run_event(request.user, event),
    })


@require_GET
def fairness_csv(request, slug, pk):
    event = event_for_viewer(request, slug, pk)
    data = report.fairness_report(event)
    _signed(event, data)
    response = HttpResponse(report.fairness_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="equite-{event.campaign.slug}-{event.pk}.csv"'
    return response


@require_GET
def chapters(request, slug, pk):
    event = event_for_viewer(request, slug, pk)
    data = report.replay_chapters(event)
    return render(request, "live_event/chapters.html", {
        "campaign": event.campaign, "event": event, "chapters": data, "text": report.chapters_text(data)})


@require_GET
def chapters_vtt(request, slug, pk):
    event = event_for_viewer(request, slug, pk)
    return HttpResponse(report.chapters_vtt(report.replay_chapters(event)), content_type="text/vtt; charset=utf-8")


@require_GET
def chapters_txt(request, slug, pk):
    event = event_for_viewer(request, slug, pk)
    return HttpResponse(report.chapters_text(report.replay_chapters(event)),
                        content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("direct/<int:pk>/equite/", fairness, name="report"),
    path("direct/<int:pk>/equite.csv", fairness_csv, name="report_csv"),
    path("direct/<int:pk>/chapitres/", chapters, name="chapters"),
    path("direct/<int:pk>/chapitres.vtt", chapters_vtt, name="chapters_vtt"),
    path("direct/<int:pk>/chapitres.txt", chapters_txt, name="chapters_txt"),
]

"""The demo's final plan and dossiers: edition 1 of the plan and of the 7 candidates' dossiers,
rendered (PDF/UA-1) and sent to every list, some opened, some acknowledged, dated in the campaign's
synthesis phase (its Phase row), never "now".

Rendering and sending run here, synchronously (the demo has no worker): the tasks the services
also enqueue on commit find the work done and do nothing. The e-mails go to files under
``VAR_DIR/demo-mails`` (whatever ``EMAIL_BACKEND`` says), so that loading the demo never mails
anyone nor fills a test's outbox; each holds the list's personal download link.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection

from concerto.campaigns.models import Phase, PhaseKind
from concerto.core.models import AuditEntry
from concerto.synthesis import services
from concerto.synthesis.models import Dispatch, DispatchStatus, Document
from concerto.synthesis.notifications import send_dispatch
from concerto.synthesis.rendering import render_document
from concerto.synthesis.selectors import dossiers_sent  # noqa: F401 (demo_counts)

MAIL_DIR = "demo-mails"


def _synthesis_start(campaign):
    phase = Phase.objects.filter(campaign=campaign, kind=PhaseKind.SYNTHESIS).order_by("starts_at").first()
    return phase.starts_at if phase is not None else None


def load_documents(*, campaign, organiser, rng: random.Random | None = None, base_url: str = "") -> dict:
    """Generate, render and send; then date everything in the synthesis phase. Returns figures."""
    rng = rng or random.Random("documents")
    base_url = base_url or settings.CONCERTO_PUBLIC_URL or "http://localhost:8000/"
    documents = services.documents_generate(by=organiser, campaign=campaign)
    for document in documents:
        render_document(document_id=document.pk)
    dispatches = services.dossiers_send(by=organiser, campaign=campaign, base_url=base_url)
    connection = get_connection("django.core.mail.backends.filebased.EmailBackend",
                                file_path=str(settings.VAR_DIR / MAIL_DIR))
    for dispatch in dispatches:
        send_dispatch(dispatch_id=dispatch.pk, base_url=base_url, connection=connection)
    start = _synthesis_start(campaign)
    if start is None:
        return {"dossiers_sent": len(dispatches)}
    # Prepared on the second morning of the synthesis, sent a few minutes later, one list after the other.
    generated = start.replace(hour=9, minute=30, second=0, microsecond=0) + timedelta(days=1)
    Document.objects.filter(pk__in=[d.pk for d in documents]).update(requested_at=generated,
                                                                     generated_at=generated + timedelta(minutes=1))
    sent = generated + timedelta(minutes=15)
    for i, dispatch in enumerate(dispatches):
        at = sent + timedelta(seconds=4 * i + rng.randint(0, 3))
        fields = {"queued_at": sent, "sent_at": at}
        if i < 5:  # five lists followed their link, two of them acknowledged receipt
            opened = at + timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
            fields.update(status=DispatchStatus.OPENED, first_opened_at=opened, open_count=rng.randint(1, 4))
            if i < 2:
                fields.update(status=DispatchStatus.ACKNOWLEDGED, acknowledged_at=opened + timedelta(minutes=3))
        Dispatch.objects.filter(pk=dispatch.pk).update(**fields)
    AuditEntry.objects.filter(scope=campaign.slug, code="synthesis.documents.generated").update(at=generated)
    for dispatch in Dispatch.objects.filter(pk__in=[d.pk for d in dispatches]):
        target = f"synthesis.dispatch:{dispatch.pk}"
        AuditEntry.objects.filter(target=target, code="synthesis.dispatch.queued").update(at=dispatch.queued_at)
        AuditEntry.objects.filter(target=target, code="synthesis.dispatch.sent").update(at=dispatch.sent_at)
    return {"dossiers_sent": len(dispatches)}


def documents_delete(campaign) -> None:
    """Dispatches PROTECT their document, documents their candidate: the demo's reset deletes them
    first (with their files), the campaign takes the rest."""
    Dispatch.objects.filter(document__campaign=campaign).delete()
    for document in Document.objects.filter(campaign=campaign).exclude(file=""):
        document.file.delete(save=False)
    Document.objects.filter(campaign=campaign).delete()

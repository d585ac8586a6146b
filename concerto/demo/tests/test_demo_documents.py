"""The demo's final plan and dossiers: edition 1 of the plan and of the 7 lists' dossiers, ready
(PDF/UA-1, SHA-256), all sent, some opened, some acknowledged, dated in the synthesis phase, and
each list's account reads « Mon dossier »."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from concerto.campaigns.models import Phase, PhaseKind
from concerto.demo.services import SLUG
from concerto.residents.models import User
from concerto.synthesis.models import Dispatch, DispatchStatus, Document, DocumentStatus

pytestmark = pytest.mark.django_db


def test_the_plan_and_seven_dossiers_are_sent_within_the_synthesis_phase(demo):
    assert demo.counts["dossiers_sent"] == 7
    documents = list(Document.objects.filter(campaign__slug=SLUG))
    assert len(documents) == 8 and {d.status for d in documents} == {DocumentStatus.READY}
    for document in documents:
        with default_storage.open(document.file.name, "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == document.sha256
    dispatches = list(Dispatch.objects.filter(document__campaign__slug=SLUG))
    statuses = [d.status for d in dispatches]
    assert len(dispatches) == 7 and DispatchStatus.ACKNOWLEDGED in statuses and DispatchStatus.OPENED in statuses
    assert DispatchStatus.SENT in statuses  # some not opened yet
    phase = Phase.objects.get(campaign__slug=SLUG, kind=PhaseKind.SYNTHESIS)
    for d in dispatches:
        assert phase.starts_at <= d.sent_at <= phase.ends_at
        assert d.first_opened_at is None or d.sent_at < d.first_opened_at <= phase.ends_at
    sent = [d.sent_at for d in dispatches]
    assert (max(sent) - min(sent)).total_seconds() < 5 * 60


def test_each_list_reads_its_dossier(client, demo):
    user = User.objects.get(email="candidate3@example.org")
    client.force_login(user)
    page = client.get(reverse("synthesis:my_dossier", args=[SLUG]))
    assert page.status_code == 200
    log = client.get(reverse("synthesis:dispatch_log", args=[SLUG])).content.decode()
    assert all(d.document.sha256 in log for d in Dispatch.objects.filter(document__campaign__slug=SLUG))

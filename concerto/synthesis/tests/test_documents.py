"""The final plan and the candidates' dossiers: editions, PDF/UA-1, the HTML twin, dispatch by
e-mail with a personal link (opened, acknowledged, resent), « Mon dossier », the public log."""

import hashlib
import re
import subprocess

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import TestCase
from django.urls import reverse

from concerto.core.models import AuditEntry
from concerto.synthesis import services
from concerto.synthesis.models import Dispatch, DispatchStatus, Document, DocumentStatus

pytestmark = pytest.mark.django_db(transaction=False)

LINK = re.compile(r"https?://\S+/synthese/dossier/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf_text(document) -> str:
    with default_storage.open(document.file.name, "rb") as fh:
        data = fh.read()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert len(data) == document.size
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)  # noqa: S603, S607
    return " ".join(result.stdout.decode().split())


def run_tasks():
    """Tasks are enqueued on commit; the test backend runs them at once."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def generate(organiser, campaign):
    with run_tasks():
        docs = services.documents_generate(by=organiser, campaign=campaign)
    return [Document.objects.get(pk=d.pk) for d in docs]


def words(text: str) -> str:
    return " ".join(text.split())


def test_each_generation_is_a_new_edition_with_its_sha256(campaign, organiser_dina, held_show):
    first = generate(organiser_dina, campaign)
    assert [d.status for d in first] == [DocumentStatus.READY] * 4
    assert {d.edition for d in first} == {1}
    assert [d.kind for d in first] == ["plan", "dossier", "dossier", "dossier"]
    second = generate(organiser_dina, campaign)
    assert {d.edition for d in second} == {2}
    # A published file is never replaced: the first edition's file and hash still hold.
    for old in first:
        old.refresh_from_db()
        pdf_text(old)
        assert old.file.name not in {d.file.name for d in second}
    assert AuditEntry.objects.filter(code="synthesis.documents.generated").count() == 2


def test_every_pdf_passes_pdf_ua_and_carries_final_texts_and_positions(campaign, organiser_dina, held_show,
                                                                       actions, candidates):
    services.version_record(by=organiser_dina, campaign=campaign, action_id=actions[0].pk, stage="candidates",
                            title="Éclairer et sécuriser la traversée", summary="Un passage éclairé la nuit.",
                            body="Texte final : un éclairage public du passage.", reason="Amendement de Claire.")
    docs = generate(organiser_dina, campaign)
    # typst.compile(pdf_standards=["ua-1"]) raises on any PDF/UA error: the row would be failed.
    assert all(d.status == DocumentStatus.READY and not d.error for d in docs)
    for doc in docs:
        text = pdf_text(doc)
        assert "Éclairer et sécuriser la traversée" in text
        assert "Texte final : un éclairage public du passage." in text
        assert "Action numéro 1" not in text  # the old title is gone: the final version is printed
        for action in actions[1:]:
            assert action.title in text
        assert "Contexte et méthode" in text or "Context and method" in text
    dossier = docs[1]
    text = pdf_text(dossier)
    assert dossier.candidate.name in text
    assert "D’accord sur le principe." in text
    assert "Nous voulons d’abord consulter les commerçants." in text  # Claire's written reaction


def test_the_html_twin_carries_the_same_content(client, campaign, organiser_dina, held_show, candidates):
    docs = generate(organiser_dina, campaign)
    client.force_login(organiser_dina)
    dossier = docs[1]
    page = client.get(reverse("synthesis:document_html", args=[campaign.slug, dossier.pk]))
    assert page.status_code == 200
    html = words(page.content.decode())
    text = pdf_text(dossier)
    for theme in dossier.content["themes"]:
        for action in theme["actions"]:
            assert action["title"] in html and action["title"] in text
    for row in dossier.content["dossier"]["positions"]:
        assert row[2].replace("’", "&#x27;") in html.replace("’", "&#x27;") or row[2] in html
    plan = client.get(reverse("synthesis:plan", args=[campaign.slug]))
    assert plan.status_code == 200 and docs[0].sha256 in plan.content.decode()


def test_sending_opening_acknowledging_and_resending(client, campaign, organiser_dina, held_show, candidates):
    generate(organiser_dina, campaign)
    with run_tasks():
        dispatches = services.dossiers_send(by=organiser_dina, campaign=campaign, base_url="http://testserver/")
    assert len(dispatches) == 3 and len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["liste1@example.org", "liste2@example.org", "liste3@example.org"]
    message = next(m for m in mail.outbox if m.to == ["liste2@example.org"])
    token = LINK.search(message.body).group(1)
    dispatch = Dispatch.objects.get(candidate=candidates[1])
    assert dispatch.status == DispatchStatus.SENT and dispatch.sent_at is not None
    assert dispatch.message_id == message.extra_headers["Message-ID"]
    assert dispatch.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Dispatch.objects.values_list()) and token not in str(AuditEntry.objects.values_list())
    url = reverse("synthesis:dossier_download", args=[campaign.slug, token])
    page = client.get(url)
    assert page.status_code == 200 and "Paul Durand" in page.content.decode()
    client.get(url)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.OPENED and dispatch.open_count == 2 and dispatch.first_opened_at
    pdf = client.get(reverse("synthesis:dossier_download_pdf", args=[campaign.slug, token]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.post(url).status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ACKNOWLEDGED and dispatch.acknowledged_at
    assert AuditEntry.objects.filter(code="synthesis.dispatch.acknowledged").count() == 1
    # Resend: a new dispatch and link; the old link stops working.
    with run_tasks():
        services.dispatch_resend(by=organiser_dina, campaign=campaign, candidate_id=candidates[1].pk,
                                 base_url="http://testserver/")
    assert Dispatch.objects.filter(candidate=candidates[1]).count() == 2
    assert client.get(url).status_code == 404
    new_token = LINK.search(mail.outbox[-1].body).group(1)
    assert client.get(reverse("synthesis:dossier_download", args=[campaign.slug, new_token])).status_code == 200
    log = client.get(reverse("synthesis:dispatch_log", args=[campaign.slug])).content.decode()
    assert dispatch.document.sha256 in log and "Paul Durand" in log


def test_a_refused_message_is_failed_with_the_error_shown(client, campaign, organiser_dina, held_show, candidates,
                                                          settings):
    generate(organiser_dina, campaign)
    settings.EMAIL_BACKEND = "concerto.synthesis.tests.failing_mail.Backend"
    with run_tasks():
        services.dossiers_send(by=organiser_dina, campaign=campaign, base_url="http://testserver/")
    assert set(Dispatch.objects.values_list("status", flat=True)) == {DispatchStatus.FAILED}
    client.force_login(organiser_dina)
    page = client.get(reverse("synthesis:documents", args=[campaign.slug])).content.decode()
    assert "550 mailbox unavailable" in page


def test_sending_before_the_dossiers_are_ready_is_refused(client, campaign, organiser_dina, candidates):
    client.force_login(organiser_dina)
    answer = client.post(reverse("synthesis:dossiers_send", args=[campaign.slug]), follow=True)
    assert "ne sont pas tous prêts" in answer.content.decode() or "not all ready" in answer.content.decode()
    assert not Dispatch.objects.exists() and not mail.outbox


def test_my_dossier_and_who_reads_what(client, campaign, organiser_dina, held_show, candidates, candidate_claire,
                                       resident_alice):
    docs = generate(organiser_dina, campaign)
    claire_doc, paul_doc = docs[1], docs[2]
    client.force_login(candidate_claire)
    page = client.get(reverse("synthesis:my_dossier", args=[campaign.slug]))
    assert page.status_code == 200 and "Claire Martin" in page.content.decode()
    assert client.get(reverse("synthesis:document_pdf", args=[campaign.slug, claire_doc.pk])).status_code == 200
    assert client.get(reverse("synthesis:document_pdf", args=[campaign.slug, paul_doc.pk])).status_code == 404
    assert client.get(reverse("synthesis:documents", args=[campaign.slug])).status_code == 404
    client.force_login(resident_alice)
    assert client.get(reverse("synthesis:my_dossier", args=[campaign.slug])).status_code == 404
    assert client.get(reverse("synthesis:document_html", args=[campaign.slug, claire_doc.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("synthesis:documents", args=[campaign.slug])).status_code == 302
    assert client.get(reverse("synthesis:plan_pdf", args=[campaign.slug])).status_code == 200

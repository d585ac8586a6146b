"""The documents' PDFs: the worker module that ``tasks.render_document`` runs.

Built from ``plan.plan_data`` / ``plan.dossier_data`` (the same data as the HTML twin), compiled
with Typst as a tagged PDF/UA-1 document in the site's language (the compile fails on any PDF/UA
error), stored as a NEW file per edition (a published file is never overwritten, so its SHA-256
stays true), with its SHA-256 and size. Nothing here checks permissions or imports services.
"""

import hashlib
import json
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.text import slugify

from .models import Document, DocumentKind, DocumentStatus
from .plan import dossier_data, plan_data

logger = logging.getLogger("concerto.synthesis")
TEMPLATE = Path(__file__).resolve().parent / "typst" / "synthesis.typ"


def document_data(document: Document) -> dict:
    if document.kind == DocumentKind.PLAN:
        return plan_data(document.campaign)
    # The plan of the same edition, once rendered: every dossier of an edition carries the same plan.
    plan = (Document.objects.filter(campaign=document.campaign, kind=DocumentKind.PLAN, edition=document.edition,
                                    status=DocumentStatus.READY).values_list("content", flat=True).first())
    return dossier_data(document.candidate, plan=plan or None)


def compile_pdf(data: dict) -> bytes:
    import typst

    return typst.compile(TEMPLATE.read_bytes(), sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                         ignore_system_fonts=True, pdf_standards=["ua-1"], timestamp=0)


def file_name(document: Document) -> str:
    who = "plan" if document.kind == DocumentKind.PLAN else f"dossier-{slugify(document.candidate.list_name)[:40]}"
    return f"synthesis/{document.campaign.slug}/{who}-edition-{document.edition}.pdf"


def render_document(*, document_id: int) -> bool:
    """Render one queued edition. A failure is kept on the row (shown to the organisers)."""
    started = time.monotonic()
    document = (Document.objects.select_related("campaign", "candidate__campaign")
                .filter(pk=document_id, status=DocumentStatus.QUEUED).first())
    if document is None:
        return False
    try:
        with translation.override(settings.LANGUAGE_CODE):
            data = document_data(document)
            pdf = compile_pdf(data)
    except Exception as exc:  # a Typst error (PDF/UA included) or a data error: told, not raised
        logger.exception("synthesis document %s failed", document.pk)
        Document.objects.filter(pk=document.pk).update(status=DocumentStatus.FAILED, error=str(exc)[:2000])
        return False
    # Never overwrite: the storage picks a fresh name if one exists already.
    name = default_storage.save(file_name(document), ContentFile(pdf))
    Document.objects.filter(pk=document.pk).update(
        status=DocumentStatus.READY, file=name, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), content=data,
        error="", generated_at=timezone.now())
    logger.info("synthesis document %s rendered in %.2f s", document.pk, time.monotonic() - started)
    return True

"""The synthesis' documents in the API: public, anonymous reads.

- the documents of every edition that is ready (the plan and the dossiers), each with its SHA-256
  and size, so that a file anyone holds can be checked; only the plan downloads here (a dossier
  reaches its list through the personal link of its e-mail, or « Mon dossier »);
- the plan's latest PDF;
- the dispatch log: who received which edition when (the page ``/c/<slug>/synthese/envois/``).

Aggregates only, as in the documents themselves: no resident's name, address, e-mail or code.
"""

from datetime import datetime
from typing import Literal

from django.http import FileResponse
from django.urls import reverse
from ninja import Field, Router, Schema

from concerto.campaigns.selectors import campaign_get
from concerto.synthesis import selectors
from concerto.synthesis.errors import DocumentNotFound

from .auth import OPTIONAL_AUTH_DOC, token_optional
from .schemas import NOT_FOUND, READ_ERRORS

router = Router(tags=["synthesis documents"])

READ = {"auth": token_optional, "openapi_extra": OPTIONAL_AUTH_DOC}
PDF_READ = {"auth": token_optional, "openapi_extra": {**OPTIONAL_AUTH_DOC, "responses": {200: {
    "description": "The PDF (PDF/UA-1); its SHA-256 in the X-Content-SHA256 header",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}}


class DocumentOut(Schema):
    id: int
    kind: Literal["plan", "dossier"]
    edition: int
    candidate: int | None = Field(None, description="The list a dossier is for (null for the plan).")
    candidate_name: str | None
    list_name: str | None
    sha256: str
    size: int
    generated_at: datetime | None
    pdf_url: str | None = Field(None, description="The plan's PDF (dossiers are not downloadable here).")


class DispatchOut(Schema):
    candidate: int
    candidate_name: str
    list_name: str
    edition: int
    sha256: str
    status: Literal["queued", "sent", "failed", "opened", "acknowledged"]
    queued_at: datetime
    sent_at: datetime | None
    first_opened_at: datetime | None
    acknowledged_at: datetime | None


class DispatchLogOut(Schema):
    latest_edition: int | None
    spread_seconds: float | None = Field(None, description="Between the first and the last sending of the latest "
                                                          "edition.")
    dispatches: list[DispatchOut]


@router.get("/{slug}/synthesis/documents", response={200: list[DocumentOut], **READ_ERRORS, **NOT_FOUND}, **READ)
def list_documents(request, slug: str):
    campaign = campaign_get(slug)
    overview = selectors.documents_overview(campaign)
    docs = [d for d in overview["plans"] if d.status == "ready"]
    for row in overview["rows"]:
        docs += [d for d in row["editions"] if d.status == "ready"]
    docs.sort(key=lambda d: (-d.edition, d.kind != "plan", d.candidate.ballot_order if d.candidate else 0))
    plan_url = request.build_absolute_uri(reverse("synthesis:plan_pdf", args=[slug]))
    latest = selectors.latest_plan(campaign)
    return [{"id": d.pk, "kind": d.kind, "edition": d.edition, "candidate": d.candidate_id,
             "candidate_name": d.candidate.name if d.candidate else None,
             "list_name": d.candidate.list_name if d.candidate else None, "sha256": d.sha256, "size": d.size,
             "generated_at": d.generated_at,
             "pdf_url": plan_url if latest is not None and d.pk == latest.pk else None} for d in docs]


@router.get("/{slug}/synthesis/plan.pdf", response={200: None, **READ_ERRORS, **NOT_FOUND}, **PDF_READ)
def plan_pdf(request, slug: str):
    """The final action plan's latest edition (PDF/UA-1)."""
    latest = selectors.latest_plan(campaign_get(slug))
    if latest is None:
        raise DocumentNotFound()
    response = FileResponse(latest.file.open("rb"), content_type="application/pdf",
                            filename=f"plan-d-actions-edition-{latest.edition}.pdf")
    response["X-Content-SHA256"] = latest.sha256
    return response


@router.get("/{slug}/synthesis/dispatches", response={200: DispatchLogOut, **READ_ERRORS, **NOT_FOUND}, **READ)
def dispatch_log(request, slug: str):
    log = selectors.dispatch_log(campaign_get(slug))
    return {"latest_edition": log["latest_edition"], "spread_seconds": log["spread_seconds"],
            "dispatches": [{"candidate": d.candidate_id, "candidate_name": d.candidate.name,
                            "list_name": d.candidate.list_name, "edition": d.document.edition,
                            "sha256": d.document.sha256, "status": d.status, "queued_at": d.queued_at,
                            "sent_at": d.sent_at, "first_opened_at": d.first_opened_at,
                            "acknowledged_at": d.acknowledged_at} for d in log["dispatches"]]}

"""Synthesis reads, built for the pages that use them."""

from .errors import VersionNotFound
from .models import ActionVersion, VersionStage


def action_versions(action) -> list[ActionVersion]:
    """Every version of a published action, oldest first. An action whose text never changed has
    one, v1, its current text (not stored until a second version is)."""
    versions = list(ActionVersion.objects.filter(action=action).select_related("created_by", "amendment__candidate"))
    if versions:
        return versions
    stage = VersionStage.WORKSHOP if action.origin == "workshop" else VersionStage.PUBLISHED
    return [ActionVersion(action=action, number=1, stage=stage, title=action.title, summary=action.summary,
                          body=action.body, created_at=action.published_at or action.created_at)]


def version_get(action, number) -> ActionVersion:
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise VersionNotFound() from None
    for version in action_versions(action):
        if version.number == number:
            return version
    raise VersionNotFound()


# -- documents --

def _documents():
    from .models import Document

    return Document.objects.select_related("campaign", "candidate")


def documents_overview(campaign) -> dict:
    """The organisers' page: the latest edition of the plan and, per candidate in panel order, their
    latest dossier and the dispatches of it (newest first), and every edition."""
    from concerto.live_event import selectors as live_selectors

    from .models import Dispatch, DocumentKind

    documents = list(_documents().filter(campaign=campaign).order_by("-edition", "kind", "candidate__ballot_order"))
    plans = [d for d in documents if d.kind == DocumentKind.PLAN]
    dispatches: dict[int, list] = {}
    for d in (Dispatch.objects.filter(document__campaign=campaign).select_related("document")
              .order_by("-queued_at", "-pk")):
        dispatches.setdefault(d.candidate_id, []).append(d)
    rows = []
    for c in live_selectors.candidate_list(campaign):
        mine = [d for d in documents if d.kind == DocumentKind.DOSSIER and d.candidate_id == c.pk]
        rows.append({"candidate": c, "dossier": mine[0] if mine else None, "editions": mine,
                     "dispatches": dispatches.get(c.pk, []),
                     "email": c.contact_email or (c.user.email if c.user_id else "")})
    return {"plan": plans[0] if plans else None, "plans": plans, "rows": rows,
            "edition": documents[0].edition if documents else None}


def document_get(campaign, document_id):
    from .errors import DocumentNotFound

    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        raise DocumentNotFound() from None
    document = _documents().filter(campaign=campaign, pk=pk).first()
    if document is None:
        raise DocumentNotFound()
    return document


def latest_plan(campaign):
    """The plan's latest ready edition (the public PDF), or None."""
    from .models import DocumentKind, DocumentStatus

    return (_documents().filter(campaign=campaign, kind=DocumentKind.PLAN, status=DocumentStatus.READY)
            .order_by("-edition").first())


def latest_dossier(candidate):
    from .models import DocumentKind, DocumentStatus

    return (_documents().filter(candidate=candidate, kind=DocumentKind.DOSSIER, status=DocumentStatus.READY)
            .order_by("-edition").first())


def dispatch_by_token(token: str):
    """The dispatch whose personal link this is (only its SHA-256 is stored)."""
    import hashlib

    from .errors import DossierLinkInvalid
    from .models import Dispatch

    if not token or len(token) > 100:
        raise DossierLinkInvalid()
    dispatch = (Dispatch.objects.select_related("document__campaign", "candidate")
                .filter(token_hash=hashlib.sha256(token.encode()).hexdigest()).first())
    if dispatch is None:
        raise DossierLinkInvalid()
    return dispatch


def dispatch_log(campaign) -> dict:
    """The public dispatch log: per dispatch, the list, the edition, the file's SHA-256 and size, and
    the times (queued, sent, first opened, acknowledged); and the spread of the first sending of the
    latest edition, so that anyone can check every list was treated alike."""
    from .models import Dispatch

    dispatches = list(Dispatch.objects.filter(document__campaign=campaign)
                      .select_related("document", "candidate").order_by("queued_at", "candidate__ballot_order", "pk"))
    latest = max((d.document.edition for d in dispatches), default=None)
    sent = [d.sent_at for d in dispatches if d.document.edition == latest and d.sent_at]
    spread = (max(sent) - min(sent)).total_seconds() if sent else None
    editions = {d.document.edition for d in dispatches}
    return {"dispatches": dispatches, "latest_edition": latest, "spread_seconds": spread,
            "spread_minutes": int(spread // 60) if spread is not None else None, "same_edition": len(editions) <= 1}


def dossier_of_user(user, campaign):
    """« Mon dossier »: the candidate whose account ``user`` is, with their latest ready dossier."""
    from concerto.live_event import selectors as live_selectors

    candidate = live_selectors.candidate_of(user, campaign)
    if candidate is None:
        return None, None
    return candidate, latest_dossier(candidate)


def dossiers_sent(campaign) -> int:
    """The public stat ``dossiers_sent``: lists whose dossier the mail server accepted (opened or
    acknowledged since included)."""
    from .models import Dispatch, DispatchStatus

    return (Dispatch.objects.filter(document__campaign=campaign, status__in=[
        DispatchStatus.SENT, DispatchStatus.OPENED, DispatchStatus.ACKNOWLEDGED]).values("candidate").distinct()
        .count())

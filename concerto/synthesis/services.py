"""Synthesis writes: one function per thing an organiser does, keyword-only, transactional, audited."""

import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.core.audit import log_action
from concerto.core.http import require
from concerto.live_event import selectors as live_selectors
from concerto.proposals import selectors as proposal_selectors
from concerto.proposals import services as proposal_services

from . import rules, tasks
from .errors import (
    DocumentsNotReady,
    NoCandidate,
    NoContactEmail,
    NothingChanged,
    ReasonRequired,
    SynthesisNotFound,
)
from .models import (
    REASON_MAX,
    ActionVersion,
    Dispatch,
    DispatchStatus,
    Document,
    DocumentKind,
    DocumentStatus,
    VersionStage,
)
from .notifications import token_hash
from .selectors import dispatch_by_token


def _first_version(action, text: dict) -> ActionVersion:
    """v1: the text the action was published with (out of the workshop, or as contributed), stored
    the first time the text changes, dated from its publication."""
    stage = VersionStage.WORKSHOP if action.origin == "workshop" else VersionStage.PUBLISHED
    return ActionVersion.objects.create(
        action=action, number=1, stage=stage, title=text["title"], summary=text["summary"], body=text["body"],
        created_by=None, created_at=action.published_at or action.created_at)


def version_record(*, by, campaign, action_id: int, stage: str, title: str, summary: str, body: str = "",
                   reason: str, amendment=None) -> ActionVersion:
    """A new version of a published action's text, with its reason; the action's page shows it.

    The action's row lock (taken by ``proposals``) orders concurrent versions of one action."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if stage not in VersionStage.values or stage == VersionStage.PUBLISHED:
        stage = VersionStage.CONTRIBUTIONS
    with transaction.atomic():
        action, before = proposal_services.action_text_revise(
            by=by, campaign=campaign, action_id=action_id, title=title, summary=summary, body=body)
        after = {"title": action.title, "summary": action.summary, "body": action.body}
        if after == before:
            transaction.set_rollback(True)
            raise NothingChanged()
        last = ActionVersion.objects.filter(action=action).order_by("-number").first()
        if last is None:
            last = _first_version(action, before)
        version = ActionVersion.objects.create(
            action=action, number=last.number + 1, stage=stage, reason=reason[:REASON_MAX], amendment=amendment,
            created_by=by, created_at=timezone.now(), **after)
        log_action("synthesis.version.recorded", actor=by, scope=campaign.slug, target=action,
                   number=version.number, stage=stage, reason=version.reason,
                   changed=[name for name in after if after[name] != before[name]])
    return version


def versions_start(*, by, campaign) -> int:
    """Store v1 of every published action that has none yet (before the first diff is asked for, so
    that it is dated from the publication). Returns how many were stored."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    created = 0
    with transaction.atomic():
        have = set(ActionVersion.objects.filter(action__campaign=campaign).values_list("action_id", flat=True))
        for action in proposal_selectors.published_actions(campaign):
            if action.pk not in have:
                _first_version(action, {"title": action.title, "summary": action.summary, "body": action.body})
                created += 1
    return created


# -- documents --
# The final plan and the candidates' dossiers (rendered by tasks.render_document), and their
# dispatch (tasks.send_dispatch). Every generation is a new edition; a resend is a new dispatch.

def documents_generate(*, by, campaign) -> list:
    """A new edition of the plan and of every candidate's dossier, rendered in the background."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    candidates = live_selectors.candidate_list(campaign)
    if not candidates:
        raise NoCandidate()
    now = timezone.now()
    with transaction.atomic():
        last = (Document.objects.select_for_update().filter(campaign=campaign).order_by("-edition")
                .values_list("edition", flat=True).first()) or 0
        edition = last + 1
        documents = [Document.objects.create(campaign=campaign, kind=DocumentKind.PLAN, edition=edition,
                                             requested_by=by, requested_at=now)]
        documents += [Document.objects.create(campaign=campaign, kind=DocumentKind.DOSSIER, candidate=c,
                                              edition=edition, requested_by=by, requested_at=now)
                      for c in candidates]
        log_action("synthesis.documents.generated", actor=by, scope=campaign.slug, edition=edition,
                   dossiers=len(candidates))
        ids = [d.pk for d in documents]
        transaction.on_commit(lambda: [tasks.render_document.enqueue(document_id=pk) for pk in ids])
    return documents


def _dossier_email(candidate) -> str:
    return candidate.contact_email or (candidate.user.email if candidate.user_id else "")


def _queue_dispatch(*, by, campaign, document, candidate, base_url: str, now):


    email = _dossier_email(candidate)
    # A placeholder hash that no link matches: the task makes the real secret when it writes the mail.
    dispatch = Dispatch.objects.create(document=document, candidate=candidate, to_email=email,
                                       token_hash=token_hash(secrets.token_urlsafe(32)), queued_at=now,
                                       requested_by=by)
    log_action("synthesis.dispatch.queued", actor=by, scope=campaign.slug, target=dispatch, candidate=candidate.name,
               edition=document.edition, sha256=document.sha256)
    language = translation.get_language() or settings.LANGUAGE_CODE
    pk = dispatch.pk
    transaction.on_commit(lambda: tasks.send_dispatch.enqueue(dispatch_id=pk, base_url=base_url, language=language))
    return dispatch


def dossiers_send(*, by, campaign, base_url: str) -> list:
    """Send every candidate the dossier of the latest edition, all at once (equal treatment): refused
    unless every dossier of that edition is ready and every candidate has an e-mail address."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    candidates = live_selectors.candidate_list(campaign)
    edition = (Document.objects.filter(campaign=campaign).order_by("-edition").values_list("edition", flat=True)
               .first())
    if not candidates or edition is None:
        raise DocumentsNotReady()
    dossiers = {d.candidate_id: d for d in Document.objects.filter(campaign=campaign, kind=DocumentKind.DOSSIER,
                                                                  edition=edition, status=DocumentStatus.READY)}
    if any(c.pk not in dossiers for c in candidates):
        raise DocumentsNotReady()
    for c in candidates:
        if not _dossier_email(c):
            raise NoContactEmail(_("%(name)s has no e-mail address for the dossier: add one on the candidate's "
                                   "page.") % {"name": c.name})
    now = timezone.now()
    with transaction.atomic():
        return [_queue_dispatch(by=by, campaign=campaign, document=dossiers[c.pk], candidate=c, base_url=base_url,
                                now=now) for c in candidates]


def dispatch_resend(*, by, campaign, candidate_id, base_url: str):
    """Send one candidate their latest ready dossier again, in a new dispatch. The previous links of
    that candidate stop working (a mail sent to a wrong address must not stay usable)."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    try:
        candidate = live_selectors.candidate_get(campaign, candidate_id)
    except Exception:
        raise SynthesisNotFound() from None
    document = (Document.objects.filter(campaign=campaign, kind=DocumentKind.DOSSIER, candidate=candidate,
                                        status=DocumentStatus.READY).order_by("-edition").first())
    if document is None:
        raise DocumentsNotReady()
    if not _dossier_email(candidate):
        raise NoContactEmail()
    with transaction.atomic():
        for old in Dispatch.objects.select_for_update().filter(candidate=candidate):
            Dispatch.objects.filter(pk=old.pk).update(token_hash=token_hash("revoked:" + secrets.token_urlsafe(32)))
        return _queue_dispatch(by=by, campaign=campaign, document=document, candidate=candidate, base_url=base_url,
                               now=timezone.now())


def dispatch_open(*, token: str):
    """The candidate followed their link: counted, the first time kept."""
    dispatch = dispatch_by_token(token)
    now = timezone.now()
    with transaction.atomic():
        first = dispatch.first_opened_at is None
        updates = {"open_count": F("open_count") + 1}
        if first:
            updates["first_opened_at"] = now
        if dispatch.status in (DispatchStatus.SENT, DispatchStatus.QUEUED, DispatchStatus.FAILED):
            updates["status"] = DispatchStatus.OPENED
        Dispatch.objects.filter(pk=dispatch.pk).update(**updates)
        if first:
            log_action("synthesis.dispatch.opened", scope=dispatch.document.campaign.slug, target=dispatch,
                       candidate=dispatch.candidate.name, at=now.isoformat())
    dispatch.refresh_from_db()
    return dispatch


def dispatch_acknowledge(*, token: str):
    """The candidate confirms on the download page that they received the dossier (once)."""
    dispatch = dispatch_by_token(token)
    if dispatch.acknowledged_at is not None:
        return dispatch
    now = timezone.now()
    with transaction.atomic():
        changed = Dispatch.objects.filter(pk=dispatch.pk, acknowledged_at__isnull=True).update(
            status=DispatchStatus.ACKNOWLEDGED, acknowledged_at=now,
            first_opened_at=Coalesce(F("first_opened_at"), Value(now)))
        if changed:
            log_action("synthesis.dispatch.acknowledged", scope=dispatch.document.campaign.slug, target=dispatch,
                       candidate=dispatch.candidate.name, at=now.isoformat())
    dispatch.refresh_from_db()
    return dispatch

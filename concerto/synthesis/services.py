"""Synthesis writes: one function per thing an organiser does, keyword-only, transactional, audited."""

import datetime
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.campaigns.selectors import election_rounds
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, NotAllowed, NotFound
from concerto.core.http import require
from concerto.live_event import selectors as live_selectors
from concerto.proposals import selectors as proposal_selectors
from concerto.proposals import services as proposal_services

from . import diff, followup_csv, rules, selectors, tasks
from .errors import (
    AlreadyDecided,
    AmendmentNotFound,
    BadDecision,
    BadOpinion,
    BadOpinionDate,
    CommitmentNotFound,
    DocumentsNotReady,
    ElectedListUnchanged,
    ElectionNotOver,
    ElectionNotSet,
    FollowupImportErrors,
    NoCandidate,
    NoContactEmail,
    NoElectedList,
    NothingChanged,
    OpinionClosed,
    OpinionNotAllowed,
    QuoteNotFound,
    ReasonRequired,
    SynthesisNotFound,
)
from .models import (
    ANCHOR_MAX,
    REASON_MAX,
    ActionSubscription,
    ActionVersion,
    Amendment,
    AmendmentOpinion,
    AmendmentStatus,
    Commitment,
    CommitmentStatus,
    CommitmentUpdate,
    DigestOptIn,
    Dispatch,
    DispatchStatus,
    Document,
    DocumentKind,
    DocumentStatus,
    ElectedList,
    Opinion,
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


# -- amend --

def amendments_collect(*, by, campaign) -> int:
    """One amendment per improvement a candidate suggested (a position recorded on the set, or a
    written reaction), on a published action. Collecting again adds only the new ones."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    published = {a.pk for a in proposal_selectors.published_actions(campaign)}
    created = 0
    with transaction.atomic():
        have_pos = set(Amendment.objects.filter(campaign=campaign, position__isnull=False)
                       .values_list("position_id", flat=True))
        have_written = set(Amendment.objects.filter(campaign=campaign, written_reaction__isnull=False)
                           .values_list("written_reaction_id", flat=True))
        for found in live_selectors.improvements(campaign):
            if found["action_id"] not in published:
                continue
            if found["position_id"] in have_pos or found["written_reaction_id"] in have_written:
                continue
            Amendment.objects.create(
                campaign=campaign, action_id=found["action_id"], candidate_id=found["candidate_id"],
                source=found["source"], position_id=found["position_id"],
                written_reaction_id=found["written_reaction_id"], text=found["text"], created_at=timezone.now())
            created += 1
        if created:
            log_action("synthesis.amendments.collected", actor=by, scope=campaign.slug, count=created)
    return created


def _amendment_locked(campaign, amendment_id):
    found = (Amendment.objects.select_for_update().filter(campaign=campaign, pk=amendment_id).first()
             if str(amendment_id).isdigit() else None)
    if found is None:
        raise AmendmentNotFound()
    return found


def amendment_anchor(*, by, campaign, amendment_id, quote: str):
    """Anchor the amendment to a passage of the action's current text (W3C TextQuoteSelector: the
    passage exactly, with the words just before and after it). An empty passage anchors it to the
    whole action."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    quote = (quote or "").replace("\r\n", "\n").strip()
    with transaction.atomic():
        amendment = _amendment_locked(campaign, amendment_id)
        if amendment.is_decided:
            raise AlreadyDecided()
        prefix = suffix = ""
        if quote:
            if len(quote) > ANCHOR_MAX:
                raise QuoteNotFound()
            action = amendment.action
            for name in ("body", "summary", "title"):
                context = diff.quote_context(getattr(action, name) or "", quote)
                if context is not None:
                    prefix, suffix = context
                    break
            else:
                raise QuoteNotFound()
        amendment.quote_exact, amendment.quote_prefix, amendment.quote_suffix = quote, prefix, suffix
        amendment.save(update_fields=["quote_exact", "quote_prefix", "quote_suffix"])
        log_action("synthesis.amendment.anchored", actor=by, scope=campaign.slug, target=amendment.action,
                   amendment=amendment.pk, quote=quote[:200])
    return amendment


def amendment_consult(*, by, campaign, amendment_id, until):
    """Ask the action's workshop participants for their opinion online, until ``until``."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    if until is None or until <= timezone.now():
        raise BadOpinionDate()
    with transaction.atomic():
        amendment = _amendment_locked(campaign, amendment_id)
        if amendment.is_decided:
            raise AlreadyDecided()
        amendment.status, amendment.opinion_until = AmendmentStatus.CONSULTING, until
        amendment.save(update_fields=["status", "opinion_until"])
        log_action("synthesis.amendment.consulted", actor=by, scope=campaign.slug, target=amendment.action,
                   amendment=amendment.pk, until=until.isoformat())
    return amendment


def amendment_opinion_give(*, user, campaign, amendment_id, opinion: str, comment: str = ""):
    """A participant of the action's workshop says for, against or unsure (and why); again to change it."""
    if opinion not in Opinion.values:
        raise BadOpinion()
    comment = (comment or "").strip()[:500]
    with transaction.atomic():
        amendment = _amendment_locked(campaign, amendment_id)
        if (amendment.status != AmendmentStatus.CONSULTING or amendment.opinion_until is None
                or amendment.opinion_until <= timezone.now()):
            raise OpinionClosed()
        require(rules.can_give_opinion(user, amendment), OpinionNotAllowed)
        row, created = AmendmentOpinion.objects.update_or_create(
            amendment=amendment, user=user,
            defaults={"opinion": opinion, "comment": comment, "created_at": timezone.now()})
        log_action("synthesis.amendment.opinion_given", actor=user, scope=campaign.slug, target=amendment.action,
                   amendment=amendment.pk, opinion=opinion)
    return row


def amendment_decide(*, by, campaign, amendment_id, decision: str, reason: str, title: str = "",
                     summary: str = "", body: str = ""):
    """Accept (the action's text becomes the one given, a new version "after the candidates",
    credited to the candidate), accept with changes (the same, saying the words differ from the
    suggestion), or decline; always with a written reason. The amendment's row lock makes two
    organisers deciding at once end with one decision (the second is told it is decided)."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    if decision not in (AmendmentStatus.ACCEPTED, AmendmentStatus.ACCEPTED_MODIFIED, AmendmentStatus.DECLINED):
        raise BadDecision()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        amendment = _amendment_locked(campaign, amendment_id)
        if amendment.is_decided:
            raise AlreadyDecided()
        amendment.status, amendment.decision_reason = decision, reason[:REASON_MAX]
        amendment.decided_by, amendment.decided_at = by, timezone.now()
        amendment.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        version = None
        if decision != AmendmentStatus.DECLINED:
            version = version_record(by=by, campaign=campaign, action_id=amendment.action_id,
                                     stage=VersionStage.CANDIDATES, title=title, summary=summary, body=body,
                                     reason=reason, amendment=amendment)
        log_action("synthesis.amendment.decided", actor=by, scope=campaign.slug, target=amendment.action,
                   amendment=amendment.pk, decision=decision, candidate=amendment.candidate_id,
                   reason=amendment.decision_reason, version=version.number if version else None)
    return amendment


def digest_opt_in_set(*, user, campaign, on: bool) -> bool:
    """A resident asks (or stops asking) to be told when an action they supported ends different."""
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    with transaction.atomic():
        if on:
            _row, created = DigestOptIn.objects.get_or_create(campaign=campaign, user=user,
                                                              defaults={"created_at": timezone.now()})
            changed = created
        else:
            changed = DigestOptIn.objects.filter(campaign=campaign, user=user).delete()[0] > 0
        if changed:
            log_action("synthesis.digest.opted_in" if on else "synthesis.digest.opted_out", actor=user,
                       scope=campaign.slug)
    return changed


def digest_send(*, by, campaign, base_url: str) -> int:
    """Send the supporters' digest (a background task): one e-mail per opted-in person not told
    yet, listing the actions they supported whose final text differs. Returns how many are due."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    due = selectors.digest_rows(campaign)
    if due:
        campaign_id = campaign.pk
        transaction.on_commit(lambda: tasks.send_supporters_digest.enqueue(
            campaign_id=campaign_id, base_url=base_url))
    log_action("synthesis.digest.requested", actor=by, scope=campaign.slug, count=len(due))
    return len(due)


def support_withdraw_after_change(*, user, campaign, action_id):
    """A supporter told the text changed withdraws their support (through ``proposals``)."""
    action = selectors.public_action_get(campaign, action_id)
    supported = [row["created_at"] for row in proposal_selectors.supports_of_actions([action.pk])
                 if row["user_id"] == getattr(user, "pk", None)]
    # After participation closed, only a support given before the text last changed may go.
    changed = bool(supported) and ActionVersion.objects.filter(action=action, number__gte=2,
                                                               created_at__gt=supported[0]).exists()
    withdrawn = proposal_services.support_withdraw(user=user, action=action, text_changed=changed)
    if withdrawn:
        log_action("synthesis.digest.support_withdrawn", actor=user, scope=campaign.slug, target=action)
    return withdrawn


# -- followup --
# The elected list, its commitments, their dated updates, the CSV import, subscriptions.

UPDATE_TITLE_MAX = 140


def elected_list_mark(*, by, campaign, candidate_id, reason: str = "", now=None) -> ElectedList:
    """Mark the list the election put in the town hall, once the last round's polls have closed, and
    make its commitments from its positions (``selectors.COMMITMENT_STANCES``). Marking another list
    later needs a reason; the former list's commitments and updates are kept, off the board."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    now = now or timezone.now()
    rounds = election_rounds(campaign)
    if not rounds:
        raise ElectionNotSet()
    if not selectors.election_is_over(campaign, now):
        end = timezone.localtime(selectors.election_end(campaign))
        raise ElectionNotOver(message=str(ElectionNotOver.message) + " " + _(
            "They close on %(date)s at %(time)s.") % {"date": end.strftime("%d/%m/%Y"), "time": end.strftime("%H:%M")})
    try:
        candidate = live_selectors.candidate_get(campaign, candidate_id)
    except NotFound:
        raise FieldErrors({"candidate": _("Choose one of the lists that stood.")}) from None
    reason = (reason or "").strip()[:REASON_MAX]
    with transaction.atomic():
        current = ElectedList.objects.select_for_update().filter(campaign=campaign).first()
        if current is not None and current.candidate_id == candidate.pk:
            raise ElectedListUnchanged()
        if current is not None and not reason:
            raise ReasonRequired()
        stances = selectors.candidate_stances(campaign, candidate)
        published = {a.pk for a in proposal_selectors.published_actions(campaign)}
        day = rounds[-1].vote_date
        made = 0
        for action_id, stance in stances.items():
            if stance not in selectors.COMMITMENT_STANCES or action_id not in published:
                continue
            commitment, created = Commitment.objects.get_or_create(
                action_id=action_id, candidate=candidate,
                defaults={"campaign": campaign, "stance": stance, "status_since": day, "created_at": now})
            made += created
        if current is None:
            elected = ElectedList.objects.create(campaign=campaign, candidate=candidate,
                                                 round_number=rounds[-1].number, marked_by=by, marked_at=now)
            log_action("synthesis.elected_list.marked", actor=by, scope=campaign.slug, target=elected,
                       list=candidate.list_name, commitments=made)
        else:
            former = current.candidate
            current.candidate, current.marked_by, current.marked_at = candidate, by, now
            current.round_number = rounds[-1].number
            current.save(update_fields=["candidate", "marked_by", "marked_at", "round_number"])
            elected = current
            log_action("synthesis.elected_list.changed", actor=by, scope=campaign.slug, target=elected,
                       list=candidate.list_name, former=former.list_name, reason=reason, commitments=made)
    return elected


def _update_errors(*, commitment, title, happened_on, status, note, evidence_url, today) -> dict:
    errors = {}
    if not title:
        errors["title"] = _("Write a title: what happened, in a few words.")
    elif len(title) > UPDATE_TITLE_MAX:
        errors["title"] = _("The title is too long (%(max)s characters at most).") % {"max": UPDATE_TITLE_MAX}
    election = selectors.election_day(commitment.campaign)
    if not isinstance(happened_on, datetime.date):
        errors["happened_on"] = _("Give the date of what happened, such as 14/03/2027.")
    elif happened_on > today:
        errors["happened_on"] = _("This date is in the future: an update says what has happened.")
    elif election is not None and happened_on < election:
        errors["happened_on"] = _("This date is before the election (%(date)s): the follow-up starts "
                                  "with the term.") % {"date": election.strftime("%d/%m/%Y")}
    if status not in CommitmentStatus.values:
        errors["status"] = _("Choose a status.")
    if len(note) > REASON_MAX:
        errors["note"] = _("The note is too long (%(max)s characters at most).") % {"max": REASON_MAX}
    if evidence_url:
        try:
            URLValidator(schemes=["https"])(evidence_url)
        except ValidationError:
            errors["evidence_url"] = _("The evidence must be a web address starting with https://.")
        else:
            if len(evidence_url) > 200:
                errors["evidence_url"] = _("This address is too long (200 characters at most).")
    return errors


def _same_update(existing, *, commitment, title, happened_on, status, note, evidence_url) -> bool:
    return (existing.commitment_id == commitment.pk and existing.title == title
            and existing.happened_on == happened_on and existing.status == status
            and existing.note == note and existing.evidence_url == evidence_url)


def _refresh_status(commitment) -> None:
    latest = CommitmentUpdate.objects.filter(commitment=commitment).order_by("-happened_on", "-pk").first()
    if latest is not None and (commitment.status, commitment.status_since) != (latest.status, latest.happened_on):
        commitment.status, commitment.status_since = latest.status, latest.happened_on
        commitment.save(update_fields=["status", "status_since"])


def _parse_client_id(client_id):
    if client_id in (None, ""):
        return uuid.uuid4()
    try:
        return uuid.UUID(str(client_id))
    except ValueError:
        raise FieldErrors({"client_id": _("The client id must be a UUID.")}) from None


def _add_update(*, by, commitment, client_id, title, happened_on, status, note, evidence_url, today):
    """(update, created) after the checks; the caller holds the transaction."""
    existing = CommitmentUpdate.objects.filter(client_id=client_id).first()
    fields = {"commitment": commitment, "title": title, "happened_on": happened_on, "status": status,
              "note": note, "evidence_url": evidence_url}
    if existing is not None:
        if _same_update(existing, **fields):
            return existing, False
        raise FieldErrors({"client_id": _(
            "This client id is already used by another update: updates are never edited, give a correction "
            "a new client id.")})
    errors = _update_errors(**fields, today=today)
    if errors:
        raise FieldErrors(errors)
    update = CommitmentUpdate.objects.create(client_id=client_id, created_by=by, created_at=timezone.now(), **fields)
    before = commitment.status
    _refresh_status(commitment)
    log_action("synthesis.commitment.updated", actor=by, scope=commitment.campaign.slug, target=commitment,
               action=commitment.action.title, title=title, date=happened_on.isoformat(), status=status,
               before=before, after=commitment.status, evidence=evidence_url)
    transaction.on_commit(lambda: _notify_update(update.pk))
    return update, True


def _notify_update(update_id: int) -> None:
    tasks.notify_commitment_update.enqueue(update_id=update_id)


def commitment_update_add(*, by, campaign, commitment_id, title: str, happened_on, status: str, note: str = "",
                          evidence_url: str = "", client_id=None, today=None) -> tuple[CommitmentUpdate, bool]:
    """A dated update of a commitment (what happened, the status it leads to, the evidence). It is
    never edited: a correction is a new update. The commitment takes the status of its latest update
    by date. A ``client_id`` already recorded with the same content adds nothing (retries, imports)."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    commitment = selectors.commitment_get(campaign, commitment_id)
    client_id = _parse_client_id(client_id)
    today = today or timezone.localdate()
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update().select_related("action", "campaign").get(pk=commitment.pk)
        return _add_update(by=by, commitment=commitment, client_id=client_id, title=(title or "").strip(),
                           happened_on=happened_on, status=status or "", note=(note or "").strip(),
                           evidence_url=(evidence_url or "").strip(), today=today)


def commitment_updates_import(*, by, campaign, data: bytes, today=None) -> dict:
    """Status updates from a CSV in the export's format (``followup_csv``): every line is checked
    first; one wrong line and nothing is imported (``FollowupImportErrors`` lists them, in French).
    Returns {"added": n, "unchanged": n}."""
    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    if selectors.elected_list(campaign) is None:
        raise NoElectedList()
    today = today or timezone.localdate()
    lines, errors = followup_csv.read(data)
    board = {c.pk: c for c in selectors.commitments(campaign)}
    known = {str(u.client_id): u for u in CommitmentUpdate.objects.filter(
        client_id__in=[_csv_uuid(cells["client_id"]) for _n, cells in lines if _csv_uuid(cells["client_id"])])}
    seen: set[str] = set()
    prepared = []
    for number, cells in lines:
        problems = []
        commitment = board.get(int(cells["commitment_id"])) if cells["commitment_id"].isdigit() else None
        client_id = _csv_uuid(cells["client_id"])
        happened_on = followup_csv.parse_date(cells["date"])
        status = followup_csv.parse_status(cells["status"])
        if commitment is None:
            problems.append(_("no commitment %(id)s on the board") % {"id": cells["commitment_id"] or "?"})
        if client_id is None:
            problems.append(_("client_id must be a UUID (give each new line its own)"))
        elif str(client_id) in seen:
            problems.append(_("this client_id is already on another line of the file"))
        if happened_on is None:
            problems.append(_("the date must read like 2027-03-14"))
        if status is None:
            problems.append(_("unknown status “%(status)s”") % {"status": cells["status"]})
        if not problems:
            seen.add(str(client_id))
            fields = {"commitment": commitment, "title": cells["title"], "happened_on": happened_on,
                      "status": status, "note": cells["note"], "evidence_url": cells["evidence_url"]}
            existing = known.get(str(client_id))
            if existing is not None:
                if not _same_update(existing, **fields):
                    problems.append(_("this client_id is already recorded with other content: updates are "
                                      "never edited, give the corrected line a new client_id"))
            else:
                problems.extend(str(m) for m in _update_errors(**fields, today=today).values())
                prepared.append((client_id, fields))
        if problems:
            errors.append((number, "; ".join(str(p) for p in problems)))
    if errors:
        raise FollowupImportErrors(sorted(errors))
    added = 0
    with transaction.atomic():
        for client_id, fields in prepared:
            commitment = Commitment.objects.select_for_update().select_related("action", "campaign").get(
                pk=fields["commitment"].pk)
            _update, created = _add_update(by=by, client_id=client_id, today=today, **{**fields,
                                                                                     "commitment": commitment})
            added += created
        log_action("synthesis.commitment.imported", actor=by, scope=campaign.slug, added=added,
                   unchanged=len(lines) - added)
    return {"added": added, "unchanged": len(lines) - added}


def _csv_uuid(text):
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def action_subscribe(*, user, campaign, action_id) -> bool:
    """A signed-in person asks to hear about a commitment's action (True when newly subscribed)."""
    if user is None or not user.is_authenticated:
        raise SynthesisNotFound()
    commitment = next((c for c in selectors.commitments(campaign) if c.action_id == _int(action_id)), None)
    if commitment is None:
        raise CommitmentNotFound()
    _sub, created = ActionSubscription.objects.get_or_create(
        action=commitment.action, user=user, defaults={"created_at": timezone.now()})
    if created:
        log_action("synthesis.subscription.added", actor=user, scope=campaign.slug, target=commitment.action)
    return created


def action_unsubscribe(*, user_id: int, action_id: int) -> bool:
    """Stop the news about an action (the e-mail's signed link, or the button): True when removed."""
    sub = ActionSubscription.objects.filter(user_id=user_id, action_id=action_id).select_related(
        "user", "action__campaign").first()
    if sub is None:
        return False
    with transaction.atomic():
        sub.delete()
        log_action("synthesis.subscription.removed", actor=sub.user, scope=sub.action.campaign.slug,
                   target=sub.action)
    return True


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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

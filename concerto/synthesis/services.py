"""Synthesis writes: one function per thing an organiser does, keyword-only, transactional, audited."""

from django.db import transaction
from django.utils import timezone

from concerto.core.audit import log_action
from concerto.core.http import require
from concerto.proposals import selectors as proposal_selectors
from concerto.proposals import services as proposal_services

from . import rules
from .errors import NothingChanged, ReasonRequired, SynthesisNotFound
from .models import REASON_MAX, ActionVersion, VersionStage


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

def _amend_models():
    from .models import DECIDED, Amendment, AmendmentOpinion, AmendmentStatus, DigestOptIn, Opinion
    return DECIDED, Amendment, AmendmentOpinion, AmendmentStatus, DigestOptIn, Opinion


def amendments_collect(*, by, campaign) -> int:
    """One amendment per improvement a candidate suggested (a position recorded on the set, or a
    written reaction), on a published action. Collecting again adds only the new ones."""
    from concerto.live_event import selectors as live_selectors

    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    _D, Amendment, *_rest = _amend_models()
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
    from .errors import AmendmentNotFound

    _D, Amendment, *_rest = _amend_models()
    found = (Amendment.objects.select_for_update().filter(campaign=campaign, pk=amendment_id).first()
             if str(amendment_id).isdigit() else None)
    if found is None:
        raise AmendmentNotFound()
    return found


def amendment_anchor(*, by, campaign, amendment_id, quote: str):
    """Anchor the amendment to a passage of the action's current text (W3C TextQuoteSelector: the
    passage exactly, with the words just before and after it). An empty passage anchors it to the
    whole action."""
    from . import diff
    from .errors import AlreadyDecided, QuoteNotFound
    from .models import ANCHOR_MAX

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
    from .errors import AlreadyDecided, BadOpinionDate

    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    _D, _A, _O, AmendmentStatus, *_rest = _amend_models()
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
    from .errors import BadOpinion, OpinionClosed, OpinionNotAllowed

    _D, _A, AmendmentOpinion, AmendmentStatus, _Di, Opinion = _amend_models()
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
    from .errors import AlreadyDecided, BadDecision

    require(rules.can_manage_synthesis(by, campaign), SynthesisNotFound)
    _D, _A, _O, AmendmentStatus, *_rest = _amend_models()
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
    from django.utils.translation import gettext as _

    from concerto.core.errors import NotAllowed

    *_rest, DigestOptIn, _O = _amend_models()
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
    from . import selectors, tasks

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
    from . import selectors

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

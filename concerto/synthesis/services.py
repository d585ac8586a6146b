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

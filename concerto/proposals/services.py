"""Writes about actions, supports and comments: one function per thing a person does."""

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from concerto.campaigns.errors import SectorNotFound
from concerto.campaigns.live import figures_changed, figures_topic
from concerto.campaigns.selectors import campaign_is_archived
from concerto.core import live, ratelimit
from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors, Invalid, NotAllowed
from concerto.core.http import require
from concerto.core.state import bump as state_bump
from concerto.core.state import viewer_changed
from concerto.core.text import clean_block, clean_line, render_markdown, search_key
from concerto.residents import rules as resident_rules
from concerto.residents.services import erased_address_hash, resident_join

from . import rules
from .errors import (
    ActionNotFound,
    ActionNotSupportable,
    CannotSupport,
    CommentNotFound,
    NotPending,
    NotTheAuthor,
    SupportedBeforeErasure,
    ThemeInUse,
    ThemeNotFound,
    WrongStatus,
)
from .models import (
    Action,
    ActionStatus,
    Channel,
    Comment,
    CommentReport,
    CommentStatus,
    Origin,
    ReportKind,
    Support,
    Theme,
)

TITLE_MIN, TITLE_MAX = 5, 140
SUMMARY_MIN, SUMMARY_MAX = 10, 300
BODY_MAX = 5000
COMMENT_MAX = 2000
REASON_MAX = 300


def _validated_fields(*, campaign, title, summary, body, theme_id, place) -> dict:
    errors = {}
    title = clean_line(title or "")
    summary = clean_line(summary or "")
    body = clean_block(body or "")
    place = clean_line(place or "")
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        errors["title"] = _("The title must have between %(min)s and %(max)s characters.") % {
            "min": TITLE_MIN, "max": TITLE_MAX}
    if not SUMMARY_MIN <= len(summary) <= SUMMARY_MAX:
        errors["summary"] = _("The summary must have between %(min)s and %(max)s characters.") % {
            "min": SUMMARY_MIN, "max": SUMMARY_MAX}
    if len(body) > BODY_MAX:
        errors["body"] = _("The description is limited to %(max)s characters.") % {"max": BODY_MAX}
    if len(place) > 140:
        errors["place"] = _("The place is limited to 140 characters.")
    theme = None
    if theme_id not in (None, ""):
        try:
            theme = Theme.objects.filter(campaign=campaign, pk=int(theme_id)).first()
        except (TypeError, ValueError):
            theme = None
        if theme is None:
            errors["theme"] = _("Choose one of the themes of this campaign.")
    if errors:
        raise FieldErrors(errors)
    return {
        "title": title,
        "summary": summary,
        "body": body,
        "body_html": render_markdown(body),
        "place": place,
        "theme": theme,
        "search_text": search_key(title, summary, body, place, theme.name if theme else ""),
        "title_key": search_key(title)[:TITLE_MAX],
    }


def action_propose(*, user, campaign, title, summary, body="", theme_id=None, place="", origin=Origin.ONLINE) -> Action:
    """A resident's new contribution; it waits for moderation before anyone else sees it."""
    if not rules.can_take_part(user, campaign):
        if not rules.participation_open(campaign):
            raise rules.closed_error(campaign)
        raise NotAllowed(_("You cannot propose in this campaign."))
    fields = _validated_fields(
        campaign=campaign, title=title, summary=summary, body=body, theme_id=theme_id, place=place
    )
    ratelimit.hit("contribution", f"{user.pk}")
    with transaction.atomic():
        resident_join(user=user, campaign=campaign)
        action = Action.objects.create(
            campaign=campaign, author=user, origin=origin, status=ActionStatus.PENDING, **fields
        )
        log_action("proposals.contribution.submitted", actor=user, scope=campaign.slug, target=action)
        figures_changed(campaign)
    return action


def action_propose_offline(*, by, user, campaign, title, summary, body="", theme_id=None, place="",
                           origin: str) -> Action:
    """A proposal dictated at a door or written on a paper form, recorded by ``by`` for ``user`` (the
    resident's account, its author): it waits for moderation like any contribution."""
    if origin not in (Origin.DOOR_TO_DOOR, Origin.PAPER):
        raise Invalid(_("Unknown origin."), code="origin_invalid")
    require(rules.can_record_offline(by, campaign, origin), NotAllowed(_("You cannot record proposals here.")))
    fields = _validated_fields(
        campaign=campaign, title=title, summary=summary, body=body, theme_id=theme_id, place=place
    )
    with transaction.atomic():
        action = Action.objects.create(
            campaign=campaign, author=user, origin=origin, status=ActionStatus.PENDING, **fields
        )
        log_action("proposals.contribution.submitted", actor=by, scope=campaign.slug, target=action,
                   origin=origin, on_behalf_of=user.pk)
        figures_changed(campaign)
    return action


def action_create_published(*, by, campaign, title, summary, body="", theme_id=None, place="", origin,
                            author=None) -> Action:
    """An action retained by the organisers (e.g. from a workshop): published at once.

    ``by`` is required and must organise the campaign; the demo loader and the shell use
    ``action_create_published_by_system`` instead, so no caller skips the check by omission."""
    if not rules.can_add_published_action(by, campaign, origin):
        raise NotAllowed(_("Only organisers can add actions directly."))
    if rules.frozen(campaign):  # article L49: nothing new is published on the eve of a vote
        raise rules.closed_error(campaign)
    return _action_published_create(campaign=campaign, title=title, summary=summary, body=body, theme_id=theme_id,
                                    place=place, origin=origin, author=author, actor=by)


def action_create_published_by_system(*, campaign, title, summary, body="", theme_id=None, place="", origin,
                                      author=None) -> Action:
    """Internal use only (demo loader, shell, tests' set-up): no person acts, so nothing is checked;
    the audit entry has no actor and says ``via="system"``. Never call it from a view or the API."""
    return _action_published_create(campaign=campaign, title=title, summary=summary, body=body, theme_id=theme_id,
                                    place=place, origin=origin, author=author, actor=None, via="system")


def _action_published_create(*, campaign, title, summary, body, theme_id, place, origin, author, actor,
                             **audit) -> Action:
    fields = _validated_fields(
        campaign=campaign, title=title, summary=summary, body=body, theme_id=theme_id, place=place
    )
    with transaction.atomic():
        action = Action.objects.create(
            campaign=campaign, author=author, origin=origin, status=ActionStatus.PUBLISHED,
            published_at=timezone.now(), **fields
        )
        log_action("proposals.action.created", actor=actor, scope=campaign.slug, target=action, origin=origin,
                   **audit)
        figures_changed(campaign)
    return action


def _moderated(moderator, action_id, campaign) -> Action:
    # Moderation is staff-only: anyone else is told what a missing action tells (the refusal rule).
    require(rules.can_moderate(moderator, campaign), ActionNotFound)
    action = Action.objects.select_for_update().filter(pk=action_id, campaign=campaign).first()
    if action is None:
        raise ActionNotFound()
    return action


def action_publish(*, moderator, campaign, action_id: int) -> Action:
    if rules.frozen(campaign):  # article L49: moderation waits until the polls close
        raise rules.closed_error(campaign)
    with transaction.atomic():
        action = _moderated(moderator, action_id, campaign)
        if action.status not in (ActionStatus.PENDING, ActionStatus.REJECTED):
            raise WrongStatus()
        action.status = ActionStatus.PUBLISHED
        action.rejection_reason = ""
        action.published_at = timezone.now()
        action.save(update_fields=["status", "rejection_reason", "published_at", "updated_at"])
        log_action("proposals.action.published", actor=moderator, scope=campaign.slug, target=action)
        figures_changed(campaign)
    return action


def action_reject(*, moderator, campaign, action_id: int, reason: str) -> Action:
    reason = clean_block(reason or "")
    if not 5 <= len(reason) <= 1000:
        raise FieldErrors({"reason": _("Explain the rejection to the author (5 to 1000 characters).")})
    with transaction.atomic():
        action = _moderated(moderator, action_id, campaign)
        if action.status not in (ActionStatus.PENDING, ActionStatus.PUBLISHED):
            raise WrongStatus()
        if action.support_count:
            # Supports would silently disappear from the public count: merge instead.
            raise Invalid(_("This action already has supports: merge it into another action instead."),
                          code="has_supports")
        if action.merged_from.exists():
            # Contributions merged into it point here publicly: a merge target stays public.
            raise Invalid(_("Other contributions were merged into this action: it cannot be rejected."),
                          code="has_merged")
        action.status = ActionStatus.REJECTED
        action.rejection_reason = reason
        action.save(update_fields=["status", "rejection_reason", "updated_at"])
        log_action("proposals.action.rejected", actor=moderator, scope=campaign.slug, target=action)
        figures_changed(campaign)
    return action


def action_merge(*, moderator, campaign, action_id: int, into_id) -> Action:
    """Merge an action into a published one. Supports move over; a resident who supported both counts once."""
    try:
        into_id = int(into_id)
    except (TypeError, ValueError):
        raise FieldErrors({"into": _("Choose the action to merge into.")}) from None
    if into_id == action_id:
        raise FieldErrors({"into": _("An action cannot be merged into itself.")})
    with transaction.atomic():
        # Lock in id order so two crossed merges cannot deadlock.
        first, second = sorted([action_id, into_id])
        _moderated(moderator, first, campaign)
        _moderated(moderator, second, campaign)
        action = Action.objects.get(pk=action_id)
        target = Action.objects.filter(pk=into_id, campaign=campaign).first()
        if target is None or target.status != ActionStatus.PUBLISHED:
            raise FieldErrors({"into": _("The action to merge into must be published in this campaign.")})
        if action.status not in (ActionStatus.PENDING, ActionStatus.PUBLISHED):
            raise WrongStatus()
        both = Support.objects.filter(action=target, user__isnull=False).values("user_id")
        duplicates, _unused = Support.objects.filter(action=action, user_id__in=both).delete()
        moved = Support.objects.filter(action=action).update(action=target)
        state_bump()  # many people's cached supported actions changed (concerto.core.state)
        Comment.objects.filter(action=action).update(action=target)
        target.support_count = Support.objects.filter(action=target).count()
        target.comment_count = Comment.objects.filter(action=target, status=CommentStatus.VISIBLE).count()
        target.save(update_fields=["support_count", "comment_count", "updated_at"])
        action.status = ActionStatus.MERGED
        action.merged_into = target
        action.support_count = 0
        action.comment_count = 0
        action.save(update_fields=["status", "merged_into", "support_count", "comment_count", "updated_at"])
        entry = log_action("proposals.action.merged", actor=moderator, scope=campaign.slug, target=action,
                           into=target.pk, supports_moved=moved, duplicates_removed=duplicates)
        live.publish(action_topic(target.pk), {"supports": target.support_count}, version=entry.pk)
        live.publish(action_topic(action.pk), {"supports": 0}, version=entry.pk)
        figures_changed(campaign)
    return action


EDITABLE_FIELDS = ("title", "summary", "body", "theme")


def action_edit_by_moderator(*, moderator, campaign, action_id: int, title, summary, body="",
                             theme_id=None) -> Action:
    """A moderator corrects a pending contribution before publishing it (a typo, a name, the theme).

    Its author is told (``edited_by_moderation_at``, shown on the action's page and in "My space");
    the audit entry keeps each changed field before and after. Place and origin are left as they are."""
    with transaction.atomic():
        action = _moderated(moderator, action_id, campaign)
        if action.status != ActionStatus.PENDING:
            raise WrongStatus()
        fields = _validated_fields(campaign=campaign, title=title, summary=summary, body=body,
                                   theme_id=theme_id, place=action.place)
        theme = fields["theme"]
        before = {"title": action.title, "summary": action.summary, "body": action.body,
                  "theme": action.theme.name if action.theme_id else ""}
        after = {"title": fields["title"], "summary": fields["summary"], "body": fields["body"],
                 "theme": theme.name if theme else ""}
        changed = [name for name in EDITABLE_FIELDS if before[name] != after[name]]
        if not changed:
            return action
        for name, value in fields.items():
            setattr(action, name, value)
        action.edited_by_moderation_at = timezone.now()
        action.save(update_fields=["title", "summary", "body", "body_html", "theme", "search_text", "title_key",
                                   "edited_by_moderation_at", "updated_at"])
        log_action("proposals.action.edited", actor=moderator, scope=campaign.slug, target=action,
                   before={name: before[name] for name in changed}, after={name: after[name] for name in changed})
    return action


def action_text_revise(*, by, campaign, action_id: int, title, summary, body="") -> tuple[Action, dict]:
    """An organiser sets a published action's text to a new version (``synthesis`` records the
    version, its reason and its author; this keeps the action's page and search in step).

    Returns the action and the fields as they were. Theme, place and origin stay as they are. Raises
    ``FieldErrors`` on a text the proposal form would refuse."""
    require(resident_rules.is_organiser(by, campaign), ActionNotFound)
    action = Action.objects.select_for_update().filter(pk=action_id, campaign=campaign).first()
    if action is None:
        raise ActionNotFound()
    if action.status != ActionStatus.PUBLISHED:
        raise WrongStatus()
    fields = _validated_fields(campaign=campaign, title=title, summary=summary, body=body,
                               theme_id=action.theme_id, place=action.place)
    before = {"title": action.title, "summary": action.summary, "body": action.body}
    for name in ("title", "summary", "body", "body_html", "search_text", "title_key"):
        setattr(action, name, fields[name])
    action.save(update_fields=["title", "summary", "body", "body_html", "search_text", "title_key", "updated_at"])
    state_bump()
    return action, before


def action_withdraw(*, user, campaign, action_id: int) -> Action:
    """The author takes back a contribution that no moderator has decided on yet.

    Only its author may, only while it is pending; it stays in their "My space" as withdrawn and
    nobody else sees it (like a rejected one). Anyone who may not see it is told it does not exist."""
    if user is None or not user.is_authenticated:
        raise ActionNotFound()
    with transaction.atomic():
        action = Action.objects.select_for_update().filter(pk=action_id, campaign=campaign).first()
        if action is None:
            raise ActionNotFound()
        action.campaign = campaign
        if action.author_id != user.pk:
            if not rules.can_view_action(user, action):
                raise ActionNotFound()
            raise NotTheAuthor()
        if action.status != ActionStatus.PENDING:
            raise NotPending()
        action.status = ActionStatus.WITHDRAWN
        action.save(update_fields=["status", "updated_at"])
        log_action("proposals.contribution.withdrawn", actor=user, scope=campaign.slug, target=action)
        figures_changed(campaign)
    return action


def action_topic(action_id) -> str:
    """The live topic of an action's support count (registered in ``proposals.live``)."""
    return f"action:{action_id}"


def _support_count_add(action_id: int, delta: int, *, published_only: bool = False) -> int | None:
    """Add ``delta`` to the counter and return its new value in the same statement (UPDATE …
    RETURNING, SQLite ≥ 3.35 and PostgreSQL): the live update needs the count, not another query.
    None when no row matched (not published, with ``published_only``)."""
    table = Action._meta.db_table
    sql = f"UPDATE {table} SET support_count = support_count + %s WHERE id = %s"  # noqa: S608 - our own table name
    params = [delta, action_id]
    if published_only:
        sql += " AND status = %s"
        params.append(ActionStatus.PUBLISHED)
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING support_count", params)
        row = cursor.fetchone()
    return row[0] if row else None


def _supports_changed(action, count: int, entry) -> None:
    # The audit entry is written under the action's row lock, so its id grows in commit order:
    # the version that keeps a late, older count from overwriting a newer one.
    # One round trip after commit for both: the count (full state) and the figures' "changed".
    live.publish_many([(action_topic(action.pk), {"supports": count}, entry.pk),
                       (figures_topic(action.campaign.slug), None, None)])


def support_add(*, user, action: Action, channel: str = Channel.ONLINE) -> bool:
    """Add the user's support; True if added, False if it already existed (a retry is harmless)."""
    campaign = action.campaign
    if not rules.can_take_part(user, campaign):
        if not rules.participation_open(campaign):
            raise rules.closed_error(campaign)
        raise CannotSupport()
    if channel not in Channel.values:
        raise Invalid(_("Unknown channel."), code="channel_invalid")
    ratelimit.hit("support", f"{user.pk}")
    if user.email and Support.objects.filter(
        action_id=action.pk, user__isnull=True,
        erased_address_hash=erased_address_hash(email=user.email, campaign_id=campaign.pk),
    ).exists():
        raise SupportedBeforeErasure()
    if not resident_rules.is_resident(user, campaign):
        resident_join(user=user, campaign=campaign)
    return _support_insert(user=user, action=action, channel=channel, actor=user)


def _support_insert(*, user, action: Action, channel: str, actor, **audit) -> bool:
    try:
        with transaction.atomic():
            # The conditional UPDATE takes the row lock and re-checks the status after any
            # concurrent merge, so no support lands on an action that stopped being published.
            count = _support_count_add(action.pk, 1, published_only=True)
            if count is None:
                raise ActionNotSupportable()
            Support.objects.create(action_id=action.pk, user=user, channel=channel)
            viewer_changed(user.pk, "supported")  # their cached supported actions (concerto.core.state)
            entry = log_action("proposals.support.added", actor=actor, scope=action.campaign.slug, target=action,
                               channel=channel, **audit)
            _supports_changed(action, count, entry)
    except IntegrityError:
        return False  # already supported: the whole transaction, counter included, rolled back
    return True


def support_record_offline(*, by, user, action: Action, channel: str) -> bool:
    """A support given at a door or on a paper form, recorded by ``by`` (the ambassador, or the staff
    member typing the form) for ``user``, the resident's account. True if added, False if ``user``
    already supported the action (then it confirms it and counts nothing more).

    The caller (fieldwork) checked the resident's consent and when the capture was made: the support
    window of a door visit is the door-to-door phase, not the online participation phase."""
    if channel not in (Channel.DOOR_TO_DOOR, Channel.PAPER):
        raise Invalid(_("Unknown channel."), code="channel_invalid")
    require(rules.can_record_offline(by, action.campaign, channel), CannotSupport())
    return _support_insert(user=user, action=action, channel=channel, actor=by, on_behalf_of=user.pk)


def supports_transfer(*, from_user, to_user, campaign) -> dict:
    """Someone met offline (``from_user``) is recognised as ``to_user``: their supports in the
    campaign become ``to_user``'s. An action both supported keeps one support: the offline one is
    removed and counted off (a confirmation, not a second voice). Returns the numbers moved and
    confirmed. The caller holds the transaction."""
    moved = confirmed = 0
    with transaction.atomic():
        rows = list(Support.objects.select_for_update().filter(user=from_user, action__campaign=campaign)
                    .select_related("action"))
        already = set(Support.objects.filter(user=to_user, action__campaign=campaign)
                      .values_list("action_id", flat=True))
        for support in rows:
            if support.action_id in already:
                count = _support_count_add(support.action_id, -1)
                support.delete()
                confirmed += 1
                entry = log_action("proposals.support.confirmed", actor=to_user, scope=campaign.slug,
                                   target=support.action, channel=support.channel, merged_from=from_user.pk)
                _supports_changed(support.action, count, entry)
            else:
                Support.objects.filter(pk=support.pk).update(user=to_user)
                moved += 1
        Action.objects.filter(campaign=campaign, author=from_user).update(author=to_user)
        viewer_changed(to_user.pk, "supported")
        viewer_changed(from_user.pk, "supported")
    return {"moved": moved, "confirmed": confirmed}


def support_withdraw(*, user, action: Action, text_changed: bool = False) -> bool:
    """Withdraw the user's support; True if there was one.

    ``text_changed``: the action's text changed after this person supported it (``synthesis`` checks
    it); they may then withdraw after participation closed, except during the eve-of-vote freeze or
    once the campaign is archived."""
    if not rules.participation_open(action.campaign) and not (
            text_changed and not campaign_is_archived(action.campaign) and not rules.frozen(action.campaign)):
        raise rules.closed_error(action.campaign)
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    ratelimit.hit("support", f"{user.pk}")
    with transaction.atomic():
        # Lock the action row first, in the same order as support_add, or an add and a withdraw
        # of the same person deadlock (one holds the action row, the other the support row).
        list(Action.objects.select_for_update().filter(pk=action.pk).values_list("pk", flat=True))
        deleted, _unused = Support.objects.filter(action_id=action.pk, user=user).delete()
        viewer_changed(user.pk, "supported")  # their cached supported actions (concerto.core.state)
        if not deleted:
            return False
        count = _support_count_add(action.pk, -1)
        entry = log_action("proposals.support.withdrawn", actor=user, scope=action.campaign.slug, target=action)
        _supports_changed(action, count, entry)
    return True


def comment_add(*, user, action: Action, body: str) -> Comment:
    if not rules.can_comment(user, action):
        if not rules.participation_open(action.campaign):
            raise rules.closed_error(action.campaign)
        raise NotAllowed(_("You cannot comment on this action."))
    body = clean_block(body or "")
    if not 2 <= len(body) <= COMMENT_MAX:
        raise FieldErrors({"body": _("A comment has between 2 and %(max)s characters.") % {"max": COMMENT_MAX}})
    ratelimit.hit("comment", f"{user.pk}")
    with transaction.atomic():
        if not resident_rules.is_resident(user, action.campaign):
            resident_join(user=user, campaign=action.campaign)
        comment = Comment.objects.create(action=action, author=user, body=body)
        Action.objects.filter(pk=action.pk).update(comment_count=F("comment_count") + 1)
        log_action("proposals.comment.added", actor=user, scope=action.campaign.slug, target=comment)
    return comment


def comment_report(*, user, comment: Comment, reason: str = "", kind: str = "") -> bool:
    """Report a comment to the moderators; True the first time this person reports it.

    ``kind`` is one of ``ReportKind`` (empty: "another reason", as API clients before issue 10 sent);
    ``reason`` is the reporter's own words. The moderators read both next to the comment."""
    if not rules.can_report_comment(user, comment):
        raise NotAllowed(_("You cannot report this comment."))
    kind = kind or ReportKind.OTHER
    if kind not in ReportKind.values:
        raise FieldErrors({"kind": _("Choose one of the reasons in the list.")})
    reason = clean_line(reason or "")[:REASON_MAX]
    ratelimit.hit("report", f"{user.pk}")
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, reporter=user, kind=kind, reason=reason)
            Comment.objects.filter(pk=comment.pk).update(open_report_count=F("open_report_count") + 1)
            log_action("proposals.comment.reported", actor=user, scope=comment.action.campaign.slug, target=comment)
    except IntegrityError:
        return False
    return True


def comment_hide(*, moderator, campaign, comment_id: int, reason: str) -> Comment:
    require(rules.can_moderate(moderator, campaign), CommentNotFound)
    reason = clean_line(reason or "")
    if not 3 <= len(reason) <= REASON_MAX:
        raise FieldErrors({"reason": _("Give the reason shown in place of the comment (3 to 300 characters).")})
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment_id, action__campaign=campaign).first()
        if comment is None:
            raise CommentNotFound()
        if comment.status == CommentStatus.HIDDEN:
            raise Invalid(_("This comment is already hidden."), code="already_hidden")
        comment.status = CommentStatus.HIDDEN
        comment.hidden_reason = reason
        comment.open_report_count = 0
        comment.save(update_fields=["status", "hidden_reason", "open_report_count"])
        CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(resolved_at=timezone.now())
        Action.objects.filter(pk=comment.action_id).update(comment_count=F("comment_count") - 1)
        log_action("proposals.comment.hidden", actor=moderator, scope=campaign.slug, target=comment, reason=reason)
    return comment


def comment_reports_dismiss(*, moderator, campaign, comment_id: int) -> Comment:
    """The moderator keeps the comment visible; open reports are closed."""
    require(rules.can_moderate(moderator, campaign), CommentNotFound)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment_id, action__campaign=campaign).first()
        if comment is None:
            raise CommentNotFound()
        CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(resolved_at=timezone.now())
        comment.open_report_count = 0
        comment.save(update_fields=["open_report_count"])
        log_action("proposals.comment.reports_dismissed", actor=moderator, scope=campaign.slug, target=comment)
    return comment


def participation_erase(*, user) -> None:
    """Before an account is deleted: drop its comments and reports, keeping every counter exact.

    Supports and contributions are kept: their foreign keys become NULL when the user row goes
    (supports stay counted, contributions stay published without an author). Each support keeps a
    keyed hash of the address for its campaign, so that signing up again with the same address
    cannot support the same action twice (accounts without an address, code + PIN, have none).
    """
    with transaction.atomic():
        if user.email:
            campaign_ids = set(Support.objects.filter(user=user).values_list("action__campaign_id", flat=True))
            for campaign_id in campaign_ids:
                Support.objects.filter(user=user, action__campaign_id=campaign_id).update(
                    erased_address_hash=erased_address_hash(email=user.email, campaign_id=campaign_id))
            viewer_changed(user.pk)  # their cached supports (concerto.core.state)
        visible_per_action = (
            Comment.objects.filter(author=user, status=CommentStatus.VISIBLE)
            .values("action_id").annotate(n=Count("id")).values_list("action_id", "n")
        )
        for action_id, n in visible_per_action:
            Action.objects.filter(pk=action_id).update(comment_count=F("comment_count") - n)
        open_reports = (
            CommentReport.objects.filter(reporter=user, resolved_at__isnull=True)
            .values("comment_id").annotate(n=Count("id")).values_list("comment_id", "n")
        )
        for comment_id, n in open_reports:
            Comment.objects.filter(pk=comment_id).update(open_report_count=F("open_report_count") - n)
        CommentReport.objects.filter(reporter=user).delete()
        Comment.objects.filter(author=user).delete()


# --------------------------------------------------------------------------------------------------
# Themes, edited by the campaign's organisers (issue 10)
# --------------------------------------------------------------------------------------------------

THEME_NAME_MAX = 80
THEME_SLUG_MAX = 40


def _theme_organiser(by, campaign) -> None:
    # Staff-only: anyone else is told what a missing theme tells (the one refusal rule).
    require(resident_rules.is_organiser(by, campaign), ThemeNotFound)


def _theme_name(campaign, name: str, *, theme_id=None) -> str:
    name = clean_line(name or "")
    if not name:
        raise FieldErrors({"name": _("Give the theme a name.")})
    if len(name) > THEME_NAME_MAX:
        raise FieldErrors({"name": _("The name is limited to %(max)s characters.") % {"max": THEME_NAME_MAX}})
    if Theme.objects.filter(campaign=campaign, name__iexact=name).exclude(pk=theme_id).exists():
        raise FieldErrors({"name": _("Another theme of this campaign already has this name.")})
    return name


def _theme_for(campaign, theme_id) -> Theme:
    try:
        theme_id = int(theme_id)
    except (TypeError, ValueError):
        raise ThemeNotFound() from None
    theme = Theme.objects.select_for_update().filter(campaign=campaign, pk=theme_id).first()
    if theme is None:
        raise ThemeNotFound()
    return theme


def _lock_themes(campaign) -> list[Theme]:
    """The campaign's themes in their order, locked: writers of the same campaign queue."""
    return list(Theme.objects.select_for_update().filter(campaign=campaign).order_by("position", "name", "pk"))


def _reindex_search(actions) -> None:
    """Actions are found by their theme's name too (``search_text``): recompute it after a rename or a merge."""
    actions = list(actions.select_related("theme"))
    for a in actions:
        a.search_text = search_key(a.title, a.summary, a.body, a.place, a.theme.name if a.theme_id else "")
    Action.objects.bulk_update(actions, ["search_text"], batch_size=500)


def theme_create(*, by, campaign, name: str) -> Theme:
    """A new theme, last in the order; its address (slug, used in the actions' filter) comes from the name."""
    _theme_organiser(by, campaign)
    with transaction.atomic():
        themes = _lock_themes(campaign)
        name = _theme_name(campaign, name)
        taken = {t.slug for t in themes}
        base = slugify(name)[:THEME_SLUG_MAX - 4].strip("-") or "theme"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        position = max((t.position for t in themes), default=0) + 1
        theme = Theme.objects.create(campaign=campaign, name=name, slug=slug, position=position)
        log_action("proposals.theme.created", actor=by, scope=campaign.slug, target=theme, name=name)
    return theme


def theme_rename(*, by, campaign, theme_id, name: str) -> Theme:
    """A new name; the address (slug) stays, so shared links to the filtered list keep working."""
    _theme_organiser(by, campaign)
    with transaction.atomic():
        _lock_themes(campaign)
        theme = _theme_for(campaign, theme_id)
        name = _theme_name(campaign, name, theme_id=theme.pk)
        before, theme.name = theme.name, name
        theme.save(update_fields=["name"])
        _reindex_search(Action.objects.filter(theme=theme))
        log_action("proposals.theme.renamed", actor=by, scope=campaign.slug, target=theme, name=name, before=before)
    return theme


def theme_move(*, by, campaign, theme_id, offset: int) -> Theme:
    """Move a theme up (``offset=-1``) or down (``+1``) in the order residents see."""
    _theme_organiser(by, campaign)
    if offset not in (-1, 1):
        raise FieldErrors({"offset": _("A theme moves one place up or down.")})
    with transaction.atomic():
        themes = _lock_themes(campaign)
        theme = _theme_for(campaign, theme_id)
        index = next(i for i, t in enumerate(themes) if t.pk == theme.pk)
        other = index + offset
        if 0 <= other < len(themes):
            themes[index], themes[other] = themes[other], themes[index]
        for position, t in enumerate(themes, start=1):
            t.position = position
        Theme.objects.bulk_update(themes, ["position"])
        theme = next(t for t in themes if t.pk == theme.pk)
        log_action("proposals.theme.moved", actor=by, scope=campaign.slug, target=theme, position=theme.position)
    return theme


def theme_delete(*, by, campaign, theme_id) -> None:
    """Delete a theme no action carries (``ThemeInUse`` otherwise: merge it with ``theme_merge``)."""
    _theme_organiser(by, campaign)
    with transaction.atomic():
        _lock_themes(campaign)
        theme = _theme_for(campaign, theme_id)
        if Action.objects.filter(theme=theme).exists():
            raise ThemeInUse()
        log_action("proposals.theme.deleted", actor=by, scope=campaign.slug, target=theme, name=theme.name)
        theme.delete()


def theme_merge(*, by, campaign, theme_id, into_id) -> Theme:
    """Every action of the theme goes to ``into_id``, then the theme is deleted. Returns the theme kept."""
    _theme_organiser(by, campaign)
    with transaction.atomic():
        _lock_themes(campaign)
        theme = _theme_for(campaign, theme_id)
        try:
            target = _theme_for(campaign, into_id)
        except ThemeNotFound:
            raise FieldErrors({"into": _("Choose one of the other themes of this campaign.")}) from None
        if target.pk == theme.pk:
            raise FieldErrors({"into": _("A theme cannot be merged into itself.")})
        moved_ids = list(Action.objects.filter(theme=theme).values_list("pk", flat=True))
        Action.objects.filter(pk__in=moved_ids).update(theme=target)
        _reindex_search(Action.objects.filter(pk__in=moved_ids))
        log_action("proposals.theme.merged", actor=by, scope=campaign.slug, target=theme, name=theme.name,
                   into=target.pk, into_name=target.name, actions_moved=len(moved_ids))
        theme.delete()
    return target


def actions_sector_move(*, by, campaign, source, target) -> int:
    """Actions placed in sector ``source`` go to ``target`` (a merge of sectors, dashboard.services.sector_merge)."""
    require(resident_rules.is_organiser(by, campaign), SectorNotFound)
    if source.campaign_id != campaign.pk or target.campaign_id != campaign.pk:
        raise ValueError("both sectors must belong to the campaign")
    with transaction.atomic():
        return Action.objects.filter(campaign=campaign, sector=source).update(sector=target)

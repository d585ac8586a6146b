"""Actions of a campaign, their supports and comments.

Reads accept anonymous callers; writes need a token. Pending and rejected actions answer 404
to everyone but their author and the moderators (``action_get_for``). No endpoint lists who
supports an action: a caller only ever learns about their own supports.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from concerto.campaigns.selectors import campaign_for_page, campaign_get
from concerto.proposals import rules
from concerto.proposals.selectors import (
    action_get_for,
    action_get_for_support,
    action_list,
    comment_get_for,
    similar_actions,
    supported_ids,
    visible_comments,
)
from concerto.proposals.services import (
    action_propose,
    action_withdraw,
    comment_add,
    comment_report,
    support_add,
    support_withdraw,
)

from .auth import OPTIONAL_AUTH_DOC, token_optional, token_required
from .pagination import paginate
from .schemas import (
    NOT_FOUND,
    READ_ERRORS,
    WRITE_ERRORS,
    ActionDetailOut,
    ActionFilters,
    ActionIn,
    ActionPage,
    CommentIn,
    CommentOut,
    CommentPage,
    Error,
    PageParams,
    ReportIn,
    ReportOut,
    SimilarActionOut,
    SupportOut,
)

router = Router(tags=["actions"])

READ = {"auth": token_optional, "openapi_extra": OPTIONAL_AUTH_DOC}
WRITE = {"auth": token_required}


def _mark_supported(user, actions) -> None:
    """Set ``supported_by_me`` on each action with one query; None for anonymous callers."""
    if not user.is_authenticated:
        for action in actions:
            action.supported_by_me = None
        return
    mine = supported_ids(user, [a.pk for a in actions])
    for action in actions:
        action.supported_by_me = action.pk in mine


def _with_viewer_fields(user, action):
    _mark_supported(user, [action])
    action.show_rejection_reason = rules.can_see_rejection_reason(user, action)
    return action


# --- Reads --------------------------------------------------------------------------------------


@router.get("/{slug}/actions", response={200: ActionPage, **READ_ERRORS, **NOT_FOUND},
            summary="Public actions of a campaign, filtered, sorted and paginated", **READ)


def list_actions(request, slug: str, filters: Query[ActionFilters]):
    campaign = campaign_get(slug)
    page = paginate(
        action_list(campaign, theme=filters.theme, origin=filters.origin or "",
                    status=filters.status or "", q=filters.q, sort=filters.sort),
        filters,
    )
    _mark_supported(request.auth, page["items"])
    return page


@router.get("/{slug}/actions/similar", response={200: list[SimilarActionOut], **READ_ERRORS, **NOT_FOUND},
            summary="Published actions whose title is close to q (accent- and typo-tolerant), closest first", **READ)


def list_similar_actions(request, slug: str, q: str = "", limit: int = 5):
    return similar_actions(campaign_get(slug), q[:200], max(1, min(limit, 20)))


@router.get("/{slug}/actions/{action_id}", response={200: ActionDetailOut, **READ_ERRORS, **NOT_FOUND},
            summary="One action (pending and rejected ones only for their author and moderators)", **READ)


def get_action(request, slug: str, action_id: int):
    action = action_get_for(request.auth, campaign_get(slug), action_id)
    return _with_viewer_fields(request.auth, action)


@router.get("/{slug}/actions/{action_id}/comments", response={200: CommentPage, **READ_ERRORS, **NOT_FOUND},
            summary="Comments of an action, oldest first (hidden ones show only the reason)", **READ)


def list_comments(request, slug: str, action_id: int, pages: Query[PageParams]):
    action = action_get_for(request.auth, campaign_get(slug), action_id)
    return paginate(visible_comments(action), pages)


# --- Writes -------------------------------------------------------------------------------------


@router.post("/{slug}/actions", response={201: ActionDetailOut, **WRITE_ERRORS},
             summary="Propose an action; it waits for moderation (status pending)", **WRITE)


def propose_action(request, slug: str, payload: ActionIn):
    action = action_propose(user=request.auth, campaign=campaign_get(slug), **payload.dict())
    return Status(201, _with_viewer_fields(request.auth, action))


@router.post("/{slug}/actions/{action_id}/withdraw", response={200: ActionDetailOut, **WRITE_ERRORS},
             summary="Withdraw your own contribution while it waits for moderation (status withdrawn)", **WRITE)


def withdraw_action(request, slug: str, action_id: int):
    action = action_withdraw(user=request.auth, campaign=campaign_get(slug), action_id=action_id)
    return _with_viewer_fields(request.auth, action)


@router.post("/{slug}/actions/{action_id}/support", response={200: SupportOut, 201: SupportOut, **WRITE_ERRORS},
             summary="Support an action (201 when added, 200 when you already supported it)", **WRITE)


def add_support(request, slug: str, action_id: int):
    # The campaign, its phases and the person's roles from the cache (exact: concerto.core.state).
    action = action_get_for_support(request.auth, campaign_for_page(slug, request.auth), action_id)
    created = support_add(user=request.auth, action=action)
    return Status(201 if created else 200, {"action_id": action.pk, "created": created})


@router.delete("/{slug}/actions/{action_id}/support", response={204: None, **WRITE_ERRORS},
               summary="Withdraw your support (404 when you did not support it)", **WRITE)


def withdraw_support(request, slug: str, action_id: int):
    action = action_get_for_support(request.auth, campaign_for_page(slug, request.auth), action_id)
    if not support_withdraw(user=request.auth, action=action):
        return Status(404, Error(code="no_support", message=_("You did not support this action.")))
    return Status(204, None)


@router.post("/{slug}/actions/{action_id}/comments", response={201: CommentOut, **WRITE_ERRORS},
             summary="Comment on a published action", **WRITE)


def add_comment(request, slug: str, action_id: int, payload: CommentIn):
    action = action_get_for(request.auth, campaign_get(slug), action_id)
    return Status(201, comment_add(user=request.auth, action=action, body=payload.body))


@router.post("/{slug}/comments/{comment_id}/report",
             response={200: ReportOut, 201: ReportOut, **WRITE_ERRORS},
             summary="Report a comment to the moderators (201 the first time, 200 after)", **WRITE)


def report_comment(request, slug: str, comment_id: int, payload: ReportIn | None = None):
    comment = comment_get_for(request.auth, campaign_get(slug), comment_id)
    created = comment_report(user=request.auth, comment=comment, reason=payload.reason if payload else "",
                             kind=payload.kind if payload else "")
    return Status(201 if created else 200, {"comment_id": comment.pk, "created": created})

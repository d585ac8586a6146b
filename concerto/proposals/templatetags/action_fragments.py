"""The parts of action pages that are the same for everyone, from the shared fragment cache.

Each tag builds a fragment's data from the objects the view already loaded (exact counts, the
current text) and adds, around it, only what belongs to the viewer: the "you support it" badge,
the report form with its CSRF token. See ``concerto.core.fragments`` for why no invalidation is
needed. A fragment's data is everything its template prints, and nothing of the viewer.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from concerto.core.fragments import fragment, mine_mark, report_mark

register = template.Library()


class _Shared:
    """``supported`` of a shared page: whose supports is not known when it is rendered."""

    def __bool__(self):
        return False


SHARED = _Shared()

# A comment id no database will reach: the report form is rendered once per page with it, then
# each comment gets a copy with its own id in its place.
PK_MARK = _PK_MARK = "987654321012345"


def card_data(slug: str, action) -> dict:
    return {
        "slug": slug, "pk": action.pk, "title": action.title, "summary": action.summary,
        "theme_name": action.theme.name if action.theme_id else "",
        "origin_label": str(action.get_origin_display()), "is_merged": action.is_merged,
        "support_count": action.support_count,
    }


def mine_badge() -> str:
    return format_html('<span class="badge mine">{}</span>', gettext("you support it"))


@register.simple_tag
def action_cards(campaign, actions, supported=None):
    """The list of action cards; ``supported``: the ids the viewer supports (their badge), or
    ``SHARED`` for a shared page (a marker the overlay fills in, ``core.fragments.overlay``)."""
    shared = supported is SHARED
    supported = supported or ()
    mine = mine_badge()
    parts = ['<ul class="action-list">']
    for action in actions:
        parts.append('<li class="card action-card">')
        parts.append(fragment("proposals/_action_card.html", card_data(campaign.slug, action)))
        if shared:
            parts.append(mine_mark(action.pk))
        elif action.pk in supported:
            parts.append(mine)
        parts.append("\n  </p>\n</li>")
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 - fragments are autoescaped templates; the rest is literal


@register.simple_tag
def action_head(campaign, action):
    """Title, badges, place and the merge notice of an action page."""
    merged_into = action.merged_into if action.is_merged and action.merged_into_id else None
    return fragment("proposals/_action_head.html", {
        "slug": campaign.slug, "title": action.title,
        "theme_name": action.theme.name if action.theme_id else "",
        "origin_label": str(action.get_origin_display()), "status": action.status,
        "status_label": str(action.get_status_display()), "place": action.place,
        "merged_into_id": merged_into.pk if merged_into else None,
        "merged_into_title": merged_into.title if merged_into else "",
    })


@register.simple_tag
def action_lead(action):
    """Summary and description (``body_html`` is the sanitized rendering of the description)."""
    return fragment("proposals/_action_lead.html", {"summary": action.summary, "body_html": action.body_html})


def comment_data(comment) -> dict:
    author = comment.author
    return {
        "is_hidden": comment.is_hidden, "hidden_reason": comment.hidden_reason,
        "author_name": str(author.public_name),
        "roles": tuple(str(m.get_role_display()) for m in getattr(author, "public_roles", ())),
        "created_at": comment.created_at, "body": comment.body,
    }


@register.simple_tag(takes_context=True)
def comment_items(context, campaign, comments, report_form):
    """The comments of one page; each visible comment of someone else gets the viewer's report form."""
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    shared = context.get("shared_page") is True  # the overlay adds the viewer's report forms
    report = ""
    if signed_in and not shared:
        report = render_to_string("proposals/_report_form.html", {
            "campaign": campaign, "pk": _PK_MARK, "report_form": report_form,
            "csrf_token": context.get("csrf_token"),
        })
    parts = ['<ol class="comments">']
    for comment in comments:
        parts.append(f'\n    <li id="comment-{int(comment.pk)}" class="comment">\n      ')
        parts.append(fragment("proposals/_comment.html", comment_data(comment)))
        if shared and not comment.is_hidden:
            parts.append(report_mark(comment.pk, comment.author_id))
        elif signed_in and not comment.is_hidden and comment.author_id != user.pk:
            parts.append(report.replace(_PK_MARK, str(int(comment.pk))))
        parts.append("\n    </li>")
    parts.append("\n  </ol>")
    return mark_safe("".join(parts))  # noqa: S308 - fragments and the form are autoescaped templates


@register.simple_tag
def filter_form(campaign, form, values, selects):
    """The filters above the list: the same for everyone who filters the same way."""
    return fragment("proposals/_filters.html", {
        "slug": campaign.slug, "q_label": str(form.fields["q"].label), "q": values.get("q", ""),
        "selects": tuple(
            (s["name"], str(s["label"]), tuple((str(v), str(t)) for v, t in s["choices"]), str(s["current"]))
            for s in selects),
    })

"""Erasing an account across apps: comments and reports go, counters stay exact."""

import pytest

from concerto.dashboard.services import account_delete
from concerto.proposals.models import Comment, CommentReport
from concerto.proposals.services import comment_add, comment_report

pytestmark = pytest.mark.django_db


def test_deleting_an_account_removes_its_comments_and_keeps_comment_counts_exact(
    resident_alice, resident_bob, published_action
):
    comment_add(user=resident_alice, action=published_action, body="Avis d'Alice")
    comment_add(user=resident_alice, action=published_action, body="Autre avis d'Alice")
    comment_add(user=resident_bob, action=published_action, body="Avis de Bob")

    account_delete(user=resident_alice)

    assert list(Comment.objects.values_list("body", flat=True)) == ["Avis de Bob"]
    published_action.refresh_from_db()
    assert published_action.comment_count == 1  # the page must not say "3 comments" above one


def test_deleting_an_account_removes_its_reports_and_keeps_report_counts_exact(
    resident_alice, resident_bob, published_action
):
    comment = comment_add(user=resident_bob, action=published_action, body="Avis de Bob")
    comment_report(user=resident_alice, comment=comment, reason="Je ne suis pas d'accord")

    account_delete(user=resident_alice)

    assert not CommentReport.objects.exists()
    comment.refresh_from_db()
    assert comment.open_report_count == 0

"""A support write over the API reads only what its rules need: a fixed number of statements,
and the counter it answers with is exact (issue 11: the write path at full speed)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from concerto.proposals.models import Action, Support

from .test_actions_write import support_path

# Token, action (the few columns the rules read), the erased-address check, then the write
# itself: counter, row, audit entry (+ transaction statements). The campaign, its phases and the
# person's roles come from the cache (concerto.core.state), exact after any change.
MAX_POST = 8
MAX_DELETE = 8


def test_support_then_withdraw_costs_a_fixed_number_of_statements(api, published_action, alice_token):
    path = support_path(published_action)
    api.post(path, token=alice_token)  # warm-up: Alice becomes a resident on her first support
    api.delete(path, token=alice_token)
    with CaptureQueriesContext(connection) as post:
        assert api.post(path, token=alice_token).status_code == 201
    with CaptureQueriesContext(connection) as delete:
        assert api.delete(path, token=alice_token).status_code == 204
    assert len(post.captured_queries) <= MAX_POST, [q["sql"] for q in post.captured_queries]
    assert len(delete.captured_queries) <= MAX_DELETE, [q["sql"] for q in delete.captured_queries]
    # No column the narrow fetch left out is read afterwards (that would be one query per column).
    for q in post.captured_queries + delete.captured_queries:
        assert '"proposals_action"."body"' not in q["sql"]


def test_counter_stays_exact(api, published_action, alice_token, bob_token):
    path = support_path(published_action)
    for token in (alice_token, bob_token, alice_token):
        api.post(path, token=token)
    api.delete(path, token=bob_token)
    published_action.refresh_from_db()
    assert published_action.support_count == Support.objects.filter(action=published_action).count() == 1
    assert Action.objects.get(pk=published_action.pk).support_count == 1


def test_a_change_of_campaign_or_roles_applies_to_the_next_write(api, published_action, alice_token):
    from concerto.campaigns.models import Campaign, Phase, PhaseKind

    path = support_path(published_action)
    assert api.post(path, token=alice_token).status_code == 201  # campaign, phases, roles now cached
    assert api.delete(path, token=alice_token).status_code == 204
    Phase.objects.filter(campaign=published_action.campaign, kind=PhaseKind.PARTICIPATION).update(is_closed=True)
    assert api.post(path, token=alice_token).status_code >= 400
    Phase.objects.filter(campaign=published_action.campaign, kind=PhaseKind.PARTICIPATION).update(is_closed=False)
    Campaign.objects.filter(pk=published_action.campaign_id).update(support_level="letter")
    assert api.post(path, token=alice_token).status_code >= 400  # Alice joined by e-mail, not with a letter

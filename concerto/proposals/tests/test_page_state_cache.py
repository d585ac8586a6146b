"""Signed-in pages read the campaign, its phases and themes, the viewer's roles and supports from
the cache (``core.state``): what a resident would notice if that went wrong — someone else's
roles or supports on my page, a change that shows late, a count that lags."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerto.campaigns.models import Campaign, Phase, PhaseKind, SupportLevel
from concerto.campaigns.services import campaign_archive, phase_update
from concerto.core import fragments, state
from concerto.proposals import views
from concerto.proposals.models import Action, Theme
from concerto.proposals.services import (
    action_create_published_by_system,
    action_merge,
    comment_add,
    support_add,
    support_withdraw,
    theme_move,
    theme_rename,
)
from concerto.residents.models import Role
from concerto.residents.services import role_grant, role_revoke


@pytest.fixture(autouse=True)
def _fresh_process_copies():
    state.held_clear()
    fragments.fragments_clear()
    yield
    state.held_clear()
    fragments.fragments_clear()


def list_url(campaign):
    return reverse("proposals:list", args=[campaign.slug])


def detail_url(action):
    return reverse("proposals:detail", args=[action.campaign.slug, action.pk])


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def offers_support(body) -> bool:
    return 'name="op" value="add"' in body


def offers_withdraw(body) -> bool:
    return 'value="withdraw"' in body


def letters_link(campaign) -> str:
    return reverse("letters:tracking", args=[campaign.slug])


def test_a_warm_page_reads_no_campaign_phase_theme_role_or_support_row(client, resident_bob, published_action):
    page(client, resident_bob, list_url(published_action.campaign))
    page(client, resident_bob, detail_url(published_action))
    for url in (list_url(published_action.campaign), detail_url(published_action)):
        with CaptureQueriesContext(connection) as ctx:
            page(client, resident_bob, url)
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        for table in ("campaigns_campaign", "campaigns_phase", "proposals_theme", "proposals_support",
                      "residents_organisationmembership"):
            assert f'FROM "{table}"' not in sql, (url, table)


def test_two_viewers_interleaved_never_see_each_others_roles_or_supports(
        client, resident_alice, resident_bob, organiser_dina, published_action):
    support_add(user=resident_alice, action=published_action)
    campaign = published_action.campaign
    for _round in range(3):  # same process, same cached copies, requests interleaved
        alice = page(client, resident_alice, detail_url(published_action))
        dina = page(client, organiser_dina, detail_url(published_action))
        bob = page(client, resident_bob, detail_url(published_action))
        bob_list = page(client, resident_bob, list_url(campaign))
        alice_list = page(client, resident_alice, list_url(campaign))
        assert offers_withdraw(alice) and not offers_support(alice)
        assert offers_support(bob) and not offers_withdraw(bob)
        assert 'class="badge mine"' in alice_list and 'class="badge mine"' not in bob_list
        assert letters_link(campaign) in dina
        for body in (alice, bob, bob_list, alice_list):
            assert letters_link(campaign) not in body


def test_support_and_withdrawal_show_at_once(client, resident_alice, resident_bob, published_action):
    url = detail_url(published_action)
    assert offers_support(page(client, resident_alice, url))
    support_add(user=resident_alice, action=published_action)
    body = page(client, resident_alice, url)
    assert offers_withdraw(body) and "1 soutien" in body
    assert "1 soutien" in page(client, resident_bob, url) and offers_support(page(client, resident_bob, url))
    support_withdraw(user=resident_alice, action=published_action)
    body = page(client, resident_alice, url)
    assert offers_support(body) and "0 soutien" in body
    assert 'class="badge mine"' not in page(client, resident_alice, list_url(published_action.campaign))


def test_support_through_the_page_form_shows_at_once(client, resident_alice, published_action):
    url = detail_url(published_action)
    page(client, resident_alice, url)
    support = reverse("proposals:support", args=[published_action.campaign.slug, published_action.pk])
    assert client.post(support, {"op": "add"}).status_code == 302
    assert offers_withdraw(page(client, resident_alice, url))
    assert client.post(support, {"op": "withdraw"}).status_code == 302
    assert offers_support(page(client, resident_alice, url))


def test_merge_moves_supports_and_shows_at_once(client, resident_alice, moderator_marc, published_action):
    campaign = published_action.campaign
    other = action_create_published_by_system(campaign=campaign, title="Une autre idée", summary="Le même besoin, dit autrement par un autre habitant du quartier.",
                                              origin=published_action.origin)
    support_add(user=resident_alice, action=other)
    target_url = detail_url(published_action)
    assert offers_support(page(client, resident_alice, target_url))
    action_merge(moderator=moderator_marc, campaign=campaign, action_id=other.pk, into_id=published_action.pk)
    assert offers_withdraw(page(client, resident_alice, target_url))


def test_role_granted_and_revoked_show_at_once(client, organiser_dina, resident_bob, published_action):
    campaign = published_action.campaign
    url = list_url(campaign)
    assert letters_link(campaign) not in page(client, resident_bob, url)
    role_grant(by=organiser_dina, campaign=campaign, user=resident_bob, role=Role.ORGANISER)
    assert letters_link(campaign) in page(client, resident_bob, url)
    role_revoke(by=organiser_dina, campaign=campaign, user_id=resident_bob.pk, role=Role.ORGANISER)
    assert letters_link(campaign) not in page(client, resident_bob, url)


def test_phase_closed_early_and_dates_show_at_once(client, organiser_dina, resident_bob, published_action):
    url = detail_url(published_action)
    assert offers_support(page(client, resident_bob, url))
    phase = Phase.objects.get(campaign=published_action.campaign, kind=PhaseKind.PARTICIPATION)
    phase_update(by=organiser_dina, campaign=published_action.campaign, phase_id=phase.pk, kind=phase.kind,
                 starts_at=phase.starts_at, ends_at=phase.ends_at, summary=phase.summary, is_closed=True)
    assert not offers_support(page(client, resident_bob, url))
    Phase.objects.filter(pk=phase.pk).update(is_closed=False, ends_at=timezone.now() - timedelta(minutes=1))
    assert not offers_support(page(client, resident_bob, url))
    Phase.objects.filter(pk=phase.pk).update(ends_at=timezone.now() + timedelta(days=1))
    assert offers_support(page(client, resident_bob, url))


def test_archive_shows_at_once(client, organiser_dina, resident_bob, published_action):
    url = detail_url(published_action)
    assert offers_support(page(client, resident_bob, url))
    campaign_archive(by=organiser_dina, campaign=Campaign.objects.get(pk=published_action.campaign_id))
    body = page(client, resident_bob, url)
    assert not offers_support(body) and "archived-notice" in body


def test_support_level_set_in_bulk_shows_at_once(client, resident_bob, published_action):
    url = detail_url(published_action)
    assert offers_support(page(client, resident_bob, url))
    Campaign.objects.filter(pk=published_action.campaign_id).update(support_level=SupportLevel.LETTER)
    assert not offers_support(page(client, resident_bob, url))  # Bob joined by e-mail


def test_theme_rename_and_reorder_show_at_once(client, organiser_dina, resident_bob, published_action):
    campaign = published_action.campaign
    url = list_url(campaign)
    body = page(client, resident_bob, url)
    assert body.index("Mobilité") < body.index("Espaces verts")
    green = Theme.objects.get(campaign=campaign, slug="espaces-verts")
    theme_move(by=organiser_dina, campaign=campaign, theme_id=green.pk, offset=-1)
    body = page(client, resident_bob, url)
    assert body.index("Espaces verts") < body.index("Mobilité")
    theme_rename(by=organiser_dina, campaign=campaign, theme_id=green.pk, name="Nature en ville")
    body = page(client, resident_bob, url)
    assert "Nature en ville" in body and "Espaces verts" not in body


def test_campaign_renamed_shows_at_once(client, resident_bob, published_action):
    url = list_url(published_action.campaign)
    page(client, resident_bob, url)
    campaign = Campaign.objects.get(pk=published_action.campaign_id)
    campaign.name = "Quartier renommé"
    campaign.save()
    assert "Quartier renommé" in page(client, resident_bob, url)


def test_an_entry_read_before_a_write_is_never_used_after_it(resident_bob, campaign):
    # A request read the version, then a write committed, then the request stored what it read.
    snapshot = state.Snapshot(resident_bob.pk, campaign.slug, parts=("supported",))
    state.viewer_changed(resident_bob.pk)
    snapshot.put("supported", resident_bob.pk, frozenset({1, 2}))
    assert state.Snapshot(resident_bob.pk, campaign.slug, parts=("supported",)).get("supported", resident_bob.pk) is None
    snapshot = state.Snapshot(resident_bob.pk, campaign.slug, parts=("roles",))
    state.bump()
    snapshot.put("roles", resident_bob.pk, (frozenset(), None, False))
    assert state.Snapshot(resident_bob.pk, campaign.slug, parts=("roles",)).get("roles", resident_bob.pk) is None


def test_a_snapshot_answers_only_for_its_viewer(resident_alice, resident_bob, campaign):
    snapshot = state.Snapshot(resident_alice.pk, campaign.slug, parts=("supported",))
    snapshot.put("supported", resident_alice.pk, frozenset({7}))
    assert snapshot.get("supported", resident_alice.pk) == frozenset({7})
    assert snapshot.get("supported", resident_bob.pk) is None
    snapshot.put("supported", resident_bob.pk, frozenset({8}))  # ignored
    bobs = state.Snapshot(resident_bob.pk, campaign.slug, parts=("supported",))
    assert bobs.get("supported", resident_bob.pk) is None


def test_an_evicted_token_never_revives_an_old_entry(resident_bob, campaign):
    from django.core.cache import cache

    snapshot = state.Snapshot(resident_bob.pk, campaign.slug, parts=("roles",))
    snapshot.put("roles", resident_bob.pk, (frozenset(), None, False))
    cache.delete(state.STATE_KEY)  # evicted
    assert state.Snapshot(resident_bob.pk, campaign.slug, parts=("roles",)).get("roles", resident_bob.pk) is None


def test_actions_list_count_is_exact(client, resident_bob, published_action):
    campaign = published_action.campaign
    page(client, resident_bob, list_url(campaign))
    Action.objects.filter(pk=published_action.pk).update(title="Titre neuf")
    assert "Titre neuf" in page(client, resident_bob, list_url(campaign))


# ------------------------------------------------------------------------------------------------
# The list shared by every viewer of the same kind, with the viewer's own parts filled in
# ------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def own_tokens(client, body) -> bool:
    tokens = _TOKEN.findall(body)
    return bool(tokens) and all(_unmask_cipher_token(t) == client.cookies["csrftoken"].value for t in tokens)


def test_shared_list_is_the_page_built_for_the_viewer_alone(client, resident_alice, resident_bob,
                                                            published_action, monkeypatch):
    support_add(user=resident_alice, action=published_action)
    url = list_url(published_action.campaign) + "?tri=recent"
    page(client, resident_bob, url)  # Bob's visit fills the shared copy
    shared = page(client, resident_alice, url)
    monkeypatch.setattr(views, "_page_shareable", lambda request, campaign: False)
    alone = page(client, resident_alice, url)
    assert _TOKEN.sub("", shared) == _TOKEN.sub("", alone)
    assert 'class="badge mine"' in shared and "<!--" not in shared
    assert own_tokens(client, shared)


def test_interleaved_viewers_get_their_own_tokens_and_badges(resident_alice, resident_bob, published_action):
    other = action_create_published_by_system(
        campaign=published_action.campaign, title="Une autre idée", origin=published_action.origin,
        summary="Le même besoin, dit autrement par un autre habitant du quartier.")
    support_add(user=resident_alice, action=published_action)
    support_add(user=resident_bob, action=other)
    alice_client, bob_client = Client(), Client()
    alice_client.force_login(resident_alice)
    bob_client.force_login(resident_bob)
    url = list_url(published_action.campaign)
    for _round in range(3):
        alice = alice_client.get(url).content.decode()
        bob = bob_client.get(url).content.decode()
        assert own_tokens(alice_client, alice) and own_tokens(bob_client, bob)
        for body, mine in ((alice, published_action), (bob, other)):
            assert body.count('class="badge mine"') == 1
            card = body[body.index(detail_url(mine)):]
            assert card.index('class="badge mine"') < card.index("</li>")  # on their action's card


def test_a_marker_typed_by_a_resident_is_shown_as_typed(client, resident_alice, resident_bob, published_action):
    support_add(user=resident_alice, action=published_action)
    typed = f"{fragments.CSRF_MARK} {fragments.mine_mark(published_action.pk)} csrf"
    Action.objects.filter(pk=published_action.pk).update(title=typed[:200], summary=typed)
    for user in (resident_bob, resident_alice):
        body = page(client, user, list_url(published_action.campaign))
        assert "&lt;!--csrf-" in body and "&lt;!--mine-" in body
        assert body.count('class="badge mine"') == (1 if user == resident_alice else 0)
        assert own_tokens(client, body)


def test_moderators_and_flash_messages_get_a_page_of_their_own(client, resident_alice, moderator_marc,
                                                               published_action):
    campaign = published_action.campaign
    page(client, resident_alice, list_url(campaign))
    body = page(client, moderator_marc, list_url(campaign))
    assert reverse("proposals:moderation", args=[campaign.slug]) in body
    client.force_login(resident_alice)
    support = reverse("proposals:support", args=[campaign.slug, published_action.pk])
    response = client.post(support, {"op": "add", "back": list_url(campaign)}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="message' in body and 'class="badge mine"' in body


def test_shared_action_page_is_the_page_built_for_the_viewer_alone(client, resident_alice, resident_bob,
                                                                   published_action, monkeypatch):
    comment_add(user=resident_alice, action=published_action, body="L'avis d'Alice.")
    comment_add(user=resident_bob, action=published_action, body="L'avis de Bob.")
    support_add(user=resident_bob, action=published_action)
    url = detail_url(published_action)
    for first, viewer in ((resident_alice, resident_bob), (resident_bob, resident_alice)):
        page(client, first, url)  # the other one's visit fills the shared copy
        shared = page(client, viewer, url)
        monkeypatch.setattr(views, "_page_shareable", lambda request, campaign: False)
        alone = page(client, viewer, url)
        monkeypatch.undo()
        assert _TOKEN.sub("", shared) == _TOKEN.sub("", alone)
        assert "<!--" not in shared and own_tokens(client, shared)
        assert offers_withdraw(shared) == (viewer == resident_bob)


def test_markers_typed_in_a_comment_are_shown_as_typed(client, resident_alice, resident_bob, published_action):
    typed = " ".join([fragments.CSRF_MARK, fragments.SUPPORT_MARK, fragments.report_mark(1, 2),
                      fragments.mine_mark(published_action.pk)])
    comment_add(user=resident_alice, action=published_action, body=typed)
    for user in (resident_bob, resident_alice, resident_bob):
        body = page(client, user, detail_url(published_action))
        assert body.count("&lt;!--") == 4 and "<!--" not in body
        assert own_tokens(client, body)
        assert body.count('class="support-box"') == 1


def test_with_sharing_off_each_viewer_still_gets_their_own_parts(client, settings, resident_alice, resident_bob,
                                                                 published_action):
    settings.CONCERTO_SHARED_PAGE_ENTRIES = 0
    support_add(user=resident_alice, action=published_action)
    comment_add(user=resident_alice, action=published_action, body="L'avis d'Alice.")
    for user in (resident_alice, resident_bob):
        for url in (list_url(published_action.campaign), detail_url(published_action)):
            body = page(client, user, url)
            assert "<!--" not in body and own_tokens(client, body)
        assert offers_withdraw(page(client, user, detail_url(published_action))) == (user == resident_alice)

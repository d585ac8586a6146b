"""Signed-in pages share their rendered cards and comments between people (``core.fragments``):
what a resident would notice if that went wrong — someone else's support or form on my page, a
count or a text that lags behind a change, a page in the wrong language."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.campaigns.models import Phase, PhaseKind
from concerto.core import fragments
from concerto.proposals.models import Action
from concerto.proposals.services import comment_add, comment_hide, support_add, support_withdraw
from concerto.residents.services import profile_update


@pytest.fixture(autouse=True)
def _empty_fragments():
    fragments.fragments_clear()
    yield
    fragments.fragments_clear()


def list_url(campaign):
    return reverse("proposals:list", args=[campaign.slug])


def detail_url(action):
    return reverse("proposals:detail", args=[action.campaign.slug, action.pk])


def page(client, user, url, **kwargs):
    client.force_login(user)
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response.content.decode()


def badge_mine(body) -> bool:
    return 'class="badge mine"' in body


def test_another_residents_support_never_shows_as_mine(client, resident_alice, resident_bob, published_action):
    support_add(user=resident_alice, action=published_action)
    alice = page(client, resident_alice, list_url(published_action.campaign))
    bob = page(client, resident_bob, list_url(published_action.campaign))  # same card, now from the cache
    assert badge_mine(alice)
    assert not badge_mine(bob)
    assert "1 soutien" in alice and "1 soutien" in bob
    bob_action = page(client, resident_bob, detail_url(published_action))
    assert 'name="op" value="add"' in bob_action  # Bob is offered to support, not to withdraw
    assert 'value="withdraw"' not in bob_action


def test_counts_are_exact_right_after_each_support(client, resident_alice, resident_bob, published_action):
    url = list_url(published_action.campaign)
    assert "0 soutien" in page(client, resident_bob, url)
    support_add(user=resident_alice, action=published_action)
    assert "1 soutien" in page(client, resident_bob, url)
    assert "1 soutien" in page(client, resident_bob, detail_url(published_action))
    support_withdraw(user=resident_alice, action=published_action)
    assert "0 soutien" in page(client, resident_bob, url)
    assert "0 soutien" in page(client, resident_bob, detail_url(published_action))


def test_an_edit_shows_at_once(client, resident_bob, published_action):
    page(client, resident_bob, list_url(published_action.campaign))
    page(client, resident_bob, detail_url(published_action))
    Action.objects.filter(pk=published_action.pk).update(title="Un titre corrigé", summary="Un résumé neuf.")
    listing = page(client, resident_bob, list_url(published_action.campaign))
    detail = page(client, resident_bob, detail_url(published_action))
    for body in (listing, detail):
        assert "Un titre corrigé" in body and "Un résumé neuf." in body
        assert "Sécuriser la traversée" not in body


def test_comment_hidden_by_a_moderator_and_renamed_author_show_at_once(client, resident_alice, resident_bob,
                                                                       moderator_marc, published_action):
    comment = comment_add(user=resident_alice, action=published_action, body="Un avis qui dérange.")
    profile_update(user=resident_alice, display_name="Alice B.")
    assert "Alice B." in page(client, resident_bob, detail_url(published_action))
    profile_update(user=resident_alice, display_name="Alice Bernard")
    body = page(client, resident_bob, detail_url(published_action))
    assert "Alice Bernard" in body and "Alice B.<" not in body
    comment_hide(moderator=moderator_marc, campaign=published_action.campaign, comment_id=comment.pk,
                 reason="Hors sujet")
    body = page(client, resident_bob, detail_url(published_action))
    assert "Un avis qui dérange." not in body
    assert "Hors sujet" in body


def test_report_form_is_the_viewers_own(client, resident_alice, resident_bob, published_action):
    mine = comment_add(user=resident_alice, action=published_action, body="Mon propre avis.")
    theirs = comment_add(user=resident_bob, action=published_action, body="L'avis de Bob.")
    alice = page(client, resident_alice, detail_url(published_action))
    report = reverse("proposals:report", args=[published_action.campaign.slug, theirs.pk])
    own = reverse("proposals:report", args=[published_action.campaign.slug, mine.pk])
    assert report in alice and own not in alice  # nobody reports their own comment
    bob = page(client, resident_bob, detail_url(published_action))
    assert own in bob and report not in bob
    # Each report form carries the viewer's own CSRF token, valid for their session.
    token = client.cookies["csrftoken"].value
    from django.middleware.csrf import _unmask_cipher_token

    posted = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', bob)
    assert posted and all(_unmask_cipher_token(t) == token for t in posted)


def test_no_token_or_personal_data_in_shared_fragments(client, resident_alice, resident_bob, published_action):
    support_add(user=resident_alice, action=published_action)
    comment_add(user=resident_bob, action=published_action, body="Un avis.")
    page(client, resident_alice, list_url(published_action.campaign))
    page(client, resident_alice, detail_url(published_action))
    entries = [*fragments._cache.entries.values(), *fragments._pages.entries.values()]
    stored = [html for entry in entries for html in (entry if isinstance(entry, tuple) else (entry,))]
    assert stored
    for html in stored:
        # Whole shared pages (issue 11) hold forms, with a marker where each viewer's token goes.
        assert set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)) <= {fragments.CSRF_MARK}
        assert "badge mine" not in html
        assert "alice@example.org" not in html and "bob@example.org" not in html
        if "<html" not in html and "report" not in html and "support-box" not in html:
            assert 'method="post"' not in html


def test_phase_change_shows_at_once(client, resident_bob, published_action):
    assert 'value="add"' in page(client, resident_bob, detail_url(published_action))
    Phase.objects.filter(campaign=published_action.campaign, kind=PhaseKind.PARTICIPATION).update(
        ends_at=timezone.now() - timedelta(minutes=1))
    body = page(client, resident_bob, detail_url(published_action))
    assert 'value="add"' not in body
    assert ">1 soutien<" not in body and ">0 soutien<" in body  # the count shown, not the live plural forms


def test_language_switch_shows_at_once(client, resident_bob, published_action):
    page(client, resident_bob, list_url(published_action.campaign))
    client.cookies["django_language"] = "en"
    english = page(client, resident_bob, list_url(published_action.campaign))
    assert "0 supports" in english and "0 soutien" not in english
    client.cookies["django_language"] = "fr"
    assert "0 soutien" in page(client, resident_bob, list_url(published_action.campaign))


def test_shared_fragments_escape_what_people_wrote(client, resident_alice, resident_bob, published_action):
    payload = '<script>alert("x")</script>'
    Action.objects.filter(pk=published_action.pk).update(title=payload, summary=payload, place=payload)
    comment_add(user=resident_alice, action=published_action, body=payload)
    profile_update(user=resident_alice, display_name="Alice")
    for url in (list_url(published_action.campaign), detail_url(published_action)):
        body = page(client, resident_bob, url)
        assert payload not in body
        assert "&lt;script&gt;" in body

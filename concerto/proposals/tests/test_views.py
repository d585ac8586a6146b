"""Pages as residents, moderators and visitors use them, without JavaScript (plain POST + redirect)."""

import pytest
from django.urls import reverse

from concerto.proposals.models import Action, ActionStatus, Comment, Support
from concerto.proposals.services import action_propose, comment_add, support_add


def detail_url(action):
    return reverse("proposals:detail", args=[action.campaign.slug, action.pk])


def test_visitor_sees_list_and_action_with_count(client, campaign, published_action, resident_alice):
    support_add(user=resident_alice, action=published_action)
    r = client.get(reverse("proposals:list", args=[campaign.slug]))
    assert r.status_code == 200
    assert "Sécuriser la traversée" in r.content.decode()
    r = client.get(detail_url(published_action))
    body = r.content.decode()
    assert r.status_code == 200
    assert "1 soutien" in body
    assert "<strong>vite</strong>" in body
    assert "alice@example.org" not in body


def test_resident_supports_and_withdraws_without_javascript(client, resident_alice, published_action):
    client.force_login(resident_alice)
    url = reverse("proposals:support", args=[published_action.campaign.slug, published_action.pk])
    r = client.post(url, {"op": "add"})
    assert r.status_code == 302
    assert Support.objects.filter(action=published_action, user=resident_alice).count() == 1
    r = client.get(detail_url(published_action))
    assert "Retirer mon soutien" in r.content.decode()
    client.post(url, {"op": "withdraw"})
    published_action.refresh_from_db()
    assert published_action.support_count == 0


def test_htmx_support_returns_the_widget(client, resident_alice, published_action):
    client.force_login(resident_alice)
    url = reverse("proposals:support", args=[published_action.campaign.slug, published_action.pk])
    r = client.post(url, {"op": "add"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    body = r.content.decode()
    assert f'id="support-{published_action.pk}"' in body
    assert "1 soutien" in body
    assert "<html" not in body


def test_visitor_support_redirects_to_sign_in(client, published_action):
    url = reverse("proposals:support", args=[published_action.campaign.slug, published_action.pk])
    r = client.post(url, {"op": "add"})
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("residents:sign_in"))
    assert Support.objects.count() == 0


def test_contribution_form_errors_are_french_and_nothing_is_written(client, resident_alice, campaign):
    client.force_login(resident_alice)
    r = client.post(reverse("proposals:propose", args=[campaign.slug]), {"title": "ab", "summary": "court"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "Le titre doit comporter entre 5 et 140 caractères." in body
    assert not Action.objects.filter(status=ActionStatus.PENDING).exists()


def test_contribution_is_pending_and_visible_only_to_author_and_moderator(
    client, resident_alice, resident_bob, moderator_marc, campaign
):
    client.force_login(resident_alice)
    r = client.post(reverse("proposals:propose", args=[campaign.slug]), {
        "title": "Des bancs au square", "summary": "Installer trois bancs à l'ombre pour les aînés.",
        "body": "", "theme": "", "place": "Square des Platanes",
    })
    action = Action.objects.get(title="Des bancs au square")
    assert r.status_code == 302
    assert action.status == ActionStatus.PENDING
    assert client.get(detail_url(action)).status_code == 200
    client.force_login(resident_bob)
    assert client.get(detail_url(action)).status_code == 404
    assert "Des bancs au square" not in client.get(reverse("proposals:list", args=[campaign.slug])).content.decode()
    client.force_login(moderator_marc)
    r = client.get(reverse("proposals:moderation", args=[campaign.slug]))
    assert "Des bancs au square" in r.content.decode()
    client.post(reverse("proposals:moderate_action", args=[campaign.slug, action.pk]), {"decision": "publish"})
    action.refresh_from_db()
    assert action.status == ActionStatus.PUBLISHED


def test_moderation_queue_is_hidden_from_residents(client, resident_alice, campaign):
    client.force_login(resident_alice)
    assert client.get(reverse("proposals:moderation", args=[campaign.slug])).status_code == 404


def test_rejected_reason_is_shown_to_author_in_my_space(client, resident_alice, moderator_marc, campaign):
    action = action_propose(user=resident_alice, campaign=campaign, title="Un parking géant",
                            summary="Raser le square pour y faire un parking.")
    client.force_login(moderator_marc)
    client.post(reverse("proposals:moderate_action", args=[campaign.slug, action.pk]),
                {"decision": "reject", "reason": "Hors du cadre de la concertation."})
    client.force_login(resident_alice)
    body = client.get(reverse("dashboard:me")).content.decode()
    assert "Hors du cadre de la concertation." in body


def test_comment_is_escaped_and_can_be_reported_then_hidden(
    client, resident_alice, resident_bob, moderator_marc, published_action
):
    client.force_login(resident_alice)
    r = client.post(reverse("proposals:comment", args=[published_action.campaign.slug, published_action.pk]),
                    {"body": "<script>alert(1)</script> Bonne idée"})
    assert r.status_code == 302
    body = client.get(detail_url(published_action)).content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body
    comment = Comment.objects.get()
    client.force_login(resident_bob)
    client.post(reverse("proposals:report", args=[published_action.campaign.slug, comment.pk]), {"reason": "spam"})
    client.force_login(moderator_marc)
    assert "Bonne idée" in client.get(reverse("proposals:moderation", args=[published_action.campaign.slug])).content.decode()
    client.post(reverse("proposals:moderate_comment", args=[published_action.campaign.slug, comment.pk]),
                {"decision": "hide", "reason": "Propos hors sujet"})
    body = client.get(detail_url(published_action)).content.decode()
    assert "Propos hors sujet" in body
    assert "Bonne idée" not in body


def test_list_filters_search_and_ignores_unknown_sort(client, campaign, published_action):
    base = reverse("proposals:list", args=[campaign.slug])
    assert "Sécuriser" in client.get(base, {"q": "ecole"}).content.decode()
    assert "Sécuriser" not in client.get(base, {"q": "piscine"}).content.decode()
    assert client.get(base, {"sort": "author__email", "status": "rejected", "page": "x"}).status_code == 200


@pytest.mark.parametrize("n_actions", [3, 25])
def test_list_and_detail_query_counts_do_not_grow(client, django_assert_max_num_queries, campaign,
                                                 resident_alice, published_action, n_actions):
    from concerto.proposals.models import Origin
    from concerto.proposals.services import action_create_published_by_system

    for i in range(n_actions):
        a = action_create_published_by_system(campaign=campaign, title=f"Action numéro {i}", summary="Un résumé assez long.",
                                    origin=Origin.WORKSHOP)
        support_add(user=resident_alice, action=a)
        comment_add(user=resident_alice, action=published_action, body=f"Commentaire {i}")
    client.force_login(resident_alice)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("proposals:list", args=[campaign.slug])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(detail_url(published_action)).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("dashboard:campaign_home", args=[campaign.slug])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("dashboard:me")).status_code == 200


def test_comments_are_paginated(client, resident_alice, resident_bob, published_action):
    for i in range(35):
        author = resident_alice if i % 2 else resident_bob  # under the per-account comment limit
        comment_add(user=author, action=published_action, body=f"Avis numéro {i:02d}")
    first = client.get(detail_url(published_action)).content.decode()
    assert "Avis numéro 00" in first and "Avis numéro 29" in first and "Avis numéro 30" not in first
    assert "Commentaires suivants" in first
    second = client.get(detail_url(published_action), {"commentaires": 2}).content.decode()
    assert "Avis numéro 34" in second and "Avis numéro 00" not in second

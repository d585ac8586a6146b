"""Each role against each page and API endpoint: role × URL → expected answer (and effect)."""

import pytest
from django.test import Client
from django.urls import reverse

from concerto.proposals.models import Support
from concerto.proposals.services import action_propose, comment_add
from concerto.residents.services import api_token_create

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "resident", "resident_elsewhere", "ambassador", "candidate", "moderator", "facilitator",
         "organiser"]
STAFF = {"moderator", "organiser"}


@pytest.fixture
def world(campaign, published_action, resident_alice, resident_bob, resident_elsewhere, ambassador_bruno,
          candidate_claire, moderator_marc, facilitator_fanny, organiser_dina):
    pending = action_propose(user=resident_bob, campaign=campaign, title="Proposition en attente",
                             summary="Une proposition que seule la modération voit.")
    comment = comment_add(user=resident_bob, action=published_action, body="Un avis de Bob.")
    users = {"visitor": None, "resident": resident_alice, "resident_elsewhere": resident_elsewhere,
             "ambassador": ambassador_bruno, "candidate": candidate_claire, "moderator": moderator_marc,
             "facilitator": facilitator_fanny, "organiser": organiser_dina}
    return {"campaign": campaign, "action": published_action, "pending": pending, "comment": comment,
            "users": users}


def client_for(world, role) -> Client:
    client = Client()
    if world["users"][role] is not None:
        client.force_login(world["users"][role])
    return client


def status_of(world, role, method, url, data=None):
    client = client_for(world, role)
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


PUBLIC_PAGES = [
    lambda w: reverse("dashboard:index"),
    lambda w: reverse("dashboard:campaign_home", args=[w["campaign"].slug]),
    lambda w: reverse("proposals:list", args=[w["campaign"].slug]),
    lambda w: reverse("proposals:detail", args=[w["campaign"].slug, w["action"].pk]),
    lambda w: reverse("residents:sign_in"),
    lambda w: reverse("residents:sign_in_password"),
    lambda w: "/api/v1/campaigns",
    lambda w: f"/api/v1/campaigns/{w['campaign'].slug}/stats",
    lambda w: f"/api/v1/campaigns/{w['campaign'].slug}/actions",
    lambda w: f"/api/v1/campaigns/{w['campaign'].slug}/actions/{w['action'].pk}",
    lambda w: f"/api/v1/campaigns/{w['campaign'].slug}/actions/{w['action'].pk}/comments",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", range(len(PUBLIC_PAGES)))
def test_public_pages_answer_everyone(world, role, page):
    assert status_of(world, role, "get", PUBLIC_PAGES[page](world)) == 200


@pytest.mark.parametrize("role", ROLES)
def test_pending_contribution_is_visible_to_moderation_only(world, role):
    url = reverse("proposals:detail", args=[world["campaign"].slug, world["pending"].pk])
    assert status_of(world, role, "get", url) == (200 if role in STAFF else 404)
    api = f"/api/v1/campaigns/{world['campaign'].slug}/actions/{world['pending'].pk}"
    headers = {}
    if world["users"][role] is not None:
        headers["Authorization"] = f"Bearer {api_token_create(user=world['users'][role], name='t')[1]}"
    assert Client().get(api, headers=headers).status_code == (200 if role in STAFF else 404)


@pytest.mark.parametrize("role", ROLES)
def test_moderation_pages_and_decisions(world, role):
    slug = world["campaign"].slug
    expected_get = {"visitor": 302}.get(role, 200 if role in STAFF else 404)
    assert status_of(world, role, "get", reverse("proposals:moderation", args=[slug])) == expected_get
    status = status_of(world, role, "post", reverse("proposals:moderate_action", args=[slug, world["pending"].pk]),
                       {"decision": "publish"})
    world["pending"].refresh_from_db()
    assert (world["pending"].status == "published") is (role in STAFF)
    assert status == (302 if role in STAFF or role == "visitor" else 404)
    status = status_of(world, role, "post", reverse("proposals:moderate_comment", args=[slug, world["comment"].pk]),
                       {"decision": "hide", "reason": "Hors sujet"})
    world["comment"].refresh_from_db()
    assert (world["comment"].status == "hidden") is (role in STAFF)


# A signed-in person of another campaign joins this one as a resident (e-mail joining is allowed);
# candidates never support: equality between candidates forbids it.
CAN_SUPPORT = {"resident", "resident_elsewhere", "ambassador", "moderator", "facilitator", "organiser"}


@pytest.mark.parametrize("role", ROLES)
def test_support_by_role_in_pages_and_api(world, role):
    action, slug = world["action"], world["campaign"].slug
    url = reverse("proposals:support", args=[slug, action.pk])
    status = status_of(world, role, "post", url, {"op": "add"})
    assert status == 302
    user = world["users"][role]
    supported = user is not None and Support.objects.filter(action=action, user=user).exists()
    assert supported is (role in CAN_SUPPORT)
    api = f"/api/v1/campaigns/{slug}/actions/{action.pk}/support"
    if user is None:
        assert Client().post(api).status_code == 401
    else:
        Support.objects.filter(user=user).delete()
        token = api_token_create(user=user, name="t")[1]
        answer = Client().post(api, headers={"Authorization": f"Bearer {token}"}).status_code
        assert answer == (201 if role in CAN_SUPPORT else 403)


@pytest.mark.parametrize("role", ROLES)
def test_personal_space_needs_an_account(world, role):
    for name in ["dashboard:me", "dashboard:me_export", "dashboard:me_delete"]:
        assert status_of(world, role, "get", reverse(name)) == (302 if role == "visitor" else 200)
    assert Client().get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_propose_form_by_role(world, role):
    url = reverse("proposals:propose", args=[world["campaign"].slug])
    expected = {"visitor": 302, "candidate": 403}.get(role, 200)
    assert status_of(world, role, "get", url) == expected


@pytest.mark.parametrize("role", ROLES)
def test_journal_is_for_organisers_and_never_names_supporters(world, role):
    from concerto.proposals.services import action_publish, support_add

    support_add(user=world["users"]["resident"], action=world["action"])
    action_publish(moderator=world["users"]["moderator"], campaign=world["campaign"], action_id=world["pending"].pk)
    url = reverse("dashboard:journal", args=[world["campaign"].slug])
    expected = {"visitor": 302, "organiser": 200}.get(role, 404)
    r = client_for(world, role).get(url)
    assert r.status_code == expected
    if expected == 200:
        body = r.content.decode()
        assert "proposals.action.published" in body
        assert "proposals.support.added" not in body
        assert "Alice" not in body

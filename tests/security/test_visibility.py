"""Unpublished and rejected content is invisible on every path, and nothing sorts or filters on
what the request names without an allow-list.

Pending and rejected contributions, and the body of a hidden comment, carry marker words; every
page, export and API answer a non-moderator can reach is searched for them.
"""

import json

import pytest
from django.urls import reverse

from concerto.proposals.models import ActionStatus
from concerto.proposals.services import (
    action_create_published_by_system,
    action_merge,
    action_propose,
    action_publish,
    action_reject,
    comment_add,
    comment_hide,
    support_add,
)

from .conftest import DRAFT_TITLE, HOUSEHOLD_SECRETS, POOL_NAMES, ROLES

pytestmark = pytest.mark.django_db

MODERATION = {"moderator", "organiser"}
SECRET_WORDS = ["secrète", "Rue cachée", "Impasse refusée", "Une proposition que", "Hors du périmètre",
                "avis masqué XK42"]


@pytest.fixture
def hidden_world(world):
    comment = comment_add(user=world.bob, action=world.action, body="Un avis masqué XK42 par la modération.")
    comment_hide(moderator=world.users["moderator"], campaign=world.campaign, comment_id=comment.pk,
                 reason="Propos injurieux")
    world["hidden_comment"] = comment
    return world


def public_paths(w) -> list[str]:
    slug = w.campaign.slug
    base = f"/api/v1/campaigns/{slug}"
    lists = [reverse("proposals:list", args=[slug]) + q for q in (
        "", "?status=pending", "?status=rejected", "?status=draft", "?q=secrète", "?q=cachée", "?q=refusee",
        "?sort=newest", "?sort=author__email", "?origin=online", "?status=pending&status=rejected",
        "?status=published&q=proposition", "?page=2")]
    api_lists = [f"{base}/actions{q}" for q in (
        "", "?q=secrète", "?q=cachee", "?sort=newest", "?origin=online", "?page_size=100", "?status=merged")]
    return [
        reverse("dashboard:index"), reverse("dashboard:campaign_home", args=[slug]),
        reverse("proposals:detail", args=[slug, w.action.pk]),
        reverse("dashboard:me"), reverse("dashboard:me_export"),
        "/api/v1/campaigns", base, f"{base}/stats", f"{base}/themes",
        f"{base}/actions/{w.action.pk}", f"{base}/actions/{w.action.pk}/comments?page_size=100",
        "/api/v1/me", "/api/v1/me/supports", "/api/v1/me/contributions",
        *lists, *api_lists,
    ]


def shown(response, api: bool) -> str:
    """What the answer shows; on the list page, the results only (the search box echoes the query)."""
    if api:
        return json.dumps(response.json(), ensure_ascii=False)
    text = response.content.decode()
    if '<section id="results"' in text:
        text = text[text.index('<section id="results"'):]
        text = text[:text.index("</section>")]
    return text


def fetch(w, role, path):
    if path.startswith("/api/"):
        from django.test import Client

        return Client().get(path, **w.auth(role))
    return w.client(role).get(path)


@pytest.mark.parametrize("role", ROLES)
def test_pending_rejected_and_hidden_content_appear_nowhere(hidden_world, role):
    w = hidden_world
    leaks = []
    for path in public_paths(w):
        response = fetch(w, role, path)
        if response.status_code in (302, 401) and role == "visitor":
            continue  # Mon espace and /me need an account
        assert response.status_code == 200, (path, response.status_code)
        text = shown(response, path.startswith("/api/"))
        for word in SECRET_WORDS:
            if word in text:
                leaks.append((path, word))
        if path.startswith("/api/") and path.split("?")[0].endswith("/actions"):
            ids = {a["id"] for a in response.json()["items"]}
            assert not ids & {w.pending.pk, w.rejected.pk}, path
    assert not leaks, leaks


@pytest.mark.parametrize("role", ROLES)
def test_pending_and_rejected_details_answer_404_but_to_moderators(hidden_world, role):
    w = hidden_world
    slug = w.campaign.slug
    expected = 200 if role in MODERATION else 404
    for action in (w.pending, w.rejected):
        pages = [reverse("proposals:detail", args=[slug, action.pk]),
                 f"/api/v1/campaigns/{slug}/actions/{action.pk}",
                 f"/api/v1/campaigns/{slug}/actions/{action.pk}/comments"]
        for path in pages:
            assert fetch(w, role, path).status_code == expected, (action.status, path)
        # Acting on it is refused the same way, and nothing happens.
        client = w.client(role)
        if role != "visitor":
            assert client.post(reverse("proposals:support", args=[slug, action.pk]), {"op": "add"}).status_code in (
                (302,) if role in MODERATION else (404,))
            assert client.post(reverse("proposals:comment", args=[slug, action.pk]),
                               {"body": "Je commente."}).status_code in ((403,) if role in MODERATION else (404,))
        action.refresh_from_db()
        assert action.support_count == 0 and action.comment_count == 0


def test_the_author_sees_their_pending_and_rejected_contributions(hidden_world):
    w = hidden_world
    from django.test import Client

    client = Client()
    client.force_login(w.bob)
    for action in (w.pending, w.rejected):
        assert client.get(reverse("proposals:detail", args=[w.campaign.slug, action.pk])).status_code == 200
    page = client.get(reverse("dashboard:me")).content.decode()
    assert "Hors du périmètre du quartier." in page  # the reason, for the author


def test_a_hidden_comment_shows_only_its_reason(hidden_world):
    w = hidden_world
    for role in ROLES:
        page = fetch(w, role, reverse("proposals:detail", args=[w.campaign.slug, w.action.pk])).content.decode()
        assert "XK42" not in page and "Propos injurieux" in page
    items = fetch(w, "visitor", f"/api/v1/campaigns/{w.campaign.slug}/actions/{w.action.pk}/comments").json()["items"]
    hidden = [c for c in items if c["id"] == w.hidden_comment.pk][0]
    assert hidden["body"] is None and hidden["author_name"] is None


def test_an_export_holds_only_its_owner_data(hidden_world):
    w = hidden_world
    data = w.client("resident").get(reverse("dashboard:me_export")).json()
    text = json.dumps(data, ensure_ascii=False)
    assert data["account"]["email"] == "alice@example.org"
    assert "bob@example.org" not in text and "Bob" not in text
    for word in SECRET_WORDS:
        assert word not in text


def test_the_journal_shows_decisions_but_never_names_supporters(world):
    # Moved from the older matrix in concerto/dashboard/tests (its only case the matrix here lacked).
    support_add(user=world.users["resident"], action=world.action)
    action_publish(moderator=world.users["moderator"], campaign=world.campaign, action_id=world.pending.pk)
    response = world.client("organiser").get(reverse("dashboard:journal", args=[world.campaign.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.pending.title in body.replace("&#x27;", "'")  # "… published the action “<title>”."
    assert "proposals.action.published" not in body and "proposals.support.added" not in body
    assert world.users["resident"].display_name not in body


def test_a_merged_contribution_never_points_to_a_rejected_target(world):
    """A contribution merged into an action stays public (status merged) and names its target:
    the target therefore can never be rejected afterwards, which would publish a rejected title."""
    from concerto.core.errors import Invalid

    w = world
    moderator = w.users["moderator"]
    target = action_create_published_by_system(campaign=w.campaign, title="Cible ZQ9",
                                     summary="Une action publiée dans laquelle on fusionne.", origin="online")
    merged = action_propose(user=w.users["resident"], campaign=w.campaign, title="Proposition fusionnée",
                            summary="Une proposition fusionnée dans la cible.")
    action_merge(moderator=moderator, campaign=w.campaign, action_id=merged.pk, into_id=target.pk)
    with pytest.raises(Invalid) as refused:
        action_reject(moderator=moderator, campaign=w.campaign, action_id=target.pk, reason="Finalement hors sujet.")
    assert refused.value.code == "has_merged"
    target.refresh_from_db()
    assert target.status == ActionStatus.PUBLISHED


# --------------------------------------------------------------------------------------------------
# Sorting and filtering only on allow-listed values
# --------------------------------------------------------------------------------------------------

HOSTILE = {
    "sort": ["author__email", "-author__email", "rejection_reason", "status", "-support_count; DROP TABLE x",
             "?", "pk", "author__password", "search_text"],
    "status": ["pending", "rejected", "draft", "PENDING", "published,pending", "pending%", "__all__"],
    "theme": ["../", "../../etc/passwd", "mobilite' OR '1'='1", "%", "_", "*", "mobilite\x00", "\x00"],
    "origin": ["…", "online' --", "workshop\x00", "ONLINE", "door_to_door'"],
    "q": ["%", "_", "\\", "' OR 1=1 --", "\x00", "a" * 1000, "secrète\x00", "%secrète%"],
    "page": ["-1", "0", "abc", "1e9", str(10**20), "\x00"],
    "page_size": ["0", "-5", str(10**6), "abc"],
    "author__email": ["bob@example.org"],
    "status__in": ["pending"],
}


def _listed(w, path, params, api):
    from django.test import Client

    response = Client().get(path, params)
    assert response.status_code < 500, (path, params, response.status_code)
    if response.status_code != 200:
        assert api and response.status_code == 422, (path, params, response.status_code)
        return None
    text = shown(response, api)
    for word in SECRET_WORDS:
        assert word not in text, (path, params, word)
    if api:
        statuses = {a["status"] for a in response.json()["items"]}
        assert statuses <= {"published", "merged"}, (params, statuses)
    return response


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_sort_and_filter_values_never_widen_the_list(hidden_world, name):
    w = hidden_world
    html = reverse("proposals:list", args=[w.campaign.slug])
    api = f"/api/v1/campaigns/{w.campaign.slug}/actions"
    for value in HOSTILE[name]:
        _listed(w, html, {name: value}, api=False)
        _listed(w, api, {name: value}, api=True)
        _listed(w, html, {name: [value, "published"]}, api=False)


def test_hostile_values_in_api_paths_never_error(world):
    """Path parameters are strings too: a NUL byte or a traversal answers 404/422, never 500."""
    from django.test import Client

    client = Client()
    for slug in ["%00", "quartier-test%00", "..%2F..", "%27%20OR%201%3D1", "%E2%80%AE"]:
        for tail in ["", "/stats", "/themes", "/actions", f"/actions/{world.action.pk}",
                     f"/actions/{world.action.pk}/comments"]:
            response = client.get(f"/api/v1/campaigns/{slug}{tail}")
            assert response.status_code in (404, 422), (slug, tail, response.status_code)


def test_small_channel_groups_cannot_be_recovered_from_the_total(world):
    """Supports by channel hide groups of 1 to 4 people; publishing the exact total next to the other
    channels gives the hidden one back by subtraction (total − visible channels)."""
    from concerto.proposals.models import Channel

    for i in range(6):
        support_add_as(f"en-ligne-{i}@example.org", world.action, Channel.ONLINE)
    for i in range(2):
        support_add_as(f"porte-{i}@example.org", world.action, Channel.DOOR_TO_DOOR)
    stats = fetch(world, "visitor", f"/api/v1/campaigns/{world.campaign.slug}/stats").json()
    by_channel = stats["by_channel"]
    hidden = [channel for channel, n in by_channel.items() if n is None]
    assert "door_to_door" in hidden  # the small group is suppressed in the breakdown…
    if stats["supports"] is not None:
        recovered = stats["supports"] - sum(n for n in by_channel.values() if n is not None)
        assert not 0 < recovered < 5, f"…but total − visible channels gives it back: {recovered}"


def support_add_as(email, action, channel):
    from concerto.proposals.services import support_add
    from concerto.residents.models import User

    support_add(user=User.objects.create_user(email), action=action, channel=channel)


# --------------------------------------------------------------------------------------------------
# Letters, volunteers and selections: drafts, households, codes and names stay with the organisers
# --------------------------------------------------------------------------------------------------

DRAFT_WORDS = [DRAFT_TITLE, "Calculée pas encore publiée", "Quotas impossibles"]


def full_text(response) -> str:
    """The whole answer as a reader sees it: JSON decoded (no \\u escapes), files streamed."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace")
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def _selection_paths(w, selection) -> list[str]:
    slug, pk = w.campaign.slug, selection.pk
    return [reverse("selection:detail", args=[slug, pk]), reverse("selection:audit_json", args=[slug, pk]),
            reverse("selection:verify_script", args=[slug, pk]), reverse("selection:manage", args=[slug, pk]),
            f"/api/v1/campaigns/{slug}/selections/{pk}"]


@pytest.mark.parametrize("role", ROLES)
def test_draft_selections_answer_404_but_to_organisers_on_every_path(world, role):
    """A computed draft has everything the audit files need: only its stage keeps it private."""
    w = world
    for selection in (w.computed_selection, w.draft_selection, w.infeasible_selection):
        for path in _selection_paths(w, selection):
            status = fetch(w, role, path).status_code
            if role == "organiser":
                computed_only = "selection.json" in path or "/api/" in path
                assert status == (404 if computed_only and not selection.distribution else 200), (path, status)
            elif role == "visitor" and "/gestion/" in path:
                assert status == 302, path
            else:
                assert status == 404, (role, selection.status, path, status)
    slug = w.campaign.slug
    for path in (reverse("selection:list", args=[slug]), f"/api/v1/campaigns/{slug}/selections",
                 reverse("dashboard:campaign_home", args=[slug]), f"/api/v1/campaigns/{slug}"):
        text = full_text(fetch(w, role, path))
        for word in DRAFT_WORDS:
            assert (word in text) == (role == "organiser" and "selections" in path), (path, word)


def test_a_draft_rendered_for_the_organiser_is_never_served_from_the_page_cache(world, settings):
    from django.core.cache import cache
    from django.test import Client

    settings.CONCERTO_PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    for path in _selection_paths(world, world.computed_selection)[:3]:
        assert world.client("organiser").get(path).status_code == 200
        assert Client().get(path).status_code == 404, path
    listing = reverse("selection:list", args=[world.campaign.slug])
    world.client("organiser").get(listing)
    assert DRAFT_TITLE not in Client().get(listing).content.decode()


def _code_forms(w) -> list[str]:
    from concerto.letters.codes import format_code

    return [text for code in w.codes.values() for text in (code, format_code(code))]


@pytest.mark.parametrize("role", ROLES[:-1])
def test_households_and_codes_never_reach_anyone_but_organisers(world, role):
    w = world
    slug = w.campaign.slug
    private = [reverse("letters:households", args=[slug]), reverse("letters:household", args=[slug, w.household.pk]),
               reverse("letters:tracking", args=[slug]), reverse("letters:batches", args=[slug]),
               reverse("letters:batch", args=[slug, w.batch.pk]),
               reverse("letters:batch_download", args=[slug, w.batch.pk]),
               reverse("letters:import_preview", args=[slug, w.pending_import.pk]),
               reverse("letters:street_rules", args=[slug]), reverse("letters:preview", args=[slug]),
               reverse("volunteering:list", args=[slug]), reverse("volunteering:export", args=[slug]),
               f"/api/v1/campaigns/{slug}/households?page_size=100", f"/api/v1/campaigns/{slug}/letters/batches",
               f"/api/v1/campaigns/{slug}/letters/batches/{w.batch.pk}", f"/api/v1/campaigns/{slug}/letters/stats",
               f"/api/v1/campaigns/{slug}/volunteers"]
    public = [reverse("dashboard:campaign_home", args=[slug]), reverse("selection:list", args=[slug]),
              reverse("joining:join", args=[slug]), reverse("volunteering:form", args=[slug]),
              reverse("dashboard:me"), reverse("dashboard:me_export"),
              *_selection_paths(w, w.drawn_selection), f"/api/v1/campaigns/{slug}", f"/api/v1/campaigns/{slug}/stats",
              f"/api/v1/campaigns/{slug}/volunteers/call", f"/api/v1/campaigns/{slug}/selections", "/api/v1/me"]
    secrets = [*HOUSEHOLD_SECRETS, *_code_forms(w)]
    for path in private:
        response = fetch(w, role, path)
        assert response.status_code in (302, 401, 403, 404), (path, response.status_code)
        text = full_text(response)
        assert not [s for s in secrets if s in text], path
    for path in public:
        text = full_text(fetch(w, role, path))
        assert not [s for s in secrets if s in text], path


def test_the_organiser_does_see_households_and_codes(world):
    """The check above is not vacuous: the same paths show them to the organiser."""
    slug = world.campaign.slug
    page = fetch(world, "organiser", reverse("letters:households", args=[slug])).content.decode()
    assert "Famille Secrète-Lavande" in page
    api = fetch(world, "organiser", f"/api/v1/campaigns/{slug}/households?page_size=100").json()
    assert any(item["active_code"] in _code_forms(world) for item in api["items"])


@pytest.mark.parametrize("role", ROLES)
def test_volunteers_names_never_appear_on_the_public_selection_pages(world, role):
    w = world
    slug = w.campaign.slug
    emails = [p.email for p in w.pool if p.email]
    paths = [*[p for p in _selection_paths(w, w.drawn_selection) if "/gestion/" not in p],
             reverse("selection:list", args=[slug]), f"/api/v1/campaigns/{slug}/selections",
             f"/api/v1/campaigns/{slug}/volunteers/call"]
    for path in paths:
        response = fetch(w, role, path)
        assert response.status_code == 200, path
        text = full_text(response)
        assert not [n for n in [*POOL_NAMES, *emails] if n in text], path
    # …while the pseudonyms are there, so the audit is not empty.
    detail = fetch(w, role, _selection_paths(w, w.drawn_selection)[0]).content.decode()
    assert w.drawn_selection.pool[0]["id"] in detail

"""Issue 10, "Correct the data" (moderation): reasons of reports, similar actions (merge search and
"Already proposed?"), corrections by moderators, withdrawal by the author, the "Moderation (n)" link.

Each test below fails on the code before issue 10. They run on SQLite and on PostgreSQL alike: the
similar actions come from pg_trgm there and from Python trigrams here, with the same answers.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from concerto.core.errors import FieldErrors
from concerto.core.models import AuditEntry
from concerto.dashboard.selectors import campaign_journal
from concerto.proposals.errors import ActionNotFound, NotPending, NotTheAuthor, WrongStatus
from concerto.proposals.models import Action, ActionStatus, CommentReport, Origin, ReportKind, Theme
from concerto.proposals.selectors import key_figures, similar_actions
from concerto.proposals.services import (
    action_create_published_by_system,
    action_edit_by_moderator,
    action_propose,
    action_publish,
    action_reject,
    action_withdraw,
    comment_add,
    comment_report,
)

pytestmark = pytest.mark.django_db

SCHOOL = "Sécuriser la traversée devant l'école"


def published(campaign, title, summary="Une action retenue en atelier pour le quartier."):
    return action_create_published_by_system(campaign=campaign, title=title, summary=summary,
                                             origin=Origin.WORKSHOP)


@pytest.fixture
def actions(campaign, published_action):
    """The school crossing (``published_action``) among unrelated published actions."""
    return {
        "school": published_action,
        "trees": published(campaign, "Planter des arbres dans la cour"),
        "benches": published(campaign, "Des bancs à l'ombre place du marché"),
        "bikes": published(campaign, "Un garage à vélos près de la gare"),
    }


@pytest.fixture
def pending(campaign, resident_bob):
    return action_propose(user=resident_bob, campaign=campaign, title="Traversée dangereuse à l'école",
                          summary="Les enfants traversent sans passage protégé le matin.",
                          theme_id=Theme.objects.get(campaign=campaign, slug="espaces-verts").pk)


# --- similar_actions: accents, typos, a few letters; the same on both databases ------------------


@pytest.mark.parametrize("typed", [
    "securiser la traverse ecole",  # no accents, a letter missing, a word missing
    "SECURISER TRAVERSEE",
    "secursier la travrsee",  # typos
    "trav",  # a few letters
    "l'école",
])


def test_similar_actions_tolerate_accents_typos_and_a_few_letters(campaign, actions, typed):
    found = similar_actions(campaign, typed, 5)
    assert found and found[0].pk == actions["school"].pk, [a.title for a in found]


def test_similar_actions_leave_out_unrelated_hidden_and_other_campaigns(campaign, other_campaign, actions,
                                                                         pending, moderator_marc):
    published(other_campaign, SCHOOL)
    rejected = action_propose(user=pending.author, campaign=campaign, title="Sécuriser la traversée du parc",
                              summary="Une proposition refusée par la modération.")
    action_reject(moderator=moderator_marc, campaign=campaign, action_id=rejected.pk, reason="Hors périmètre.")
    found = similar_actions(campaign, "securiser la traversee", 10)
    assert [a.pk for a in found] == [actions["school"].pk]  # not pending, rejected, nor elsewhere
    assert similar_actions(campaign, "Des panneaux solaires sur la mairie", 10) == []
    assert similar_actions(campaign, "ab", 10) == []  # too short to mean anything
    assert similar_actions(campaign, SCHOOL, 10, exclude_id=actions["school"].pk) == []


def test_similar_actions_rank_the_closest_first_and_say_how_close(campaign, actions):
    near = published(campaign, "Sécuriser la traversée du parc")
    found = similar_actions(campaign, "securiser la traversee devant l'ecole", 5)
    assert [a.pk for a in found[:2]] == [actions["school"].pk, near.pk]
    assert 0 < found[1].similarity < found[0].similarity <= 1


def test_similar_actions_cost_the_same_queries_whatever_the_number_of_actions(campaign, actions):
    with CaptureQueriesContext(connection) as few:
        similar_actions(campaign, "traversee ecole", 5)
    for i in range(30):
        published(campaign, f"Traversée numéro {i} près de l'école")
    with CaptureQueriesContext(connection) as many:
        assert len(similar_actions(campaign, "traversee ecole", 5)) == 5
    assert len(many) == len(few) <= 2


def test_postgresql_has_pg_trgm_and_a_trigram_index_on_titles(db):
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's; SQLite compares trigrams in Python")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'action_title_key_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


# --- The reporter's reason, shown to moderators -------------------------------------------------


def test_a_report_keeps_its_reason_and_the_moderators_read_it(client, campaign, published_action, resident_alice,
                                                              resident_bob, moderator_marc):
    comment = comment_add(user=resident_bob, action=published_action, body="Un commentaire déplacé.")
    client.force_login(resident_alice)
    r = client.post(reverse("proposals:report", args=[campaign.slug, comment.pk]),
                    {"kind": "personal", "reason": "Il donne l'adresse de ma voisine"})
    assert r.status_code == 302
    report = CommentReport.objects.get()
    assert (report.kind, report.reason) == (ReportKind.PERSONAL, "Il donne l'adresse de ma voisine")
    client.force_login(moderator_marc)
    body = client.get(reverse("proposals:moderation", args=[campaign.slug])).content.decode()
    assert escape(str(ReportKind.PERSONAL.label)) in body
    assert "Il donne l&#x27;adresse de ma voisine" in body
    assert "alice@example.org" not in body and "Alice" not in body  # who reported stays private


def test_the_report_form_offers_the_reasons(client, published_action, resident_alice, resident_bob):
    comment_add(user=resident_bob, action=published_action, body="Un commentaire de Bob.")
    client.force_login(resident_alice)
    body = client.get(reverse("proposals:detail", args=[published_action.campaign.slug, published_action.pk]))
    body = body.content.decode()
    assert 'name="kind"' in body
    for kind in ReportKind:
        assert f'value="{kind.value}"' in body


def test_an_unknown_reason_is_refused_and_nothing_is_stored(published_action, resident_alice, resident_bob):
    comment = comment_add(user=resident_bob, action=published_action, body="Un commentaire de Bob.")
    with pytest.raises(FieldErrors) as caught:
        comment_report(user=resident_alice, comment=comment, kind="because")
    assert "kind" in caught.value.errors
    assert not CommentReport.objects.exists()
    assert comment_report(user=resident_alice, comment=comment)  # no reason given: "another reason"
    assert CommentReport.objects.get().kind == ReportKind.OTHER


# --- Merging: similar actions first, searchable -------------------------------------------------


def test_the_merge_page_suggests_the_similar_action_first(client, campaign, actions, pending, moderator_marc):
    client.force_login(moderator_marc)
    url = reverse("proposals:moderation_merge", args=[campaign.slug, pending.pk])
    body = client.get(url).content.decode()
    assert SCHOOL.replace("'", "&#x27;") in body
    assert "Planter des arbres" not in body  # unrelated: not suggested
    # A few letters, without accents, find another one; htmx gets only the results.
    r = client.get(url, {"q": "arbres cour"}, headers={"HX-Request": "true"})
    body = r.content.decode()
    assert "Planter des arbres dans la cour" in body and "<html" not in body
    assert f'name="into" value="{actions["trees"].pk}"' in body
    # The button merges.
    r = client.post(reverse("proposals:moderate_action", args=[campaign.slug, pending.pk]),
                    {"decision": "merge", "into": actions["trees"].pk})
    pending.refresh_from_db()
    assert (pending.status, pending.merged_into_id) == (ActionStatus.MERGED, actions["trees"].pk)


def test_the_queue_links_each_contribution_to_its_merge_page(client, campaign, pending, moderator_marc):
    client.force_login(moderator_marc)
    body = client.get(reverse("proposals:moderation", args=[campaign.slug])).content.decode()
    assert reverse("proposals:moderation_merge", args=[campaign.slug, pending.pk]) in body
    assert reverse("proposals:moderation_edit", args=[campaign.slug, pending.pk]) in body


def test_the_merge_page_of_a_decided_contribution_does_not_exist(client, campaign, pending, moderator_marc):
    action_publish(moderator=moderator_marc, campaign=campaign, action_id=pending.pk)
    client.force_login(moderator_marc)
    assert client.get(reverse("proposals:moderation_merge", args=[campaign.slug, pending.pk])).status_code == 404


# --- "Already proposed?" while a resident types --------------------------------------------------


def test_already_proposed_while_typing_htmx(client, campaign, actions, resident_alice):
    client.force_login(resident_alice)
    page = client.get(reverse("proposals:propose", args=[campaign.slug])).content.decode()
    similar_url = reverse("proposals:similar", args=[campaign.slug])
    assert f'hx-get="{similar_url}"' in page and 'id="similar"' in page
    r = client.get(similar_url, {"title": "securiser la traverse ecole"}, headers={"HX-Request": "true"})
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body
    assert SCHOOL.replace("'", "&#x27;") in body
    assert f'name="see" value="{actions["school"].pk}"' in body  # opens it, keeping the draft


def test_already_proposed_without_javascript_keeps_the_draft(client, campaign, actions, resident_alice):
    client.force_login(resident_alice)
    url = reverse("proposals:propose", args=[campaign.slug])
    draft = {"title": "securiser la traverse ecole", "summary": "Un feu rouge devant l'école.", "body": "",
             "theme": "", "place": "Avenue"}
    r = client.post(url, {**draft, "check": "1"})
    body = r.content.decode()
    assert r.status_code == 200
    assert SCHOOL.replace("'", "&#x27;") in body
    assert 'value="securiser la traverse ecole"' in body  # the draft is still in the form
    assert not Action.objects.filter(author=resident_alice).exists()  # nothing sent
    # Opening the similar action, then coming back: the draft is there.
    r = client.post(url, {**draft, "see": str(actions["school"].pk)})
    assert r.status_code == 302 and r["Location"] == reverse("proposals:detail", args=[campaign.slug,
                                                                                       actions["school"].pk])
    body = client.get(url).content.decode()
    assert 'value="securiser la traverse ecole"' in body and "Un feu rouge devant l&#x27;école." in body
    # Never blocking: sending it anyway works, and the kept draft is then forgotten.
    r = client.post(url, {**draft, "title": "Un feu rouge devant l'école"})
    assert r.status_code == 302
    assert Action.objects.filter(author=resident_alice, status=ActionStatus.PENDING).count() == 1
    assert "securiser la traverse ecole" not in client.get(url).content.decode()


def test_already_proposed_shows_only_published_actions(client, campaign, actions, pending):
    r = client.get(reverse("proposals:similar", args=[campaign.slug]), {"title": "traversee dangereuse"})
    assert "Traversée dangereuse" not in r.content.decode()  # pending: not public


# --- Corrections by moderators before publishing ------------------------------------------------


def test_a_moderator_corrects_a_pending_contribution_audited_and_the_author_is_told(
        client, campaign, pending, moderator_marc, resident_bob):
    mobility = Theme.objects.get(campaign=campaign, slug="mobilite")
    client.force_login(moderator_marc)
    url = reverse("proposals:moderation_edit", args=[campaign.slug, pending.pk])
    assert "Traversée dangereuse à l&#x27;école" in client.get(url).content.decode()
    r = client.post(url, {"title": "Traversée dangereuse devant l'école", "summary": pending.summary,
                          "body": "Vu le **matin**.", "theme": str(mobility.pk)})
    assert r.status_code == 302
    pending.refresh_from_db()
    assert (pending.title, pending.theme_id, pending.status) == (
        "Traversée dangereuse devant l'école", mobility.pk, ActionStatus.PENDING)
    assert "<strong>matin</strong>" in pending.body_html and pending.edited_by_moderation_at
    entry = AuditEntry.objects.get(code="proposals.action.edited")
    assert entry.actor == moderator_marc
    assert entry.data["before"] == {"title": "Traversée dangereuse à l'école", "body": "", "theme": "Espaces verts"}
    assert entry.data["after"] == {"title": "Traversée dangereuse devant l'école", "body": "Vu le **matin**.",
                                   "theme": "Mobilité"}
    assert entry in campaign_journal(campaign)  # a team decision: the organisers' journal lists it
    # The author sees it was edited, on the action's page and in "My space".
    client.force_login(resident_bob)
    date = pending.edited_by_moderation_at
    for page in (reverse("proposals:detail", args=[campaign.slug, pending.pk]), reverse("dashboard:me")):
        body = client.get(page).content.decode()
        assert str(date.year) in body and "Traversée dangereuse devant l&#x27;école" in body
        assert 'class="notice"' in body or 'class="help"' in body


def test_a_correction_with_bad_input_changes_nothing(client, campaign, pending, moderator_marc):
    client.force_login(moderator_marc)
    r = client.post(reverse("proposals:moderation_edit", args=[campaign.slug, pending.pk]),
                    {"title": "Ok", "summary": pending.summary, "body": "", "theme": ""})
    assert r.status_code == 400
    assert 'class="error"' in r.content.decode()
    pending.refresh_from_db()
    assert pending.title == "Traversée dangereuse à l'école" and pending.edited_by_moderation_at is None
    assert not AuditEntry.objects.filter(code="proposals.action.edited").exists()


def test_only_pending_contributions_are_corrected_and_only_by_moderators(campaign, pending, moderator_marc,
                                                                          resident_alice, published_action):
    fields = {"title": "Un autre titre assez long", "summary": "Un autre résumé assez long."}
    with pytest.raises(ActionNotFound):
        action_edit_by_moderator(moderator=resident_alice, campaign=campaign, action_id=pending.pk, **fields)
    with pytest.raises(WrongStatus):
        action_edit_by_moderator(moderator=moderator_marc, campaign=campaign, action_id=published_action.pk,
                                 **fields)
    pending.refresh_from_db()
    assert pending.title == "Traversée dangereuse à l'école"


# --- Withdrawal by the author while pending -----------------------------------------------------


def test_the_author_withdraws_a_pending_contribution_from_my_space(client, campaign, pending, resident_bob):
    client.force_login(resident_bob)
    url = reverse("proposals:withdraw", args=[campaign.slug, pending.pk])
    assert url in client.get(reverse("dashboard:me")).content.decode()
    assert url in client.get(reverse("proposals:detail", args=[campaign.slug, pending.pk])).content.decode()
    contributions = key_figures(campaign)["contributions"]
    r = client.post(url, {"back": reverse("dashboard:me")})
    assert r.status_code == 302 and r["Location"] == reverse("dashboard:me")
    pending.refresh_from_db()
    assert pending.status == ActionStatus.WITHDRAWN
    assert AuditEntry.objects.filter(code="proposals.contribution.withdrawn", actor=resident_bob).count() == 1
    assert key_figures(campaign)["contributions"] == contributions - 1
    # Gone from the queue; its author still sees it, without the button.
    assert pending.title not in _queue_titles(campaign)
    body = client.get(reverse("proposals:detail", args=[campaign.slug, pending.pk])).content.decode()
    assert url not in body


def _queue_titles(campaign):
    from concerto.proposals.selectors import moderation_queue

    return [a.title for a in moderation_queue(campaign)[0]]


def test_withdrawal_is_refused_to_others_and_after_a_decision(client, campaign, pending, resident_alice,
                                                               moderator_marc, resident_bob):
    with pytest.raises(ActionNotFound):
        action_withdraw(user=resident_alice, campaign=campaign, action_id=pending.pk)
    with pytest.raises(NotTheAuthor):
        action_withdraw(user=moderator_marc, campaign=campaign, action_id=pending.pk)
    action_publish(moderator=moderator_marc, campaign=campaign, action_id=pending.pk)
    with pytest.raises(NotPending):
        action_withdraw(user=resident_bob, campaign=campaign, action_id=pending.pk)
    pending.refresh_from_db()
    assert pending.status == ActionStatus.PUBLISHED
    client.force_login(resident_alice)
    r = client.post(reverse("proposals:withdraw", args=[campaign.slug, pending.pk]))
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ActionStatus.PUBLISHED


def test_the_api_withdraws_for_the_author(client, campaign, pending, resident_bob):
    from concerto.residents.services import api_token_create

    _token, secret = api_token_create(user=resident_bob, name="script")
    r = client.post(f"/api/v1/campaigns/{campaign.slug}/actions/{pending.pk}/withdraw",
                    headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = client.get(f"/api/v1/campaigns/{campaign.slug}/actions/similar", {"q": "traverse ecole"})
    assert r.status_code == 200 and r.json() == []


# --- "Moderation (n)" in the navigation ---------------------------------------------------------


def test_moderators_see_moderation_with_the_waiting_count(client, campaign, published_action, pending,
                                                          resident_alice, resident_bob, moderator_marc,
                                                          organiser_dina, facilitator_fanny):
    action_propose(user=resident_alice, campaign=campaign, title="Une deuxième proposition",
                   summary="Elle attend aussi la modération.")
    comment = comment_add(user=resident_bob, action=published_action, body="Un commentaire signalé deux fois.")
    comment_report(user=resident_alice, comment=comment, kind=ReportKind.SPAM)
    comment_report(user=moderator_marc, comment=comment, kind=ReportKind.INSULT)
    queue = reverse("proposals:moderation", args=[campaign.slug])
    home = reverse("dashboard:campaign_home", args=[campaign.slug])
    for who in (moderator_marc, organiser_dina):
        client.force_login(who)
        body = client.get(reverse("proposals:list", args=[campaign.slug])).content.decode()
        assert f'href="{queue}" class="moderation-link"' in body
        assert "(3)" in body  # two contributions and one comment wait
    for who in (resident_alice, facilitator_fanny):
        client.force_login(who)
        assert queue not in client.get(home).content.decode()
    client.logout()
    assert queue not in client.get(home).content.decode()


def test_the_moderation_link_costs_one_query(client, campaign, pending, moderator_marc):
    from concerto.proposals.templatetags.moderation import moderation_waiting

    class Request:
        pass

    request = Request()
    request.user = moderator_marc
    moderation_waiting({"request": request}, campaign)  # roles loaded, as the page did before
    request.__dict__.pop("_moderation_waiting")
    with CaptureQueriesContext(connection) as queries:
        assert moderation_waiting({"request": request}, campaign) == 1
        assert moderation_waiting({"request": request}, campaign) == 1  # kept for the request
    assert len(queries) == 1

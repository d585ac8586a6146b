"""Public names cannot impersonate the team, candidates or other residents; roles are badged (issue 8, F7)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerto.core.errors import FieldErrors, Invalid
from concerto.joining.services import code_join_with_pin
from concerto.letters.codes import new_code
from concerto.letters.models import Household, InvitationCode
from concerto.proposals.models import Comment
from concerto.proposals.services import comment_add
from concerto.residents.models import Role
from concerto.residents.names import skeleton
from concerto.residents.services import profile_update, role_grant_by_system
from conftest import make_user

pytestmark = pytest.mark.django_db

CANDIDATE_LIST = "Liste « Aix Citoyenne et Verte » (candidate)"


@pytest.fixture
def team(campaign, candidate_claire, organiser_dina):
    candidate_claire.display_name = CANDIDATE_LIST
    candidate_claire.save()
    organiser_dina.display_name = "Dina Martin"
    organiser_dina.save()
    return {"candidate": candidate_claire, "organiser": organiser_dina}


@pytest.mark.parametrize(("name", "code"), [
    (CANDIDATE_LIST, "name_claims_role"),
    ("Liste Aix Citoyenne et Verte", "name_claims_role"),
    ("Claire, organisatrice", "name_claims_role"),
    ("Clаire, organisatrice", "name_claims_role"),  # Cyrillic а
    ("Sonia (modérat·rice)", "name_claims_role"),
    ("Habitant·e n°5", "name_default_reserved"),
    ("Resident #12", "name_default_reserved"),
    ("\u3164", "name_blank"),
    ("\u115f\u1160", "name_blank"),
    ("\u2800", "name_blank"),
    ("\uffa0 .", "name_blank"),
    ("Dina Martin", "name_reserved"),
    ("Dіna Mаrtin", "name_reserved"),  # Cyrillic і and а
    ("DINA  MARTlN", "name_reserved"),  # l for I, case and spaces
    ("Ｄｉｎａ Ｍａｒｔｉｎ", "name_reserved"),  # full width
])
def test_misleading_names_are_refused(team, resident_alice, name, code):
    before = resident_alice.display_name
    with pytest.raises(Invalid) as refused:
        profile_update(user=resident_alice, display_name=name)
    assert refused.value.code == code
    resident_alice.refresh_from_db()
    assert resident_alice.display_name == before


@pytest.mark.parametrize("name", ["Zoé", "Jean-Pierre", "Nguyễn Văn An", "Владимир", "Animata Traoré", "Marc B.",
                                  "Claire", "Élise Lemaire", "Candice"])
def test_ordinary_names_are_accepted(team, resident_alice, name):
    assert profile_update(user=resident_alice, display_name=name).display_name == name


def test_fillers_inside_a_name_are_removed(team, resident_alice):
    assert profile_update(user=resident_alice, display_name="Zo\u3164é").display_name == "Zoé"


def test_another_residents_name_in_the_same_campaign_is_refused(campaign, resident_alice, resident_bob):
    profile_update(user=resident_bob, display_name="Bob Durand")
    with pytest.raises(Invalid) as refused:
        profile_update(user=resident_alice, display_name="Bоb Durand")  # Cyrillic о
    assert refused.value.code == "name_taken"
    assert profile_update(user=resident_bob, display_name="Bob Durand").display_name == "Bob Durand"  # his own


def test_the_team_keeps_its_own_name(team):
    assert profile_update(user=team["organiser"], display_name="Dina Martin").display_name == "Dina Martin"


def test_the_profile_page_explains_the_refusal_in_english(client, team, resident_alice):
    client.force_login(resident_alice)
    client.cookies["django_language"] = "en"
    page = client.post(reverse("dashboard:me_profile"), {"display_name": "Clаire, organisatrice"}, follow=True)
    assert "cannot claim a role" in page.content.decode()
    page = client.post(reverse("dashboard:me_profile"), {"display_name": "\u3164"}, follow=True)
    assert "at least one visible letter or digit" in page.content.decode()


def test_joining_without_email_refuses_the_same_names(campaign, team):
    household = Household.objects.create(campaign=campaign, address_line1="3 rue des Lilas", postcode="13090",
                                         city="Aix")
    code = InvitationCode.objects.create(campaign=campaign, household=household, code=new_code(), max_uses=4)
    for name in ("\u3164", "Claire, organisatrice", "Habitant·e n°5", "Dіna Martin"):
        with pytest.raises(FieldErrors) as refused:
            code_join_with_pin(campaign=campaign, text=code.code, ip="10.0.0.9", display_name=name, pin="4821",
                               pin_again="4821")
        assert "display_name" in refused.value.errors
    result = code_join_with_pin(campaign=campaign, text=code.code, ip="10.0.0.9", display_name="Zoé", pin="4821",
                                pin_again="4821")
    assert result.user.display_name == "Zoé"


def test_skeleton_folds_look_alikes():
    assert skeleton("Clаire") == skeleton("claire") == skeleton("CLAIRE") == skeleton("Cl a-i.r e")
    assert skeleton("Zoé") == skeleton("Zoe") and skeleton("Claire") != skeleton("Clara")


# --- Badges -----------------------------------------------------------------------------------------


def test_team_and_candidate_comments_carry_a_role_badge(client, campaign, published_action, resident_alice,
                                                        moderator_marc, candidate_claire):
    comment_add(user=resident_alice, action=published_action, body="Un avis d'habitante.")
    Comment.objects.create(action=published_action, author=moderator_marc, body="Un mot de la modération.")
    Comment.objects.create(action=published_action, author=candidate_claire, body="Un mot d'une liste.")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("proposals:detail", args=[campaign.slug, published_action.pk])).content.decode()
    assert html.count('class="badge role-badge"') == 2
    assert '<span class="badge role-badge">Moderator</span>' in html
    assert '<span class="badge role-badge">Candidate</span>' in html
    api = client.get(f"/api/v1/campaigns/{campaign.slug}/actions/{published_action.pk}/comments").json()
    roles = {c["body"]: c["author_roles"] for c in api["items"]}
    assert roles == {"Un avis d'habitante.": [], "Un mot de la modération.": ["moderator"],
                     "Un mot d'une liste.": ["candidate"]}


def test_badges_cost_no_query_per_comment(client, campaign, published_action):
    url = reverse("proposals:detail", args=[campaign.slug, published_action.pk])

    def queries_with(n):
        for i in range(n):
            person = make_user(f"equipe{n}-{i}@example.org", campaign=campaign, role=Role.RESIDENT)
            role_grant_by_system(campaign=campaign, user=person, role=Role.AMBASSADOR)
            Comment.objects.create(action=published_action, author=person, body=f"Avis {n}-{i}")
        client.get(url)  # the campaign and its phases are then read from the cache (core.state) both times
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries_with(1) == queries_with(6)

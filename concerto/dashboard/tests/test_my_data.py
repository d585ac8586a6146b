"""“Mes données” holds everything about the person, as a page and as JSON (issue 10)."""

import json

import pytest
from django.urls import reverse

from concerto.campaigns.models import Sector
from concerto.core.audit import log_action
from concerto.letters.codes import new_code
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.proposals.services import action_propose, comment_add, comment_report, support_add
from concerto.residents.services import api_token_create, resident_verify_by_letter
from concerto.volunteers.defaults import call_defaults
from concerto.volunteers.services import call_configure, volunteer_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_everywhere(campaign, organiser_dina, resident_alice, resident_bob, published_action):
    """Alice with a household, volunteer answers, a support, a contribution, a comment, a report, a
    sign-in and a token."""
    sector = Sector.objects.create(campaign=campaign, code="place-amandiers", name="Place des Amandiers")
    household = Household.objects.create(campaign=campaign, address_line1="7 place des Amandiers",
                                         postcode="13090", city="Aix-en-Provence", sector=sector, key="7 amandiers")
    code = InvitationCode.objects.create(campaign=campaign, household=household, code=new_code())
    CodeUse.objects.create(code=code, user=resident_alice)
    resident_verify_by_letter(user=resident_alice, campaign=campaign, sector=sector)
    defaults = call_defaults(campaign)
    call_configure(user=organiser_dina, campaign=campaign, **{**defaults, "is_open": True})
    question = defaults["profile_questions"][0]
    volunteer_save(user=resident_alice, campaign=campaign, talents=[defaults["talents"][0]["code"]],
                   availability=[d["code"] for d in defaults["workshop_dates"]],
                   profile={q["code"]: q["options"][0]["code"] for q in defaults["profile_questions"]},
                   consent=True)
    support_add(user=resident_alice, action=published_action)
    action_propose(user=resident_alice, campaign=campaign, title="Un composteur au jardin",
                   summary="Installer un composteur près des jardins familiaux.")
    bobs = comment_add(user=resident_bob, action=published_action, body="Un commentaire de Bob à signaler.")
    comment_add(user=resident_alice, action=published_action, body="Mon commentaire sur la traversée.")
    comment_report(user=resident_alice, comment=bobs, reason="Hors sujet selon moi")
    log_action("residents.sign_in.link", actor=resident_alice, target=resident_alice)
    api_token_create(user=resident_alice, name="mon script")
    return {"question": question, "talent": defaults["talents"][0]}


def test_the_page_shows_everything_held_in_words(client, resident_alice, alice_everywhere):
    """Before: the JSON only (no page), without household, volunteer answers, reports nor sign-ins."""
    client.force_login(resident_alice)
    response = client.get(reverse("dashboard:me_data"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "7 place des Amandiers" not in body  # the household's address stays with the organisers
    for text in ("alice@example.org", "Place des Amandiers",
                 str(alice_everywhere["talent"]["label"]), str(alice_everywhere["question"]["options"][0]["label"]),
                 "Sécuriser la traversée", "Un composteur au jardin", "Mon commentaire sur la traversée",
                 "Hors sujet selon moi", "mon script"):
        assert text.replace("'", "&#x27;") in body, text
    assert "Un commentaire de Bob" not in body and "bob@example.org" not in body
    assert "cto_" not in body.replace(resident_alice.api_tokens.get().prefix, "")  # never a secret


def test_the_json_holds_the_same_with_labels(client, resident_alice, alice_everywhere):
    client.force_login(resident_alice)
    response = client.get(reverse("dashboard:me_export"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == "alice@example.org"
    assert data["households"][0]["sector"] == "Place des Amandiers"
    assert data["volunteering"][0]["talents"] == [str(alice_everywhere["talent"]["label"])]
    assert data["reports"][0]["reason"] == "Hors sujet selon moi"
    assert data["sign_ins"] and data["api_tokens"][0]["name"] == "mon script"
    assert data["roles"][0]["verification"] == "letter"
    assert set(data["labels"]) >= {"account", "households", "volunteering", "supports", "reports", "sign_ins"}
    assert all(part["title"] and part["fields"] for part in data["labels"].values())
    assert "token_hash" not in response.content.decode()


def test_the_page_needs_sign_in(client):
    response = client.get(reverse("dashboard:me_data"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("residents:sign_in"))

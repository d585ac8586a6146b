"""Joining with a letter code through the API, and the format-only code check."""

import pytest
from django.conf import settings
from django.utils import timezone

from concerto.campaigns.models import Sector
from concerto.core.models import AuditEntry
from concerto.letters.codes import ALPHABET, format_code, new_code
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.residents.models import Membership, Verification
from conftest import make_user

from .conftest import token_for


@pytest.fixture
def code(campaign):
    sector = Sector.objects.create(campaign=campaign, name="Les Lilas", code="lilas")
    household = Household.objects.create(campaign=campaign, address_line1="8 rue Haute", postcode="13013",
                                         city="Marseille", key="8 rue haute", sector=sector)
    return InvitationCode.objects.create(campaign=campaign, household=household, code=new_code())


def join_path(campaign):
    return f"/campaigns/{campaign.slug}/join"


def typo(code):
    return code[:4] + ALPHABET[(ALPHABET.index(code[4]) + 1) % 31] + code[5:]


def test_join_201_verifies_by_letter_and_is_idempotent(api, campaign, code, resident_alice, alice_token):
    response = api.post(join_path(campaign), {"code": format_code(code.code).lower()}, token=alice_token)
    assert response.status_code == 201
    assert response.json() == {"verified": True, "campaign": campaign.slug, "sector": "Les Lilas"}
    assert api.post(join_path(campaign), {"code": code.code}, token=alice_token).status_code == 201
    code.refresh_from_db()
    assert code.use_count == 1
    membership = Membership.objects.get(user=resident_alice, campaign=campaign)
    assert membership.verification == Verification.LETTER


def test_join_needs_a_token(api, campaign, code):
    response = api.post(join_path(campaign), {"code": code.code})
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


@pytest.mark.parametrize("text, error", [
    ("", "code_empty"), ("ABC", "code_length"), ("K0QM-4XPT-9C", "code_characters"), (None, "code_check"),
])
def test_format_errors_are_400_with_a_reason(api, campaign, code, alice_token, text, error):
    response = api.post(join_path(campaign), {"code": typo(code.code) if text is None else text},
                        token=alice_token)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == error and body["message"]


def test_unknown_404_used_up_and_revoked_409(api, campaign, code, alice_token, bob_token):
    other = new_code()
    assert api.post(join_path(campaign), {"code": other}, token=alice_token).json()["code"] == "code_not_found"
    code.max_uses = 1
    code.save()
    assert api.post(join_path(campaign), {"code": code.code}, token=alice_token).status_code == 201
    used_up = api.post(join_path(campaign), {"code": code.code}, token=bob_token)
    assert used_up.status_code == 409 and used_up.json()["code"] == "code_used_up"
    code.revoked_at = timezone.now()
    code.save()
    revoked = api.post(join_path(campaign), {"code": code.code}, token=bob_token)
    assert revoked.status_code == 409 and revoked.json()["code"] == "code_revoked"


def test_not_found_status(api, campaign, code, alice_token):
    assert api.post(join_path(campaign), {"code": new_code()}, token=alice_token).status_code == 404


def test_candidate_403(api, campaign, code, candidate_claire):
    response = api.post(join_path(campaign), {"code": code.code}, token=token_for(candidate_claire))
    assert response.status_code == 403 and response.json()["code"] == "cannot_join"
    assert not CodeUse.objects.exists()


def test_brute_force_429_even_for_a_valid_code(api, campaign, code):
    token = token_for(make_user("robot@example.org"))
    limit = settings.CONCERTO_RATE_LIMITS["join_code_ip"][0]
    for _ in range(limit):
        assert api.post(join_path(campaign), {"code": new_code()}, token=token).status_code == 404
    response = api.post(join_path(campaign), {"code": code.code}, token=token)
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert AuditEntry.objects.filter(code="letters.code.failed").count() == limit


def test_wrong_codes_for_a_whole_campaign_never_block_a_real_code(api, campaign, code, alice_token):
    from concerto.joining.errors import CodeNotFound
    from concerto.joining.services import code_lookup

    for i in range(settings.CONCERTO_RATE_LIMITS["join_code_campaign"][0] + 20):
        with pytest.raises(CodeNotFound):
            code_lookup(campaign=campaign, text=new_code(), ip=f"198.51.{100 + i // 250}.{i % 250 + 1}")
    response = api.post(join_path(campaign), {"code": code.code}, token=alice_token)
    assert response.status_code == 201 and response.json()["verified"] is True


def test_unknown_campaign_404(api, code, alice_token):
    assert api.post("/campaigns/nulle-part/join", {"code": code.code}, token=alice_token).status_code == 404


def test_missing_body_field_422(api, campaign, alice_token):
    assert api.post(join_path(campaign), {}, token=alice_token).status_code == 422


# --- Format check -------------------------------------------------------------------------------


def check_path(campaign):
    return f"/campaigns/{campaign.slug}/codes/check"


def test_check_valid_format_without_lookup(api, campaign, code):
    response = api.get(check_path(campaign), code=code.code.lower())
    assert response.status_code == 200
    assert response.json() == {"valid": True, "code": format_code(code.code), "reason": None, "message": None}
    # A well-formed code that does not exist is still "valid": the check never looks codes up.
    unknown = new_code()
    assert api.get(check_path(campaign), code=unknown).json()["valid"] is True
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("text, reason", [("", "empty"), ("AB", "length"), ("K0QM-4XPT-9C", "characters")])
def test_check_reasons(api, campaign, text, reason):
    body = api.get(check_path(campaign), code=text).json()
    assert body["valid"] is False and body["reason"] == reason and body["message"]


def test_check_typo(api, campaign, code):
    body = api.get(check_path(campaign), code=typo(code.code)).json()
    assert body == {"valid": False, "code": None, "reason": "check", "message": body["message"]}


def test_check_does_not_consume_the_budget(api, campaign, code, alice_token):
    for _ in range(settings.CONCERTO_RATE_LIMITS["join_code_ip"][0] * 2):
        api.get(check_path(campaign), code=new_code())
    assert api.post(join_path(campaign), {"code": code.code}, token=alice_token).status_code == 201


def test_openapi_documents_the_statuses(client, db):
    document = client.get("/api/v1/openapi.json").json()
    join = document["paths"]["/api/v1/campaigns/{slug}/join"]["post"]
    assert {"201", "400", "401", "403", "404", "409", "422", "429"} <= set(join["responses"])
    check = document["paths"]["/api/v1/campaigns/{slug}/codes/check"]["get"]
    assert {"200", "401", "404", "422"} <= set(check["responses"])
    assert {} in check["security"]

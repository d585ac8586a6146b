"""Joining with a code: lookup, redemption, revocation, exhaustion, brute force, the three paths."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from concerto.campaigns.models import Sector
from concerto.core.errors import DomainError, FieldErrors, RateLimited
from concerto.core.models import AuditEntry
from concerto.joining.errors import CodeNotFound, CodeRevoked, CodeUsedUp
from concerto.joining.selectors import letter_status_for
from concerto.joining.services import (
    code_join_by_email,
    code_join_signed_in,
    code_join_with_pin,
    code_lookup,
    code_redeem,
)
from concerto.letters.codes import ALPHABET, format_code, new_code
from concerto.letters.errors import CodeError
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.proposals import rules as proposal_rules
from concerto.proposals.services import support_add
from concerto.residents import rules as residents_rules
from concerto.residents.errors import CannotJoin
from concerto.residents.models import Membership, Role, SignInLink, User, Verification
from concerto.residents.services import resident_join, sign_in_link_consume
from conftest import make_user

IP = "203.0.113.7"
LINK = "http://testserver/connexion/lien/{}/".format


def make_code(campaign, *, sector=None, max_uses=4, address="12 rue des Lilas"):
    household = Household.objects.create(
        campaign=campaign, address_line1=address, postcode="13013", city="Marseille", sector=sector,
        key=address.lower(),
    )
    return InvitationCode.objects.create(campaign=campaign, household=household, code=new_code(), max_uses=max_uses)


@pytest.fixture
def sector(campaign):
    return Sector.objects.create(campaign=campaign, name="Les Lilas", code="lilas")


@pytest.fixture
def code(campaign, sector):
    return make_code(campaign, sector=sector)


def unknown_code(existing="") -> str:
    while True:
        c = new_code()
        if c != existing and not InvitationCode.objects.filter(code=c).exists():
            return c


def mistyped(code: str) -> str:
    other = ALPHABET[(ALPHABET.index(code[3]) + 1) % len(ALPHABET)]
    return code[:3] + other + code[4:]


# --- Lookup -------------------------------------------------------------------------------------


def test_lookup_accepts_the_paper_form_in_lower_case(campaign, code):
    assert code_lookup(campaign=campaign, text=format_code(code.code).lower(), ip=IP) == code


def test_a_code_of_another_campaign_is_not_found(other_campaign, code):
    with pytest.raises(CodeNotFound):
        code_lookup(campaign=other_campaign, text=code.code, ip=IP)


def test_mistyped_code_is_a_format_error_and_is_not_counted(campaign, code):
    for _ in range(settings.CONCERTO_RATE_LIMITS["join_code_ip"][0] + 5):
        with pytest.raises(CodeError) as err:
            code_lookup(campaign=campaign, text=mistyped(code.code), ip=IP)
        assert err.value.code == "code_check" and err.value.status == 400
    assert not AuditEntry.objects.filter(code="letters.code.failed").exists()
    assert code_lookup(campaign=campaign, text=code.code, ip=IP) == code


@pytest.mark.parametrize("text, reason", [("", "empty"), ("ABC", "length"), ("K0QM-4XPT-9C", "characters")])
def test_format_error_codes(campaign, text, reason):
    with pytest.raises(CodeError) as err:
        code_lookup(campaign=campaign, text=text, ip=IP)
    assert err.value.code == f"code_{reason}" and err.value.reason == reason


def test_brute_force_is_limited_per_ip_logged_and_then_refuses_even_a_valid_code(campaign, code):
    limit = settings.CONCERTO_RATE_LIMITS["join_code_ip"][0]
    for _ in range(limit):
        with pytest.raises(CodeNotFound):
            code_lookup(campaign=campaign, text=unknown_code(code.code), ip=IP)
    with pytest.raises(RateLimited) as err:
        code_lookup(campaign=campaign, text=code.code, ip=IP)
    assert err.value.status == 429
    # Another address is not blocked.
    assert code_lookup(campaign=campaign, text=code.code, ip="198.51.100.1") == code
    failures = AuditEntry.objects.filter(code="letters.code.failed")
    assert failures.count() == limit
    entry = failures.first()
    assert entry.scope == campaign.slug
    assert IP not in str(entry.data) and len(entry.data["ip"]) == 12
    assert all(code.code not in str(e.data) for e in failures)


def _guess_from_many_addresses(campaign, count):
    for i in range(count):
        with pytest.raises(CodeNotFound):
            code_lookup(campaign=campaign, text=unknown_code(), ip=f"198.51.{100 + i // 250}.{i % 250 + 1}")


def test_wrong_codes_for_a_whole_campaign_alert_the_organisers_and_never_block_a_real_code(
        client, campaign, code, organiser_dina, django_capture_on_commit_callbacks):
    threshold = settings.CONCERTO_RATE_LIMITS["join_code_campaign"][0]
    with django_capture_on_commit_callbacks(execute=True):
        _guess_from_many_addresses(campaign, threshold + 20)
    # A resident with a real code joins, from an address that guessed nothing.
    assert code_lookup(campaign=campaign, text=code.code, ip="192.0.2.99") == code
    url = f"/c/{campaign.slug}/rejoindre/"
    page = client.post(url, {"step": "code", "code": code.code})
    assert page.status_code == 200 and 'name="pin-pin"' in page.content.decode()
    joined = client.post(url, {"step": "pin", "pin-code": code.code, "pin-display_name": "Paul", "pin-pin": "4071",
                               "pin-pin_again": "4071"})
    assert joined.status_code == 302 and CodeUse.objects.filter(code=code).count() == 1
    # The organisers were told once.
    alerts = AuditEntry.objects.filter(code="letters.code.alert", scope=campaign.slug)
    assert alerts.count() == 1 and alerts.get().data["failures"] == threshold
    sent = [m for m in mail.outbox if organiser_dina.email in m.to]
    assert len(sent) == 1 and campaign.name in sent[0].subject


def test_revoked_and_used_up_codes(campaign, code, resident_alice):
    code.max_uses = 1
    code.save()
    code_redeem(user=resident_alice, code=code)
    with pytest.raises(CodeUsedUp) as err:
        code_lookup(campaign=campaign, text=code.code, ip=IP)
    assert err.value.status == 409 and "1" in str(err.value.message)
    # Not used up for the person who already used it.
    assert code_lookup(campaign=campaign, text=code.code, ip=IP, user=resident_alice) == code
    code.revoked_at = timezone.now()
    code.save()
    with pytest.raises(CodeRevoked) as err:
        code_lookup(campaign=campaign, text=code.code, ip=IP)
    assert err.value.status == 409


# --- Redemption ---------------------------------------------------------------------------------


def test_redeem_verifies_by_letter_with_the_sector_and_is_idempotent(campaign, code, sector, resident_alice):
    assert residents_rules.verification_of(resident_alice, campaign) == Verification.EMAIL
    use = code_redeem(user=resident_alice, code=code)
    again = code_redeem(user=resident_alice, code=code)
    assert use == again
    code.refresh_from_db()
    assert code.use_count == 1
    membership = Membership.objects.get(user=resident_alice, campaign=campaign, role=Role.RESIDENT)
    assert membership.verification == Verification.LETTER and membership.sector == sector
    assert AuditEntry.objects.filter(code="letters.code.used", actor=resident_alice).count() == 1


def test_redeem_stops_at_max_uses(campaign, code):
    users = [make_user(f"voisin{i}@example.org") for i in range(5)]
    for user in users[:4]:
        code_redeem(user=user, code=code)
    with pytest.raises(CodeUsedUp):
        code_redeem(user=users[4], code=code)
    code.refresh_from_db()
    assert code.use_count == 4 and CodeUse.objects.filter(code=code).count() == 4
    assert not Membership.objects.filter(user=users[4]).exists()


def test_redeem_refuses_a_revoked_code(campaign, code, resident_alice):
    code.revoked_at = timezone.now()
    code.save()
    with pytest.raises(CodeRevoked):
        code_redeem(user=resident_alice, code=code)
    code.refresh_from_db()
    assert code.use_count == 0 and not CodeUse.objects.exists()
    assert not residents_rules.is_letter_verified(resident_alice, campaign)


def test_candidates_are_refused_and_nothing_changes(campaign, code, candidate_claire):
    with pytest.raises(CannotJoin):
        code_join_signed_in(user=candidate_claire, campaign=campaign, text=code.code, ip=IP)
    with pytest.raises(CannotJoin):
        code_redeem(user=candidate_claire, code=code)
    code.refresh_from_db()
    assert code.use_count == 0 and not CodeUse.objects.exists()
    assert Role.RESIDENT not in residents_rules.roles_of(candidate_claire, campaign)


# --- The three paths ----------------------------------------------------------------------------


def test_signed_in_resident_joined_by_email_is_upgraded_to_letter(campaign, code, sector, resident_alice):
    result = code_join_signed_in(user=resident_alice, campaign=campaign, text=format_code(code.code), ip=IP)
    assert result.user == resident_alice and not result.sign_in and result.sector == sector
    residents_rules.forget_roles(resident_alice)
    assert residents_rules.is_letter_verified(resident_alice, campaign)


def test_signed_in_outsider_becomes_a_letter_verified_resident(campaign, code):
    user = make_user("nouveau@example.org")
    code_join_signed_in(user=user, campaign=campaign, text=code.code, ip=IP)
    assert Membership.objects.get(user=user, campaign=campaign).verification == Verification.LETTER


def test_new_email_gets_a_link_first_and_joins_once_signed_in(campaign, code, django_capture_on_commit_callbacks):
    """The address is proven before anything is created: same answer as for a known address."""
    with django_capture_on_commit_callbacks(execute=True):
        result = code_join_by_email(campaign=campaign, text=code.code, ip=IP, email=" Nadia@Example.org ",
                                display_name="Nadia", build_url=LINK,
                                next_url=f"/c/{campaign.slug}/rejoindre/?code={code.code}")
    assert result.link_sent and not result.sign_in and result.user is None
    assert not User.objects.filter(email="nadia@example.org").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nadia@example.org"]
    code.refresh_from_db()
    assert code.use_count == 0
    # The link signs her in (creating the account); back on the join page the code is used.
    secret = re.search(r"/connexion/lien/([^/\s]+)/", mail.outbox[0].body).group(1)
    user, next_url = sign_in_link_consume(secret=secret)
    assert next_url.endswith(f"?code={code.code}")
    code_join_signed_in(user=user, campaign=campaign, text=code.code, ip=IP)
    assert Membership.objects.get(user=user, campaign=campaign).verification == Verification.LETTER


def test_existing_email_gets_a_link_and_is_not_signed_in_nor_redeemed(campaign, code, resident_alice,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = code_join_by_email(campaign=campaign, text=code.code, ip=IP, email="ALICE@example.org",
                                build_url=LINK, next_url=f"/c/{campaign.slug}/rejoindre/?code={code.code}")
    assert result.link_sent and not result.sign_in and result.user is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]
    link = SignInLink.objects.get(email="alice@example.org")
    assert link.next_url.endswith(f"?code={code.code}")
    code.refresh_from_db()
    assert code.use_count == 0 and not CodeUse.objects.exists()
    assert User.objects.filter(email="alice@example.org").count() == 1


def test_email_path_checks_the_code_before_creating_anything(campaign, code):
    with pytest.raises(CodeNotFound):
        code_join_by_email(campaign=campaign, text=unknown_code(code.code), ip=IP, email="x@example.org",
                           build_url=LINK)
    with pytest.raises(FieldErrors) as err:
        code_join_by_email(campaign=campaign, text=code.code, ip=IP, email="not-an-address", build_url=LINK)
    assert "email" in err.value.errors
    assert not User.objects.filter(email="x@example.org").exists()


def test_email_path_with_used_up_code_creates_no_account(campaign, code):
    code.max_uses = 1
    code.save()
    code_join_with_pin(campaign=campaign, text=code.code, ip=IP, display_name="Mireille", pin="4071", pin_again="4071")
    with pytest.raises(CodeUsedUp):
        code_join_by_email(campaign=campaign, text=code.code, ip=IP, email="b@example.org", build_url=LINK)
    assert not User.objects.filter(email="b@example.org").exists() and not SignInLink.objects.exists()


def test_without_email_creates_an_account_with_a_hashed_pin(campaign, code, sector):
    result = code_join_with_pin(campaign=campaign, text=code.code, ip=IP, display_name="Mireille", pin="4071",
                            pin_again="4071")
    user = result.user
    assert result.sign_in and user.email is None and user.display_name == "Mireille"
    use = CodeUse.objects.get(user=user)
    assert use.pin_hash and "4071" not in use.pin_hash
    membership = Membership.objects.get(user=user, campaign=campaign)
    assert membership.verification == Verification.LETTER and membership.sector == sector


def test_without_email_needs_a_name_and_a_good_pin_and_creates_nothing_otherwise(campaign, code):
    with pytest.raises(FieldErrors) as err:
        code_join_with_pin(campaign=campaign, text=code.code, ip=IP, display_name="", pin="1234", pin_again="1234")
    assert set(err.value.errors) == {"display_name", "pin"}
    with pytest.raises(FieldErrors) as err:
        code_join_with_pin(campaign=campaign, text=code.code, ip=IP, display_name="Yves", pin="4071", pin_again="4072")
    assert set(err.value.errors) == {"pin_again"}
    assert User.objects.count() == 0
    code.refresh_from_db()
    assert code.use_count == 0


def test_two_members_of_a_household_cannot_take_the_same_name(campaign, code):
    code_join_with_pin(campaign=campaign, text=code.code, ip=IP, display_name="Paul", pin="4071", pin_again="4071")
    with pytest.raises(FieldErrors) as err:
        code_join_with_pin(campaign=campaign, text=code.code, ip=IP, display_name=" paul ", pin="8352", pin_again="8352")
    assert "display_name" in err.value.errors
    code_join_with_pin(campaign=campaign, text=code.code, ip=IP, display_name="Paula", pin="8352", pin_again="8352")
    code.refresh_from_db()
    assert code.use_count == 2


# --- Support level "letter" ---------------------------------------------------------------------


def test_support_level_letter_allows_only_letter_verified_residents(campaign, code, published_action,
                                                                    resident_alice, resident_bob):
    campaign.support_level = "letter"
    campaign.save()
    published_action.campaign.refresh_from_db()
    assert not proposal_rules.can_support(resident_bob, published_action)
    with pytest.raises(DomainError) as err:
        support_add(user=resident_bob, action=published_action)
    assert err.value.status in {400, 403}

    code_join_signed_in(user=resident_alice, campaign=campaign, text=code.code, ip=IP)
    residents_rules.forget_roles(resident_alice)
    assert proposal_rules.can_support(resident_alice, published_action)
    assert support_add(user=resident_alice, action=published_action)
    published_action.refresh_from_db()
    assert published_action.support_count == 1


# --- Selector -----------------------------------------------------------------------------------


def test_letter_status_never_shows_the_code(campaign, other_campaign, code, sector, resident_alice):
    make_code(other_campaign, address="1 place Neuve")
    resident_join(user=resident_alice, campaign=other_campaign)
    code_join_signed_in(user=resident_alice, campaign=campaign, text=code.code, ip=IP)
    rows = {row["campaign"].slug: row for row in letter_status_for(resident_alice)}
    assert rows[campaign.slug]["verified_by_letter"] and rows[campaign.slug]["sector"] == "Les Lilas"
    assert rows[campaign.slug]["joined_with_code_at"] is not None
    assert not rows[other_campaign.slug]["verified_by_letter"] and rows[other_campaign.slug]["letters_sent"]
    assert code.code not in str(rows)
    assert letter_status_for(None) == []


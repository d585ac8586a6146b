"""PINs of residents without e-mail: choice rules, and signing in with code + PIN."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerto.core.errors import FieldErrors, RateLimited
from concerto.core.models import AuditEntry
from concerto.joining.errors import PinSignInFailed
from concerto.joining.services import (
    PIN_DEVICE_COOKIE,
    PIN_DEVICE_MAX_AGE,
    code_join_signed_in,
    code_join_with_pin,
    pin_device_token,
    pin_sign_in,
    pin_validate,
)
from concerto.letters.codes import ALPHABET, format_code, new_code
from concerto.letters.errors import CodeError
from concerto.letters.models import Household, InvitationCode
from conftest import make_user

IP = "203.0.113.9"
URL = "/connexion/code/"


@pytest.fixture
def code(campaign):
    household = Household.objects.create(campaign=campaign, address_line1="5 rue Basse", postcode="13013",
                                         city="Marseille", key="5 rue basse")
    return InvitationCode.objects.create(campaign=campaign, household=household, code=new_code())


def join(campaign, code, name, pin):
    return code_join_with_pin(campaign=campaign, text=code.code, ip=IP, display_name=name, pin=pin,
                              pin_again=pin).user


@pytest.fixture
def mireille(campaign, code):
    return join(campaign, code, "Mireille", "4071")


# --- Rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize("pin", ["4071", "93820", "502981", " 4071 "])
def test_good_pins(pin):
    assert pin_validate(pin, pin) == pin.strip()


@pytest.mark.parametrize("pin", [
    "", "123", "1234567", "12a4", "٤٠٧١",  # shape (Arabic-Indic digits are not accepted either)
    "0000", "7777", "999999",  # same digit
    "1234", "3456", "123456", "4321", "987654", "0123",  # sequences
    "1212", "4545", "121212", "123123",  # patterns
    "2580",  # the middle column of a keypad
])
def test_trivial_or_malformed_pins_are_refused(pin):
    with pytest.raises(FieldErrors) as err:
        pin_validate(pin, pin)
    assert set(err.value.errors) == {"pin"}


def test_pins_must_match():
    with pytest.raises(FieldErrors) as err:
        pin_validate("4071", "4170")
    assert set(err.value.errors) == {"pin_again"}


# --- Sign-in ------------------------------------------------------------------------------------


def test_sign_in_with_code_and_pin(code, mireille):
    assert pin_sign_in(text=format_code(code.code).lower(), pin="4071", ip=IP) == mireille
    assert AuditEntry.objects.filter(code="letters.pin.signed_in", actor=mireille).exists()


def test_same_error_for_wrong_pin_and_unknown_code(code, mireille):
    with pytest.raises(PinSignInFailed) as wrong_pin:
        pin_sign_in(text=code.code, pin="4072", ip=IP)
    other = new_code()
    with pytest.raises(PinSignInFailed) as wrong_code:
        pin_sign_in(text=other, pin="4071", ip=IP)
    assert str(wrong_pin.value.message) == str(wrong_code.value.message)
    assert wrong_pin.value.code == wrong_code.value.code == "code_pin_failed"
    entries = AuditEntry.objects.filter(code="letters.pin.failed")
    assert entries.count() == 2 and all(IP not in str(e.data) for e in entries)


def test_mistyped_code_is_said_so(code, mireille):
    typo = code.code[:2] + ALPHABET[(ALPHABET.index(code.code[2]) + 1) % 31] + code.code[3:]
    with pytest.raises(CodeError):
        pin_sign_in(text=typo, pin="4071", ip=IP)


def test_household_members_with_different_pins(campaign, code, mireille):
    paul = join(campaign, code, "Paul", "8352")
    assert pin_sign_in(text=code.code, pin="8352", ip=IP) == paul
    assert pin_sign_in(text=code.code, pin="4071", ip=IP) == mireille


def test_household_members_with_the_same_pin_give_their_name(campaign, code, mireille):
    paul = join(campaign, code, "Paul", "4071")
    with pytest.raises(PinSignInFailed):
        pin_sign_in(text=code.code, pin="4071", ip=IP)
    assert pin_sign_in(text=code.code, pin="4071", ip=IP, display_name=" paul ") == paul
    assert pin_sign_in(text=code.code, pin="4071", ip=IP, display_name="MIREILLE") == mireille
    with pytest.raises(PinSignInFailed):
        pin_sign_in(text=code.code, pin="4071", ip=IP, display_name="Sophie")


def test_a_name_does_not_bypass_the_pin(campaign, code, mireille):
    with pytest.raises(PinSignInFailed):
        pin_sign_in(text=code.code, pin="9999", ip=IP, display_name="Mireille")


def test_wrong_pins_from_one_address_do_not_lock_the_owner_out(code, mireille):
    limit = settings.CONCERTO_RATE_LIMITS["code_pin_code_ip"][0]
    for _ in range(limit):
        with pytest.raises(PinSignInFailed):
            pin_sign_in(text=code.code, pin="5555", ip=IP)
    # The guesser's address is stopped, even with the right PIN, and keeps being stopped…
    for _ in range(limit * 3):
        with pytest.raises(RateLimited) as err:
            pin_sign_in(text=code.code, pin="4071", ip=IP)
        assert err.value.status == 429
    # …without eating into the code's own budget: the owner signs in from their address.
    assert pin_sign_in(text=code.code, pin="4071", ip="192.0.2.1") == mireille


def test_wrong_pins_from_many_addresses_pause_the_code_and_are_logged(code, mireille):
    per_address = settings.CONCERTO_RATE_LIMITS["code_pin_code_ip"][0]
    per_code = settings.CONCERTO_RATE_LIMITS["code_pin_code"][0]
    assert per_code > per_address  # one address alone can never pause a code
    for i in range(per_code):
        with pytest.raises(PinSignInFailed):
            pin_sign_in(text=code.code, pin="5555", ip=f"198.51.100.{i // per_address + 1}")
    with pytest.raises(RateLimited) as err:
        pin_sign_in(text=code.code, pin="4071", ip="192.0.2.1")
    assert err.value.status == 429
    assert AuditEntry.objects.filter(code="letters.pin.locked").count() == 1


def _pause_the_code(code):
    per_address = settings.CONCERTO_RATE_LIMITS["code_pin_code_ip"][0]
    for i in range(settings.CONCERTO_RATE_LIMITS["code_pin_code"][0]):
        with pytest.raises(PinSignInFailed):
            pin_sign_in(text=code.code, pin="5555", ip=f"198.51.100.{i // per_address + 1}")


def test_the_owner_signs_in_from_their_browser_even_when_the_code_is_paused(campaign, code, mireille):
    _pause_the_code(code)
    with pytest.raises(RateLimited):
        pin_sign_in(text=code.code, pin="4071", ip="192.0.2.1")
    assert pin_sign_in(text=code.code, pin="4071", ip="192.0.2.1", device=pin_device_token(mireille)) == mireille


def test_a_device_cookie_helps_only_its_own_account_on_its_own_code(campaign, code, mireille, resident_alice):
    _pause_the_code(code)
    for device in ("forged", pin_device_token(resident_alice), pin_device_token(mireille) + "x"):
        with pytest.raises(RateLimited):
            pin_sign_in(text=code.code, pin="4071", ip="192.0.2.1", device=device)


def test_wrong_pins_from_the_owner_browser_have_their_own_budget(campaign, code, mireille):
    device = pin_device_token(mireille)
    for _ in range(settings.CONCERTO_RATE_LIMITS["code_pin_device"][0]):
        with pytest.raises(PinSignInFailed):
            pin_sign_in(text=code.code, pin="5555", ip=IP, device=device)
    with pytest.raises(RateLimited):
        pin_sign_in(text=code.code, pin="4071", ip=IP, device=device)
    # Nobody else's budget was spent.
    assert pin_sign_in(text=code.code, pin="4071", ip=IP) == mireille


def test_wrong_attempts_are_limited_per_address(campaign, code, mireille):
    limit = settings.CONCERTO_RATE_LIMITS["code_pin_ip"][0]
    for _ in range(limit):
        with pytest.raises(PinSignInFailed):
            pin_sign_in(text=new_code(), pin="5555", ip=IP)
    with pytest.raises(RateLimited):
        pin_sign_in(text=code.code, pin="4071", ip=IP)
    assert pin_sign_in(text=code.code, pin="4071", ip="192.0.2.1") == mireille


def test_successful_sign_ins_do_not_burn_the_budget(code, mireille):
    for _ in range(settings.CONCERTO_RATE_LIMITS["code_pin_code"][0] * 2):
        assert pin_sign_in(text=code.code, pin="4071", ip=IP) == mireille


def test_inactive_account_cannot_sign_in(code, mireille):
    mireille.is_active = False
    mireille.save()
    with pytest.raises(PinSignInFailed):
        pin_sign_in(text=code.code, pin="4071", ip=IP)


def test_a_re_issued_letter_does_not_lock_out_residents_who_joined_before(code, mireille):
    code.revoked_at = timezone.now()
    code.save()
    assert pin_sign_in(text=code.code, pin="4071", ip=IP) == mireille


def test_email_residents_have_no_pin(campaign, code):
    user = make_user("e@example.org")
    code_join_signed_in(user=user, campaign=campaign, text=code.code, ip=IP)
    assert user.code_uses.get().pin_hash == ""
    with pytest.raises(PinSignInFailed):
        pin_sign_in(text=code.code, pin="", ip=IP)


# --- Page ---------------------------------------------------------------------------------------


def test_page_signs_in_rotates_the_session_and_follows_next(client, campaign, code, mireille):
    assert client.get(URL).status_code == 200
    client.get(reverse("joining:join", args=[campaign.slug]))
    before = client.session.session_key
    home = reverse("dashboard:campaign_home", args=[campaign.slug])
    response = client.post(URL, {"code": format_code(code.code), "pin": "4071", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    assert get_user(client).pk == mireille.pk
    assert client.session.session_key != before


def test_the_page_remembers_the_browser_where_the_owner_signed_in(client, code, mireille):
    _pause_the_code(code)
    stranger = client.post(URL, {"code": code.code, "pin": "4071"})
    assert stranger.status_code == 429 and PIN_DEVICE_COOKIE not in stranger.cookies
    owner = Client()
    owner.cookies[PIN_DEVICE_COOKIE] = pin_device_token(mireille)
    response = owner.post(URL, {"code": code.code, "pin": "4071"})
    assert response.status_code == 302 and get_user(owner).pk == mireille.pk
    cookie = response.cookies[PIN_DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == PIN_DEVICE_MAX_AGE


def test_joining_with_a_pin_remembers_the_browser(client, campaign, code):
    response = client.post(f"/c/{campaign.slug}/rejoindre/", {
        "step": "pin", "pin-code": code.code, "pin-display_name": "Paul", "pin-pin": "4071", "pin-pin_again": "4071"})
    assert response.status_code == 302
    _pause_the_code(code)
    assert client.post(URL, {"code": code.code, "pin": "4071"}).status_code == 302


def test_page_refuses_an_outside_next(client, code, mireille):
    response = client.post(URL, {"code": code.code, "pin": "4071", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:me")


def test_page_wrong_pin_and_lock(client, code, mireille):
    for _ in range(settings.CONCERTO_RATE_LIMITS["code_pin_code_ip"][0]):
        response = client.post(URL, {"code": code.code, "pin": "5555"})
        assert response.status_code == 400 and "error-summary" in response.content.decode()
    response = client.post(URL, {"code": code.code, "pin": "4071"})
    assert response.status_code == 429
    assert not get_user(client).is_authenticated


def test_page_mistyped_code_error_on_the_field(client):
    response = client.post(URL, {"code": "K1QM-4XPT-9C", "pin": "4071"})
    assert response.status_code == 400 and 'id="id_code_error"' in response.content.decode()

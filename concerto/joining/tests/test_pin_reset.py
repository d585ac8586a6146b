"""An organiser resets the forgotten PIN of a resident without e-mail: the new PIN works, the old one
no longer does, the code's lock-out is lifted, the resident's sessions end, and it is audited."""

import re

import pytest
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse

from concerto.core.errors import FieldErrors, NotFound, RateLimited
from concerto.core.models import AuditEntry
from concerto.joining.errors import CodeNotFound, PinResidentNotFound, PinSignInFailed
from concerto.joining.services import code_join_with_pin, pin_reset, pin_sign_in
from concerto.letters.codes import format_code, new_code
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.residents.models import Role
from conftest import make_user

IP = "203.0.113.9"


@pytest.fixture
def code(campaign):
    household = Household.objects.create(campaign=campaign, address_line1="5 rue Basse", postcode="13013",
                                         city="Marseille", key="5 rue basse")
    return InvitationCode.objects.create(campaign=campaign, household=household, code=new_code(), max_uses=3)


@pytest.fixture
def mireille(campaign, code):
    return code_join_with_pin(campaign=campaign, text=code.code, ip=IP, display_name="Mireille", pin="4071",
                              pin_again="4071").user


def test_a_generated_pin_replaces_the_old_one_and_is_audited(campaign, code, mireille, organiser_dina):
    pin = pin_reset(by=organiser_dina, campaign=campaign, text=format_code(code.code), user_id=mireille.pk)
    assert re.fullmatch(r"[0-9]{6}", pin)
    assert pin_sign_in(text=code.code, pin=pin, ip=IP) == mireille
    with pytest.raises(PinSignInFailed):
        pin_sign_in(text=code.code, pin="4071", ip=IP)
    entry = AuditEntry.objects.get(code="letters.pin.reset")
    assert entry.actor == organiser_dina and entry.data["chosen_by"] == "generated"
    assert pin not in str(entry.data)  # the PIN is never stored in clear
    assert pin not in CodeUse.objects.get(user=mireille).pin_hash


def test_the_organiser_may_type_the_pin_the_resident_chose(campaign, code, mireille, organiser_dina):
    assert pin_reset(by=organiser_dina, campaign=campaign, text=code.code, user_id=mireille.pk,
                     pin="8305", pin_again="8305") == "8305"
    assert pin_sign_in(text=code.code, pin="8305", ip=IP) == mireille


@pytest.mark.parametrize(("pin", "again", "field"), [("1234", "1234", "pin"), ("8305", "8306", "pin_again"),
                                                     ("12", "12", "pin")])


def test_a_bad_chosen_pin_changes_nothing(pin, again, field, campaign, code, mireille, organiser_dina):
    with pytest.raises(FieldErrors) as exc:
        pin_reset(by=organiser_dina, campaign=campaign, text=code.code, user_id=mireille.pk, pin=pin,
                  pin_again=again)
    assert field in exc.value.errors
    assert pin_sign_in(text=code.code, pin="4071", ip=IP) == mireille


@pytest.mark.parametrize("who", ["moderator", "resident", "organiser_elsewhere", "herself"])
def test_only_the_campaigns_organisers_reset_pins(who, campaign, other_campaign, code, mireille, moderator_marc,
                                                   resident_alice):
    by = {"moderator": moderator_marc, "resident": resident_alice, "herself": mireille,
          "organiser_elsewhere": make_user("oscar@example.org", campaign=other_campaign, role=Role.ORGANISER)}[who]
    with pytest.raises(NotFound):
        pin_reset(by=by, campaign=campaign, text=code.code, user_id=mireille.pk)
    assert pin_sign_in(text=code.code, pin="4071", ip=IP) == mireille
    assert not AuditEntry.objects.filter(code="letters.pin.reset").exists()


def test_unknown_code_or_person_is_not_found(campaign, other_campaign, code, mireille, organiser_dina,
                                             resident_alice):
    other_household = Household.objects.create(campaign=other_campaign, address_line1="1 rue Haute",
                                               postcode="13013", city="Marseille", key="1 rue haute")
    elsewhere = InvitationCode.objects.create(campaign=other_campaign, household=other_household, code=new_code())
    with pytest.raises(CodeNotFound):  # another campaign's code
        pin_reset(by=organiser_dina, campaign=campaign, text=elsewhere.code, user_id=mireille.pk)
    with pytest.raises(PinResidentNotFound):  # someone who did not join with this code and a PIN
        pin_reset(by=organiser_dina, campaign=campaign, text=code.code, user_id=resident_alice.pk)


def test_the_reset_lifts_the_codes_lock_out(campaign, code, mireille, organiser_dina, settings):
    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "code_pin_code": (3, 7 * 86400),
                                     "code_pin_code_ip": (3, 7 * 86400)}
    for i in range(3):
        with pytest.raises(PinSignInFailed):
            pin_sign_in(text=code.code, pin="9999", ip=f"198.51.100.{i}")
    with pytest.raises(RateLimited):  # the code is paused for everybody
        pin_sign_in(text=code.code, pin="4071", ip=IP)
    pin = pin_reset(by=organiser_dina, campaign=campaign, text=code.code, user_id=mireille.pk)
    assert pin_sign_in(text=code.code, pin=pin, ip=IP) == mireille


def test_the_residents_sessions_end(campaign, code, mireille, organiser_dina):
    browser = Client()
    browser.force_login(mireille)
    assert get_user(browser).is_authenticated
    pin_reset(by=organiser_dina, campaign=campaign, text=code.code, user_id=mireille.pk)
    assert not get_user(browser).is_authenticated
    assert browser.get(reverse("dashboard:me")).status_code == 302


# --- The page -------------------------------------------------------------------------------------


def test_the_organiser_finds_the_household_and_sees_the_new_pin_once(campaign, code, mireille, organiser_dina):
    client = Client()
    client.force_login(organiser_dina)
    url = reverse("joining:pin_reset", args=[campaign.slug])
    page = client.get(url, {"code": format_code(code.code).lower()})
    assert page.status_code == 200
    assert "Mireille" in page.content.decode() and "5 rue Basse" in page.content.decode()
    done = client.post(url, {"code": code.code, "user": mireille.pk, "mode": "chosen", "pin": "8305",
                             "pin_again": "8305"})
    assert done.status_code == 200
    assert "8305" in done.content.decode()
    assert pin_sign_in(text=code.code, pin="8305", ip=IP) == mireille
    assert "no-store" in done["Cache-Control"]


def test_the_page_explains_bad_input_and_changes_nothing(campaign, code, mireille, organiser_dina):
    client = Client()
    client.force_login(organiser_dina)
    url = reverse("joining:pin_reset", args=[campaign.slug])
    typo = client.get(url, {"code": "AAAA-AAAA-AA"})
    assert typo.status_code == 200 and "error" in typo.content.decode()
    bad = client.post(url, {"code": code.code, "user": mireille.pk, "mode": "chosen", "pin": "1234",
                            "pin_again": "1234"})
    assert bad.status_code == 400
    assert "trop facile" in bad.content.decode()  # French by default
    assert pin_sign_in(text=code.code, pin="4071", ip=IP) == mireille


def test_the_page_is_not_found_for_anyone_but_organisers(campaign, code, mireille, moderator_marc):
    client = Client()
    client.force_login(moderator_marc)
    assert client.get(reverse("joining:pin_reset", args=[campaign.slug]), {"code": code.code}).status_code == 404
    assert Client().get(reverse("joining:pin_reset", args=[campaign.slug])).status_code == 302

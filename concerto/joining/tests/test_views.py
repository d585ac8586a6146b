"""The join page: step 1 the code, step 2 e-mail or PIN; signed-in residents join in one click."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from concerto.campaigns.models import Sector
from concerto.core.models import AuditEntry
from concerto.joining import limits
from concerto.letters.codes import ALPHABET, format_code, new_code
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.residents.models import Membership, SignInLink, User, Verification


def make_code(campaign, *, sector=None, max_uses=4, address="12 rue des Lilas"):
    household = Household.objects.create(
        campaign=campaign, address_line1=address, postcode="13013", city="Marseille", sector=sector,
        key=address.lower(),
    )
    return InvitationCode.objects.create(campaign=campaign, household=household, code=new_code(), max_uses=max_uses)


@pytest.fixture
def code(campaign):
    return make_code(campaign, sector=Sector.objects.create(campaign=campaign, name="Les Lilas", code="lilas"))


@pytest.fixture
def url(campaign):
    return reverse("joining:join", args=[campaign.slug])


def unknown_code(existing):
    while (c := new_code()) == existing:
        pass
    return c


def test_urls():
    assert reverse("joining:join", args=["quartier"]) == "/c/quartier/rejoindre/"
    assert reverse("joining:pin_sign_in") == "/connexion/code/"


def test_get_prefills_the_code_from_the_qr_link(client, url, code):
    response = client.get(url, {"code": format_code(code.code)})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{format_code(code.code)}"' in html
    assert html.count("<h1") == 1
    assert reverse("joining:pin_sign_in") in html
    # Nothing is looked up on GET.
    assert not AuditEntry.objects.filter(code__startswith="letters.").exists()


def test_prefill_is_escaped(client, url, code):
    response = client.get(url, {"code": '"><script>alert(1)</script>'})
    assert b"<script>alert(1)" not in response.content


def test_mistyped_code_error_is_on_the_field(client, url, code):
    typo = code.code[:3] + ALPHABET[(ALPHABET.index(code.code[3]) + 1) % 31] + code.code[4:]
    response = client.post(url, {"step": "code", "code": typo})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_code_error"' in html


def test_lookalike_error_names_the_character(client, url):
    response = client.post(url, {"step": "code", "code": "K0QM-4XPT-9C"})
    assert response.status_code == 400
    assert re.search(r"[“«]\s?0\s?[”»]", response.content.decode())


def test_unknown_revoked_used_up(client, url, code, campaign):
    assert client.post(url, {"step": "code", "code": unknown_code(code.code)}).status_code == 404
    code.max_uses = code.use_count = 1
    code.save()
    assert client.post(url, {"step": "code", "code": code.code}).status_code == 409


def test_valid_code_shows_step_two_with_both_ways(client, url, code):
    response = client.post(url, {"step": "code", "code": code.code.lower()})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="step" value="email"' in html and 'name="step" value="pin"' in html
    assert f'name="email-code" value="{format_code(code.code)}"' in html
    assert 'name="pin-pin_again"' in html and "Les Lilas" in html


def test_join_with_new_email_sends_a_link_first(client, url, code, campaign):
    """Same answer as for a known address: nothing is created until the link is opened."""
    response = client.post(url, {"step": "email", "email-code": format_code(code.code),
                                 "email-email": "nadia@example.org", "email-display_name": "Nadia"})
    assert response.status_code == 200
    assert not get_user(client).is_authenticated
    assert not User.objects.filter(email="nadia@example.org").exists() and not CodeUse.objects.exists()
    link = SignInLink.objects.get(email="nadia@example.org")
    assert link.intent == {"code": code.code, "display_name": "Nadia", "campaign": campaign.slug}


def test_the_link_sent_page_gives_the_link_lifetime_of_the_setting_and_the_demo_link(client, url, code, settings):
    settings.CONCERTO_MAGIC_LINK_TTL_MINUTES = 30
    settings.CONCERTO_DEMO_MODE = True
    page = client.post(url, {"step": "email", "email-code": code.code, "email-email": "nadia@example.org",
                             "email-display_name": ""}).content.decode()
    assert "30 minutes" in page and "15 minutes" not in page
    assert re.search(r'href="https?://[^"]+/rejoindre/lien/[^"/]+/"', page)


def test_join_with_existing_email_sends_a_link_and_does_not_sign_in(client, url, code, resident_alice):
    response = client.post(url, {"step": "email", "email-code": code.code, "email-email": "alice@example.org",
                                 "email-display_name": ""})
    assert response.status_code == 200
    assert not get_user(client).is_authenticated
    link = SignInLink.objects.get(email="alice@example.org")
    assert link.intent["code"] == code.code
    assert not CodeUse.objects.exists()


def test_existing_email_then_link_then_one_click_join(client, url, code, resident_alice, campaign):
    """The whole way back: the link signs Alice in, the join page has the code, one click joins."""
    client.force_login(resident_alice)
    page = client.get(f"{url}?code={format_code(code.code)}")
    html = page.content.decode()
    assert f'value="{format_code(code.code)}"' in html and 'name="step" value="email"' not in html
    response = client.post(url, {"step": "code", "code": format_code(code.code)})
    assert response.status_code == 302
    membership = Membership.objects.get(user=resident_alice, campaign=campaign)
    assert membership.verification == Verification.LETTER


def test_join_without_email_with_pin(client, url, code, campaign):
    response = client.post(url, {"step": "pin", "pin-code": code.code, "pin-display_name": "Mireille",
                                 "pin-pin": "4071", "pin-pin_again": "4071"})
    assert response.status_code == 302
    user = User.objects.get(display_name="Mireille")
    assert user.email is None and get_user(client).pk == user.pk


@pytest.mark.parametrize("pin, again, field", [
    ("1234", "1234", "pin"), ("0000", "0000", "pin"), ("12", "12", "pin"), ("abcd", "abcd", "pin"),
    ("4071", "4017", "pin_again"),
])
def test_pin_errors_are_on_their_fields(client, url, code, pin, again, field):
    response = client.post(url, {"step": "pin", "pin-code": code.code, "pin-display_name": "Mireille",
                                 "pin-pin": pin, "pin-pin_again": again})
    assert response.status_code == 400
    assert f'id="id_pin-{field}_error"' in response.content.decode()
    assert not User.objects.exists()


def test_tampered_hidden_code_goes_back_to_step_one(client, url, code):
    response = client.post(url, {"step": "pin", "pin-code": unknown_code(code.code), "pin-display_name": "M",
                                 "pin-pin": "4071", "pin-pin_again": "4071"})
    assert response.status_code == 404
    assert 'name="step" value="code"' in response.content.decode()
    assert not User.objects.exists()


def test_code_revoked_between_the_steps(client, url, code):
    client.post(url, {"step": "code", "code": code.code})
    code.revoked_at = timezone.now()
    code.save()
    response = client.post(url, {"step": "email", "email-code": code.code, "email-email": "z@example.org"})
    assert response.status_code == 409
    assert not User.objects.filter(email="z@example.org").exists()


def test_candidate_gets_a_clear_refusal(client, url, code, candidate_claire):
    client.force_login(candidate_claire)
    page = client.get(url)
    assert page.status_code == 200 and 'name="code"' not in page.content.decode()
    assert client.post(url, {"step": "code", "code": code.code}).status_code == 403
    code.refresh_from_db()
    assert code.use_count == 0


def test_brute_force_page_answers_429_in_french_even_for_a_valid_code(client, url, code, campaign):
    limit = settings.CONCERTO_RATE_LIMITS["join_code_ip"][0]
    for _ in range(limit):
        assert client.post(url, {"step": "code", "code": unknown_code(code.code)}).status_code == 404
    response = client.post(url, {"step": "code", "code": code.code})
    assert response.status_code == 429
    html = response.content.decode()
    assert html.count("has-error") == 1 and '<html lang="fr"' in html
    with translation.override("fr"):
        message = limits.refusal("join_code_ip").message
    assert escape(message) in html
    assert AuditEntry.objects.filter(code="letters.code.failed").count() == limit


def test_format_errors_do_not_burn_the_budget(client, url, code):
    limit = settings.CONCERTO_RATE_LIMITS["join_code_ip"][0]
    for _ in range(limit * 2):
        assert client.post(url, {"step": "code", "code": "K0QM-4XPT-9C"}).status_code == 400
    assert client.post(url, {"step": "code", "code": code.code}).status_code == 200


def test_forms_are_csrf_protected(url, code):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url, {"step": "code", "code": code.code}).status_code == 403
    page = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert client.post(url, {"step": "code", "code": code.code, "csrfmiddlewaretoken": token}).status_code == 200
    assert client.post(reverse("joining:pin_sign_in"), {"code": code.code, "pin": "4071"}).status_code == 403


def test_unknown_campaign_is_404(client, db):
    assert client.get(reverse("joining:join", args=["nulle-part"])).status_code == 404


def test_missing_name_and_trivial_pin_are_both_reported(client, url, code):
    response = client.post(url, {"step": "pin", "pin-code": code.code, "pin-display_name": "",
                                 "pin-pin": "1234", "pin-pin_again": "1234"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_pin-display_name_error"' in html and 'id="id_pin-pin_error"' in html


# --- Issue 10: the e-mail join in fewer screens, the public name kept, back where one was ----------


def _demo_link(page: str) -> str:
    return re.search(r'href="https?://testserver(/c/[^"]+/rejoindre/lien/[^"/]+/)"', page).group(1)


def test_the_email_join_keeps_the_public_name_and_ends_joined_after_the_link(client, url, code, campaign,
                                                                              settings):
    """Screens: the code, name + e-mail, "check your e-mail", the link's button → signed in and joined
    (before: a fifth screen, the join page again, and the public name was lost)."""
    settings.CONCERTO_DEMO_MODE = True
    client.post(url, {"step": "code", "code": code.code})
    sent = client.post(url, {"step": "email", "email-code": format_code(code.code),
                             "email-email": "nadia@example.org", "email-display_name": "Nadia B."})
    link = _demo_link(sent.content.decode())
    assert client.get(link).status_code == 200
    landed = client.post(link)
    assert landed.status_code == 302 and landed["Location"] == reverse("dashboard:campaign_home",
                                                                        args=[campaign.slug])
    nadia = User.objects.get(email="nadia@example.org")
    assert get_user(client) == nadia and nadia.display_name == "Nadia B."
    assert Membership.objects.get(user=nadia, campaign=campaign).verification == Verification.LETTER
    assert CodeUse.objects.filter(user=nadia, code=code).count() == 1


def test_an_existing_public_name_is_not_overwritten_by_a_join(client, url, code, campaign, resident_alice,
                                                              settings):
    settings.CONCERTO_DEMO_MODE = True
    sent = client.post(url, {"step": "email", "email-code": code.code, "email-email": "alice@example.org",
                             "email-display_name": "Quelqu'un d'autre"})
    client.post(_demo_link(sent.content.decode()))
    resident_alice.refresh_from_db()
    assert resident_alice.display_name == "Alice"
    assert Membership.objects.get(user=resident_alice, campaign=campaign).verification == Verification.LETTER


def test_a_join_started_from_an_action_ends_on_the_action(client, url, code, campaign, published_action, settings):
    settings.CONCERTO_DEMO_MODE = True
    action_url = reverse("proposals:detail", args=[campaign.slug, published_action.pk])
    page = client.get(action_url).content.decode()
    join_href = re.search(r'href="(/c/[^"]+/rejoindre/\?next=[^"]+)"', page)
    if join_href is None:  # the support box offers the join link only at the "letter" support level
        join_href_value = f"{url}?next={action_url}"
    else:
        join_href_value = join_href.group(1).replace("&amp;", "&")
    step_one = client.get(join_href_value).content.decode()
    assert f'name="next" value="{action_url}"' in step_one
    step_two = client.post(url, {"step": "code", "code": code.code, "next": action_url}).content.decode()
    assert f'name="next" value="{action_url}"' in step_two
    sent = client.post(url, {"step": "email", "email-code": code.code, "email-email": "nadia@example.org",
                             "email-display_name": "", "next": action_url})
    landed = client.post(_demo_link(sent.content.decode()))
    assert landed["Location"] == action_url
    # Without e-mail too: the PIN join goes back to the action.
    other = make_code(campaign, address="3 rue des Roses")
    response = Client().post(url, {"step": "pin", "pin-code": other.code, "pin-display_name": "Mireille",
                                   "pin-pin": "4071", "pin-pin_again": "4071", "next": action_url})
    assert response.status_code == 302 and response["Location"] == action_url


def test_an_off_site_next_is_ignored_by_the_join(client, url, code, campaign, settings):
    settings.CONCERTO_DEMO_MODE = True
    sent = client.post(url, {"step": "email", "email-code": code.code, "email-email": "nadia@example.org",
                             "email-display_name": "", "next": "https://evil.example/"})
    landed = client.post(_demo_link(sent.content.decode()))
    assert landed["Location"] == reverse("dashboard:campaign_home", args=[campaign.slug])


def test_a_join_link_whose_code_was_used_up_meanwhile_signs_in_and_explains(client, url, code, campaign, settings):
    settings.CONCERTO_DEMO_MODE = True
    sent = client.post(url, {"step": "email", "email-code": code.code, "email-email": "nadia@example.org",
                             "email-display_name": ""})
    InvitationCode.objects.filter(pk=code.pk).update(revoked_at=timezone.now())
    landed = client.post(_demo_link(sent.content.decode()), follow=True)
    assert get_user(client).email == "nadia@example.org"
    assert not CodeUse.objects.exists()
    assert landed.redirect_chain[0][0].startswith(url) and 'role="status"' in landed.content.decode()


def test_a_used_join_link_is_refused(client, url, code, campaign, settings):
    settings.CONCERTO_DEMO_MODE = True
    sent = client.post(url, {"step": "email", "email-code": code.code, "email-email": "nadia@example.org",
                             "email-display_name": ""})
    link = _demo_link(sent.content.decode())
    client.post(link)
    again = Client()
    assert again.get(link).status_code == 400 and again.post(link).status_code == 400
    assert CodeUse.objects.count() == 1

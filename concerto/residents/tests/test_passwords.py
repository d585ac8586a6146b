"""Staff passwords: "forgot your password?" by a one-time link (no enumeration, rate-limited), and
changing it from "My space". Residents have no password and are offered neither."""

import re

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.test import Client
from django.urls import reverse

from concerto.core.errors import FieldErrors, RateLimited
from concerto.core.models import AuditEntry
from concerto.residents import services
from concerto.residents.errors import PasswordResetLinkInvalid

NEW = "un-nouveau-mot-de-passe"  # noqa: S105
IP = "198.51.100.7"


def build(uid, token):
    return f"http://testserver{reverse('residents:password_reset_confirm', args=[uid, token])}"


def ask(client, email):
    return client.post(reverse("residents:password_reset"), {"email": email})


def link_in(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


@pytest.fixture
def reset_link(moderator_marc, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(Client(), "marc@example.org")
    return link_in(mail.outbox[-1])


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(moderator_marc, resident_alice,
                                                                          django_capture_on_commit_callbacks):
    pages = []
    for email in ("marc@example.org", "personne@example.org", "alice@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(Client(), email)
        assert response.status_code == 200
        pages.append(response.content.decode().replace(email, "ADDRESS"))
    assert pages[0] == pages[1] == pages[2]
    # Only the staff account got a mail: residents sign in without password.
    assert [m.to for m in mail.outbox] == [["marc@example.org"]]


def test_the_link_sets_a_new_password_once_and_ends_other_sessions(moderator_marc, django_capture_on_commit_callbacks):
    other_browser = Client()
    other_browser.force_login(moderator_marc)  # before the link: signing in makes older links invalid
    with django_capture_on_commit_callbacks(execute=True):
        ask(Client(), "marc@example.org")
    reset_link = link_in(mail.outbox[-1])
    browser = Client()
    assert browser.get(reset_link).status_code == 200
    response = browser.post(reset_link, {"password": NEW, "password_again": NEW})
    assert response.status_code == 302
    moderator_marc.refresh_from_db()
    assert moderator_marc.check_password(NEW)
    assert get_user(browser) == moderator_marc
    assert not get_user(other_browser).is_authenticated
    assert AuditEntry.objects.filter(code="residents.password.reset", actor=moderator_marc).exists()
    again = Client().get(reset_link)
    assert again.status_code == 400  # used: the token changed with the password


def test_a_weak_password_is_refused_and_the_link_still_works(moderator_marc, reset_link):
    response = Client().post(reset_link, {"password": "court", "password_again": "court"})
    assert response.status_code == 400
    moderator_marc.refresh_from_db()
    assert moderator_marc.check_password("marc-password-123")
    assert Client().get(reset_link).status_code == 200


def test_a_tampered_link_is_invalid(moderator_marc):
    with pytest.raises(PasswordResetLinkInvalid):
        services.password_reset_check(uidb64="MQ", token="faux-jeton")
    assert Client().get(reverse("residents:password_reset_confirm", args=["zz", "faux"])).status_code == 400


def test_requests_are_rate_limited_per_address_for_known_and_unknown_addresses_alike(moderator_marc, settings):
    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "password_reset_email": (2, 3600)}
    for email in ("marc@example.org", "personne@example.org"):
        for _ in range(2):
            services.password_reset_request(email=email, ip=IP, build_url=build)
        with pytest.raises(RateLimited):
            services.password_reset_request(email=email, ip=IP, build_url=build)
    assert ask(Client(), "marc@example.org").status_code == 429


def test_the_sign_in_page_offers_it_and_my_space_offers_a_change_to_staff_only(moderator_marc, resident_alice):
    assert reverse("residents:password_reset") in Client().get(reverse("residents:sign_in_password")).content.decode()
    staff = Client()
    staff.force_login(moderator_marc)
    assert reverse("residents:password_change") in staff.get(reverse("dashboard:me")).content.decode()
    resident = Client()
    resident.force_login(resident_alice)
    assert reverse("residents:password_change") not in resident.get(reverse("dashboard:me")).content.decode()
    assert resident.get(reverse("residents:password_change")).status_code == 404


def test_changing_ones_password_keeps_this_session_and_ends_the_others(moderator_marc):
    browser, elsewhere = Client(), Client()
    browser.force_login(moderator_marc)
    elsewhere.force_login(moderator_marc)
    url = reverse("residents:password_change")
    wrong = browser.post(url, {"current_password": "pas-le-bon", "password": NEW, "password_again": NEW})
    assert wrong.status_code == 400
    response = browser.post(url, {"current_password": "marc-password-123", "password": NEW, "password_again": NEW})
    assert response.status_code == 302
    moderator_marc.refresh_from_db()
    assert moderator_marc.check_password(NEW)
    assert get_user(browser) == moderator_marc
    assert not get_user(elsewhere).is_authenticated
    assert AuditEntry.objects.filter(code="residents.password.changed").count() == 1


def test_a_wrong_current_password_changes_nothing(moderator_marc):
    with pytest.raises(FieldErrors) as exc:
        services.password_change(user=moderator_marc, current_password="non", password=NEW, password_again=NEW)
    assert "current_password" in exc.value.errors
    moderator_marc.refresh_from_db()
    assert moderator_marc.check_password("marc-password-123")

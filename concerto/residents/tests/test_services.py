"""Signing in, API tokens and erasing an account, through the residents' services."""

import hashlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from django.utils import timezone

from concerto.core import ratelimit
from concerto.core.errors import Invalid, NotFound, RateLimited
from concerto.core.models import AuditEntry
from concerto.proposals.models import Support
from concerto.proposals.services import support_add
from concerto.residents.errors import LinkInvalid
from concerto.residents.models import ApiToken, Membership, Role, SignInLink, User
from concerto.residents.services import (
    account_delete,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    password_sign_in,
    sign_in_link_consume,
    sign_in_link_peek,
    sign_in_link_request,
)
from conftest import make_user

BASE_URL = "https://concerto.test/connexion/lien/"


@pytest.fixture
def frozen_rate_window(monkeypatch):
    """Rate limits use fixed windows; pin the clock so a test never straddles two windows."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_700_000_040.0))


class _Links:
    """Stands in for the view's URL builder and remembers the secrets it was given."""

    def __init__(self):
        self.secrets: list[str] = []

    def __call__(self, secret: str) -> str:
        self.secrets.append(secret)
        return f"{BASE_URL}{secret}/"

    @property
    def last(self) -> str:
        return self.secrets[-1]


@pytest.fixture
def outbox(db):
    """Django's test set-up replaces mail.outbox at each test: read it once the database is ready."""
    from django.core import mail

    return mail.outbox


@pytest.fixture
def links():
    return _Links()


@pytest.fixture
def request_link(links, django_capture_on_commit_callbacks):
    """Ask for a link and run what the service defers until commit (sending the mail)."""

    def _request(email, ip="198.51.100.7", next_url=""):
        with django_capture_on_commit_callbacks(execute=True):
            url = sign_in_link_request(email=email, ip=ip, build_url=links, next_url=next_url)
        return url

    return _request


# ---------------------------------------------------------------- sign-in links


def test_a_sign_in_link_is_mailed_to_the_address(request_link, links, outbox, db):
    url = request_link("Alice@Example.org ")

    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.to == ["alice@example.org"]
    assert url == f"{BASE_URL}{links.last}/"
    assert url in mail.body
    assert "15" in mail.body  # the validity, in minutes


def test_the_mail_is_sent_only_once_the_link_is_saved(links, outbox, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sign_in_link_request(email="alice@example.org", ip="198.51.100.7", build_url=links)
    assert outbox == []
    assert len(callbacks) == 1


def test_only_a_hash_of_the_link_secret_is_stored(request_link, links, db):
    request_link("alice@example.org")
    link = SignInLink.objects.get()
    assert link.token_hash == hashlib.sha256(links.last.encode()).hexdigest()
    assert links.last not in {link.token_hash, link.email, link.next_url}


def test_known_and_unknown_addresses_get_the_same_answer(request_link, outbox, resident_alice):
    known = request_link("alice@example.org")
    unknown = request_link("nobody@example.org")

    assert type(known) is type(unknown)
    assert known.startswith(BASE_URL) and unknown.startswith(BASE_URL)
    assert [m.subject for m in outbox] == [outbox[0].subject] * 2
    assert [m.to for m in outbox] == [["alice@example.org"], ["nobody@example.org"]]
    # Asking creates no account: that happens when the link is used.
    assert not User.objects.filter(email="nobody@example.org").exists()


@pytest.mark.parametrize("email", ["", "   ", "pas-une-adresse", "a@b", "alice@example.org\n"
                                   "bcc@evil.example"])
def test_an_invalid_address_is_refused(links, db, email, outbox):
    with pytest.raises(Invalid) as exc:
        sign_in_link_request(email=email, ip="198.51.100.7", build_url=links)
    assert exc.value.code == "email_invalid"
    assert not SignInLink.objects.exists()
    assert outbox == []


def test_a_link_signs_in_its_owner_once(request_link, links, resident_alice):
    request_link("alice@example.org", next_url="/c/quartier-test/")
    secret = links.last

    assert sign_in_link_peek(secret=secret).email == "alice@example.org"  # GET by a mail scanner: not used
    user, next_url = sign_in_link_consume(secret=secret)
    assert user == resident_alice
    assert next_url == "/c/quartier-test/"

    with pytest.raises(LinkInvalid) as exc:
        sign_in_link_consume(secret=secret)
    assert exc.value.code == "link_invalid"
    with pytest.raises(LinkInvalid):
        sign_in_link_peek(secret=secret)


def test_an_expired_link_fails(request_link, links, resident_alice):
    request_link("alice@example.org")
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(LinkInvalid):
        sign_in_link_peek(secret=links.last)
    with pytest.raises(LinkInvalid):
        sign_in_link_consume(secret=links.last)
    assert SignInLink.objects.get().used_at is None


def test_a_link_expires_after_15_minutes(request_link, db):
    before = timezone.now()
    request_link("alice@example.org")
    link = SignInLink.objects.get()
    assert before + timedelta(minutes=15) <= link.expires_at <= timezone.now() + timedelta(minutes=15)


def test_an_expired_link_for_a_new_address_creates_no_account(request_link, links, db):
    request_link("newcomer@example.org")
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(LinkInvalid):
        sign_in_link_consume(secret=links.last)
    assert not User.objects.filter(email="newcomer@example.org").exists()


@pytest.mark.parametrize("secret", ["", "not-a-real-secret", "x" * 500])
def test_an_unknown_link_fails(request_link, secret, db):
    request_link("alice@example.org")
    with pytest.raises(LinkInvalid):
        sign_in_link_consume(secret=secret)
    with pytest.raises(LinkInvalid):
        sign_in_link_peek(secret=secret)


def test_a_new_address_gets_its_account_when_the_link_is_used(request_link, links, db):
    request_link("Newcomer@Example.org")
    assert not User.objects.filter(email__iexact="newcomer@example.org").exists()

    user, _next = sign_in_link_consume(secret=links.last)

    assert user.email == "newcomer@example.org"
    assert not user.has_usable_password()
    assert User.objects.filter(email__iexact="newcomer@example.org").count() == 1
    assert AuditEntry.objects.filter(code="residents.account.created", target=f"residents.user:{user.pk}").exists()


def test_an_existing_account_is_reused_whatever_the_case_of_the_address(request_link, links, resident_alice):
    request_link("ALICE@example.org")
    user, _next = sign_in_link_consume(secret=links.last)
    assert user == resident_alice
    assert User.objects.count() == 1
    assert AuditEntry.objects.filter(code="residents.sign_in.link", actor=resident_alice).exists()


def test_a_deactivated_account_cannot_sign_in_with_a_link(request_link, links, resident_alice):
    request_link("alice@example.org")
    User.objects.filter(pk=resident_alice.pk).update(is_active=False)
    with pytest.raises(LinkInvalid):
        sign_in_link_consume(secret=links.last)


def test_sign_in_links_are_rate_limited_per_address_and_connection(request_link, frozen_rate_window, outbox, db):
    for _ in range(5):
        request_link("alice@example.org", ip="198.51.100.7")

    with pytest.raises(RateLimited) as exc:
        request_link("ALICE@example.org", ip="198.51.100.7")

    assert exc.value.code == "rate_limited"
    assert SignInLink.objects.count() == 5
    assert len(outbox) == 5
    request_link("bob@example.org", ip="198.51.100.7")  # another address is not affected


def test_links_asked_by_a_stranger_do_not_stop_the_owner_getting_one(request_link, links, frozen_rate_window, outbox,
                                                                       resident_alice):
    """Attack pass F13: five requests used to block the resident's sign-in for an hour."""
    for _ in range(5):
        request_link("alice@example.org", ip="203.0.113.66")
    with pytest.raises(RateLimited):
        request_link("alice@example.org", ip="203.0.113.66")

    request_link("alice@example.org", ip="198.51.100.7")  # the owner, from home

    assert len(outbox) == 6
    user, _next = sign_in_link_consume(secret=links.last)
    assert user == resident_alice


def test_the_mail_sent_to_one_address_stays_bounded(request_link, frozen_rate_window, outbox, db):
    for i in range(30):
        request_link("alice@example.org", ip=f"198.51.100.{i}")

    with pytest.raises(RateLimited):
        request_link("alice@example.org", ip="203.0.113.50")
    assert len(outbox) == 30


def test_sign_in_links_are_rate_limited_per_ip(request_link, frozen_rate_window, outbox, db):
    for i in range(20):
        request_link(f"person{i}@example.org", ip="198.51.100.7")

    with pytest.raises(RateLimited):
        request_link("person99@example.org", ip="198.51.100.7")

    assert SignInLink.objects.count() == 20
    assert len(outbox) == 20
    request_link("person99@example.org", ip="203.0.113.50")  # another address is not affected


# ---------------------------------------------------------------- passwords (staff)


def _password(email, password, ip="198.51.100.7"):
    request = RequestFactory().post("/connexion/mot-de-passe/", REMOTE_ADDR=ip)
    return password_sign_in(request=request, email=email, password=password, ip=ip)


def test_staff_sign_in_with_their_password(organiser_dina):
    assert _password(" Dina@Example.org ", "dina-password-123") == organiser_dina


def test_a_wrong_password_is_refused(organiser_dina):
    with pytest.raises(Invalid) as exc:
        _password("dina@example.org", "wrong-password-000")
    assert exc.value.code == "bad_credentials"


def test_unknown_address_and_wrong_password_get_the_same_error(organiser_dina):
    with pytest.raises(Invalid) as wrong:
        _password("dina@example.org", "wrong-password-000")
    with pytest.raises(Invalid) as unknown:
        _password("nobody@example.org", "wrong-password-000")
    assert (wrong.value.code, str(wrong.value)) == (unknown.value.code, str(unknown.value))


def test_a_resident_without_a_password_cannot_sign_in_with_one(resident_alice):
    with pytest.raises(Invalid):
        _password("alice@example.org", "")


def test_a_deactivated_staff_member_cannot_sign_in(organiser_dina):
    User.objects.filter(pk=organiser_dina.pk).update(is_active=False)
    with pytest.raises(Invalid):
        _password("dina@example.org", "dina-password-123")


def test_password_attempts_are_rate_limited_per_account_and_connection(organiser_dina, frozen_rate_window):
    for i in range(10):
        with pytest.raises(Invalid):
            _password("dina@example.org", f"guess-{i}", ip="203.0.113.66")

    with pytest.raises(RateLimited) as exc:
        _password("dina@example.org", "dina-password-123", ip="203.0.113.66")
    assert exc.value.code == "rate_limited"


def test_wrong_passwords_from_a_stranger_do_not_lock_the_owner_out(organiser_dina, frozen_rate_window):
    """Attack pass F13: ten wrong passwords used to block the right one for 15 minutes."""
    for i in range(10):
        with pytest.raises(Invalid):
            _password("dina@example.org", f"guess-{i}", ip="203.0.113.66")
    with pytest.raises(RateLimited):
        _password("dina@example.org", "guess-10", ip="203.0.113.66")

    assert _password("dina@example.org", "dina-password-123", ip="198.51.100.7") == organiser_dina


def test_password_attempts_on_one_account_are_bounded_across_connections(organiser_dina, frozen_rate_window):
    for i in range(100):
        with pytest.raises(Invalid):
            _password("dina@example.org", "guess", ip=f"198.51.{i // 200}.{i % 200}")

    with pytest.raises(RateLimited):
        _password("dina@example.org", "dina-password-123", ip="203.0.113.50")


def test_password_attempts_are_rate_limited_per_ip(organiser_dina, frozen_rate_window):
    for i in range(20):
        with pytest.raises(Invalid):
            _password(f"someone{i}@example.org", "guess", ip="198.51.100.7")

    with pytest.raises(RateLimited):
        _password("dina@example.org", "dina-password-123", ip="198.51.100.7")
    assert _password("dina@example.org", "dina-password-123", ip="203.0.113.50") == organiser_dina


# ---------------------------------------------------------------- API tokens


def test_a_new_api_token_secret_is_returned_once_and_only_its_hash_stored(organiser_dina):
    token, secret = api_token_create(user=organiser_dina, name="Export nocturne")

    assert secret.startswith("cto_")
    assert len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.token_hash, stored.name, stored.prefix}
    assert secret.startswith(stored.prefix)
    assert not hasattr(stored, "secret")
    assert AuditEntry.objects.filter(code="residents.token.created", actor=organiser_dina).exists()


def test_two_tokens_have_different_secrets(organiser_dina):
    _t1, s1 = api_token_create(user=organiser_dina, name="Un")
    _t2, s2 = api_token_create(user=organiser_dina, name="Deux")
    assert s1 != s2


@pytest.mark.parametrize("name", ["", "   ", "\u202e\x00"])
def test_a_token_needs_a_name(organiser_dina, name):
    with pytest.raises(Invalid) as exc:
        api_token_create(user=organiser_dina, name=name)
    assert exc.value.code == "token_name_missing"
    assert not ApiToken.objects.exists()


def test_a_token_authenticates_its_owner(organiser_dina):
    _token, secret = api_token_create(user=organiser_dina, name="Script")
    assert api_token_authenticate(secret) == organiser_dina
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("secret", ["", None, "cto_", "cto_not-a-token", "Bearer cto_x", "abc"])
def test_a_wrong_token_authenticates_nobody(organiser_dina, secret):
    api_token_create(user=organiser_dina, name="Script")
    assert api_token_authenticate(secret) is None


def test_a_revoked_token_no_longer_authenticates(organiser_dina):
    token, secret = api_token_create(user=organiser_dina, name="Script")

    api_token_revoke(user=organiser_dina, token_id=token.pk)

    assert api_token_authenticate(secret) is None
    assert AuditEntry.objects.filter(code="residents.token.revoked").exists()


def test_revoking_twice_says_not_found(organiser_dina):
    token, _secret = api_token_create(user=organiser_dina, name="Script")
    api_token_revoke(user=organiser_dina, token_id=token.pk)
    with pytest.raises(NotFound):
        api_token_revoke(user=organiser_dina, token_id=token.pk)


def test_nobody_can_revoke_another_persons_token(organiser_dina, moderator_marc):
    token, secret = api_token_create(user=organiser_dina, name="Script")

    with pytest.raises(NotFound) as exc:
        api_token_revoke(user=moderator_marc, token_id=token.pk)

    assert exc.value.code == "not_found"
    assert api_token_authenticate(secret) == organiser_dina


def test_a_token_of_a_deactivated_account_authenticates_nobody(organiser_dina):
    _token, secret = api_token_create(user=organiser_dina, name="Script")
    User.objects.filter(pk=organiser_dina.pk).update(is_active=False)
    assert api_token_authenticate(secret) is None


# ---------------------------------------------------------------- account deletion


def test_deleting_an_account_keeps_its_supports_counted_anonymously(resident_alice, resident_bob, published_action):
    support_add(user=resident_alice, action=published_action)
    support_add(user=resident_bob, action=published_action)
    rows_before = Support.objects.count()

    account_delete(user=resident_alice)

    published_action.refresh_from_db()
    assert published_action.support_count == 2
    assert Support.objects.count() == rows_before == 2
    assert Support.objects.filter(action=published_action, user__isnull=True).count() == 1
    assert not User.objects.filter(email="alice@example.org").exists()


def test_deleting_an_account_keeps_its_contributions_without_author(resident_alice, campaign):
    from concerto.proposals.services import action_propose

    action = action_propose(user=resident_alice, campaign=campaign, title="Un banc près du bus",
                            summary="Pour attendre le bus assis, simplement.")
    account_delete(user=resident_alice)
    action.refresh_from_db()
    assert action.author is None


def test_deleting_an_account_removes_its_roles_tokens_and_links(request_link, resident_alice, campaign):
    api_token_create(user=resident_alice, name="Script")
    request_link("alice@example.org")

    account_delete(user=resident_alice)

    assert not Membership.objects.filter(campaign=campaign, role=Role.RESIDENT).exists()
    assert not ApiToken.objects.exists()
    assert not SignInLink.objects.exists()
    entry = AuditEntry.objects.get(code="residents.account.deleted")
    assert entry.actor is None
    assert "alice" not in str(entry.data).lower()


def test_a_deleted_person_can_sign_up_again_with_the_same_address(request_link, links, resident_alice):
    old_pk = resident_alice.pk
    account_delete(user=resident_alice)
    request_link("alice@example.org")
    user, _next = sign_in_link_consume(secret=links.last)
    assert user.pk != old_pk


def test_account_deletion_does_not_touch_other_people(resident_alice, resident_bob, campaign):
    bob_token, bob_secret = api_token_create(user=resident_bob, name="Bob")
    account_delete(user=resident_alice)
    assert api_token_authenticate(bob_secret) == resident_bob
    assert Membership.objects.filter(user=resident_bob, campaign=campaign).exists()


def test_roles_can_be_granted_only_from_the_known_list(campaign):
    from concerto.residents.services import role_grant_by_system

    user = make_user("x@example.org")
    with pytest.raises(Invalid) as exc:
        role_grant_by_system(campaign=campaign, user=user, role="mayor")
    assert exc.value.code == "role_invalid"
    assert not Membership.objects.filter(user=user).exists()

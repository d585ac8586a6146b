"""Sessions, sign-in links, tokens, CSRF, redirects and rate limits, checked across every form.

CSRF runs over every POST row of the permission matrix, so a new form is covered as soon as it
is classified there.
"""

import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerto.proposals.models import Action, Comment, Support
from concerto.residents.models import SignInLink, User

from .conftest import ROLES, new_link
from .test_permission_matrix import EFFECTS, MATRIX, PREPARE, data_for, url_for

pytestmark = pytest.mark.django_db

SESSION = settings.SESSION_COOKIE_NAME


# --------------------------------------------------------------------------------------------------
# CSRF on every form
# --------------------------------------------------------------------------------------------------

# Web rows only: API operations authenticate by Bearer token and ignore the session
# (test_object_level.test_the_api_ignores_the_session_on_every_write), so CSRF does not apply to them.
WEB_POSTS = sorted(k for k in MATRIX if k.startswith("POST ") and not k.split(" ", 1)[1].startswith("/"))


def acting_role(key: str) -> str:
    """The role for which the row succeeds (its act takes effect), else the resident."""
    cells = dict(zip(ROLES, MATRIX[key].split(), strict=True))
    for role in ROLES[1:]:
        if cells[role].endswith("+"):
            return role
    return "resident"


@pytest.mark.parametrize("key", WEB_POSTS)
def test_every_form_refuses_a_post_without_csrf_token(world, key):
    role = acting_role(key)
    client = world.client(role, enforce_csrf_checks=True)
    if key in PREPARE:
        PREPARE[key](world, role)
    url = url_for(key, world)
    probe = EFFECTS.get(key)
    before = probe(world, role, client) if probe else None
    forged = client.post(url, (data_for(key, world) or {}))
    after = probe(world, role, client) if probe else None
    assert forged.status_code == 403, f"{key}: {forged.status_code}"
    assert before == after, f"{key} took effect without a CSRF token"
    # A wrong token is no better than none.
    forged = client.post(url, {**(data_for(key, world) or {}), "csrfmiddlewaretoken": "x" * 64})
    assert forged.status_code == 403
    # With the token of this browser the same request goes through, so the refusal above was CSRF's.
    client.get(reverse("residents:sign_in"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    genuine = client.post(url, {**(data_for(key, world) or {}), "csrfmiddlewaretoken": token})
    expected = dict(zip(ROLES, MATRIX[key].split(), strict=True))[role]
    assert str(genuine.status_code) == re.match(r"\d+", expected).group(0), key


# --------------------------------------------------------------------------------------------------
# Session fixation and ends of sessions
# --------------------------------------------------------------------------------------------------


def planted_client() -> tuple[Client, str]:
    """A browser carrying a session key chosen by an attacker (e.g. set through a sibling domain)."""
    store = SessionStore()
    store["planted"] = True
    store.create()
    client = Client()
    client.cookies[SESSION] = store.session_key
    return client, store.session_key


def signed_in_with(client: Client) -> bool:
    return client.get(reverse("dashboard:me")).status_code == 200


def test_the_session_key_changes_at_sign_in_by_link(world):
    client, planted = planted_client()
    secret = new_link("alice@example.org")
    assert client.post(reverse("residents:link", args=[secret])).status_code == 302
    assert client.cookies[SESSION].value != planted
    attacker = Client()
    attacker.cookies[SESSION] = planted
    assert not signed_in_with(attacker)
    assert signed_in_with(client)


def test_the_session_key_changes_at_password_sign_in(world):
    client, planted = planted_client()
    r = client.post(reverse("residents:sign_in_password"),
                    {"email": "dina@example.org", "password": "dina-password-123"})
    assert r.status_code == 302
    assert client.cookies[SESSION].value != planted
    attacker = Client()
    attacker.cookies[SESSION] = planted
    assert not signed_in_with(attacker)


def test_switching_account_does_not_keep_the_previous_session(world):
    client = world.client("resident")
    before = client.cookies[SESSION].value
    client.post(reverse("residents:sign_in_password"), {"email": "dina@example.org", "password": "dina-password-123"})
    assert client.cookies[SESSION].value != before
    stale = Client()
    stale.cookies[SESSION] = before
    assert not signed_in_with(stale)


def test_sign_out_ends_the_session_server_side(world):
    client = Client()
    client.post(reverse("residents:link", args=[new_link("alice@example.org")]))
    cookie = client.cookies[SESSION].value
    assert signed_in_with(client)
    client.post(reverse("residents:sign_out"))
    replay = Client()
    replay.cookies[SESSION] = cookie
    assert not signed_in_with(replay)


def test_account_deletion_ends_every_session_and_token(world):
    laptop = Client()
    laptop.post(reverse("residents:link", args=[new_link("alice@example.org")]))
    phone = world.client("resident")
    laptop_cookie = laptop.cookies[SESSION].value
    token = world.tokens["resident"]
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    r = laptop.post(reverse("dashboard:me_delete"), {"confirm": "SUPPRIMER"})
    assert r.status_code == 302
    assert not User.objects.filter(email="alice@example.org").exists()
    replay = Client()
    replay.cookies[SESSION] = laptop_cookie
    assert not signed_in_with(replay)
    assert not signed_in_with(phone)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert not signed_in_with(laptop)  # the device that deleted the account is signed out too


def test_a_deactivated_account_loses_its_sessions_links_and_tokens(world):
    alice = world.users["resident"]
    client = world.client("resident")
    secret = new_link("alice@example.org")
    alice.is_active = False
    alice.save()
    assert not signed_in_with(client)
    assert Client().post(reverse("residents:link", args=[secret])).status_code == 400
    r = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {world.tokens['resident']}")
    assert r.status_code == 401


# --------------------------------------------------------------------------------------------------
# Sign-in links: single use, expiry, no use on GET
# --------------------------------------------------------------------------------------------------


def test_a_link_works_once_even_from_another_browser(world):
    secret = new_link("nouvelle@example.org")
    url = reverse("residents:link", args=[secret])
    first = Client()
    assert first.get(url).status_code == 200
    assert first.get(url).status_code == 200  # a mail scanner's GET does not use it
    assert first.post(url).status_code == 302
    for client in (first, Client()):
        assert client.get(url).status_code == 400
        r = client.post(url)
        assert r.status_code == 400
    assert not signed_in_with(Client())


def test_an_expired_link_is_refused(world):
    secret = new_link("alice@example.org")
    SignInLink.objects.filter(email="alice@example.org").update(expires_at=timezone.now() - timedelta(seconds=1))
    client = Client()
    assert client.get(reverse("residents:link", args=[secret])).status_code == 400
    assert client.post(reverse("residents:link", args=[secret])).status_code == 400
    assert not signed_in_with(client)


def test_the_link_lifetime_is_the_configured_one(world):
    before = timezone.now()
    Client().post(reverse("residents:sign_in"), {"email": "alice@example.org"})
    link = SignInLink.objects.get(email="alice@example.org")
    ttl = link.expires_at - before
    assert timedelta(0) < ttl <= timedelta(minutes=settings.CONCERTO_MAGIC_LINK_TTL_MINUTES, seconds=5)
    assert ttl <= timedelta(minutes=30), "a sign-in link should not live long"
    assert len(link.token_hash) == 64  # only the hash is stored


@pytest.mark.parametrize("secret", ["x", "%00", "..%2F..", "a" * 500, "' OR 1=1 --"])
def test_unknown_link_secrets_are_refused(db, secret):
    client = Client()
    url = f"/connexion/lien/{secret}/"
    assert client.get(url).status_code in (400, 404)
    assert client.post(url).status_code in (400, 404)
    assert not signed_in_with(client)


# --------------------------------------------------------------------------------------------------
# Token revocation
# --------------------------------------------------------------------------------------------------


def test_a_token_made_in_mon_espace_is_shown_once_and_dies_when_revoked(world):
    client = world.client("resident")
    client.post(reverse("dashboard:me_token_create"), {"name": "mon script"})
    page = client.get(reverse("dashboard:me")).content.decode()
    secret = re.search(r"cto_[A-Za-z0-9_-]{20,}", page).group(0)
    assert secret not in client.get(reverse("dashboard:me")).content.decode()  # shown once
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get("/api/v1/me", **auth).status_code == 200
    token = world.users["resident"].api_tokens.get(name="mon script")
    client.post(reverse("dashboard:me_token_revoke", args=[token.pk]))
    assert Client().get("/api/v1/me", **auth).status_code == 401
    assert Client().get(f"/api/v1/campaigns/{world.campaign.slug}/actions", **auth).status_code == 401
    r = Client().post(f"/api/v1/campaigns/{world.campaign.slug}/actions/{world.action.pk}/support", **auth)
    assert r.status_code == 401
    assert not Support.objects.filter(user=world.users["resident"]).exists()


# --------------------------------------------------------------------------------------------------
# Open redirects
# --------------------------------------------------------------------------------------------------

NEXT_VARIANTS = [
    "//evil.example", "///evil.example", "////evil.example", "/\\evil.example", "\\\\evil.example",
    "/\\/evil.example", "\\/evil.example", "https:evil.example", "https:/evil.example", "https://evil.example",
    "http://evil.example/", "HTTPS://EVIL.EXAMPLE", "%2F%2Fevil.example", "%2f%2fevil.example",
    "/%2F%2Fevil.example", "/%5Cevil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", " //evil.example", "\t//evil.example",
    "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "//evil.example@testserver",
    "https://testserver@evil.example", "//testserver.evil.example", "http://testserver.evil.example",
    "\x00//evil.example", "//%65vil.example", "//evil。example", "/ /evil.example", "/.\\./evil.example",
    "http:\\\\evil.example", "/\\\\evil.example", "\u3000//evil.example", "//evil.example/%2F..",
]


def goes_off_site(location: str) -> bool:
    """Where a browser would go: it strips tabs/newlines, reads backslashes as slashes."""
    loc = re.sub(r"[\t\n\r]", "", location).strip(" \x00")
    loc = loc.replace("\\", "/")
    target = urlsplit(urljoin("http://testserver/c/page/", loc))
    return target.scheme not in ("http", "https") or target.hostname != "testserver"


def test_the_off_site_check_itself():
    assert goes_off_site("//evil.example") and goes_off_site("/\\evil.example")
    assert goes_off_site("javascript:alert(1)") and goes_off_site("https:evil.example")
    assert not goes_off_site("/moi/") and not goes_off_site("/%2F%2Fevil.example")


def _link_flow(world, next_url):
    cache.clear()
    mail.outbox.clear()
    client = Client()
    r = client.post(reverse("residents:sign_in"), {"email": "alice@example.org", "next": next_url})
    if r.status_code != 200:
        return None
    # The mail leaves after commit, which the test transaction never reaches: a twin link with the
    # same stored ``next`` and a known secret stands in for the one mailed.
    link = SignInLink.objects.filter(email="alice@example.org").latest("created_at")
    secret = new_link("alice@example.org", next_url=link.next_url)
    return client.post(reverse("residents:link", args=[secret]))


def _link_flow_from_query(world, next_url):
    cache.clear()
    client = Client()
    page = client.get(reverse("residents:sign_in"), {"next": next_url}).content.decode()
    hidden = re.search(r'name="next" value="([^"]*)"', page)
    value = hidden.group(1) if hidden else ""
    import html

    return _link_flow(world, html.unescape(value))


def _password_flow(world, next_url):
    cache.clear()
    return Client().post(reverse("residents:sign_in_password"),
                         {"email": "dina@example.org", "password": "dina-password-123", "next": next_url})


def _password_flow_from_query(world, next_url):
    cache.clear()
    return Client().post(reverse("residents:sign_in_password") + "?" + _q(next_url),
                         {"email": "dina@example.org", "password": "dina-password-123"})


def _support_back(world, next_url):
    cache.clear()
    return world.client("resident").post(reverse("proposals:support", args=[world.campaign.slug, world.action.pk]),
                                         {"op": "add", "back": next_url})


def _language(world, next_url):
    return Client().get(reverse("set_language") + "?language=en&" + _q(next_url))


def _q(next_url):
    from urllib.parse import urlencode

    return urlencode({"next": next_url})


FLOWS = {"sign-in link": _link_flow, "sign-in page ?next=": _link_flow_from_query, "password": _password_flow,
         "password ?next=": _password_flow_from_query, "support back=": _support_back, "language next=": _language}


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_no_redirect_leaves_the_site(world, flow):
    off_site = []
    for variant in NEXT_VARIANTS:
        r = FLOWS[flow](world, variant)
        if r is None:
            continue
        assert r.status_code < 500, (variant, r.status_code)
        if r.status_code in (301, 302, 303, 307, 308) and goes_off_site(r["Location"]):
            off_site.append((variant, r["Location"]))
    assert not off_site, off_site


def test_a_same_site_next_is_kept(world):
    assert _password_flow(world, "/c/quartier-test/actions/")["Location"] == "/c/quartier-test/actions/"
    assert _link_flow(world, "/c/quartier-test/actions/")["Location"] == "/c/quartier-test/actions/"


# --------------------------------------------------------------------------------------------------
# Rate limits: the configured limit holds, the next attempt is refused and changes nothing
# --------------------------------------------------------------------------------------------------


def limit(scope):
    return settings.CONCERTO_RATE_LIMITS[scope][0]


def test_sign_in_is_limited_per_address(world):
    client = Client()
    for _ in range(limit("sign_in_email_ip")):
        assert client.post(reverse("residents:sign_in"), {"email": "Alice@Example.org"}).status_code == 200
    links = SignInLink.objects.count()
    r = client.post(reverse("residents:sign_in"), {"email": "alice@example.org"})
    assert r.status_code == 429
    assert SignInLink.objects.count() == links
    # F13: the owner, on another connection, still gets a link; the address as a whole stays bounded.
    for i in range(limit("sign_in_email") - limit("sign_in_email_ip")):
        owner = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
        assert owner.post(reverse("residents:sign_in"), {"email": "alice@example.org"}).status_code == 200
    r = Client(REMOTE_ADDR="198.51.100.200").post(reverse("residents:sign_in"), {"email": "alice@example.org"})
    assert r.status_code == 429
    assert SignInLink.objects.filter(email="alice@example.org").count() == limit("sign_in_email")


def test_sign_in_is_limited_per_ip(db):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(limit("sign_in_ip")):
        assert client.post(reverse("residents:sign_in"), {"email": f"p{i}@example.org"}).status_code == 200
    r = client.post(reverse("residents:sign_in"), {"email": "encore@example.org"})
    assert r.status_code == 429
    assert not SignInLink.objects.filter(email="encore@example.org").exists()
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.post(reverse("residents:sign_in"), {"email": "encore@example.org"}).status_code == 200


def test_password_sign_in_is_limited_per_account_and_connection_even_with_the_right_password(world):
    attacker = Client(REMOTE_ADDR="192.0.2.66")
    for _ in range(limit("password_email_ip")):
        assert attacker.post(reverse("residents:sign_in_password"),
                             {"email": "dina@example.org", "password": "mauvais-mot-de-passe"}).status_code == 400
    r = attacker.post(reverse("residents:sign_in_password"), {"email": "dina@example.org", "password": "dina-password-123"})
    assert r.status_code == 429
    assert not signed_in_with(attacker)


def test_wrong_passwords_from_one_connection_do_not_lock_the_owner_out(world):
    """Attack pass F13: 10 wrong passwords used to refuse the right one for 15 minutes."""
    attacker = Client(REMOTE_ADDR="192.0.2.66")
    for _ in range(limit("password_email_ip") + 2):
        attacker.post(reverse("residents:sign_in_password"), {"email": "dina@example.org", "password": "mauvais"})
    owner = Client(REMOTE_ADDR="198.51.100.20")
    r = owner.post(reverse("residents:sign_in_password"), {"email": "dina@example.org", "password": "dina-password-123"})
    assert r.status_code == 302
    assert signed_in_with(owner)
    assert owner.session["_auth_user_id"] == str(world.users["organiser"].pk)


def test_password_sign_in_is_limited_per_account_across_connections(world):
    for i in range(limit("password_email")):
        client = Client(REMOTE_ADDR=f"192.0.{i // 200}.{i % 200 + 1}")
        assert client.post(reverse("residents:sign_in_password"),
                           {"email": "dina@example.org", "password": "mauvais-mot-de-passe"}).status_code == 400
    client = Client(REMOTE_ADDR="203.0.113.200")
    r = client.post(reverse("residents:sign_in_password"), {"email": "dina@example.org", "password": "dina-password-123"})
    assert r.status_code == 429
    assert not signed_in_with(client)


def test_password_sign_in_is_limited_per_ip(world):
    client = Client(REMOTE_ADDR="203.0.113.8")
    for i in range(limit("password_ip")):
        client.post(reverse("residents:sign_in_password"), {"email": f"x{i}@example.org", "password": "nope-nope"})
    r = client.post(reverse("residents:sign_in_password"), {"email": "dina@example.org", "password": "dina-password-123"})
    assert r.status_code == 429
    assert not signed_in_with(client)


def test_supports_are_limited_per_account(world, settings):
    # The real limit, over a window long enough that it cannot restart while the suite, on a busy
    # machine, spends several seconds on the 120 requests (a restart let the 121st through).
    count, _window = settings.CONCERTO_RATE_LIMITS["support"]
    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "support": (count, 24 * 3600)}
    client = world.client("resident")
    url = reverse("proposals:support", args=[world.campaign.slug, world.action.pk])
    for i in range(limit("support")):
        client.post(url, {"op": "withdraw" if i % 2 else "add"})
    alice = world.users["resident"]
    assert not Support.objects.filter(user=alice).exists()  # an even number of acts: add, withdraw, …
    r = client.post(url, {"op": "add"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"support-{world.action.pk}")
    assert r.status_code == 429
    assert not Support.objects.filter(user=alice).exists()
    r = Client().post(f"/api/v1/campaigns/{world.campaign.slug}/actions/{world.action.pk}/support", **world.auth("resident"))
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    # Per account, not per address: someone else behind the same address still supports.
    assert world.client("ambassador").post(url, {"op": "add"}).status_code == 302
    assert Support.objects.filter(user=world.users["ambassador"]).exists()


def test_contributions_are_limited_per_account(world):
    from .test_permission_matrix import CONTRIBUTION

    client = world.client("resident")
    url = reverse("proposals:propose", args=[world.campaign.slug])
    for _ in range(limit("contribution")):
        assert client.post(url, CONTRIBUTION).status_code == 302
    count = Action.objects.count()
    assert client.post(url, CONTRIBUTION).status_code == 429
    r = Client().post(f"/api/v1/campaigns/{world.campaign.slug}/actions", CONTRIBUTION,
                      content_type="application/json", **world.auth("resident"))
    assert r.status_code == 429
    assert Action.objects.count() == count


def test_comments_are_limited_per_account(world):
    client = world.client("resident")
    url = reverse("proposals:comment", args=[world.campaign.slug, world.action.pk])
    for i in range(limit("comment")):
        assert client.post(url, {"body": f"Commentaire {i}"}).status_code == 302
    count = Comment.objects.count()
    assert client.post(url, {"body": "Un de trop"}).status_code == 429
    assert Comment.objects.count() == count


def test_forwarded_headers_do_not_reset_the_per_ip_limit(db):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(limit("sign_in_ip")):
        client.post(reverse("residents:sign_in"), {"email": f"q{i}@example.org"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    r = client.post(reverse("residents:sign_in"), {"email": "encore@example.org"},
                    HTTP_X_FORWARDED_FOR="10.9.9.9", HTTP_X_REAL_IP="10.9.9.9")
    assert r.status_code == 429


def test_sign_in_links_never_point_to_a_host_from_the_request(world, django_capture_on_commit_callbacks):
    # A Host that is not allowed never reaches the view: Django refuses it (DisallowedHost), no mail leaves.
    with django_capture_on_commit_callbacks(execute=True):
        r = Client().post(reverse("residents:sign_in"), {"email": "alice@example.org"}, HTTP_HOST="evil.example")
    assert r.status_code == 400
    assert mail.outbox == []
    # A forwarded host is ignored (USE_X_FORWARDED_HOST is off): the link names the site's own host.
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = Client().post(reverse("residents:sign_in"), {"email": "alice@example.org"},
                          HTTP_X_FORWARDED_HOST="evil.example")
    assert r.status_code == 200
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "evil.example" not in body
    assert re.search(r"http://testserver/connexion/lien/[^/\s]+/", body), body


# --------------------------------------------------------------------------------------------------
# Staff and candidates sign in with their password, never with a link alone (attack pass F16)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["organiser", "facilitator", "moderator", "ambassador", "candidate"])
def test_a_sign_in_link_does_not_open_a_staff_or_candidate_account(world, role, django_capture_on_commit_callbacks):
    user = world.users[role]
    client = Client()
    client.cookies["django_language"] = "en"
    resident = Client()
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("residents:sign_in"), {"email": user.email})
        asked_by_resident = resident.post(reverse("residents:sign_in"), {"email": "alice@example.org"})
    # Asking answers the same as for anyone: the form does not reveal who holds a role.
    assert asked.status_code == asked_by_resident.status_code == 200
    url = re.search(r"https?://\S+/connexion/lien/[^/\s]+/", mail.outbox[-2].body).group(0)
    assert client.get(url).status_code == 200  # the confirmation page, as for anyone
    opened = client.post(url)
    assert opened.status_code == 403
    assert "signs in with its password" in opened.content.decode()
    assert reverse("residents:sign_in_password") in opened.content.decode()
    assert not signed_in_with(client)
    assert client.post(url).status_code == 400  # used up


def test_platform_staff_cannot_sign_in_with_a_link_either(world):
    User.objects.filter(pk=world.users["resident"].pk).update(is_staff=True)
    client = Client()
    assert client.post(reverse("residents:link", args=[new_link("alice@example.org")])).status_code == 403
    assert not signed_in_with(client)

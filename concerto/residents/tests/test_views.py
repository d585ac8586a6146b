"""Sign-in as people do it: a link read from the e-mail, a password for staff, sign-out."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from concerto.residents.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask_link(client, django_capture_on_commit_callbacks):
    """Post the sign-in form; mail goes out after commit, which the test transaction never does."""

    def post(data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("residents:sign_in"), data)

    return post


def link_from_outbox() -> str:
    match = re.search(r"https?://\S+/connexion/lien/\S+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0).split("testserver", 1)[1]


def test_magic_link_signs_in_once_and_creates_the_account(client, ask_link):
    r = ask_link({"email": "Nouvelle@Example.org"})
    assert r.status_code == 200
    assert len(mail.outbox) == 1
    path = link_from_outbox()
    assert client.get(path).status_code == 200  # confirmation page; a GET does not use the link
    r = client.post(path)
    assert r.status_code == 302
    assert User.objects.filter(email="nouvelle@example.org").exists()
    assert client.get(reverse("dashboard:me")).status_code == 200
    client.post(reverse("residents:sign_out"))
    r = client.post(path)  # a second use fails
    assert r.status_code == 400
    assert client.get(reverse("dashboard:me")).status_code == 302


def test_sign_in_answer_does_not_reveal_whether_an_account_exists(client, ask_link, resident_alice):
    known = ask_link({"email": "alice@example.org"}).content.decode()
    unknown = ask_link({"email": "personne@example.org"}).content.decode()
    def neutral(page, email):
        return re.sub(r'value="[A-Za-z0-9]{64}"', "", page.replace(email, "X"))

    assert neutral(known, "alice@example.org") == neutral(unknown, "personne@example.org")


def test_invalid_address_gets_a_french_error_and_no_mail(client, ask_link):
    r = ask_link({"email": "pas-une-adresse"})
    assert r.status_code == 400
    assert "Saisissez une adresse de courriel valide." in r.content.decode()
    assert mail.outbox == []


def test_sign_in_is_rate_limited_per_address(client, ask_link):
    for _ in range(5):
        ask_link({"email": "alice@example.org"})
    r = ask_link({"email": "alice@example.org"})
    assert r.status_code == 429
    assert "Trop de tentatives" in r.content.decode()
    assert len(mail.outbox) == 5


def test_next_parameter_cannot_redirect_off_site(client, ask_link):
    ask_link({"email": "a@example.org", "next": "https://evil.example/"})
    r = client.post(link_from_outbox())
    assert r["Location"] == reverse("dashboard:me")
    client.post(reverse("residents:sign_out"))
    ask_link({"email": "a@example.org", "next": "//evil.example/x"})
    r = client.post(link_from_outbox())
    assert r["Location"] == reverse("dashboard:me")


def test_session_key_changes_at_sign_in(client, organiser_dina):
    client.get(reverse("residents:sign_in"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("residents:sign_in_password"), {"email": "dina@example.org", "password": "dina-password-123"})
    assert client.session.session_key != before


def test_staff_password_sign_in_and_wrong_password(client, organiser_dina):
    r = client.post(reverse("residents:sign_in_password"), {"email": "dina@example.org", "password": "wrong"})
    assert r.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in r.content.decode()
    r = client.post(reverse("residents:sign_in_password"), {"email": "dina@example.org", "password": "dina-password-123"})
    assert r.status_code == 302


def test_sign_out_requires_post(client, resident_alice):
    client.force_login(resident_alice)
    assert client.get(reverse("residents:sign_out")).status_code == 405
    assert client.get(reverse("dashboard:me")).status_code == 200


def test_the_pages_give_the_link_lifetime_of_the_setting_and_the_demo_shows_the_link(client, ask_link, settings):
    settings.CONCERTO_MAGIC_LINK_TTL_MINUTES = 30
    settings.CONCERTO_DEMO_MODE = True
    assert "30 minutes" in client.get(reverse("residents:sign_in")).content.decode()
    page = ask_link({"email": "nouvelle@example.org"}).content.decode()
    assert "30 minutes" in page and "15 minutes" not in page
    assert re.search(r'href="https?://[^"]+/connexion/lien/[^"/]+/"', page)


# --- Issue 10: signing in brings a person back where they were ------------------------------------


def _href(page: str, path: str) -> str:
    import html

    match = re.search(rf'href="({re.escape(path)}[^"]*)"', page)
    assert match, path
    return html.unescape(match.group(1))


def test_sign_in_to_support_ends_on_the_action_after_the_email_link(client, ask_link, published_action):
    action_url = reverse("proposals:detail", args=[published_action.campaign.slug, published_action.pk])
    page = client.get(action_url).content.decode()
    support = re.search(r'<div id="support-[^>]*>.*?</div>', page, re.S).group(0)
    href = _href(support, reverse("residents:sign_in"))
    form = client.get(href).content.decode()
    next_value = re.search(r'name="next" value="([^"]*)"', form).group(1)
    ask_link({"email": "nouvelle@example.org", "next": next_value})
    landed = client.post(link_from_outbox())
    assert landed.status_code == 302 and landed["Location"] == action_url


def test_the_header_sign_in_link_comes_back_to_the_page(client, published_action):
    """Before: the header's "Se connecter" led to "Mon espace" whatever the page."""
    action_url = reverse("proposals:detail", args=[published_action.campaign.slug, published_action.pk])
    header = client.get(action_url).content.decode().split("</header>")[0]
    assert _href(header, reverse("residents:sign_in")) == f"{reverse('residents:sign_in')}?next={action_url}"
    # Not from the sign-in page itself.
    header = client.get(reverse("residents:sign_in")).content.decode().split("</header>")[0]
    assert _href(header, reverse("residents:sign_in")) == reverse("residents:sign_in")


def test_every_other_sign_in_way_keeps_next(client, organiser_dina):
    back = "/c/quartier-test/actions/"
    password_page = client.get(reverse("residents:sign_in_password"), {"next": back}).content.decode()
    assert _href(password_page, reverse("residents:sign_in") + "?") == f"{reverse('residents:sign_in')}?next={back}"
    sign_in_page = client.get(reverse("residents:sign_in"), {"next": back}).content.decode()
    assert _href(sign_in_page, reverse("joining:pin_sign_in")) == f"{reverse('joining:pin_sign_in')}?next={back}"
    assert _href(sign_in_page, reverse("residents:sign_in_password")).endswith(f"?next={back}")
    landed = client.post(reverse("residents:sign_in_password") + f"?next={back}",
                         {"email": "dina@example.org", "password": "dina-password-123"})
    assert landed["Location"] == back

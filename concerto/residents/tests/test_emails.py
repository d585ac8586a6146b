"""One normal form per address, matched exactly: look-alike letters never reach another account.

On PostgreSQL ``email__iexact`` is ``UPPER(a) = UPPER(b)``, which folds ``ı`` (dotless i), ``ſ``
(long s) and ``K`` (Kelvin sign) into I, S and K: a link asked for ``victim@gmaıl.com`` (mailed to
the look-alike domain ``xn--gmal-nza.com``, which anyone can register) signed in as
``victim@gmail.com`` (attack pass F1). These tests run on both databases.
"""

import pytest
from django.core.management import call_command

from concerto.core.errors import Invalid
from concerto.residents.emails import normalise_email
from concerto.residents.models import SignInLink, User
from concerto.residents.services import sign_in_link_consume, sign_in_link_request
from conftest import make_user

# (victim's address, look-alike typed by the attacker)
LOOKALIKES = [
    ("victim@gmail.com", "victim@gma\u0131l.com"),  # dotless i in the domain
    ("victim@gmail.com", "v\u0131ctim@gmail.com"),  # dotless i in the local part
    ("victim@gmail.com", "VICTIM@GMA\u0130L.COM"),  # dotted capital I
    ("sara@example.org", "\u017fara@example.org"),  # long s in the local part
    ("sara@sample.org", "sara@\u017fample.org"),  # long s in the domain
    ("kim@example.org", "\u212aim@example.org"),  # Kelvin sign in the local part
    ("kim@kiosk.org", "kim@\u212aiosk.org"),  # Kelvin sign in the domain
]


@pytest.mark.parametrize(("typed", "stored"), [
    (" Alice@Example.ORG ", "alice@example.org"),
    ("alice+concerto@example.org", "alice+concerto@example.org"),
    ("alice@caf\u00e9.fr", "alice@xn--caf-dma.fr"),
    ("alice@CAF\u00c9.fr", "alice@xn--caf-dma.fr"),
    ("alice@xn--caf-dma.fr", "alice@xn--caf-dma.fr"),
    ("victim@gma\u0131l.com", "victim@xn--gmal-nza.com"),
])
def test_addresses_have_one_normal_form(typed, stored):
    assert normalise_email(typed) == stored


@pytest.mark.parametrize("typed", [
    "v\u0131ctim@gmail.com",        # ı in the local part
    "\u017fara@example.org",        # ſ folds to s
    "\u212aim@example.org",         # K folds to k
    "kim@\u212aexample.org",        # K in the domain
    "\uff56ictim@gmail.com",        # full-width v
    "victim@gmail\uff0ecom",        # full-width dot
    "jos\u00e9@example.org",        # accented local part
    "alice@stra\u00dfe.de",         # IDNA 2003 maps ß to ss: someone else's domain
    "alice@gma\u0130l.com",         # İ lower-cases to i + combining dot
])
def test_lookalike_and_non_ascii_local_parts_are_refused(typed):
    with pytest.raises(Invalid) as exc:
        normalise_email(typed)
    assert exc.value.code == "email_invalid"


@pytest.mark.django_db
@pytest.mark.parametrize(("victim", "typed"), LOOKALIKES)
def test_a_lookalike_address_never_signs_in_as_the_real_account(victim, typed, django_capture_on_commit_callbacks):
    owner = make_user(victim)
    secrets = []
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sign_in_link_request(email=typed, ip="198.51.100.7", build_url=lambda s: secrets.append(s) or s)
    except Invalid as exc:
        assert exc.code == "email_invalid"  # refused outright: no link, no mail
        assert not SignInLink.objects.exists()
        return
    link = SignInLink.objects.get()
    assert link.email != victim
    user, _next = sign_in_link_consume(secret=secrets[-1])
    assert user.pk != owner.pk
    assert user.email == link.email and user.email.isascii()
    assert User.objects.get(pk=owner.pk).email == victim


@pytest.mark.django_db
def test_an_old_link_to_a_lookalike_address_does_not_sign_in_as_the_real_account():
    """A link row written before the fix (not normalised) is normalised again when used."""
    from tests.security.conftest import new_link

    owner = make_user("victim@gmail.com")
    secret = new_link("victim@gma\u0131l.com")
    user, _next = sign_in_link_consume(secret=secret)
    assert user.pk != owner.pk
    assert user.email == "victim@xn--gmal-nza.com"


@pytest.mark.django_db
def test_password_sign_in_matches_the_normal_form_only():
    from django.contrib.auth import authenticate

    owner = make_user("dina@gmail.com", password="dina-password-123")
    assert authenticate(None, username=" DINA@gmail.com", password="dina-password-123") == owner
    assert authenticate(None, username="dina@gma\u0131l.com", password="dina-password-123") is None
    assert authenticate(None, username="d\u0131na@gmail.com", password="dina-password-123") is None


@pytest.mark.django_db
def test_issue_token_finds_the_account_by_its_normal_form_only(capsys):
    from django.core.management.base import CommandError

    make_user("victim@gmail.com")
    with pytest.raises(CommandError):
        call_command("issue_token", "victim@gma\u0131l.com")
    call_command("issue_token", " Victim@Gmail.com")
    assert capsys.readouterr().out.strip().startswith("cto_")


@pytest.mark.django_db
def test_create_user_stores_the_normal_form():
    assert User.objects.create_user("Alice@CAF\u00c9.fr").email == "alice@xn--caf-dma.fr"
    with pytest.raises(Invalid):
        User.objects.create_user("\u017fara@example.org")


@pytest.mark.django_db
def test_the_migration_normalises_rows_and_reports_collisions_without_merging(capsys):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("concerto.residents.migrations.0003_normalise_emails")
    mixed = make_user("mixed@example.org")
    twin_a = make_user("twin@example.org")
    twin_b = make_user("other@example.org")
    odd = make_user("odd@example.org")
    User.objects.filter(pk=mixed.pk).update(email="Mixed@Example.ORG")
    User.objects.filter(pk=twin_b.pk).update(email="TWIN@example.org")
    User.objects.filter(pk=odd.pk).update(email="\u017fodd@example.org")

    migration.normalise(apps, None)

    assert User.objects.get(pk=mixed.pk).email == "mixed@example.org"
    assert User.objects.get(pk=twin_a.pk).email == "twin@example.org"
    assert User.objects.get(pk=twin_b.pk).email == "TWIN@example.org"  # not merged, not changed
    assert User.objects.get(pk=odd.pk).email == "\u017fodd@example.org"
    out = capsys.readouterr().out
    assert f"account {twin_b.pk} would collide" in out
    assert f"account {odd.pk} keeps an address" in out
    assert "twin@" not in out.lower()  # ids only, no addresses in the logs

"""Attack pass F1 over HTTP: the sign-in form with a look-alike address never opens the real account.

Runs on both databases; on PostgreSQL the old ``email__iexact`` lookup (``UPPER()=UPPER()``)
folded ``ı``, ``ſ`` and ``K`` and signed the attacker in as the victim.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from concerto.residents.models import User
from conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["victim@gma\u0131l.com", "v\u0131ctim@gmail.com", "VICTIM@GMA\u0130L.COM",
                                   "vict\u0131m@gmail.com", "victim@gmail.\u212aom".replace("\u212a", "c")])
def test_the_sign_in_form_with_a_lookalike_address_does_not_open_the_victims_account(
        typed, django_capture_on_commit_callbacks):
    victim = make_user("victim@gmail.com", name="Victime")
    client = Client()
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("residents:sign_in"), {"email": typed})
    if typed.lower() == "victim@gmail.com":  # the control: the real address works
        assert sent.status_code == 200
    if sent.status_code != 200:
        assert sent.status_code == 400
        assert mail.outbox == []
        return
    assert len(mail.outbox) == 1
    url = re.search(r"https?://\S+/connexion/lien/[^/\s]+/", mail.outbox[0].body).group(0)
    opened = client.post(url)
    assert opened.status_code == 302
    me = client.get(reverse("dashboard:me"))
    signed_in = User.objects.get(pk=int(client.session["_auth_user_id"]))
    if typed.lower() == "victim@gmail.com":
        assert signed_in == victim
        return
    assert signed_in != victim
    assert mail.outbox[0].to == [signed_in.email]
    assert "victim@gmail.com" not in me.content.decode()


def test_the_sign_in_form_explains_a_refused_lookalike_address():
    client = Client()
    client.cookies["django_language"] = "en"
    r = client.post(reverse("residents:sign_in"), {"email": "\u017fara@example.org"})
    assert r.status_code == 400
    assert "only look like ordinary letters" in r.content.decode()

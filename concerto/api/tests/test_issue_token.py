"""``manage.py issue_token EMAIL [--name NAME]``."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from concerto.residents.models import ApiToken

from .conftest import Api


def test_prints_a_working_token_alone_on_its_line(client, resident_alice):
    out, err = StringIO(), StringIO()
    call_command("issue_token", "Alice@Example.org", "--name", "mon script", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    secret = lines[0]
    assert secret.startswith("cto_")
    assert secret not in err.getvalue()
    token = ApiToken.objects.get(user=resident_alice)
    assert token.name == "mon script"
    assert token.token_hash != secret and secret not in token.token_hash
    me = Api(client).get("/me", token=secret)
    assert me.status_code == 200 and me.json()["email"] == "alice@example.org"


def test_default_name(resident_alice):
    call_command("issue_token", "alice@example.org", stdout=StringIO(), stderr=StringIO())
    assert ApiToken.objects.get(user=resident_alice).name == "cli"


def test_unknown_account_is_an_error(db):
    with pytest.raises(CommandError) as excinfo:
        call_command("issue_token", "nobody@example.org", stdout=StringIO(), stderr=StringIO())
    assert "nobody@example.org" in str(excinfo.value)
    assert not ApiToken.objects.exists()


def test_blank_name_is_an_error(resident_alice):
    with pytest.raises(CommandError):
        call_command("issue_token", "alice@example.org", "--name", "  ", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()

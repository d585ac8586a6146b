"""The team through the API: the same services, checks and answers as the team page."""

import pytest
from django.core import mail
from django.test import Client

from concerto.residents.models import Role, TeamInvitation
from concerto.residents.services import api_token_create


def bearer(user, scope="write"):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t', scope=scope)[1]}"}


URL = "/api/v1/campaigns/quartier-test/team"


def test_an_organiser_reads_invites_and_cancels(campaign, organiser_dina, moderator_marc,
                                                 django_capture_on_commit_callbacks):
    client, auth = Client(), bearer(organiser_dina)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(f"{URL}/invitations", {"email": "Nina@example.org", "role": "moderator"},
                              content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["email"] == "nina@example.org" and body["role"] == "moderator" and body["sent_count"] == 1
    assert "secret" not in created.content.decode() and "/invitation/" not in created.content.decode()
    assert mail.outbox[-1].to == ["nina@example.org"]
    team = client.get(URL, **auth).json()
    assert {"user_id": moderator_marc.pk, "public_name": moderator_marc.public_name, "email": "marc@example.org",
            "roles": ["moderator"]} in team["members"]
    assert [i["email"] for i in team["invitations"]] == ["nina@example.org"]
    assert client.delete(f"{URL}/invitations/{body['id']}", **auth).status_code == 204
    assert TeamInvitation.objects.get(pk=body["id"]).revoked_at is not None
    assert client.delete(f"{URL}/invitations/{body['id']}", **auth).status_code == 404


@pytest.mark.parametrize(("payload", "status"), [
    ({"email": "pas-une-adresse", "role": "moderator"}, 400),
    ({"email": "nina@example.org", "role": "resident"}, 422),
    ({"email": "marc@example.org", "role": "moderator"}, 400),  # already has the role
])


def test_bad_invitations_are_refused_with_a_reason(payload, status, campaign, organiser_dina, moderator_marc):
    response = Client().post(f"{URL}/invitations", payload, content_type="application/json", **bearer(organiser_dina))
    assert response.status_code == status
    assert response.json()["message"]
    assert not TeamInvitation.objects.exists()


def test_other_roles_are_told_it_does_not_exist(campaign, moderator_marc):
    client, auth = Client(), bearer(moderator_marc)
    assert client.get(URL, **auth).status_code == 404
    response = client.post(f"{URL}/invitations", {"email": "x@example.org", "role": Role.ORGANISER},
                           content_type="application/json", **auth)
    assert response.status_code == 404
    assert not TeamInvitation.objects.exists()

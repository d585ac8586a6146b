"""The team pages (organisers) and the invitation link (the invited person), through the browser's
forms: what people see, and that refusals follow the one refusal rule."""

from datetime import timedelta
from html import escape

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from concerto.residents.errors import (
    InvitationExpired,
    InvitationRevoked,
    InvitationUsed,
    LastOrganiser,
)
from concerto.residents.models import Membership, Role, TeamInvitation, User
from conftest import make_user


def french(text) -> str:
    """A message as the page shows it: in French (the default language), HTML-escaped. Read from the
    catalogue, so the test holds before and after the French translations are merged."""
    with translation.override("fr"):
        return escape(str(text))

GOOD_PASSWORD = "un-mot-de-passe-solide"  # noqa: S105


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def invite(client, campaign, email="nina@example.org", role="moderator", django_capture_on_commit_callbacks=None):
    response = client.post(reverse("residents:team", args=[campaign.slug]), {"email": email, "role": role})
    return response


def link_from_mail(message) -> str:
    line = next(line for line in message.body.splitlines() if "/invitation/" in line)
    return line.strip().split("testserver", 1)[1]


@pytest.fixture
def invited(campaign, organiser_dina, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(signed_in(organiser_dina), campaign)
    assert response.status_code == 302
    return link_from_mail(mail.outbox[-1])


def test_the_team_page_lists_members_roles_and_pending_invitations(campaign, organiser_dina, moderator_marc,
                                                                    candidate_claire, invited):
    page = signed_in(organiser_dina).get(reverse("residents:team", args=[campaign.slug]))
    text = page.content.decode()
    assert page.status_code == 200
    for word in ("marc@example.org", "claire@example.org", "nina@example.org", french(Role.MODERATOR.label),
                 french(Role.CANDIDATE.label), french(gettext_lazy("Send again"))):
        assert word in text, word


@pytest.mark.parametrize("who", ["resident_alice", "moderator_marc", "candidate_claire", "facilitator_fanny"])
def test_the_team_pages_are_not_found_for_anyone_but_organisers(who, request, campaign, organiser_dina,
                                                                 moderator_marc):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    invitation = TeamInvitation.objects.create(campaign=campaign, email="x@example.org", role="moderator",
                                               token_hash="0" * 64, invited_by=organiser_dina,
                                               expires_at=timezone.now() + timedelta(days=1))
    assert client.get(reverse("residents:team", args=[campaign.slug])).status_code == 404
    assert invite(client, campaign).status_code == 404
    assert client.post(reverse("residents:team_revoke", args=[campaign.slug, invitation.pk])).status_code == 404
    assert client.post(reverse("residents:team_resend", args=[campaign.slug, invitation.pk])).status_code == 404
    assert client.post(reverse("residents:team_role_remove", args=[campaign.slug, moderator_marc.pk]),
                       {"role": "moderator"}).status_code == 404
    assert TeamInvitation.objects.get(pk=invitation.pk).is_open
    assert Membership.objects.filter(user=moderator_marc, role=Role.MODERATOR).exists()


def test_a_visitor_is_sent_to_sign_in(campaign):
    response = Client().get(reverse("residents:team", args=[campaign.slug]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("residents:sign_in"))


def test_a_bad_address_is_explained_and_nothing_is_sent(campaign, organiser_dina):
    response = invite(signed_in(organiser_dina), campaign, email="pas une adresse")
    assert response.status_code == 400
    assert "adresse" in response.content.decode()
    assert not TeamInvitation.objects.exists() and not mail.outbox


def test_a_new_person_accepts_chooses_a_password_and_is_signed_in(campaign, invited):
    browser = Client()
    page = browser.get(invited)
    assert page.status_code == 200 and "Quartier test" in page.content.decode()
    assert not User.objects.filter(email="nina@example.org").exists()  # GET changes nothing (mail scanners)
    response = browser.post(invited, {"display_name": "Nina Martin", "password": GOOD_PASSWORD,
                                      "password_again": GOOD_PASSWORD})
    assert response.status_code == 302
    nina = User.objects.get(email="nina@example.org")
    assert get_user(browser) == nina
    assert Membership.objects.filter(user=nina, campaign=campaign, role=Role.MODERATOR).exists()
    # She now signs in with her password, as the team does.
    again = Client().post(reverse("residents:sign_in_password"), {"email": "nina@example.org",
                                                                  "password": GOOD_PASSWORD})
    assert again.status_code == 302
    used = Client().get(invited)
    assert used.status_code == 400 and french(InvitationUsed.message) in used.content.decode()


def test_a_weak_password_is_explained_in_french(invited):
    response = Client().post(invited, {"display_name": "Nina Martin", "password": "court", "password_again": "court"})
    assert response.status_code == 400
    assert "court" in response.content.decode()  # Django's own French message
    assert not User.objects.filter(email="nina@example.org").exists()


def test_expired_and_revoked_links_say_so_in_french(campaign, organiser_dina, invited):
    invitation = TeamInvitation.objects.get()
    TeamInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = Client().get(invited)
    assert expired.status_code == 400 and french(InvitationExpired.message) in expired.content.decode()
    TeamInvitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    revoked = Client().post(invited, {"display_name": "Nina Martin", "password": GOOD_PASSWORD,
                                      "password_again": GOOD_PASSWORD})
    assert revoked.status_code == 400 and french(InvitationRevoked.message) in revoked.content.decode()
    assert not User.objects.filter(email="nina@example.org").exists()
    unknown = Client().get(reverse("residents:team_accept", args=["pas-un-vrai-lien"]))
    assert unknown.status_code == 400


def test_an_existing_staff_account_signs_in_then_accepts(campaign, organiser_dina, moderator_marc,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(signed_in(organiser_dina), campaign, email="marc@example.org", role="facilitator")
    link = link_from_mail(mail.outbox[-1])
    page = Client().get(link)
    assert reverse("residents:sign_in_password") in page.content.decode()
    browser = Client()
    browser.post(reverse("residents:sign_in_password") + f"?next={link}",
                 {"email": "marc@example.org", "password": "marc-password-123", "next": link})
    assert browser.post(link).status_code == 302
    assert Membership.objects.filter(user=moderator_marc, campaign=campaign, role=Role.FACILITATOR).exists()


def test_resend_and_revoke_from_the_page(campaign, organiser_dina, invited, django_capture_on_commit_callbacks):
    client = signed_in(organiser_dina)
    invitation = TeamInvitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("residents:team_resend", args=[campaign.slug, invitation.pk]))
    assert response.status_code == 302
    new_link = link_from_mail(mail.outbox[-1])
    assert new_link != invited
    assert Client().get(invited).status_code == 400  # the old link is dead
    assert Client().get(new_link).status_code == 200
    client.post(reverse("residents:team_revoke", args=[campaign.slug, invitation.pk]))
    assert Client().get(new_link).status_code == 400


def test_removing_a_role_and_keeping_the_last_organiser(campaign, organiser_dina, moderator_marc):
    client = signed_in(organiser_dina)
    url = reverse("residents:team_role_remove", args=[campaign.slug, moderator_marc.pk])
    assert client.post(url, {"role": "moderator"}).status_code == 302
    assert not Membership.objects.filter(user=moderator_marc, campaign=campaign).exists()
    mine = reverse("residents:team_role_remove", args=[campaign.slug, organiser_dina.pk])
    response = client.post(mine, {"role": "organiser"}, follow=True)
    assert french(LastOrganiser.message) in response.content.decode()
    assert Membership.objects.filter(user=organiser_dina, role=Role.ORGANISER).exists()


def test_an_organiser_who_removes_their_own_role_leaves_the_page(campaign, organiser_dina):
    make_user("olga@example.org", campaign=campaign, role=Role.ORGANISER)
    client = signed_in(organiser_dina)
    response = client.post(reverse("residents:team_role_remove", args=[campaign.slug, organiser_dina.pk]),
                           {"role": "organiser"})
    assert response["Location"] == reverse("dashboard:campaign_home", args=[campaign.slug])

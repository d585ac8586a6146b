"""The team: invitations (invite, resend, revoke, accept) and removing roles, through the services.

Every act checks its actor (an organiser of the campaign, else "not found") and leaves an audit entry;
a link is stored as its SHA-256 only and says clearly why it no longer works."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone

from concerto.core.errors import FieldErrors, NotFound, RateLimited
from concerto.core.models import AuditEntry
from concerto.residents import services
from concerto.residents.errors import (
    AlreadyMember,
    InvitationExpired,
    InvitationInvalid,
    InvitationNotFound,
    InvitationOtherAccount,
    InvitationPending,
    InvitationRevoked,
    InvitationSignInFirst,
    InvitationUsed,
    LastOrganiser,
    MemberNotFound,
)
from concerto.residents.models import Membership, Role, TeamInvitation, User
from conftest import make_user

GOOD_PASSWORD = "un-mot-de-passe-solide"  # noqa: S105


def url(secret):
    return f"https://concerto.example/invitation/{secret}/"


@pytest.fixture
def invite(campaign, organiser_dina, django_capture_on_commit_callbacks):
    def invite(email="nina@example.org", role=Role.MODERATOR, by=organiser_dina):
        with django_capture_on_commit_callbacks(execute=True):
            invitation, link = services.team_invite(by=by, campaign=campaign, email=email, role=role, build_url=url)
        return invitation, link.rstrip("/").rsplit("/", 1)[1]
    return invite


def accept_new(secret, name="Nina Martin"):
    return services.team_invitation_accept(secret=secret, display_name=name, password=GOOD_PASSWORD,
                                           password_again=GOOD_PASSWORD)


# --- Inviting ------------------------------------------------------------------------------------


def test_an_organiser_invites_by_email_and_only_the_hash_of_the_link_is_stored(invite, campaign):
    campaign.contact_email = "contact@quartier.example"
    campaign.save(update_fields=["contact_email"])
    invitation, secret = invite(email="  Nina@Example.ORG ")
    assert invitation.email == "nina@example.org"
    assert invitation.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(TeamInvitation.objects.values_list().get(pk=invitation.pk))
    assert invitation.sent_count == 1 and invitation.is_open and not invitation.is_expired
    [message] = mail.outbox
    assert message.to == ["nina@example.org"]
    assert url(secret) in message.body
    assert "contact@quartier.example" in message.body  # whom to ask
    assert "Quartier test" in message.subject  # French by default
    assert "Invitation" in message.subject
    entry = AuditEntry.objects.get(code="residents.invitation.sent")
    assert entry.scope == campaign.slug and entry.data["role"] == "moderator"


@pytest.mark.parametrize("who", ["resident", "moderator", "organiser_elsewhere", "anonymous", "nobody"])
def test_only_the_campaigns_organisers_invite(who, campaign, other_campaign, resident_alice, moderator_marc):
    by = {"resident": resident_alice, "moderator": moderator_marc, "anonymous": AnonymousUser(), "nobody": None,
          "organiser_elsewhere": make_user("oscar@example.org", campaign=other_campaign, role=Role.ORGANISER,
                                           password="oscar-password-1")}[who]
    with pytest.raises(NotFound):
        services.team_invite(by=by, campaign=campaign, email="nina@example.org", role=Role.ORGANISER, build_url=url)
    assert not TeamInvitation.objects.exists()
    assert not mail.outbox


def test_the_actor_cannot_be_left_out(campaign):
    with pytest.raises(TypeError):
        services.team_invite(campaign=campaign, email="nina@example.org", role=Role.MODERATOR, build_url=url)


@pytest.mark.parametrize(("email", "role", "field"), [
    ("pas-une-adresse", Role.MODERATOR, "email"),
    ("nina@example.org", Role.RESIDENT, "role"),
    ("nina@example.org", "chef", "role"),
])


def test_bad_input_is_refused_on_its_field(email, role, field, campaign, organiser_dina):
    with pytest.raises(FieldErrors) as exc:
        services.team_invite(by=organiser_dina, campaign=campaign, email=email, role=role, build_url=url)
    assert field in exc.value.errors
    assert not TeamInvitation.objects.exists()


def test_a_member_who_has_the_role_is_not_invited_again(campaign, organiser_dina, moderator_marc):
    with pytest.raises(AlreadyMember):
        services.team_invite(by=organiser_dina, campaign=campaign, email="MARC@example.org", role=Role.MODERATOR,
                             build_url=url)


def test_a_pending_invitation_is_resent_not_duplicated_but_an_expired_one_is_replaced(invite):
    first, _secret = invite()
    with pytest.raises(InvitationPending):
        invite()
    TeamInvitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    second, _secret = invite()
    first.refresh_from_db()
    assert first.revoked_at is not None and second.is_open


# --- Resending and revoking ------------------------------------------------------------------------


def test_resending_makes_a_new_link_and_the_old_one_dies(invite, campaign, organiser_dina,
                                                         django_capture_on_commit_callbacks):
    invitation, old = invite()
    TeamInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        resent, link = services.team_invitation_resend(by=organiser_dina, campaign=campaign,
                                                       invitation_id=invitation.pk, build_url=url)
    new = link.rstrip("/").rsplit("/", 1)[1]
    assert new != old and resent.sent_count == 2
    assert resent.expires_at > timezone.now() + timedelta(days=6)
    with pytest.raises(InvitationInvalid):
        services.team_invitation_peek(secret=old)
    assert services.team_invitation_peek(secret=new).pk == invitation.pk
    assert len(mail.outbox) == 2 and url(new) in mail.outbox[1].body
    assert AuditEntry.objects.filter(code="residents.invitation.resent").count() == 1


def test_resending_is_rate_limited_per_address(invite, campaign, organiser_dina, settings):
    settings.CONCERTO_RATE_LIMITS = {**settings.CONCERTO_RATE_LIMITS, "team_invite_email": (3, 86400)}
    invitation, _secret = invite()
    for _ in range(2):
        services.team_invitation_resend(by=organiser_dina, campaign=campaign, invitation_id=invitation.pk,
                                        build_url=url)
    before = TeamInvitation.objects.get(pk=invitation.pk).token_hash
    with pytest.raises(RateLimited):
        services.team_invitation_resend(by=organiser_dina, campaign=campaign, invitation_id=invitation.pk,
                                        build_url=url)
    invitation.refresh_from_db()
    assert invitation.sent_count == 3 and invitation.token_hash == before


def test_a_revoked_invitation_says_so_and_cannot_be_accepted(invite, campaign, organiser_dina):
    invitation, secret = invite()
    services.team_invitation_revoke(by=organiser_dina, campaign=campaign, invitation_id=invitation.pk)
    with pytest.raises(InvitationRevoked):
        services.team_invitation_peek(secret=secret)
    with pytest.raises(InvitationRevoked):
        accept_new(secret)
    assert not User.objects.filter(email="nina@example.org").exists()
    assert AuditEntry.objects.filter(code="residents.invitation.revoked", actor=organiser_dina).exists()
    with pytest.raises(InvitationNotFound):  # no longer pending
        services.team_invitation_revoke(by=organiser_dina, campaign=campaign, invitation_id=invitation.pk)


@pytest.mark.parametrize("act", ["resend", "revoke"])
def test_resend_and_revoke_check_the_actor_and_the_campaign(act, invite, campaign, other_campaign, moderator_marc):
    invitation, _secret = invite()
    organiser_elsewhere = make_user("oscar@example.org", campaign=other_campaign, role=Role.ORGANISER)
    for by, where in ((moderator_marc, campaign), (organiser_elsewhere, other_campaign)):
        with pytest.raises(NotFound):
            if act == "resend":
                services.team_invitation_resend(by=by, campaign=where, invitation_id=invitation.pk, build_url=url)
            else:
                services.team_invitation_revoke(by=by, campaign=where, invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.is_open and invitation.sent_count == 1


# --- Accepting -------------------------------------------------------------------------------------


def test_without_an_account_the_invited_person_chooses_a_name_and_a_password(invite, campaign):
    invitation, secret = invite()
    assert services.team_invitation_step(invitation, AnonymousUser()) == services.InvitationStep.SET_UP
    account = accept_new(secret)
    assert account.email == "nina@example.org" and account.display_name == "Nina Martin"
    assert account.check_password(GOOD_PASSWORD)
    assert Membership.objects.filter(user=account, campaign=campaign, role=Role.MODERATOR).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == account
    granted = AuditEntry.objects.get(code="residents.role.granted", actor=account)
    assert granted.actor == account and granted.data["via"] == "invitation"
    assert AuditEntry.objects.filter(code="residents.invitation.accepted").exists()


def test_a_used_link_says_it_was_accepted(invite):
    _invitation, secret = invite()
    accept_new(secret)
    with pytest.raises(InvitationUsed):
        services.team_invitation_peek(secret=secret)
    with pytest.raises(InvitationUsed):
        accept_new(secret, name="Quelqu'un d'autre")


def test_an_expired_link_says_it_expired(invite):
    invitation, secret = invite()
    TeamInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvitationExpired):
        accept_new(secret)
    assert not User.objects.filter(email="nina@example.org").exists()


def test_an_unknown_link_is_invalid(db):
    with pytest.raises(InvitationInvalid):
        services.team_invitation_peek(secret="nimporte-quoi")


def test_an_invitation_dies_with_its_inviters_organiser_role(invite, campaign, organiser_dina):
    second = make_user("olga@example.org", campaign=campaign, role=Role.ORGANISER, password="olga-password-12")
    _invitation, secret = invite()
    services.role_revoke(by=second, campaign=campaign, user_id=organiser_dina.pk, role=Role.ORGANISER)
    with pytest.raises(InvitationRevoked):
        accept_new(secret)


@pytest.mark.parametrize(("password", "again", "field"), [
    ("court", "court", "password"),
    ("password123456", "password123456", "password"),  # a common password
    (GOOD_PASSWORD, GOOD_PASSWORD + "x", "password_again"),
])


def test_django_password_validators_apply(password, again, field, invite):
    _invitation, secret = invite()
    with pytest.raises(FieldErrors) as exc:
        services.team_invitation_accept(secret=secret, display_name="Nina", password=password, password_again=again)
    assert field in exc.value.errors
    assert not User.objects.filter(email="nina@example.org").exists()


@pytest.mark.parametrize("name", ["", "   ", "Nina, organisatrice"])
def test_the_public_name_is_required_and_cannot_claim_a_role(name, invite):
    _invitation, secret = invite()
    with pytest.raises(FieldErrors) as exc:
        accept_new(secret, name=name)
    assert "display_name" in exc.value.errors


def test_an_account_with_a_password_signs_in_first_then_accepts(invite, campaign, moderator_marc):
    invitation, secret = invite(email="marc@example.org", role=Role.FACILITATOR)
    assert services.team_invitation_step(invitation, AnonymousUser()) == services.InvitationStep.SIGN_IN
    with pytest.raises(InvitationSignInFirst):
        accept_new(secret)
    assert moderator_marc.check_password("marc-password-123")  # nobody set it through the link
    account = services.team_invitation_accept(secret=secret, user=moderator_marc)
    assert account == moderator_marc
    assert Membership.objects.filter(user=moderator_marc, campaign=campaign, role=Role.FACILITATOR).exists()


def test_a_resident_without_password_gets_one_with_the_role(invite, campaign, resident_alice):
    _invitation, secret = invite(email="alice@example.org", role=Role.AMBASSADOR)
    account = services.team_invitation_accept(secret=secret, user=resident_alice, display_name="Alice",
                                              password=GOOD_PASSWORD, password_again=GOOD_PASSWORD)
    assert account == resident_alice and account.check_password(GOOD_PASSWORD)
    assert Membership.objects.filter(user=account, campaign=campaign, role=Role.AMBASSADOR).exists()


def test_someone_signed_in_as_another_account_cannot_accept(invite, moderator_marc):
    _invitation, secret = invite()
    with pytest.raises(InvitationOtherAccount):
        services.team_invitation_accept(secret=secret, user=moderator_marc)
    assert not Membership.objects.filter(user=moderator_marc, role=Role.MODERATOR).exclude(
        campaign__slug="quartier-test").exists()


# --- Removing roles --------------------------------------------------------------------------------


def test_an_organiser_removes_a_role_and_it_is_audited(campaign, organiser_dina, moderator_marc):
    services.role_revoke(by=organiser_dina, campaign=campaign, user_id=moderator_marc.pk, role=Role.MODERATOR)
    assert not Membership.objects.filter(user=moderator_marc, campaign=campaign).exists()
    entry = AuditEntry.objects.get(code="residents.role.revoked")
    assert entry.actor == organiser_dina and entry.data["role"] == "moderator"


@pytest.mark.parametrize("who", ["moderator", "resident", "anonymous"])
def test_only_organisers_remove_roles(who, campaign, moderator_marc, resident_alice, facilitator_fanny):
    by = {"moderator": moderator_marc, "resident": resident_alice, "anonymous": AnonymousUser()}[who]
    with pytest.raises(NotFound):
        services.role_revoke(by=by, campaign=campaign, user_id=facilitator_fanny.pk, role=Role.FACILITATOR)
    assert Membership.objects.filter(user=facilitator_fanny, role=Role.FACILITATOR).exists()


def test_the_last_organiser_cannot_be_removed_even_by_themselves(campaign, organiser_dina):
    with pytest.raises(LastOrganiser):
        services.role_revoke(by=organiser_dina, campaign=campaign, user_id=organiser_dina.pk, role=Role.ORGANISER)
    assert Membership.objects.filter(user=organiser_dina, role=Role.ORGANISER).exists()
    second = make_user("olga@example.org", campaign=campaign, role=Role.ORGANISER)
    services.role_revoke(by=organiser_dina, campaign=campaign, user_id=organiser_dina.pk, role=Role.ORGANISER)
    with pytest.raises(LastOrganiser):
        services.role_revoke(by=second, campaign=campaign, user_id=second.pk, role=Role.ORGANISER)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR])
def test_a_role_the_person_does_not_hold_here_is_not_found(role, campaign, organiser_dina, resident_alice):
    with pytest.raises(MemberNotFound):
        services.role_revoke(by=organiser_dina, campaign=campaign, user_id=resident_alice.pk, role=role)
    assert Membership.objects.filter(user=resident_alice, role=Role.RESIDENT).exists()

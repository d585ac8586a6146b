"""Organisation administrators (rules and grants) and the first-run command ``concerto_setup``."""

import io

import pytest
from django.core.management import CommandError, call_command

from concerto.campaigns.models import Organisation
from concerto.core.errors import NotAllowed
from concerto.core.models import AuditEntry
from concerto.residents import rules
from concerto.residents.models import Membership, OrganisationMembership, Role, User
from concerto.residents.services import campaign_creator_grant, organisation_admin_grant_by_system
from conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_ada(campaign):
    user = make_user("ada@example.org", password="ada-password-123")
    organisation_admin_grant_by_system(organisation=campaign.organisation, user=user)
    return user


def test_an_admin_manages_every_campaign_of_the_organisation_but_no_other(admin_ada, campaign, other_campaign):
    elsewhere = Organisation.objects.create(name="Autre", slug="autre")
    assert rules.can_create_campaign(admin_ada, campaign.organisation)
    assert not rules.can_create_campaign(admin_ada, elsewhere)
    assert rules.can_manage_campaign(admin_ada, campaign) and rules.can_manage_campaign(admin_ada, other_campaign)
    assert rules.can_use_campaign_back_office(admin_ada)
    # Administering is not organising: the letters, volunteers… stay the organisers'.
    assert not rules.is_organiser(admin_ada, campaign)


def test_organisers_manage_their_campaign_only(organiser_dina, campaign, other_campaign):
    assert rules.can_manage_campaign(organiser_dina, campaign)
    assert not rules.can_manage_campaign(organiser_dina, other_campaign)
    assert not rules.can_create_campaign(organiser_dina, campaign.organisation)
    assert rules.can_use_campaign_back_office(organiser_dina)


@pytest.mark.parametrize("who", ["resident_alice", "moderator_marc", "candidate_claire"])
def test_nobody_else_manages(who, campaign, request):
    user = request.getfixturevalue(who)
    assert not rules.can_manage_campaign(user, campaign)
    assert not rules.can_use_campaign_back_office(user)


def test_a_deactivated_admin_loses_everything(admin_ada, campaign):
    admin_ada.is_active = False
    admin_ada.save()
    user = User.objects.get(pk=admin_ada.pk)
    assert not rules.can_create_campaign(user, campaign.organisation)
    assert not rules.can_use_campaign_back_office(user)


def test_admins_sign_in_with_a_password_only(admin_ada):
    assert rules.signs_in_with_password(admin_ada)


def test_creator_grant_checks_the_actor(admin_ada, organiser_dina, campaign):
    with pytest.raises(NotAllowed):
        campaign_creator_grant(by=organiser_dina, campaign=campaign)
    campaign_creator_grant(by=admin_ada, campaign=campaign)
    assert Membership.objects.filter(user=admin_ada, campaign=campaign, role=Role.ORGANISER).exists()
    entry = AuditEntry.objects.get(code="residents.role.granted", target=f"residents.user:{admin_ada.pk}")
    assert entry.actor == admin_ada and entry.data["via"] == "campaign_created"


# --- manage.py concerto_setup ------------------------------------------------------------------


def _setup(tmp_path, password="un mot de passe solide", **options):
    secret = tmp_path / "password.txt"
    secret.write_text(password + "\n", encoding="utf-8")
    out = io.StringIO()
    args = {"organisation": "Quartiers Vivants", "email": "Admin@Example.org", "name": "Ada Admin",
            "password_file": str(secret), **options}
    call_command("concerto_setup", stdout=out, stderr=io.StringIO(), **args)
    return out.getvalue()


def test_first_run_creates_the_organisation_and_its_admin(tmp_path, db):
    out = _setup(tmp_path)
    org = Organisation.objects.get(slug="quartiers-vivants")
    user = User.objects.get(email="admin@example.org")
    assert user.check_password("un mot de passe solide") and user.display_name == "Ada Admin"
    assert OrganisationMembership.objects.filter(user=user, organisation=org, role="admin").exists()
    assert rules.can_create_campaign(user, org)
    assert "/gestion/campagnes/" in out
    assert AuditEntry.objects.filter(code="residents.organisation_admin.granted").exists()


def test_second_run_refuses_and_changes_nothing(tmp_path, db):
    _setup(tmp_path)
    with pytest.raises(CommandError, match="quartiers-vivants"):
        _setup(tmp_path, password="un autre mot de passe", email="autre@example.org")
    assert Organisation.objects.count() == 1 and not User.objects.filter(email="autre@example.org").exists()
    assert User.objects.get(email="admin@example.org").check_password("un mot de passe solide")


def test_a_weak_password_or_bad_address_creates_nothing(tmp_path, db):
    with pytest.raises(CommandError):
        _setup(tmp_path, password="court")
    with pytest.raises(CommandError):
        _setup(tmp_path, email="pas-une-adresse")
    assert not Organisation.objects.exists() and not User.objects.exists()


def test_an_existing_account_is_not_taken_over(tmp_path, db):
    User.objects.create_user("admin@example.org", password="le mot de passe d'avant")
    with pytest.raises(CommandError):
        _setup(tmp_path)
    assert not Organisation.objects.exists()
    assert User.objects.get(email="admin@example.org").check_password("le mot de passe d'avant")


def test_no_password_on_the_command_line(tmp_path, db, monkeypatch):
    """Without --password-file and without a terminal, the command stops instead of guessing."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="password-file"):
        call_command("concerto_setup", organisation="Asso", email="a@example.org", name="A",
                     stdout=io.StringIO())
    with pytest.raises(TypeError):
        call_command("concerto_setup", organisation="Asso", email="a@example.org", name="A", password="x")
    assert not Organisation.objects.exists()


def test_the_prompt_asks_twice(db, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    answers = iter(["un mot de passe solide", "un mot de passe différent"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError):
        call_command("concerto_setup", organisation="Asso", email="a@example.org", name="A", stdout=io.StringIO())
    answers = iter(["un mot de passe solide", "un mot de passe solide"])
    call_command("concerto_setup", organisation="Asso", email="a@example.org", name="A", stdout=io.StringIO())
    assert User.objects.get(email="a@example.org").check_password("un mot de passe solide")

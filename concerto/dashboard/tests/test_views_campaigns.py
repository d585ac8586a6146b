"""The campaign back office: who may do what, the forms' bad input, archiving's effects on public pages,
consent versions, the launch checklist, the public notices and contact."""

import pytest
from django.urls import reverse

from concerto.campaigns.errors import CampaignArchived
from concerto.campaigns.models import Campaign, ConsentText, Organisation
from concerto.campaigns.services import campaign_archive, campaign_update, consent_text_add
from concerto.core.models import AuditEntry
from concerto.residents.models import Membership, Role, User
from concerto.residents.services import organisation_admin_grant_by_system
from conftest import make_user

pytestmark = pytest.mark.django_db

NEW = {"name": "Concertation Encagnane", "slug": "encagnane", "territory": "Encagnane, Aix-en-Provence",
       "description": "Bienvenue.\n\nDeuxième paragraphe.", "support_level": "any", "allow_email_join": "on",
       "is_public": "on", "languages": ["fr", "en"], "contact_name": "Comité Encagnane",
       "contact_email": "comite@example.org", "contact_phone": "04 42 00 00 00", "contact_note": "",
       "legal_notice": "", "privacy_notice": ""}


def _client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def admin_ada(campaign):
    user = make_user("ada@example.org", password="ada-password-123", name="Ada")
    organisation_admin_grant_by_system(organisation=campaign.organisation, user=user)
    return user


def _form(campaign, **changes):
    data = {key: getattr(campaign, key) for key in NEW}
    data.update(allow_email_join="on" if campaign.allow_email_join else "", is_public="on" if campaign.is_public else "")
    data.update(changes)
    return data


def test_an_organisation_admin_creates_a_campaign_and_becomes_its_organiser(client, admin_ada):
    r = _client(client, admin_ada).post(reverse("dashboard:campaign_new"), NEW)
    assert r.status_code == 302 and r["Location"] == reverse("dashboard:campaign_checklist", args=["encagnane"])
    campaign = Campaign.objects.get(slug="encagnane")
    assert campaign.organisation.slug == "asso" and campaign.contact_name == "Comité Encagnane"
    assert Membership.objects.filter(user=admin_ada, campaign=campaign, role=Role.ORGANISER).exists()
    assert AuditEntry.objects.filter(code="campaigns.campaign.created", actor=admin_ada).exists()
    assert client.get(reverse("dashboard:campaign_checklist", args=["encagnane"])).status_code == 200


def test_creating_with_bad_input_shows_every_error_and_creates_nothing(client, admin_ada, campaign):
    data = dict(NEW, slug=campaign.slug, contact_email="pas-une-adresse", contact_phone="appelez-moi")
    r = _client(client, admin_ada).post(reverse("dashboard:campaign_new"), data)
    assert r.status_code == 400
    errors = r.context["form"].errors
    assert set(errors) == {"slug", "contact_email", "contact_phone"}
    body = r.content.decode()
    assert str(errors["slug"][0]) in body and 'role="alert"' in body
    assert Campaign.objects.count() == 1
    r = client.post(reverse("dashboard:campaign_new"), dict(NEW, territory="", name=""))
    assert r.status_code == 400 and set(r.context["form"].errors) == {"territory", "name"}
    assert Campaign.objects.count() == 1


def test_an_organiser_who_is_not_admin_cannot_create(client, organiser_dina):
    assert _client(client, organiser_dina).get(reverse("dashboard:campaign_new")).status_code == 404
    assert client.post(reverse("dashboard:campaign_new"), NEW).status_code == 404
    assert not Campaign.objects.filter(slug="encagnane").exists()


def test_admin_cannot_create_in_another_organisation(client, admin_ada):
    other = Organisation.objects.create(name="Autre asso", slug="autre-asso")
    r = _client(client, admin_ada).post(reverse("dashboard:campaign_new"), dict(NEW, organisation=other.pk))
    assert r.status_code == 400
    assert not Campaign.objects.filter(slug="encagnane").exists()


def test_a_superuser_creates_in_any_organisation(client, db):
    Organisation.objects.create(name="Autre asso", slug="autre-asso")
    root = User.objects.create_superuser("root@example.org", "root-password-123")
    r = _client(client, root).post(reverse("dashboard:campaign_new"),
                                   dict(NEW, organisation=Organisation.objects.get(slug="autre-asso").pk))
    assert r.status_code == 302
    assert Campaign.objects.get(slug="encagnane").organisation.slug == "autre-asso"


def test_the_list_shows_own_campaigns_with_archived_apart(client, organiser_dina, campaign, other_campaign):
    campaign_archive(by=organiser_dina, campaign=other_campaign)  # Dina does not organise it: not listed
    body = _client(client, organiser_dina).get(reverse("dashboard:campaigns_manage")).content.decode()
    assert campaign.name in body and other_campaign.name not in body
    assert reverse("dashboard:campaign_new") not in body


def test_an_admin_sees_every_campaign_of_the_organisation(client, admin_ada, campaign, other_campaign):
    campaign_archive(by=admin_ada, campaign=other_campaign)
    r = _client(client, admin_ada).get(reverse("dashboard:campaigns_manage"))
    active, archived = r.context["active"], r.context["archived"]
    assert [c.slug for c in active] == [campaign.slug] and [c.slug for c in archived] == [other_campaign.slug]
    assert reverse("dashboard:campaign_new") in r.content.decode()


@pytest.mark.parametrize("who", ["resident_alice", "moderator_marc", "facilitator_fanny", "candidate_claire"])
def test_others_get_404_on_every_back_office_page(client, campaign, who, request):
    user = request.getfixturevalue(who)
    client = _client(client, user)
    for name, args in (("campaigns_manage", []), ("campaign_new", []), ("campaign_edit", [campaign.slug]),
                       ("campaign_consent", [campaign.slug]), ("campaign_checklist", [campaign.slug])):
        assert client.get(reverse(f"dashboard:{name}", args=args)).status_code == 404, name
    assert client.post(reverse("dashboard:campaign_archive", args=[campaign.slug])).status_code == 404
    assert client.post(reverse("dashboard:campaign_edit", args=[campaign.slug]), _form(campaign, name="X")).status_code == 404
    campaign.refresh_from_db()
    assert campaign.archived_at is None and campaign.name == "Quartier test"


def test_an_organiser_of_another_campaign_gets_404(client, campaign, other_campaign):
    dora = make_user("dora@example.org", campaign=other_campaign, role=Role.ORGANISER, password="dora-password-123")
    assert _client(client, dora).get(reverse("dashboard:campaign_edit", args=[campaign.slug])).status_code == 404
    assert client.get(reverse("dashboard:campaign_edit", args=["nulle-part"])).status_code == 404


def test_visitors_are_sent_to_sign_in(client, campaign):
    r = client.get(reverse("dashboard:campaign_edit", args=[campaign.slug]))
    assert r.status_code == 302 and r["Location"].startswith(reverse("residents:sign_in"))


def test_an_organiser_edits_the_settings(client, organiser_dina, campaign):
    data = _form(campaign, contact_phone="06 11 22 33 44", privacy_notice="Nous gardons vos données 12 mois.")
    r = _client(client, organiser_dina).post(reverse("dashboard:campaign_edit", args=[campaign.slug]), data)
    assert r.status_code == 302
    campaign.refresh_from_db()
    assert campaign.contact_phone == "06 11 22 33 44" and campaign.privacy_notice.startswith("Nous gardons")


def test_bad_settings_change_nothing(client, organiser_dina, campaign):
    data = _form(campaign, slug="Pas Bon", name="Nouveau nom", languages=[])
    r = _client(client, organiser_dina).post(reverse("dashboard:campaign_edit", args=[campaign.slug]), data)
    assert r.status_code == 400
    campaign.refresh_from_db()
    assert campaign.slug == "quartier-test" and campaign.name == "Quartier test"


def test_the_address_cannot_change_once_letters_were_generated(client, organiser_dina, campaign, monkeypatch):
    from concerto.dashboard import views_campaigns

    monkeypatch.setattr(views_campaigns, "letters_generated", lambda c: True)
    client = _client(client, organiser_dina)
    body = client.get(reverse("dashboard:campaign_edit", args=[campaign.slug])).content.decode()
    assert "disabled" in body
    r = client.post(reverse("dashboard:campaign_edit", args=[campaign.slug]), _form(campaign, slug="ailleurs",
                                                                                   name="Nom changé"))
    assert r.status_code == 302
    campaign.refresh_from_db()
    assert campaign.slug == "quartier-test" and campaign.name == "Nom changé"


def test_archiving_takes_effect_on_public_pages(client, organiser_dina, resident_alice, campaign, published_action):
    r = _client(client, organiser_dina).post(reverse("dashboard:campaign_archive", args=[campaign.slug]))
    assert r.status_code == 302
    client.logout()
    assert campaign.name not in client.get(reverse("dashboard:index")).content.decode()
    home = client.get(reverse("dashboard:campaign_home", args=[campaign.slug]))
    assert home.status_code == 200 and "archived-notice" in home.content.decode()
    # No new participation: supports are refused with the reason.
    client.force_login(resident_alice)
    r = client.post(reverse("proposals:support", args=[campaign.slug, published_action.pk]), {"op": "add"})
    assert published_action.supports.count() == 0
    # Joining with a code is refused before the code is looked up.
    r = client.post(reverse("joining:join", args=[campaign.slug]), {"code": "ABCD-EFGH-JK"})
    assert r.status_code == 403 and str(CampaignArchived.message) in r.content.decode()


def test_an_archived_campaign_is_restored_from_the_list(client, organiser_dina, campaign):
    campaign_archive(by=organiser_dina, campaign=campaign)
    r = _client(client, organiser_dina).post(reverse("dashboard:campaign_restore", args=[campaign.slug]))
    assert r.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).archived_at is None


def test_consent_page_makes_versions(client, organiser_dina, campaign):
    client = _client(client, organiser_dina)
    url = reverse("dashboard:campaign_consent", args=[campaign.slug])
    assert client.post(url, {"text": "Version une."}).status_code == 302
    assert client.post(url, {"text": "Version deux."}).status_code == 302
    r = client.post(url, {"text": "Version deux."})
    assert r.status_code == 400
    assert list(ConsentText.objects.filter(campaign=campaign).values_list("version", flat=True)) == [2, 1]
    body = client.get(url).content.decode()
    assert "Version une." in body and "Version deux." in body


def test_checklist_says_what_is_missing_and_links_to_fix_it(client, organiser_dina, moderator_marc, campaign):
    client = _client(client, organiser_dina)
    r = client.get(reverse("dashboard:campaign_checklist", args=[campaign.slug]))
    lines = {line["key"]: line for line in r.context["checklist"]["lines"]}
    assert lines["calendar"]["done"] and lines["themes"]["done"] and lines["team"]["done"]
    assert not lines["contact"]["done"] and not lines["consent"]["done"] and not lines["households"]["done"]
    assert lines["contact"]["url"] == reverse("dashboard:campaign_edit", args=[campaign.slug]) + "#contact"
    assert lines["consent"]["url"] == reverse("dashboard:campaign_consent", args=[campaign.slug])
    campaign_update(by=organiser_dina, campaign=campaign, slug_locked=False, contact_email="comite@example.org",
                    legal_notice="Éditeur", privacy_notice="Données")
    consent_text_add(by=organiser_dina, campaign=campaign, text="J'accepte.")
    r = client.get(reverse("dashboard:campaign_checklist", args=[campaign.slug]))
    lines = {line["key"]: line for line in r.context["checklist"]["lines"]}
    assert all(lines[k]["done"] for k in ("contact", "legal_notice", "privacy_notice", "consent"))
    assert "comite@example.org" in lines["contact"]["text"]


def test_checklist_of_a_new_campaign_lists_the_missing_team_moderator(client, admin_ada):
    _client(client, admin_ada).post(reverse("dashboard:campaign_new"), NEW)
    r = client.get(reverse("dashboard:campaign_checklist", args=["encagnane"]))
    lines = {line["key"]: line for line in r.context["checklist"]["lines"]}
    assert not lines["team"]["done"] and not lines["calendar"]["done"] and not lines["themes"]["done"]
    assert "moderat" in lines["team"]["text"] or "modérat" in lines["team"]["text"]


def test_notices_are_public_escaped_paragraphs(client, organiser_dina, campaign):
    campaign_update(by=organiser_dina, campaign=campaign, slug_locked=False,
                    legal_notice="Éditeur : <script>alert(1)</script>\n\nHébergeur : OVH")
    consent_text_add(by=organiser_dina, campaign=campaign, text="J'accepte <b>tout</b>.")
    client.logout()
    body = client.get(reverse("dashboard:campaign_legal_notice", args=[campaign.slug])).content.decode()
    assert "&lt;script&gt;" in body and "<script>alert" not in body and "<p>Hébergeur : OVH</p>" in body
    body = client.get(reverse("dashboard:campaign_privacy_notice", args=[campaign.slug])).content.decode()
    assert "&lt;b&gt;tout&lt;/b&gt;" in body
    # The footer of every campaign page links to them.
    home = client.get(reverse("dashboard:campaign_home", args=[campaign.slug])).content.decode()
    assert reverse("dashboard:campaign_legal_notice", args=[campaign.slug]) in home
    assert reverse("dashboard:campaign_privacy_notice", args=[campaign.slug]) in home


def test_the_public_contact_is_shown_where_residents_are_told_to_ask_the_organisers(client, organiser_dina, campaign):
    campaign_update(by=organiser_dina, campaign=campaign, slug_locked=False, contact_name="Comité du quartier",
                    contact_phone="04 42 00 00 00")
    client.logout()
    r = client.post(reverse("joining:join", args=[campaign.slug]), {"code": "ABCD-EFGH-JK"})
    body = r.content.decode()
    assert "Comité du quartier, 04 42 00 00 00" in body


def _real_code(campaign):
    from concerto.letters.codes import format_code, new_code
    from concerto.letters.models import Household, InvitationCode

    household = Household.objects.create(campaign=campaign, address_line1="12 rue des Lilas", postcode="13013",
                                         city="Marseille", key="12 rue des lilas")
    code = InvitationCode.objects.create(campaign=campaign, household=household, code=new_code(), max_uses=4)
    return format_code(code.code)


def test_joining_shows_the_current_consent_version(client, organiser_dina, campaign):
    consent_text_add(by=organiser_dina, campaign=campaign, text="Première version.")
    consent_text_add(by=organiser_dina, campaign=campaign, text="Je sais que mon nom public est visible.")
    r = client.post(reverse("joining:join", args=[campaign.slug]), {"code": _real_code(campaign)})
    body = r.content.decode()
    assert r.status_code == 200 and "Je sais que mon nom public est visible." in body
    assert "Première version." not in body


def test_a_real_code_cannot_join_an_archived_campaign(client, organiser_dina, resident_elsewhere, campaign):
    code = _real_code(campaign)
    campaign_archive(by=organiser_dina, campaign=campaign)
    r = client.post(reverse("joining:join", args=[campaign.slug]), {"code": code})
    assert r.status_code == 403 and "without-email" not in r.content.decode()
    client.force_login(resident_elsewhere)
    r = client.post(reverse("joining:join", args=[campaign.slug]), {"code": code})
    assert r.status_code == 403
    assert not Membership.objects.filter(campaign=campaign, user=resident_elsewhere).exists()


def test_joining_with_a_code_records_the_consent_version_shown(client, organiser_dina, resident_elsewhere, campaign):
    consent_text_add(by=organiser_dina, campaign=campaign, text="Première version.")
    consent_text_add(by=organiser_dina, campaign=campaign, text="Deuxième version.")
    client.force_login(resident_elsewhere)
    url = reverse("joining:join", args=[campaign.slug])
    assert "Deuxième version." in client.get(url).content.decode()
    assert client.post(url, {"code": _real_code(campaign)}).status_code == 302
    membership = Membership.objects.get(campaign=campaign, user=resident_elsewhere, role=Role.RESIDENT)
    assert membership.consent_version == 2
    entry = AuditEntry.objects.get(code="residents.resident.verified_by_letter", scope=campaign.slug)
    assert entry.data["consent_version"] == 2


def test_without_a_consent_text_nothing_is_recorded(client, resident_elsewhere, campaign):
    client.force_login(resident_elsewhere)
    client.post(reverse("joining:join", args=[campaign.slug]), {"code": _real_code(campaign)})
    assert Membership.objects.get(campaign=campaign, user=resident_elsewhere, role=Role.RESIDENT).consent_version is None


def test_settings_changes_are_in_the_team_journal(client, organiser_dina, campaign):
    campaign_update(by=organiser_dina, campaign=campaign, slug_locked=False, legal_notice="Éditeur")
    consent_text_add(by=organiser_dina, campaign=campaign, text="J'accepte.")
    r = _client(client, organiser_dina).get(reverse("dashboard:journal", args=[campaign.slug]))
    codes = [line.entry.code for line in r.context["lines"]]
    assert "campaigns.campaign.updated" in codes and "campaigns.consent_text.added" in codes


def test_my_space_links_to_the_back_office_for_those_who_use_it(client, admin_ada, resident_alice):
    assert reverse("dashboard:campaigns_manage") in _client(client, admin_ada).get(reverse("dashboard:me")).content.decode()
    client.force_login(resident_alice)
    assert reverse("dashboard:campaigns_manage") not in client.get(reverse("dashboard:me")).content.decode()

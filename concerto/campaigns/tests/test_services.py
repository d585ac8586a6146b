"""Campaign writes: create, update (address rules), archive and restore, consent text versions."""

import pytest

from concerto.campaigns import selectors, services
from concerto.campaigns.errors import (
    CampaignAlreadyArchived,
    CampaignNotArchived,
    ConsentTextUnchanged,
    OrganisationExists,
)
from concerto.campaigns.models import Campaign, ConsentText, Organisation
from concerto.core.errors import FieldErrors
from concerto.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return Organisation.objects.create(name="Quartiers Vivants", slug="quartiers-vivants")


def test_campaign_create_from_code_returns_the_campaign_with_defaults_and_audits(org):
    campaign = services.campaign_create(by=None, organisation=org, name="Concertation Encagnane",
                                        slug="encagnane", territory="Encagnane, Aix-en-Provence",
                                        contact_email="comite@example.org")
    assert isinstance(campaign, Campaign) and campaign.pk
    assert campaign.organisation == org and campaign.languages == ["fr", "en"] and campaign.is_public
    assert campaign.archived_at is None and campaign.contact_email == "comite@example.org"
    entry = AuditEntry.objects.get(code="campaigns.campaign.created")
    assert entry.scope == "encagnane" and entry.data["via"] == "system"


def test_campaign_create_refuses_bad_input_with_every_error_at_once(org, campaign):
    with pytest.raises(FieldErrors) as caught:
        services.campaign_create(by=None, organisation=org, name="  ", slug="Saint Jérôme", territory="",
                                 contact_email="pas-une-adresse", contact_phone="appelez-moi", languages=["de"])
    errors = caught.value.errors
    assert set(errors) == {"name", "slug", "territory", "contact_email", "contact_phone", "languages"}
    assert "minuscules" in str(errors["slug"]) or "lowercase" in str(errors["slug"])
    assert not Campaign.objects.filter(organisation=org).exists()


@pytest.mark.parametrize("slug", ["Majuscule", "deux--tirets", "-debut", "fin-", "accentué", "a b", "x" * 81, ""])
def test_campaign_address_must_be_lowercase_ascii_words(org, slug):
    with pytest.raises(FieldErrors) as caught:
        services.campaign_create(by=None, organisation=org, name="Nom", slug=slug, territory="Aix")
    assert set(caught.value.errors) == {"slug"}


def test_campaign_address_is_unique(org, campaign):
    with pytest.raises(FieldErrors) as caught:
        services.campaign_create(by=None, organisation=org, name="Autre", slug=campaign.slug, territory="Aix")
    assert "slug" in caught.value.errors
    assert Campaign.objects.filter(slug=campaign.slug).count() == 1


def test_campaign_create_rejects_unknown_fields(org):
    with pytest.raises(TypeError):
        services.campaign_create(by=None, organisation=org, name="N", slug="n", territory="T", archived_at=None)


def test_campaign_update_changes_only_given_fields_and_logs_them(campaign, organiser_dina):
    services.campaign_update(by=organiser_dina, campaign=campaign, slug_locked=False,
                             legal_notice="Éditeur : Association test.\n\nHébergeur : OVH.", territory="Aix nord")
    campaign.refresh_from_db()
    assert campaign.territory == "Aix nord" and campaign.legal_notice.startswith("Éditeur")
    entry = AuditEntry.objects.get(code="campaigns.campaign.updated")
    assert entry.actor == organiser_dina and entry.data["fields"] == ["legal_notice", "territory"]


def test_campaign_update_with_nothing_changed_writes_nothing(campaign, organiser_dina):
    services.campaign_update(by=organiser_dina, campaign=campaign, slug_locked=False, name=campaign.name)
    assert not AuditEntry.objects.filter(code="campaigns.campaign.updated").exists()


def test_address_change_is_refused_once_letters_exist(campaign, organiser_dina):
    with pytest.raises(FieldErrors) as caught:
        services.campaign_update(by=organiser_dina, campaign=campaign, slug_locked=True, slug="nouvelle-adresse",
                                 name="Nouveau nom")
    assert "slug" in caught.value.errors
    campaign.refresh_from_db()
    assert campaign.slug == "quartier-test" and campaign.name == "Quartier test"


def test_address_change_is_allowed_before_letters_and_recorded(campaign, organiser_dina):
    services.campaign_update(by=organiser_dina, campaign=campaign, slug_locked=False, slug="nouvelle-adresse")
    assert Campaign.objects.get(pk=campaign.pk).slug == "nouvelle-adresse"
    assert AuditEntry.objects.get(code="campaigns.campaign.updated").data["old_slug"] == "quartier-test"


def test_archive_hides_from_public_list_and_closes_every_phase(campaign, organiser_dina):
    assert selectors.phase_is_open(campaign, "participation")
    services.campaign_archive(by=organiser_dina, campaign=campaign)
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.archived_at is not None
    assert campaign not in selectors.campaign_list()
    assert not selectors.phase_is_open(campaign, "participation")
    with pytest.raises(CampaignAlreadyArchived):
        services.campaign_archive(by=organiser_dina, campaign=campaign)
    services.campaign_restore(by=organiser_dina, campaign=campaign)
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign in selectors.campaign_list() and selectors.phase_is_open(campaign, "participation")
    with pytest.raises(CampaignNotArchived):
        services.campaign_restore(by=organiser_dina, campaign=campaign)
    codes = list(AuditEntry.objects.filter(code__startswith="campaigns.campaign.").values_list("code", flat=True))
    assert sorted(codes) == ["campaigns.campaign.archived", "campaigns.campaign.restored"]


def test_consent_texts_are_versioned_and_old_ones_kept(campaign, organiser_dina):
    first = services.consent_text_add(by=organiser_dina, campaign=campaign, text="J'accepte la charte v1.")
    second = services.consent_text_add(by=organiser_dina, campaign=campaign, text="J'accepte la charte v2.")
    assert (first.version, second.version) == (1, 2)
    assert selectors.consent_current(campaign) == second
    assert [c.text for c in selectors.consent_versions(campaign)] == ["J'accepte la charte v2.",
                                                                      "J'accepte la charte v1."]
    assert ConsentText.objects.get(pk=first.pk).text == "J'accepte la charte v1."
    with pytest.raises(ConsentTextUnchanged):
        services.consent_text_add(by=organiser_dina, campaign=campaign, text="  J'accepte la charte v2.  ")
    with pytest.raises(FieldErrors):
        services.consent_text_add(by=organiser_dina, campaign=campaign, text="   ")
    assert ConsentText.objects.filter(campaign=campaign).count() == 2


def test_consent_versions_count_per_campaign(campaign, other_campaign, organiser_dina):
    services.consent_text_add(by=organiser_dina, campaign=campaign, text="Texte A")
    assert services.consent_text_add(by=None, campaign=other_campaign, text="Texte B").version == 1


def test_organisation_create_refuses_an_existing_address(org):
    with pytest.raises(OrganisationExists):
        services.organisation_create_by_system(name="Autre nom", slug=org.slug)
    with pytest.raises(FieldErrors):
        services.organisation_create_by_system(name="", slug="Pas Bon")
    assert Organisation.objects.count() == 1

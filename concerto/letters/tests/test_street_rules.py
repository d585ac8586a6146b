"""Street rules: added and deleted by organisers, applied to households without sector."""

import pytest
from django.urls import reverse

from concerto.core.errors import FieldErrors, NotFound
from concerto.letters import services
from concerto.letters.models import Household, StreetRule

from .test_import_flow import add_sectors, import_households

TEXT = ("adresse;code_postal;ville;secteur\n"
        "1 av. Saint-Jérôme;13090;Aix;\n"
        "2 rue des Lavandes;13090;Aix;\n"
        "3 rue des Lavandes;13090;Aix;avenue-saint-jerome\n"
        "4 impasse des Pins;13090;Aix;\n")


def sector_of(line1):
    household = Household.objects.select_related("sector").get(address_line1=line1)
    return household.sector.code if household.sector else None


def test_apply_gives_a_sector_only_to_households_without_one(campaign, organiser_dina):
    sectors = add_sectors(campaign)
    import_households(organiser_dina, campaign, TEXT)
    assert sector_of("1 av. Saint-Jérôme") is None
    services.street_rule_add(user=organiser_dina, campaign=campaign, street="Avenue Saint-Jérôme",
                             sector_id=sectors["avenue-saint-jerome"].pk)
    services.street_rule_add(user=organiser_dina, campaign=campaign, street="rue des lavandes",
                             sector_id=sectors["rue-lavandes"].pk)
    assert services.street_rules_apply(user=organiser_dina, campaign=campaign) == 2
    assert sector_of("1 av. Saint-Jérôme") == "avenue-saint-jerome"
    assert sector_of("2 rue des Lavandes") == "rue-lavandes"
    assert sector_of("3 rue des Lavandes") == "avenue-saint-jerome"  # from the file: kept
    assert sector_of("4 impasse des Pins") is None
    assert services.street_rules_apply(user=organiser_dina, campaign=campaign) == 0


def test_bad_rules_are_refused(campaign, other_campaign, organiser_dina):
    sectors = add_sectors(campaign)
    other = add_sectors(other_campaign)
    services.street_rule_add(user=organiser_dina, campaign=campaign, street="rue des Lavandes",
                             sector_id=sectors["rue-lavandes"].pk)
    for street, sector_id, field in [
        ("", sectors["rue-lavandes"].pk, "street"),
        ("R. des Lavandes", sectors["rue-lavandes"].pk, "street"),  # the same street, abbreviated
        ("allée des Pins", "", "sector"),
        ("allée des Pins", other["rue-lavandes"].pk, "sector"),  # a sector of another campaign
    ]:
        with pytest.raises(FieldErrors) as exc:
            services.street_rule_add(user=organiser_dina, campaign=campaign, street=street, sector_id=sector_id)
        assert field in exc.value.errors
    assert StreetRule.objects.count() == 1


def test_only_organisers_manage_rules(campaign, moderator_marc):
    sectors = add_sectors(campaign)
    with pytest.raises(NotFound):
        services.street_rule_add(user=moderator_marc, campaign=campaign, street="rue X",
                                 sector_id=sectors["rue-lavandes"].pk)
    with pytest.raises(NotFound):
        services.street_rules_apply(user=moderator_marc, campaign=campaign)


def test_rules_page_adds_deletes_and_applies(client, campaign, organiser_dina):
    sectors = add_sectors(campaign)
    import_households(organiser_dina, campaign, TEXT)
    client.force_login(organiser_dina)
    url = reverse("letters:street_rules", args=[campaign.slug])
    r = client.post(url, {"street": "", "sector": sectors["rue-lavandes"].pk})
    assert r.status_code == 400 and not StreetRule.objects.exists()
    r = client.post(url, {"street": "rue des Lavandes", "sector": sectors["rue-lavandes"].pk})
    assert r.status_code == 302
    rule = StreetRule.objects.get()
    assert "rue des Lavandes" in client.get(url).content.decode()
    client.post(reverse("letters:street_rules_apply", args=[campaign.slug]))
    assert sector_of("2 rue des Lavandes") == "rue-lavandes"
    client.post(reverse("letters:street_rule_delete", args=[campaign.slug, rule.pk]))
    assert not StreetRule.objects.exists()
    assert sector_of("2 rue des Lavandes") == "rue-lavandes"  # households keep their sector

"""Importing households: preview first, the valid lines imported and the bad ones rejected (nothing
while the file as a whole has an error), one code per household, idempotent confirmation, cancel."""

import pytest
from django.urls import reverse

from concerto.campaigns.models import Sector
from concerto.core.errors import NotFound
from concerto.core.models import AuditEntry
from concerto.letters import selectors, services
from concerto.letters.codes import is_valid_check
from concerto.letters.errors import ImportHasErrors, ImportNotPending
from concerto.letters.models import Household, HouseholdImport, ImportStatus, InvitationCode

CSV = (
    "adresse;complement;code_postal;ville;secteur;nom\n"
    "12 avenue Saint-Jérôme;Bât. B, apt 12;13090;Aix-en-Provence;avenue-saint-jerome;Famille Martin\n"
    "4 rue des Lavandes;;13090;Aix-en-Provence;;\n"
    "9 impasse des Pins;;13090;Aix-en-Provence;;\n"
)


def add_sectors(campaign):
    return {
        "avenue-saint-jerome": Sector.objects.create(campaign=campaign, code="avenue-saint-jerome",
                                                     name="Avenue Saint-Jérôme"),
        "rue-lavandes": Sector.objects.create(campaign=campaign, code="rue-lavandes", name="Rue des Lavandes"),
    }


def import_households(organiser, campaign, text=CSV) -> int:
    """Preview and confirm a CSV text through the real services; returns the households created."""
    upload = services.household_import_preview(user=organiser, campaign=campaign, filename="foyers.csv",
                                               data=text.encode("utf-8"))
    assert upload.error_count == 0, upload.preview["errors"]
    return services.household_import_confirm(user=organiser, campaign=campaign, import_id=upload.pk)


def households_csv(n: int, start: int = 1) -> str:
    return "adresse;code_postal;ville\n" + "".join(f"{i} rue des Lavandes;13090;Aix\n" for i in range(start, start + n))


def test_confirm_creates_households_with_one_valid_code_each(campaign, organiser_dina):
    sectors = add_sectors(campaign)
    services.street_rule_add(user=organiser_dina, campaign=campaign, street="rue des Lavandes",
                             sector_id=sectors["rue-lavandes"].pk)
    assert import_households(organiser_dina, campaign) == 3
    households = {h.address_line1: h for h in Household.objects.filter(campaign=campaign)}
    assert households["12 avenue Saint-Jérôme"].sector == sectors["avenue-saint-jerome"]
    assert households["4 rue des Lavandes"].sector == sectors["rue-lavandes"]  # by the street rule
    assert households["9 impasse des Pins"].sector is None
    codes = list(InvitationCode.objects.filter(campaign=campaign))
    assert len(codes) == 3 and len({c.code for c in codes}) == 3
    assert all(is_valid_check(c.code) and len(c.code) == 10 and c.max_uses == 4 for c in codes)
    assert {c.household_id for c in codes} == {h.pk for h in households.values()}
    assert AuditEntry.objects.filter(code="letters.import.confirmed").count() == 1


def test_codes_allow_the_configured_number_of_residents(campaign, organiser_dina):
    settings_ = selectors.letter_settings_default(campaign)
    services.letter_settings_update(user=organiser_dina, campaign=campaign, sender_lines="", place="",
                                    title="Invitation", body=settings_.body, signature="",
                                    residents_per_code=2, support_level="any")
    import_households(organiser_dina, campaign, households_csv(2))
    assert set(InvitationCode.objects.values_list("max_uses", flat=True)) == {2}


def test_a_file_with_bad_lines_imports_only_its_valid_lines(campaign, organiser_dina):
    """Issue 10 (trap: a single bad line used to block the whole file)."""
    add_sectors(campaign)
    upload = services.household_import_preview(
        user=organiser_dina, campaign=campaign, filename="f.csv",
        data=(CSV + ";;13090;Aix;;\n").encode())
    assert upload.error_count == 1 and upload.row_count == 3
    assert services.household_import_confirm(user=organiser_dina, campaign=campaign, import_id=upload.pk) == 3
    assert Household.objects.count() == 3 and InvitationCode.objects.count() == 3
    upload.refresh_from_db()
    assert upload.status == ImportStatus.IMPORTED


def test_an_error_of_the_whole_file_imports_nothing(campaign, organiser_dina):
    upload = services.household_import_preview(
        user=organiser_dina, campaign=campaign, filename="f.csv",
        data=b"adresse;ville\n1 rue A;Aix\n")  # no postcode column
    assert upload.error_count == 1
    with pytest.raises(ImportHasErrors):
        services.household_import_confirm(user=organiser_dina, campaign=campaign, import_id=upload.pk)
    assert not Household.objects.exists() and not InvitationCode.objects.exists()
    upload.refresh_from_db()
    assert upload.status == ImportStatus.PREVIEW


def test_confirming_twice_imports_once(campaign, organiser_dina):
    upload = services.household_import_preview(user=organiser_dina, campaign=campaign, filename="f.csv",
                                               data=households_csv(5).encode())
    assert services.household_import_confirm(user=organiser_dina, campaign=campaign, import_id=upload.pk) == 5
    with pytest.raises(ImportNotPending):
        services.household_import_confirm(user=organiser_dina, campaign=campaign, import_id=upload.pk)
    assert Household.objects.count() == 5 and InvitationCode.objects.count() == 5


def test_a_second_file_skips_addresses_already_imported(campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(3))
    upload = services.household_import_preview(user=organiser_dina, campaign=campaign, filename="f.csv",
                                               data=households_csv(5).encode())
    assert upload.row_count == 2
    assert [d["other_line"] for d in upload.preview["duplicates"]] == [None, None, None]
    assert services.household_import_confirm(user=organiser_dina, campaign=campaign, import_id=upload.pk) == 2
    assert Household.objects.count() == 5


def test_addresses_imported_between_preview_and_confirmation_are_skipped(campaign, organiser_dina):
    first = services.household_import_preview(user=organiser_dina, campaign=campaign, filename="a.csv",
                                              data=households_csv(3).encode())
    second = services.household_import_preview(user=organiser_dina, campaign=campaign, filename="b.csv",
                                               data=households_csv(3, start=2).encode())
    services.household_import_confirm(user=organiser_dina, campaign=campaign, import_id=first.pk)
    assert services.household_import_confirm(user=organiser_dina, campaign=campaign, import_id=second.pk) == 1
    assert Household.objects.count() == 4


def test_cancel_then_confirm_does_nothing(campaign, organiser_dina):
    upload = services.household_import_preview(user=organiser_dina, campaign=campaign, filename="f.csv",
                                               data=households_csv(2).encode())
    services.household_import_cancel(user=organiser_dina, campaign=campaign, import_id=upload.pk)
    with pytest.raises(ImportNotPending):
        services.household_import_confirm(user=organiser_dina, campaign=campaign, import_id=upload.pk)
    assert not Household.objects.exists()


def test_only_organisers_import(campaign, moderator_marc, resident_alice, other_campaign):
    for user in (moderator_marc, resident_alice):
        with pytest.raises(NotFound):
            services.household_import_preview(user=user, campaign=campaign, filename="f.csv", data=CSV.encode())
    assert not HouseholdImport.objects.exists()


def test_code_collisions_are_retried(campaign, organiser_dina, monkeypatch):
    import_households(organiser_dina, campaign, households_csv(1))
    taken = InvitationCode.objects.get().code
    fresh = iter([taken, taken, "2223456789"])
    monkeypatch.setattr(services, "new_code", lambda: next(fresh))
    assert services._fresh_codes(1) == ["2223456789"]


# --- Pages --------------------------------------------------------------------------------------


def upload_page(campaign):
    return reverse("letters:import", args=[campaign.slug])


def post_file(client, campaign, text, encoding="utf-8", name="foyers.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(upload_page(campaign), {"file": SimpleUploadedFile(name, text.encode(encoding), "text/csv")})


def test_upload_preview_confirm_without_javascript(client, campaign, organiser_dina):
    add_sectors(campaign)
    client.force_login(organiser_dina)
    assert client.get(upload_page(campaign)).status_code == 200
    r = post_file(client, campaign, CSV, encoding="cp1252")
    upload = HouseholdImport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("letters:import_preview", args=[campaign.slug, upload.pk])
    page = client.get(r["Location"]).content.decode()
    assert "12 avenue Saint-Jérôme" in page and "Famille Martin" in page
    assert reverse("letters:import_confirm", args=[campaign.slug, upload.pk]) in page
    r = client.post(reverse("letters:import_confirm", args=[campaign.slug, upload.pk]), {"decision": "import"})
    assert r.status_code == 302
    assert Household.objects.count() == 3
    r = client.post(reverse("letters:import_confirm", args=[campaign.slug, upload.pk]), {"decision": "import"})
    assert Household.objects.count() == 3


def test_preview_with_errors_lists_every_error_and_imports_the_valid_lines(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    text = "adresse;code_postal;ville\n" + "".join(f";1309{i % 10};Aix\n" for i in range(60)) + "1 rue A;13090;Aix\n"
    post_file(client, campaign, text)
    upload = HouseholdImport.objects.get()
    assert upload.error_count == 60
    page = client.get(reverse("letters:import_preview", args=[campaign.slug, upload.pk])).content.decode()
    assert page.count('<tr><th scope="row">') >= 60 + 1  # every error, and the valid row
    assert 'name="decision" value="import"' in page
    assert reverse("letters:import_rejected", args=[campaign.slug, upload.pk]) in page
    r = client.post(reverse("letters:import_confirm", args=[campaign.slug, upload.pk]), {"decision": "import"})
    assert r.status_code == 302
    assert list(Household.objects.values_list("address_line1", flat=True)) == ["1 rue A"]


def test_cancel_page(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    post_file(client, campaign, CSV)
    upload = HouseholdImport.objects.get()
    client.post(reverse("letters:import_confirm", args=[campaign.slug, upload.pk]), {"decision": "cancel"})
    upload.refresh_from_db()
    assert upload.status == ImportStatus.CANCELLED
    assert not Household.objects.exists()


def test_upload_without_file_is_a_form_error(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    r = client.post(upload_page(campaign), {})
    assert r.status_code == 400
    assert not HouseholdImport.objects.exists()

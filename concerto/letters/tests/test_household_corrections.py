"""Correcting households (issue 10): edit an address, choose a sector by hand, delete a vacant
household, see who joined with its code, undo an import, download the rejected lines of a file,
export households and codes. Each test fails on the code before issue 10."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils.translation import gettext, pgettext

from concerto.campaigns.models import Sector
from concerto.core.errors import FieldErrors
from concerto.core.models import AuditEntry
from concerto.joining import services as joining
from concerto.joining.errors import CodeRevoked, CodeWithdrawn
from concerto.letters import services
from concerto.letters.errors import (
    HouseholdInUnfinishedBatch,
    HouseholdNotVacant,
    ImportNothingToUndo,
    ImportNotImported,
)
from concerto.letters.models import (
    BatchStatus,
    CodeUse,
    Household,
    HouseholdImport,
    ImportStatus,
    InvitationCode,
    LetterBatch,
)
from concerto.residents.models import Role
from concerto.residents.services import api_token_create
from conftest import make_user

from .test_import_flow import households_csv, post_file

JOIN_URL = "https://x.example/c/quartier/rejoindre/"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def imported(organiser, campaign, text, filename="foyers.csv") -> HouseholdImport:
    upload = services.household_import_preview(user=organiser, campaign=campaign, filename=filename,
                                               data=text.encode("utf-8"))
    services.household_import_confirm(user=organiser, campaign=campaign, import_id=upload.pk)
    upload.refresh_from_db()
    return upload


def household(campaign, line1) -> Household:
    return Household.objects.get(campaign=campaign, address_line1=line1)


def active(h) -> str:
    return InvitationCode.objects.get(household=h, revoked_at__isnull=True).code


def join(campaign, code, email):
    user = make_user(email)
    joining.code_join_signed_in(user=user, campaign=campaign, text=code, ip="10.0.0.9")
    return user


def address(h, **changes) -> dict:
    values = {f: getattr(h, f) for f in ("name", "address_line1", "address_line2", "address_line3", "postcode",
                                         "city")}
    return {**values, **changes}


# --- Editing an address -------------------------------------------------------------------------


def test_an_address_is_corrected_with_the_imports_cleaning_and_keeps_its_code(campaign, organiser_dina):
    imported(organiser_dina, campaign, households_csv(2))
    h = household(campaign, "1 rue des Lavandes")
    code = active(h)
    services.household_update(user=organiser_dina, campaign=campaign, household_id=h.pk,
                              **address(h, address_line1="  3   bis rue des   Lavandes ", postcode="13 090",
                                        name="Famille\tRoux"))
    h.refresh_from_db()
    assert (h.address_line1, h.postcode, h.name) == ("3 bis rue des Lavandes", "13090", "Famille Roux")
    assert h.key == "13090|3 bis rue des lavandes"
    assert active(h) == code  # the posted letter stays valid
    entry = AuditEntry.objects.get(code="letters.household.updated")
    assert entry.data["before"]["address_line1"] == "1 rue des Lavandes"


def test_an_address_another_household_has_is_refused_however_it_is_typed(campaign, organiser_dina):
    imported(organiser_dina, campaign, "adresse;code_postal;ville\n12 avenue Saint-Jérôme;13090;Aix\n"
                                       "4 rue des Lavandes;13090;Aix\n")
    h = household(campaign, "4 rue des Lavandes")
    with pytest.raises(FieldErrors) as refused:
        services.household_update(user=organiser_dina, campaign=campaign, household_id=h.pk,
                                  **address(h, address_line1="12 av. St-JEROME"))
    assert any(words in str(refused.value.errors["address_line1"])
               for words in ("already has this address", "a déjà cette adresse"))
    h.refresh_from_db()
    assert h.address_line1 == "4 rue des Lavandes"
    assert not AuditEntry.objects.filter(code="letters.household.updated").exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"postcode": "1309"}, "postcode"), ({"postcode": "ABCDE"}, "postcode"), ({"city": "  "}, "city"),
    ({"address_line1": ""}, "address_line1"), ({"address_line2": "x" * 201}, "address_line2"),
])


def test_a_wrong_address_is_explained_on_its_field_and_changes_nothing(campaign, organiser_dina, changes, field):
    imported(organiser_dina, campaign, households_csv(1))
    h = household(campaign, "1 rue des Lavandes")
    with pytest.raises(FieldErrors) as refused:
        services.household_update(user=organiser_dina, campaign=campaign, household_id=h.pk, **address(h, **changes))
    assert list(refused.value.errors) == [field]
    assert Household.objects.get(pk=h.pk).address_line1 == "1 rue des Lavandes"


def test_the_edit_form_works_without_javascript_and_shows_errors(client, campaign, organiser_dina):
    imported(organiser_dina, campaign, households_csv(2))
    h = household(campaign, "1 rue des Lavandes")
    client.force_login(organiser_dina)
    url = reverse("letters:household_edit", args=[campaign.slug, h.pk])
    r = client.post(url, address(h, address_line1="2 rue des Lavandes"))
    assert r.status_code == 400
    assert "already has this address" in r.content.decode() or "déjà cette adresse" in r.content.decode()
    r = client.post(url, address(h, address_line1="1 rue des Lavandes", address_line2="Bât. C"))
    assert r.status_code == 302 and r["Location"] == reverse("letters:household", args=[campaign.slug, h.pk])
    assert Household.objects.get(pk=h.pk).address_line2 == "Bât. C"


# --- Sector by hand -----------------------------------------------------------------------------


def test_a_sector_chosen_by_hand_is_never_changed_by_the_street_rules(campaign, organiser_dina):
    north = Sector.objects.create(campaign=campaign, code="nord", name="Nord")
    south = Sector.objects.create(campaign=campaign, code="sud", name="Sud")
    imported(organiser_dina, campaign, households_csv(2))
    first, second = household(campaign, "1 rue des Lavandes"), household(campaign, "2 rue des Lavandes")
    services.household_sector_set(user=organiser_dina, campaign=campaign, household_id=first.pk, sector_id="none")
    services.street_rule_add(user=organiser_dina, campaign=campaign, street="rue des Lavandes", sector_id=north.pk)
    assert services.street_rules_apply(user=organiser_dina, campaign=campaign) == 1  # the other one only
    assert Household.objects.get(pk=first.pk).sector is None
    assert Household.objects.get(pk=second.pk).sector == north
    services.household_sector_set(user=organiser_dina, campaign=campaign, household_id=second.pk,
                                  sector_id=str(south.pk))
    assert Household.objects.get(pk=second.pk).sector == south
    services.household_sector_set(user=organiser_dina, campaign=campaign, household_id=first.pk, sector_id="rules")
    first.refresh_from_db()
    assert first.sector == north and first.sector_set_at is None  # handed back to the rules
    assert AuditEntry.objects.filter(code="letters.household.sector_set").count() == 3


def test_a_sector_of_another_campaign_is_refused(campaign, other_campaign, organiser_dina):
    elsewhere = Sector.objects.create(campaign=other_campaign, code="ailleurs", name="Ailleurs")
    imported(organiser_dina, campaign, households_csv(1))
    h = household(campaign, "1 rue des Lavandes")
    with pytest.raises(FieldErrors):
        services.household_sector_set(user=organiser_dina, campaign=campaign, household_id=h.pk,
                                      sector_id=str(elsewhere.pk))
    assert Household.objects.get(pk=h.pk).sector_set_at is None


# --- Deleting a vacant household ----------------------------------------------------------------


def test_a_vacant_household_is_deleted_its_code_revoked_kept_and_refused_clearly(campaign, organiser_dina):
    imported(organiser_dina, campaign, households_csv(2))
    h = household(campaign, "1 rue des Lavandes")
    code = active(h)
    services.household_delete(user=organiser_dina, campaign=campaign, household_id=h.pk,
                              reason="Logement vacant, courrier revenu")
    assert not Household.objects.filter(pk=h.pk).exists()
    kept = InvitationCode.objects.get(code=code)
    assert kept.household is None and kept.revoked_at is not None and kept.revoked_by == organiser_dina
    assert "Logement vacant" in kept.revoke_reason
    entry = AuditEntry.objects.get(code="letters.household.deleted")
    assert entry.data["address"].startswith("1 rue des Lavandes") and entry.data["codes"] == [kept.pk]
    with pytest.raises(CodeWithdrawn) as refused:
        joining.code_lookup(campaign=campaign, text=code, ip="10.0.0.9")
    assert "no longer valid" in str(refused.value) or "plus valable" in str(refused.value)
    assert not isinstance(refused.value, CodeRevoked)  # not "replaced by a new letter": there is none


def test_the_join_page_tells_a_resident_the_address_is_no_longer_invited(client, campaign, organiser_dina):
    imported(organiser_dina, campaign, households_csv(1))
    h = household(campaign, "1 rue des Lavandes")
    code = active(h)
    services.household_delete(user=organiser_dina, campaign=campaign, household_id=h.pk, reason="vacant")
    page = client.post(reverse("joining:join", args=[campaign.slug]), {"code": code}).content.decode()
    assert "organisers removed this address" in page or "retiré cette adresse" in page


def test_a_household_whose_code_was_used_is_not_deleted(campaign, organiser_dina):
    imported(organiser_dina, campaign, households_csv(1))
    h = household(campaign, "1 rue des Lavandes")
    join(campaign, active(h), "voisine@example.org")
    with pytest.raises(HouseholdNotVacant):
        services.household_delete(user=organiser_dina, campaign=campaign, household_id=h.pk, reason="vacant")
    assert Household.objects.filter(pk=h.pk).exists()
    assert InvitationCode.objects.get(household=h).revoked_at is None


def test_a_household_whose_letter_is_being_generated_is_not_deleted(campaign, organiser_dina):
    imported(organiser_dina, campaign, households_csv(1))
    h = household(campaign, "1 rue des Lavandes")
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN_URL)
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.QUEUED)
    with pytest.raises(HouseholdInUnfinishedBatch):
        services.household_delete(user=organiser_dina, campaign=campaign, household_id=h.pk, reason="vacant")
    assert Household.objects.filter(pk=h.pk).exists()


def test_a_posted_letter_does_not_prevent_deleting_a_vacant_household(campaign, organiser_dina):
    imported(organiser_dina, campaign, households_csv(1))
    h = household(campaign, "1 rue des Lavandes")
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN_URL)
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=batch.pk)
    services.household_delete(user=organiser_dina, campaign=campaign, household_id=h.pk, reason="NPAI")
    assert not Household.objects.exists()
    assert LetterBatch.objects.get(pk=batch.pk).letters.count() == 1  # the batch still names the code


def test_a_delete_needs_a_reason(campaign, organiser_dina):
    imported(organiser_dina, campaign, households_csv(1))
    h = household(campaign, "1 rue des Lavandes")
    with pytest.raises(FieldErrors):
        services.household_delete(user=organiser_dina, campaign=campaign, household_id=h.pk, reason=" ")
    assert Household.objects.filter(pk=h.pk).exists()


def test_the_household_page_lists_who_joined_without_their_email(client, campaign, organiser_dina):
    imported(organiser_dina, campaign, households_csv(1))
    h = household(campaign, "1 rue des Lavandes")
    code = active(h)
    user = join(campaign, code, "voisine.secrete@example.org")
    user.display_name = "Voisine Lavande"
    user.save()
    joining.code_join_with_pin(campaign=campaign, text=code, ip="10.0.0.9", display_name="Papi Lavande",
                               pin="482915", pin_again="482915")
    client.force_login(organiser_dina)
    page = client.get(reverse("letters:household", args=[campaign.slug, h.pk])).content.decode()
    assert "Voisine Lavande" in page and "Papi Lavande" in page
    assert "voisine.secrete@example.org" not in page
    assert reverse("letters:household_delete", args=[campaign.slug, h.pk]) not in page  # not vacant: no form
    r = client.post(reverse("letters:household_delete", args=[campaign.slug, h.pk]), {"reason": "vacant"})
    assert r.status_code == 400 and Household.objects.filter(pk=h.pk).exists()


def test_delete_from_the_household_page(client, campaign, organiser_dina):
    imported(organiser_dina, campaign, households_csv(1))
    h = household(campaign, "1 rue des Lavandes")
    client.force_login(organiser_dina)
    page = client.get(reverse("letters:household", args=[campaign.slug, h.pk])).content.decode()
    assert reverse("letters:household_delete", args=[campaign.slug, h.pk]) in page
    r = client.post(reverse("letters:household_delete", args=[campaign.slug, h.pk]), {"reason": "vacant"})
    assert r.status_code == 302 and r["Location"] == reverse("letters:households", args=[campaign.slug])
    assert not Household.objects.exists()


# --- Undoing an import --------------------------------------------------------------------------


def test_undo_removes_untouched_households_and_keeps_the_used_and_posted_ones(client, campaign, organiser_dina):
    upload = imported(organiser_dina, campaign, households_csv(4))
    used, posted, printed, untouched = (household(campaign, f"{n} rue des Lavandes") for n in range(1, 5))
    join(campaign, active(used), "voisine@example.org")
    sent = services.household_reissue(user=organiser_dina, campaign=campaign, household_id=posted.pk,
                                      reason="perdue", join_url=JOIN_URL)
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=sent.pk)
    unposted = services.household_reissue(user=organiser_dina, campaign=campaign, household_id=printed.pk,
                                          reason="perdue", join_url=JOIN_URL)
    client.force_login(organiser_dina)
    url = reverse("letters:import_undo", args=[campaign.slug, upload.pk])
    page = client.get(url).content.decode()
    assert "1 rue des Lavandes" in page and "2 rue des Lavandes" in page  # kept, with their reasons
    assert reverse("letters:batch", args=[campaign.slug, unposted.pk]) in page  # "do not post these letters"
    assert Household.objects.count() == 4
    r = client.post(url)
    assert r.status_code == 302
    assert set(Household.objects.values_list("pk", flat=True)) == {used.pk, posted.pk}
    codes = InvitationCode.objects.filter(household__isnull=True)
    assert codes.count() == 3 and all(c.revoked_at for c in codes)  # printed's two codes, untouched's one
    upload.refresh_from_db()
    assert upload.status == ImportStatus.UNDONE and upload.undone_at
    entry = AuditEntry.objects.get(code="letters.import.undone")
    assert entry.data["removed"] == 2 and sorted(entry.data["kept_households"]) == sorted([used.pk, posted.pk])
    assert CodeUse.objects.count() == 1
    with pytest.raises(ImportNotImported):
        services.household_import_undo(user=organiser_dina, campaign=campaign, import_id=upload.pk)


def test_an_import_whose_households_are_all_in_use_cannot_be_undone(campaign, organiser_dina):
    upload = imported(organiser_dina, campaign, households_csv(1))
    join(campaign, active(household(campaign, "1 rue des Lavandes")), "voisine@example.org")
    with pytest.raises(ImportNothingToUndo):
        services.household_import_undo(user=organiser_dina, campaign=campaign, import_id=upload.pk)
    upload.refresh_from_db()
    assert upload.status == ImportStatus.IMPORTED and Household.objects.count() == 1


def test_a_previewed_import_cannot_be_undone(campaign, organiser_dina):
    upload = services.household_import_preview(user=organiser_dina, campaign=campaign, filename="f.csv",
                                               data=households_csv(1).encode())
    with pytest.raises(ImportNotImported):
        services.household_import_undo(user=organiser_dina, campaign=campaign, import_id=upload.pk)


# --- Rejected lines -----------------------------------------------------------------------------

BAD_FILE = ("adresse;code_postal;ville;commentaire\n"
            "1 rue des Lavandes;13090;Aix;ok\n"
            "=HYPERLINK(\"x\");1309;Aix;formule\n"
            "3 rue des Lavandes;13090;;sans ville\n"
            "4 rue des Lavandes;13090;Aix;ok\n")


def read_csv(response) -> tuple[bytes, list[list[str]]]:
    body = b"".join(response.streaming_content)
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_rejected_lines_download_with_their_reason_for_excel(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    post_file(client, campaign, BAD_FILE)
    upload = HouseholdImport.objects.get()
    r = client.get(reverse("letters:import_rejected", args=[campaign.slug, upload.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"] and "no-store" in r["Cache-Control"]
    body, rows = read_csv(r)
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    assert rows[0] == ["adresse", "code_postal", "ville", "commentaire", pgettext("CSV column", "reason")]
    assert [row[:4] for row in rows[1:]] == [["'=HYPERLINK(\"x\")", "1309", "Aix", "formule"],
                                             ["3 rue des Lavandes", "13090", "", "sans ville"]]
    line = gettext("line %(line)s: %(reasons)s")
    assert rows[1][4].startswith(line % {"line": 3, "reasons": ""}) and "4 chiffres" in rows[1][4]
    assert rows[2][4].startswith(line % {"line": 4, "reasons": ""}) and "ville" in rows[2][4]
    # The valid lines import; the corrected rejected file can be uploaded again.
    client.post(reverse("letters:import_confirm", args=[campaign.slug, upload.pk]), {"decision": "import"})
    assert Household.objects.count() == 2
    corrected = body.decode("utf-8-sig").replace("'=HYPERLINK(\"\"x\"\")", "2 rue des Lavandes") \
        .replace(";1309;", ";13090;").replace(";13090;;", ";13090;Aix;")
    post_file(client, campaign, corrected, name="corrige.csv")
    again = HouseholdImport.objects.get(filename="corrige.csv")
    assert again.error_count == 0 and again.row_count == 2, again.preview["errors"]


def test_an_imported_file_keeps_its_rejected_lines(client, campaign, organiser_dina):
    upload = imported(organiser_dina, campaign, BAD_FILE)
    assert upload.status == ImportStatus.IMPORTED
    client.force_login(organiser_dina)
    page = client.get(reverse("letters:import_preview", args=[campaign.slug, upload.pk])).content.decode()
    assert reverse("letters:import_rejected", args=[campaign.slug, upload.pk]) in page
    assert reverse("letters:import_undo", args=[campaign.slug, upload.pk]) in page


# --- Export -------------------------------------------------------------------------------------


def test_the_export_lists_every_code_with_its_state_and_is_audited(client, campaign, organiser_dina):
    upload = imported(organiser_dina, campaign, households_csv(4))
    used, sent, reissued, also_sent = (household(campaign, f"{n} rue des Lavandes") for n in range(1, 5))
    join(campaign, active(used), "voisine@example.org")
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN_URL)
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=batch.pk)
    services.household_reissue(user=organiser_dina, campaign=campaign, household_id=reissued.pk, reason="perdue",
                               join_url=JOIN_URL)
    services.household_create(user=organiser_dina, campaign=campaign, address_line1="=1+1 chemin", postcode="13090",
                              city="Aix")
    client.force_login(organiser_dina)
    url = reverse("letters:households_export", args=[campaign.slug])
    page = client.get(url).content.decode()
    assert "personnel" in page or "personal" in page
    assert not AuditEntry.objects.filter(code="letters.households.exported").exists()
    r = client.post(url)
    assert r.status_code == 200 and r.streaming and "no-store" in r["Cache-Control"]
    body, rows = read_csv(r)
    assert body.startswith(b"\xef\xbb\xbf")
    header, lines = rows[0], rows[1:]
    assert header[:8] == ["foyer", "nom", "adresse", "complément d'adresse", gettext("address line 3"),
                          "code postal", "ville", "secteur"]
    state = {(int(line[0]), line[8].replace("-", "")): line[9] for line in lines}
    codes = {c.code: c for c in InvitationCode.objects.all()}
    expected = {}
    for code in codes.values():
        expected[(code.household_id, code.code)] = pgettext("code state", (
            "revoked" if code.revoked_at else "used" if code.use_count else
            # The reissued household's new code is in a batch not posted yet; the created one in none.
            "sent" if code.household_id in (sent.pk, also_sent.pk) else "new"))
    assert state == expected
    assert len(set(state.values())) == 4
    assert all(line[11].startswith("foyers.csv") for line in lines if int(line[0]) != Household.objects.get(
        address_line1="=1+1 chemin").pk)
    assert any(line[2] == "'=1+1 chemin" for line in lines)  # never a formula
    assert AuditEntry.objects.get(code="letters.households.exported").actor == organiser_dina
    assert upload.pk


def test_the_export_streams_large_campaigns_in_chunks(client, campaign, organiser_dina, monkeypatch):
    from concerto.letters import selectors

    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 3)
    imported(organiser_dina, campaign, households_csv(10))
    client.force_login(organiser_dina)
    r = client.post(reverse("letters:households_export", args=[campaign.slug]))
    _body, rows = read_csv(r)
    assert len(rows) == 11 and len({row[0] for row in rows[1:]}) == 10


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR, Role.FACILITATOR])
def test_only_organisers_export(client, campaign, organiser_dina, role):
    imported(organiser_dina, campaign, households_csv(1))
    client.force_login(make_user(f"{role}@example.org", campaign=campaign, role=role))
    assert client.post(reverse("letters:households_export", args=[campaign.slug])).status_code == 404
    assert not AuditEntry.objects.filter(code="letters.households.exported").exists()


# --- API twins ----------------------------------------------------------------------------------


def api(client, method, path, token, data=None):
    return client.generic(method, "/api/v1/campaigns" + path, json.dumps(data) if data is not None else "",
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def token_of(user):
    return api_token_create(user=user, name="tests", scope="write")[1]


def test_the_api_corrects_an_address_and_chooses_a_sector_by_hand(client, campaign, organiser_dina):
    Sector.objects.create(campaign=campaign, code="nord", name="Nord")
    imported(organiser_dina, campaign, households_csv(2))
    h = household(campaign, "1 rue des Lavandes")
    token = token_of(organiser_dina)
    path = f"/{campaign.slug}/households/{h.pk}"
    r = api(client, "PATCH", path, token, {"address_line1": "2 rue des Lavandes", "sector": "nord"})
    assert r.status_code == 400 and "address_line1" in r.json()["errors"]
    r = api(client, "PATCH", path, token, {"address_line1": "9 rue des Lavandes", "sector": "inconnu"})
    assert r.status_code == 400 and list(r.json()["errors"]) == ["sector"]
    assert Household.objects.get(pk=h.pk).address_line1 == "1 rue des Lavandes"  # nothing changed
    r = api(client, "PATCH", path, token, {"address_line1": "9 rue des Lavandes", "sector": "nord"})
    assert r.status_code == 200, r.content
    assert r.json()["address_line1"] == "9 rue des Lavandes" and r.json()["sector"] == "nord"
    assert r.json()["postcode"] == "13090"  # the fields not given are kept
    assert Household.objects.get(pk=h.pk).sector_set_at is not None


def test_the_api_deletes_a_vacant_household_and_undoes_an_import(client, campaign, organiser_dina):
    upload = imported(organiser_dina, campaign, households_csv(3))
    first, second, third = (household(campaign, f"{n} rue des Lavandes") for n in range(1, 4))
    join(campaign, active(first), "voisine@example.org")
    token = token_of(organiser_dina)
    r = api(client, "DELETE", f"/{campaign.slug}/households/{first.pk}", token, {"reason": "vacant"})
    assert r.status_code == 409 and r.json()["code"] == "household_not_vacant"
    r = api(client, "DELETE", f"/{campaign.slug}/households/{second.pk}", token, {"reason": "vacant"})
    assert r.status_code == 204
    r = api(client, "POST", f"/{campaign.slug}/households/imports/{upload.pk}/undo", token)
    assert r.status_code == 200 and r.json() == {"removed": 1, "kept": 1}
    assert list(Household.objects.values_list("pk", flat=True)) == [first.pk]
    r = api(client, "POST", f"/{campaign.slug}/households/imports/{upload.pk}/undo", token)
    assert r.status_code == 409 and r.json()["code"] == "import_not_imported"
    assert third.pk


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR, "other_organiser"])
def test_the_api_corrections_answer_404_to_anyone_but_the_organisers(client, campaign, other_campaign, organiser_dina,
                                                                     role):
    upload = imported(organiser_dina, campaign, households_csv(1))
    h = household(campaign, "1 rue des Lavandes")
    if role == "other_organiser":
        user = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    else:
        user = make_user(f"{role}@example.org", campaign=campaign, role=role)
    token = token_of(user)
    for method, path, data in [("PATCH", f"/{campaign.slug}/households/{h.pk}", {"city": "Marseille"}),
                               ("DELETE", f"/{campaign.slug}/households/{h.pk}", {"reason": "vacant"}),
                               ("POST", f"/{campaign.slug}/households/imports/{upload.pk}/undo", None)]:
        r = api(client, method, path, token, data)
        assert r.status_code == 404 and r.json()["code"] == "not_found", (method, path)
    assert Household.objects.get(pk=h.pk).city == "Aix"


def test_the_export_streams_under_asgi_without_reading_everything_first(campaign, organiser_dina, monkeypatch):
    """Under ASGI a sync iterator would be read whole before the first byte; the view hands over an
    async iterator instead, read a block of lines at a time."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    from concerto.letters import selectors

    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 2)
    imported(organiser_dina, campaign, households_csv(5))
    client = AsyncClient()
    client.force_login(organiser_dina)

    async def download():
        response = await client.post(reverse("letters:households_export", args=[campaign.slug]))
        assert response.is_async
        return response.status_code, b"".join([part async for part in response.streaming_content])

    status, body = async_to_sync(download)()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert status == 200 and len(rows) == 6


def test_the_households_page_leads_to_the_export(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    page = client.get(reverse("letters:households", args=[campaign.slug])).content.decode()
    assert reverse("letters:households_export", args=[campaign.slug]) in page

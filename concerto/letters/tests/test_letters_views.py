"""The organiser's letters pages: who may open them, the letter settings, households and batches pages."""

import re

import pytest
from django.urls import reverse

from concerto.campaigns.models import Campaign
from concerto.core.models import AuditEntry
from concerto.joining import services as joining
from concerto.letters import services
from concerto.letters.models import (
    BatchStatus,
    Household,
    InvitationCode,
    LetterBatch,
    LetterSettings,
    StreetRule,
)
from concerto.residents.models import Role
from conftest import make_user

from .test_import_flow import add_sectors, households_csv, import_households


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ready(campaign, organiser_dina):
    """Two households, a generated batch, a street rule: every page has something to show."""
    sectors = add_sectors(campaign)
    rule = services.street_rule_add(user=organiser_dina, campaign=campaign, street="rue des Lavandes",
                                    sector_id=sectors["rue-lavandes"].pk)
    import_households(organiser_dina, campaign, households_csv(2))
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url="https://x.example/j/")
    upload = services.household_import_preview(user=organiser_dina, campaign=campaign, filename="f.csv",
                                               data=households_csv(1, start=9).encode())
    return {"household": Household.objects.first(), "batch": batch, "rule": rule, "upload": upload}


def pages(campaign, ready):
    slug = campaign.slug
    h, b, rule, upload = ready["household"].pk, ready["batch"].pk, ready["rule"].pk, ready["upload"].pk
    gets = [
        reverse("letters:tracking", args=[slug]), reverse("letters:settings", args=[slug]),
        reverse("letters:preview", args=[slug]), reverse("letters:batches", args=[slug]),
        reverse("letters:batch", args=[slug, b]), reverse("letters:batch_progress", args=[slug, b]),
        reverse("letters:batch_download", args=[slug, b]), reverse("letters:households", args=[slug]),
        reverse("letters:household", args=[slug, h]), reverse("letters:import", args=[slug]),
        reverse("letters:import_preview", args=[slug, upload]), reverse("letters:street_rules", args=[slug]),
        reverse("letters:households_export", args=[slug]), reverse("letters:import_undo", args=[slug, upload]),
        reverse("letters:import_rejected", args=[slug, upload]),
    ]
    posts = [
        (reverse("letters:settings", args=[slug]), {"body": "Bonjour {nom}", "residents_per_code": 3,
                                                    "support_level": "letter"}),
        (reverse("letters:batches", args=[slug]), {"kind": "invitation", "scope": "all"}),
        (reverse("letters:batch_sent", args=[slug, b]), {}),
        (reverse("letters:batch_retry", args=[slug, b]), {}),
        (reverse("letters:household_reissue", args=[slug, h]), {"reason": "perdu"}),
        (reverse("letters:import", args=[slug]), {}),
        (reverse("letters:import_confirm", args=[slug, upload]), {"decision": "import"}),
        (reverse("letters:street_rules", args=[slug]), {"street": "allée des Pins", "sector": ""}),
        (reverse("letters:street_rule_delete", args=[slug, rule]), {}),
        (reverse("letters:street_rules_apply", args=[slug]), {}),
        (reverse("letters:household_edit", args=[slug, h]), {"address_line1": "8 rue Neuve", "postcode": "13090",
                                                             "city": "Aix"}),
        (reverse("letters:household_sector", args=[slug, h]), {"sector": "none"}),
        (reverse("letters:household_delete", args=[slug, h]), {"reason": "vacant"}),
        (reverse("letters:import_undo", args=[slug, upload]), {}),
        (reverse("letters:households_export", args=[slug]), {}),
    ]
    return gets, posts


def snapshot():
    return (Household.objects.count(), InvitationCode.objects.filter(revoked_at__isnull=True).count(),
            list(Household.objects.values_list("address_line1", "sector_id", "sector_set_at")),
            AuditEntry.objects.filter(code="letters.households.exported").count(),
            LetterBatch.objects.count(), list(LetterBatch.objects.values_list("sent_at", flat=True)),
            StreetRule.objects.count(), LetterSettings.objects.count(),
            list(Campaign.objects.values_list("support_level", flat=True)))


def test_visitors_are_sent_to_sign_in(client, campaign, ready):
    gets, posts = pages(campaign, ready)
    before = snapshot()
    for url in gets:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("residents:sign_in")), url
    for url, data in posts:
        r = client.post(url, data)
        assert r.status_code == 302 and r["Location"].startswith(reverse("residents:sign_in")), url
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR, Role.FACILITATOR, Role.AMBASSADOR, Role.CANDIDATE,
                                  "other_organiser", "nobody"])


def test_everyone_but_the_campaigns_organisers_gets_404_as_for_a_missing_page(client, campaign, other_campaign, ready, role):
    if role == "other_organiser":
        user = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    elif role == "nobody":
        user = make_user("nobody@example.org")
    else:
        user = make_user(f"{role}@example.org", campaign=campaign, role=role)
    client.force_login(user)
    gets, posts = pages(campaign, ready)
    before = snapshot()
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert snapshot() == before


def test_organiser_opens_every_page(client, campaign, organiser_dina, ready):
    client.force_login(organiser_dina)
    gets, _posts = pages(campaign, ready)
    for url in gets:
        r = client.get(url)
        assert r.status_code == 200, url
        if r["Content-Type"].startswith("text/html"):
            body = r.content.decode()
            assert "style=" not in body and "<script>" not in body, url


def test_posts_are_csrf_protected(campaign, organiser_dina, ready):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser_dina)
    _gets, posts = pages(campaign, ready)
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url


# --- Settings -----------------------------------------------------------------------------------


def settings_url(campaign):
    return reverse("letters:settings", args=[campaign.slug])


VALID = {"sender_lines": "Collectif\nMaison de quartier", "place": "Aix-en-Provence", "title": "Invitation",
         "body": "Bonjour {nom},\n\nVotre code : {code}. Rendez-vous sur {lien} avant le {date_limite}.",
         "signature": "L'équipe", "residents_per_code": 3, "support_level": "letter"}


def test_settings_page_shows_the_default_letter_and_the_placeholders(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    body = client.get(settings_url(campaign)).content.decode()
    assert "Madame, Monsieur," in body  # the default text, ready to adapt
    for name in ("{nom}", "{adresse}", "{code}", "{lien}", "{secteur}", "{quartier}", "{date_limite}"):
        assert name in body
    assert "{max_foyer}" not in body


def test_settings_are_saved_with_the_support_level(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    r = client.post(settings_url(campaign), VALID)
    assert r.status_code == 302
    saved = LetterSettings.objects.get(campaign=campaign)
    assert saved.body.startswith("Bonjour {nom}") and saved.residents_per_code == 3
    assert saved.sender_lines == "Collectif\nMaison de quartier" and saved.updated_by == organiser_dina
    campaign.refresh_from_db()
    assert campaign.support_level == "letter"
    assert AuditEntry.objects.filter(code="letters.support_level.changed").exists()


@pytest.mark.parametrize("changes, field", [
    ({"body": "Bonjour {prenom}"}, "body"),
    ({"body": "Une accolade { ouverte"}, "body"),
    ({"body": ""}, "body"),
    ({"residents_per_code": 0}, "residents_per_code"),
    ({"residents_per_code": 21}, "residents_per_code"),
    ({"support_level": "everyone"}, "support_level"),
    ({"sender_lines": "\n".join(f"ligne {i}" for i in range(8))}, "sender_lines"),
])


def test_bad_settings_change_nothing(client, campaign, organiser_dina, changes, field):
    client.force_login(organiser_dina)
    r = client.post(settings_url(campaign), {**VALID, **changes})
    assert r.status_code == 400
    body = r.content.decode()
    assert f'id="id_{field}_error"' in body or 'class="error"' in body
    assert not LetterSettings.objects.exists()
    campaign.refresh_from_db()
    assert campaign.support_level == "any"


def test_unknown_placeholder_is_explained_on_the_field(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    body = client.post(settings_url(campaign), {**VALID, "body": "Bonjour {prenom}"}).content.decode()
    error = re.search(r'id="id_body_error">([^<]*)<', body).group(1)
    assert "prenom" in error and "{nom}" in error


def test_preview_is_a_one_page_pdf_of_the_first_household(client, campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(2))
    client.force_login(organiser_dina)
    r = client.get(reverse("letters:preview", args=[campaign.slug]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment;")
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", r.content)) == 1
    assert not LetterBatch.objects.exists()


def test_preview_prints_a_sample_household_and_code_never_a_real_one(client, campaign, organiser_dina):
    """Previews are sent around for proofreading: no real address, no code that joins (issue 8, F12)."""
    from concerto.letters.codes import format_code, is_valid_check

    from .test_pdf import page_texts

    import_households(organiser_dina, campaign, households_csv(3))
    services.letter_settings_update(user=organiser_dina, campaign=campaign, sender_lines="Mairie", place="Aix",
                                    title="Invitation", body="Bonjour {nom}, {adresse}: votre code {code}, {lien}",
                                    signature="La mairie", residents_per_code=4, support_level="letter")
    # Even a household that happens to hold the sample code of the docs does not leak it.
    InvitationCode.objects.filter(pk=InvitationCode.objects.order_by("pk").first().pk).update(code="K7QM4XPT9C")
    client.force_login(organiser_dina)
    text = "\n".join(page_texts(client.get(reverse("letters:preview", args=[campaign.slug])).content))
    for household in Household.objects.all():
        assert household.address_line1 not in text
    for code in InvitationCode.objects.values_list("code", flat=True):
        assert code not in text and format_code(code) not in text
    printed = re.findall(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}\b", text)
    assert printed and all(is_valid_check(c.replace("-", "")) for c in printed)  # well-formed, like a real one
    assert "1 Example Street" in text or "1 rue de l" in text


# --- Households ---------------------------------------------------------------------------------


def test_household_list_filters_and_search(client, campaign, organiser_dina, resident_alice):
    sectors = add_sectors(campaign)
    text = ("adresse;code_postal;ville;secteur\n"
            "1 avenue Saint-Jérôme;13090;Aix;avenue-saint-jerome\n"
            "2 rue des Lavandes;13090;Aix;rue-lavandes\n"
            "3 impasse des Pins;13090;Aix;\n")
    import_households(organiser_dina, campaign, text)
    joining.code_redeem(user=resident_alice, code=InvitationCode.objects.get(household__address_line1__startswith="2 "))
    client.force_login(organiser_dina)
    url = reverse("letters:households", args=[campaign.slug])

    def shown(**params):
        body = client.get(url, params).content.decode()
        return sorted(re.findall(r'/foyers/\d+/">(\d) ', body))

    assert shown() == ["1", "2", "3"]
    assert shown(sector="avenue-saint-jerome") == ["1"]
    assert shown(sector="none") == ["3"]
    assert shown(used="used") == ["2"]
    assert shown(used="unused") == ["1", "3"]
    assert shown(q="AVENUE saint jerome") == ["1"]
    assert shown(q="av. St-Jérôme") == ["1"]
    assert shown(sector="bogus", used="bogus") == ["1", "2", "3"]
    assert sectors  # sectors exist for the filters


def test_household_list_is_paginated(client, campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(55))
    client.force_login(organiser_dina)
    url = reverse("letters:households", args=[campaign.slug])
    body = client.get(url).content.decode()
    assert body.count("/foyers/") >= 50 and 'rel="next"' in body
    assert client.get(url, {"page": 2}).status_code == 200


def test_reissue_from_the_household_page(client, campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(1))
    household = Household.objects.get()
    client.force_login(organiser_dina)
    url = reverse("letters:household_reissue", args=[campaign.slug, household.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert InvitationCode.objects.count() == 1
    r = client.post(url, {"reason": "Courrier perdu"})
    batch = LetterBatch.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("letters:batch", args=[campaign.slug, batch.pk])
    assert InvitationCode.objects.filter(revoked_at__isnull=False).count() == 1
    assert batch.status == BatchStatus.DONE
    body = client.get(reverse("letters:household", args=[campaign.slug, household.pk])).content.decode()
    assert "Courrier perdu" in body


def test_a_household_of_another_campaign_is_not_found(client, campaign, other_campaign, organiser_dina):
    other_organiser = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    import_households(other_organiser, other_campaign, households_csv(1))
    household = Household.objects.get()
    client.force_login(organiser_dina)
    assert client.get(reverse("letters:household", args=[campaign.slug, household.pk])).status_code == 404


# --- Batches ------------------------------------------------------------------------------------


def test_generate_download_and_mark_posted_without_javascript(client, campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(2))
    client.force_login(organiser_dina)
    page = client.get(reverse("letters:batches", args=[campaign.slug])).content.decode()
    assert "(2 " in page
    # The test campaign's selection phase is over: the reply date printed is past, so it is confirmed.
    r = client.post(reverse("letters:batches", args=[campaign.slug]), {"kind": "invitation", "scope": "new",
                                                                         "accept_past_deadline": "on"})
    batch = LetterBatch.objects.get()
    assert r["Location"] == reverse("letters:batch", args=[campaign.slug, batch.pk])
    body = client.get(r["Location"]).content.decode()
    assert reverse("letters:batch_download", args=[campaign.slug, batch.pk]) in body
    assert "hx-trigger" not in body  # done: no polling
    client.post(reverse("letters:batch_sent", args=[campaign.slug, batch.pk]))
    batch.refresh_from_db()
    assert batch.sent_at is not None
    r = client.post(reverse("letters:batches", args=[campaign.slug]), {"kind": "invitation", "scope": "new",
                                                                         "accept_past_deadline": "on"})
    assert LetterBatch.objects.count() == 1  # nothing new to print: a message, no empty batch


def test_a_batch_being_generated_polls_its_progress(client, campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(2))
    batch = LetterBatch.objects.create(campaign=campaign, kind="invitation", total=200, done=50,
                                       status=BatchStatus.RUNNING)
    client.force_login(organiser_dina)
    body = client.get(reverse("letters:batch", args=[campaign.slug, batch.pk])).content.decode()
    progress = reverse("letters:batch_progress", args=[campaign.slug, batch.pk])
    assert f'hx-get="{progress}"' in body and 'hx-trigger="every 2s"' in body
    assert '<progress max="200" value="50"' in body and "25" in body
    fragment = client.get(progress, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="batch-progress"') and "<html" not in fragment
    # A batch not generated yet cannot be downloaded or posted.
    assert client.get(reverse("letters:batch_download", args=[campaign.slug, batch.pk])).status_code == 404
    client.post(reverse("letters:batch_sent", args=[campaign.slug, batch.pk]))
    batch.refresh_from_db()
    assert batch.sent_at is None


def test_failed_batch_shows_its_error(client, campaign, organiser_dina):
    batch = LetterBatch.objects.create(campaign=campaign, kind="invitation", total=2, status=BatchStatus.FAILED,
                                       error="Police introuvable")
    client.force_login(organiser_dina)
    body = client.get(reverse("letters:batch", args=[campaign.slug, batch.pk])).content.decode()
    assert "Police introuvable" in body
    assert reverse("letters:batch_retry", args=[campaign.slug, batch.pk]) in body

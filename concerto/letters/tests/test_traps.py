"""Issue 10, "no silent traps" in letters: each test here failed on the code before the fix."""

import pytest
from django.urls import reverse

from concerto.letters import selectors, services
from concerto.letters.models import BatchKind, Household

from .test_import_flow import households_csv, import_households

JOIN = "https://concerto.example/c/quartier-test/rejoindre/"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- 1. A re-issued letter is not a "never invited" household -----------------------------------


def test_reissued_households_are_not_offered_again_as_never_invited(client, campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(12))
    first = services.batch_create(user=organiser_dina, campaign=campaign, scope="new", join_url=JOIN)
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=first.pk)
    for household in Household.objects.filter(campaign=campaign).order_by("pk")[:3]:
        services.household_reissue(user=organiser_dina, campaign=campaign, household_id=household.pk,
                                   reason="Courrier perdu", join_url=JOIN)
    counts = selectors.printable_counts(campaign)
    assert counts["new"] == 0 and counts["all"] == 12
    client.force_login(organiser_dina)
    page = client.get(reverse("letters:batches", args=[campaign.slug])).content.decode()
    assert "never had an invitation letter (0 letters)" in page or "(0 courrier" in page
    with pytest.raises(services.NothingToPrint):
        services.batch_create(user=organiser_dina, campaign=campaign, scope="new", join_url=JOIN)


def test_a_household_reissued_before_any_invitation_is_not_invited_twice(campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(3))
    household = Household.objects.filter(campaign=campaign).order_by("pk").first()
    services.household_reissue(user=organiser_dina, campaign=campaign, household_id=household.pk,
                               reason="Adresse corrigée", join_url=JOIN)
    batch = services.batch_create(user=organiser_dina, campaign=campaign, scope="new", join_url=JOIN)
    assert batch.kind == BatchKind.INVITATION and batch.total == 2
    assert household.pk not in set(batch.codes.values_list("household_id", flat=True))


# --- 2. A text that no longer fits at the normal size: refused or confirmed, with a preview ------

SETTINGS = {"sender_lines": "Collectif\nMaison de quartier", "place": "Aix-en-Provence", "title": "Invitation",
            "signature": "L'équipe", "residents_per_code": 4, "support_level": "any"}
PARAGRAPH = ("Nous vous invitons à participer à la concertation de votre quartier, à proposer des actions "
             "concrètes et à soutenir celles de vos voisins, en ligne ou lors des ateliers. ")


def settings_url(campaign):
    return reverse("letters:settings", args=[campaign.slug])


def long_body(paragraphs: int) -> str:
    return "Madame, Monsieur,\n\n" + "\n\n".join((PARAGRAPH * 3).strip() for _i in range(paragraphs)) + "\n\nCode : {code}"


def test_a_text_too_long_for_the_normal_size_is_refused_unless_small_type_is_accepted(client, campaign,
                                                                                      organiser_dina):
    from concerto.letters import pdf
    from concerto.letters.models import LetterSettings

    body = long_body(6)
    fit = pdf.body_fit(body, "Invitation", "L'équipe")
    assert fit.fits and fit.size < pdf.NORMAL_SIZE  # prints, but in smaller type
    client.force_login(organiser_dina)
    r = client.post(settings_url(campaign), {**SETTINGS, "body": body})
    assert r.status_code == 400 and not LetterSettings.objects.exists()
    page = r.content.decode()
    error = page.split('id="id_body_error">')[1].split("<")[0]
    assert str(fit.excess_lines) in error and str(fit.excess_chars) in error  # how much to shorten
    assert 'name="accept_smaller_text"' in page  # the box to print it anyway
    assert 'src="data:image/png;base64,' in page  # and the page as it would print
    r = client.post(settings_url(campaign), {**SETTINGS, "body": body, "accept_smaller_text": "on"})
    assert r.status_code == 302 and LetterSettings.objects.get().body == body


def test_a_text_that_does_not_fit_even_in_small_type_is_refused(client, campaign, organiser_dina):
    from concerto.letters import pdf
    from concerto.letters.models import LetterSettings

    body = long_body(16)
    assert not pdf.body_fit(body, "Invitation", "L'équipe").fits
    client.force_login(organiser_dina)
    r = client.post(settings_url(campaign), {**SETTINGS, "body": body, "accept_smaller_text": "on"})
    assert r.status_code == 400 and 'id="id_body_error"' in r.content.decode()
    assert not LetterSettings.objects.exists()


def test_preview_shows_the_page_as_typed_without_saving(client, campaign, organiser_dina):
    from concerto.letters.models import LetterSettings

    client.force_login(organiser_dina)
    r = client.post(settings_url(campaign), {**SETTINGS, "body": "Bonjour {nom}, votre code : {code}.",
                                             "action": "preview"})
    assert r.status_code == 200 and not LetterSettings.objects.exists()
    page = r.content.decode()
    assert 'src="data:image/png;base64,' in page and "Bonjour {nom}, votre code : {code}." in page  # form kept
    r = client.post(settings_url(campaign), {**SETTINGS, "body": "Bonjour {prenom}", "action": "preview"})
    assert r.status_code == 400 and 'id="id_body_error"' in r.content.decode()  # unknown placeholder
    assert not LetterSettings.objects.exists()


# --- 3. Placeholders for the places per code and the organisers' contact ------------------------


def test_places_per_code_and_contact_placeholders(campaign, organiser_dina):
    from concerto.campaigns.models import Campaign
    from concerto.letters import rendering
    from concerto.letters.errors import PlaceholderError  # noqa: F401 - unknown ones still refused

    Campaign.objects.filter(pk=campaign.pk).update(contact_name="Maison de quartier",
                                                   contact_phone="04 42 00 00 00")
    campaign.refresh_from_db()
    services.letter_settings_update(
        user=organiser_dina, campaign=campaign, sender_lines="Collectif", place="Aix", title="Invitation",
        body="Ce code vaut pour {places}. Une question ? {contact}.", signature="L'équipe",
        residents_per_code=6, support_level="any")
    import_households(organiser_dina, campaign, households_csv(1))
    batch = services.batch_create(user=organiser_dina, campaign=campaign, scope="new", join_url=JOIN)
    letter_settings = selectors.letter_settings(campaign)
    (letter,) = rendering._letter_data(batch, letter_settings, JOIN)
    assert "Ce code vaut pour 6 " in letter.body
    assert "Une question ? Maison de quartier, 04 42 00 00 00." in letter.body
    with pytest.raises(services.FieldErrors):
        services.letter_settings_update(
            user=organiser_dina, campaign=campaign, sender_lines="", place="", title="", body="{prenom}",
            signature="", residents_per_code=4, support_level="any")


def test_contact_falls_back_to_the_sender_and_the_page_says_so(client, campaign, organiser_dina):
    from concerto.letters import rendering

    body = "Écrivez-nous : {contact}."
    services.letter_settings_update(user=organiser_dina, campaign=campaign, sender_lines="Collectif\n1 rue Haute",
                                    place="", title="T", body=body, signature="", residents_per_code=4,
                                    support_level="any")
    values = rendering.placeholder_values(campaign=campaign, household=None, code="X", link="L", deadline="D")
    assert values["contact"] == "Collectif, 1 rue Haute"
    client.force_login(organiser_dina)
    page = client.get(settings_url(campaign)).content.decode()
    assert 'id="letter-warnings"' in page and "Collectif, 1 rue Haute" in page


# --- 4. The shipped text reads naturally whatever the territory is called ------------------------


@pytest.mark.parametrize("territory", ["Quartier Saint-Jérôme, Aix-en-Provence", "Les Facultés",
                                       "quartier des Chartreux, Marseille"])
def test_default_text_reads_naturally_whatever_the_territory(campaign, territory):
    from concerto.campaigns.models import Campaign
    from concerto.letters import rendering
    from concerto.letters.pdf import render_body

    Campaign.objects.filter(pk=campaign.pk).update(territory=territory)
    campaign.refresh_from_db()
    letter = selectors.letter_settings(campaign)  # the default letter
    values = rendering.placeholder_values(campaign=campaign, household=None, code="K7QM-4XPT-9C",
                                          link="https://example.org/", deadline="15 mars")
    body = render_body(letter.body, values)
    assert "quartier quartier" not in body.lower()
    assert "Aix-en-Provence" not in body  # no town of its own: the campaign may be anywhere
    assert "jusqu'à 4 personnes" in body


def test_the_shipped_letter_and_its_reminder_print_at_the_normal_size(campaign):
    from concerto.letters import rendering

    join = "https://concertation.mairie-de-quelque-part.example.org/c/une-campagne-au-nom-long/rejoindre/"
    check = rendering.letter_check(campaign, selectors.letter_settings(campaign), join_url=join)
    assert check["fit"].normal and check["reminder_fit"].normal


def test_default_text_follows_the_residents_per_code(campaign, organiser_dina):
    from concerto.letters import rendering
    from concerto.letters.pdf import render_body

    services.letter_settings_update(
        user=organiser_dina, campaign=campaign, sender_lines="Collectif", place="", title="Invitation",
        body=selectors.default_body(1), signature="", residents_per_code=1, support_level="any")
    letter = selectors.letter_settings(campaign)
    values = rendering.placeholder_values(campaign=campaign, household=None, code="C", link="L", deadline="D")
    body = render_body(letter.body, values)
    assert "jusqu'à 1 person" in body and "jusqu'à 4" not in body


# --- 5. Reminders: only letters posted N days ago, by sector, with their own paragraph -----------


def _posted(organiser, campaign, days_ago: int):
    from datetime import timedelta

    from django.utils import timezone

    from concerto.letters.models import LetterBatch

    batch = services.batch_create(user=organiser, campaign=campaign, scope="new", join_url=JOIN)
    services.batch_mark_sent(user=organiser, campaign=campaign, batch_id=batch.pk)
    when = timezone.now() - timedelta(days=days_ago)
    LetterBatch.objects.filter(pk=batch.pk).update(created_at=when - timedelta(days=1), sent_at=when)
    return batch


def _two_sectors(organiser, campaign):
    from .test_import_flow import add_sectors

    sectors = add_sectors(campaign)
    services.street_rule_add(user=organiser, campaign=campaign, street="rue des Lavandes",
                             sector_id=sectors["rue-lavandes"].pk)
    services.street_rule_add(user=organiser, campaign=campaign, street="avenue Saint-Jérôme",
                             sector_id=sectors["avenue-saint-jerome"].pk)
    return sectors


def test_reminders_wait_for_letters_posted_long_enough_ago(campaign, organiser_dina):
    from concerto.letters.errors import NothingToPrint

    import_households(organiser_dina, campaign, households_csv(2))
    _posted(organiser_dina, campaign, days_ago=3)
    import_households(organiser_dina, campaign, households_csv(3, start=10))
    _posted(organiser_dina, campaign, days_ago=12)
    assert selectors.reminder_codes(campaign).count() == 3  # default: 10 days
    assert selectors.reminder_codes(campaign, min_days=2).count() == 5
    reminder = services.batch_create(user=organiser_dina, campaign=campaign, kind=BatchKind.REMINDER, join_url=JOIN)
    assert reminder.total == 3
    with pytest.raises(NothingToPrint):  # just reminded: not again at once
        services.batch_create(user=organiser_dina, campaign=campaign, kind=BatchKind.REMINDER, join_url=JOIN)


def test_reminders_by_sector_with_counts_shown_before_generating(client, campaign, organiser_dina):
    sectors = _two_sectors(organiser_dina, campaign)
    import_households(organiser_dina, campaign, households_csv(2) + "7 avenue Saint-Jérôme;13090;Aix\n"
                      "9 avenue Saint-Jérôme;13090;Aix\n9 avenue Saint-Jérôme bis;13090;Aix\n")
    _posted(organiser_dina, campaign, days_ago=20)
    lavandes, avenue = sectors["rue-lavandes"], sectors["avenue-saint-jerome"]
    choices = selectors.reminder_choices(campaign)
    assert choices["total"] == 5
    assert {row["key"]: row["count"] for row in choices["sectors"]} == {str(lavandes.pk): 2, str(avenue.pk): 3}
    client.force_login(organiser_dina)
    page = client.get(reverse("letters:batches", args=[campaign.slug])).content.decode()
    assert f'id="remind-{lavandes.pk}"' in page and f'id="remind-{avenue.pk}"' in page
    assert any(f"Rue des Lavandes{sep}: 2" in page for sep in ("", " ", "\u00a0"))
    r = client.post(reverse("letters:batches", args=[campaign.slug]),
                    {"kind": "reminder", "sectors": [str(lavandes.pk)], "accept_past_deadline": "on"})
    assert r.status_code == 302
    reminder = services.selectors.batch_list(campaign).filter(kind=BatchKind.REMINDER).get()
    assert set(reminder.codes.values_list("household__sector", flat=True)) == {lavandes.pk}
    assert reminder.total == 2
    # No sector ticked: a message, no batch.
    r = client.post(reverse("letters:batches", args=[campaign.slug]),
                    {"kind": "reminder", "accept_past_deadline": "on"})
    assert services.selectors.batch_list(campaign).filter(kind=BatchKind.REMINDER).count() == 1


def test_the_reminder_paragraph_and_delay_are_editable(client, campaign, organiser_dina):
    from concerto.letters import rendering
    from concerto.letters.models import LetterSettings

    client.force_login(organiser_dina)
    r = client.post(settings_url(campaign), {**SETTINGS, "body": "Bonjour {nom}, votre code : {code}.",
                                             "reminder_after_days": 5,
                                             "reminder_text": "Petit rappel pour le foyer {nom} !"})
    assert r.status_code == 302
    saved = LetterSettings.objects.get()
    assert saved.reminder_after_days == 5 and saved.reminder_text == "Petit rappel pour le foyer {nom} !"
    import_households(organiser_dina, campaign, "adresse;code_postal;ville;nom\n1 rue Haute;13090;Aix;Famille Roux\n")
    _posted(organiser_dina, campaign, days_ago=6)
    reminder = services.batch_create(user=organiser_dina, campaign=campaign, kind=BatchKind.REMINDER, join_url=JOIN)
    (letter,) = rendering._letter_data(reminder, saved, JOIN)
    assert letter.body.startswith("Petit rappel pour le foyer Famille Roux !\n\nBonjour Famille Roux")
    for bad in ({"reminder_after_days": 0}, {"reminder_text": "Rappel {inconnu}"}):
        r = client.post(settings_url(campaign), {**SETTINGS, "body": "Autre texte", **bad})
        assert r.status_code == 400
    assert LetterSettings.objects.get().body == "Bonjour {nom}, votre code : {code}."


# --- 6. A reply date already past is flagged --------------------------------------------------------


def _move_deadline(campaign, days: int):
    from datetime import timedelta

    from django.utils import timezone

    from concerto.campaigns.models import Phase, PhaseKind

    phase = Phase.objects.get(campaign=campaign, kind=PhaseKind.SELECTION)
    Phase.objects.filter(pk=phase.pk).update(starts_at=timezone.now() + timedelta(days=days - 1),
                                             ends_at=timezone.now() + timedelta(days=days))


def test_a_past_deadline_is_flagged_on_the_settings_page(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    _move_deadline(campaign, -3)
    page = client.get(settings_url(campaign)).content.decode()
    assert 'id="letter-warnings"' in page and "{date_limite}" in page.split('id="letter-warnings"')[1]
    _move_deadline(campaign, 30)
    page = client.get(settings_url(campaign)).content.decode()
    assert selectors.deadline_warning(campaign) == ""
    assert "{date_limite}" not in page.split('id="letter-warnings"')[-1].split("</div>")[0]
    # A text without {date_limite} prints no date: nothing to flag.
    _move_deadline(campaign, -3)
    services.letter_settings_update(user=organiser_dina, campaign=campaign, sender_lines="", place="", title="T",
                                    body="Bonjour {nom}.", signature="", residents_per_code=4, support_level="any")
    assert selectors.deadline_warning(campaign) == ""


def test_a_past_deadline_is_flagged_before_generating_a_batch(client, campaign, organiser_dina):
    from concerto.letters.models import LetterBatch

    _move_deadline(campaign, -3)
    import_households(organiser_dina, campaign, households_csv(2))
    client.force_login(organiser_dina)
    url = reverse("letters:batches", args=[campaign.slug])
    page = client.get(url).content.decode()
    assert 'id="deadline-warning"' in page and 'name="accept_past_deadline"' in page
    client.post(url, {"kind": "invitation", "scope": "new"})
    assert not LetterBatch.objects.exists()  # refused until confirmed
    client.post(url, {"kind": "invitation", "scope": "new", "accept_past_deadline": "on"})
    assert LetterBatch.objects.count() == 1
    _move_deadline(campaign, 30)
    page = client.get(url).content.decode()
    assert 'id="deadline-warning"' not in page

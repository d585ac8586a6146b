"""Paper forms: serials, printing, typing a form in (created / already / conflict / refused),
consent, possible duplicates, permissions, the entry screen and the PDF."""

import itertools

import pytest
from django.urls import reverse

from concerto.core.errors import NotFound
from concerto.core.models import AuditEntry
from concerto.fieldwork import rendering, selectors, serials, services
from concerto.fieldwork.errors import NoConsentScript, PrintCountInvalid, SerialInvalid
from concerto.fieldwork.models import (
    PaperPrint,
    PaperSheet,
    Participation,
    PrintStatus,
    SyncConflict,
)
from concerto.letters.codes import format_code, new_code
from concerto.letters.models import Household, InvitationCode
from concerto.proposals.models import Action, Support
from concerto.proposals.services import action_create_published_by_system
from concerto.residents.models import Role
from conftest import make_user

from .conftest import participant

pytestmark = pytest.mark.django_db


# --- Serials ----------------------------------------------------------------------------------------

def test_every_single_typo_and_neighbour_swap_of_a_serial_is_caught():
    for _ in range(40):
        serial = serials.new_serial()
        assert serials.parse_serial(serials.format_serial(serial).lower()) == serial
        for i, symbol in itertools.product(range(serials.LENGTH), serials.ALPHABET):
            typo = serial[:i] + symbol + serial[i + 1:]
            if typo != serial:
                assert not serials.is_valid_check(typo), (serial, typo)
        for i in range(serials.LENGTH - 1):
            swapped = serial[:i] + serial[i + 1] + serial[i] + serial[i + 2:]
            if swapped != serial:
                assert not serials.is_valid_check(swapped), (serial, swapped)


@pytest.mark.parametrize(("typed", "code"), [
    ("", "serial_empty"), ("K7Q-M4", "serial_length"), ("K7O-M4X", "serial_characters"),
    ("K7Q-M4#", "serial_characters"),
])
def test_a_serial_that_cannot_be_right_says_what_is_wrong(typed, code):
    with pytest.raises(SerialInvalid) as caught:
        serials.parse_serial(typed)
    assert caught.value.code == code and str(caught.value.message)


def test_a_mistyped_serial_fails_its_check():
    serial = serials.new_serial()
    wrong = ("3" if serial[0] != "3" else "4") + serial[1:]
    with pytest.raises(SerialInvalid) as caught:
        serials.parse_serial(wrong)
    assert caught.value.code == "serial_check"


# --- Printing -------------------------------------------------------------------------------------

@pytest.fixture
def second_action(campaign, published_action):
    from concerto.proposals.models import Theme

    return action_create_published_by_system(
        campaign=campaign, title="Des bancs place du marché", summary="Trois bancs à l'ombre des platanes.",
        theme_id=Theme.objects.filter(campaign=campaign).first().pk, origin="workshop")


@pytest.fixture
def sheets(organiser_dina, consent_script, published_action, second_action):
    return services.paper_sheets_create(by=organiser_dina, campaign=consent_script.campaign, count=3)


def test_printing_makes_numbered_sheets_with_valid_distinct_serials(sheets, campaign):
    assert len(sheets) == 3 and len({s.serial for s in sheets}) == 3
    assert all(serials.is_valid_check(s.serial) for s in sheets)
    assert [s.number for s in sheets] == [1, 2, 3]
    run = PaperPrint.objects.get()
    assert run.status == PrintStatus.QUEUED  # rendered after commit, by the worker
    assert [a["n"] for a in run.actions] == [1, 2]
    assert AuditEntry.objects.filter(code="fieldwork.paper.sheets_created").count() == 1


def test_a_number_keeps_its_action_across_printings(sheets, organiser_dina, campaign, published_action, second_action):
    first = selectors.paper_numbers(campaign)
    Action.objects.filter(pk=published_action.pk).update(status="rejected")
    third = action_create_published_by_system(campaign=campaign, title="Un composteur collectif",
                                              summary="Un composteur au jardin partagé.", origin="workshop")
    services.paper_sheets_create(by=organiser_dina, campaign=campaign, count=1)
    numbers = selectors.paper_numbers(campaign)
    assert numbers[second_action.pk] == first[second_action.pk]
    assert numbers[third.pk] == 3  # number 1 (unpublished since) is never given again


def test_printing_needs_a_consent_text_and_a_sensible_count(organiser_dina, campaign, published_action):
    with pytest.raises(NoConsentScript):
        services.paper_sheets_create(by=organiser_dina, campaign=campaign, count=5)
    services.consent_script_save(by=organiser_dina, campaign=campaign, text="x" * 60)
    for count in (0, 501, "12"):
        with pytest.raises(PrintCountInvalid):
            services.paper_sheets_create(by=organiser_dina, campaign=campaign, count=count)
    assert not PaperSheet.objects.exists()


def test_only_organisers_print(moderator_marc, ambassador_bruno, consent_script, published_action):
    for someone in (moderator_marc, ambassador_bruno):
        with pytest.raises(NotFound):
            services.paper_sheets_create(by=someone, campaign=consent_script.campaign, count=2)
    assert not PaperSheet.objects.exists()


# --- Typing a form in ------------------------------------------------------------------------------

def _record(script, **kw):
    return participant(script, **kw)


def test_a_form_typed_in_counts_its_supports_and_proposal_on_the_paper_channel(
        sheets, moderator_marc, consent_script, published_action):
    sheet = sheets[0]
    record = _record(consent_script, supports=[published_action.pk],
                     proposals=[{"text": "Un abri pour attendre le bus devant la pharmacie."}], wants_post=True)
    answer = services.paper_entry_save(by=moderator_marc, campaign=consent_script.campaign,
                                       serial=serials.format_serial(sheet.serial).lower(), record=record)
    assert answer["status"] == "created" and answer["duplicate_of"] == []
    participation = Participation.objects.get()
    assert participation.channel == "paper" and participation.consent_method == "paper"
    assert participation.sheet_id == sheet.pk and participation.wants_post
    assert participation.consent_script == consent_script
    assert Support.objects.get(action=published_action).channel == "paper"
    proposal = Action.objects.get(origin="paper")
    assert proposal.status == "pending" and "abri" in proposal.title
    sheet.refresh_from_db()
    assert sheet.entered_by == moderator_marc and sheet.entry["supports"] == [published_action.pk]


def test_the_same_form_typed_again_is_already_there_and_other_answers_are_a_conflict(
        sheets, organiser_dina, consent_script, published_action, second_action):
    campaign = consent_script.campaign
    serial = sheets[0].serial
    record = _record(consent_script, supports=[published_action.pk], initials="J. P.")
    assert services.paper_entry_save(by=organiser_dina, campaign=campaign, serial=serial,
                                     record=record)["status"] == "created"
    # Another record dict (other id, other time) with the same answers: already there.
    again = _record(consent_script, supports=[published_action.pk], initials="J. P.")
    assert services.paper_entry_save(by=organiser_dina, campaign=campaign, serial=serial,
                                     record=again) == {"id": serial, "status": "already"}
    other = _record(consent_script, supports=[second_action.pk], initials="J. P.")
    answer = services.paper_entry_save(by=organiser_dina, campaign=campaign, serial=serial, record=other)
    assert answer["status"] == "conflict" and answer["code"] == "sheet_conflict"
    services.paper_entry_save(by=organiser_dina, campaign=campaign, serial=serial, record=other)
    conflict = SyncConflict.objects.get()
    assert conflict.kind == "paper" and conflict.payload["supports"] == [second_action.pk]
    assert Participation.objects.count() == 1
    assert Support.objects.filter(channel="paper").count() == 1
    assert Support.objects.get(channel="paper").action == published_action
    rows = selectors.paper_conflicts(campaign)
    assert rows[0]["first"] == [1] and rows[0]["second"] == [2]


def test_without_the_consent_tick_nothing_is_kept(sheets, organiser_dina, consent_script, published_action):
    record = _record(consent_script, supports=[published_action.pk], initials="Nadia")
    record["consent"] = {"given": False}
    answer = services.paper_entry_save(by=organiser_dina, campaign=consent_script.campaign,
                                       serial=sheets[0].serial, record=record)
    assert answer["status"] == "refused" and answer["code"] == "consent_missing" and answer["field"] == "consent"
    assert "J’accepte" in answer["message"]
    sheets[0].refresh_from_db()
    assert sheets[0].entered_at is None and sheets[0].entry == {}
    assert not Participation.objects.exists() and not Support.objects.filter(channel="paper").exists()


@pytest.fixture
def letter_code(campaign):
    household = Household.objects.create(campaign=campaign, address_line1="5 rue Basse", postcode="13013",
                                         city="Marseille", key="5 rue basse")
    return InvitationCode.objects.create(campaign=campaign, household=household, code=new_code(), max_uses=4)


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"serial": "K7O-M4X"}, "serial_characters", "serial"),
    ({"serial": "ZZZ"}, "serial_length", "serial"),
    ({"supports": [10**8]}, "action_not_on_sheet", "supports"),
    ({"supports": ["3"]}, "supports_invalid", "supports"),
    ({"code": "K7QM-4XPT-9"}, "code_length", "code"),
    ({"code": "unknown"}, "code_unknown", "code"),
    ({"proposals": [{"text": "Trop"}]}, "proposal_length", "proposal"),
])
def test_bad_inputs_are_refused_with_a_reason_and_nothing_changes(
        sheets, organiser_dina, consent_script, published_action, change, code, field):
    record = _record(consent_script, supports=[published_action.pk])
    serial = change.pop("serial", sheets[0].serial)
    if change.get("code") == "unknown":
        data = new_code()
        change["code"] = format_code(data)
    record.update(change)
    answer = services.paper_entry_save(by=organiser_dina, campaign=consent_script.campaign, serial=serial,
                                       record=record)
    assert answer["status"] == "refused" and answer["code"] == code and answer["field"] == field
    assert answer["message"]
    assert not Participation.objects.exists() and not PaperSheet.objects.filter(entered_at__isnull=False).exists()
    assert not Support.objects.filter(channel="paper").exists() and not Action.objects.filter(origin="paper").exists()


def test_a_valid_serial_never_printed_is_unknown(sheets, organiser_dina, consent_script):
    printed = {s.serial for s in sheets}
    serial = next(s for s in iter(serials.new_serial, None) if s not in printed)
    answer = services.paper_entry_save(by=organiser_dina, campaign=consent_script.campaign, serial=serial,
                                       record=_record(consent_script))
    assert answer["status"] == "refused" and answer["code"] == "serial_unknown" and answer["field"] == "serial"


def test_same_household_and_ticks_on_another_sheet_is_saved_and_shown_as_a_possible_duplicate(
        sheets, organiser_dina, consent_script, published_action, letter_code):
    campaign = consent_script.campaign
    first = services.paper_entry_save(by=organiser_dina, campaign=campaign, serial=sheets[0].serial,
                                      record=_record(consent_script, supports=[published_action.pk],
                                                     code=letter_code.code, initials="A."))
    second = services.paper_entry_save(by=organiser_dina, campaign=campaign, serial=sheets[1].serial,
                                       record=_record(consent_script, supports=[published_action.pk],
                                                      code=format_code(letter_code.code).lower(), initials="B."))
    assert first["duplicate_of"] == [] and second["status"] == "created"
    assert second["duplicate_of"] == [sheets[0].serial]
    assert Participation.objects.filter(household=letter_code.household).count() == 2
    rows = selectors.paper_entries(campaign, [sheets[1].serial, sheets[0].serial])
    assert [r["duplicate_of"] for r in rows] == [[sheets[0].serial], [sheets[1].serial]]
    groups = selectors.paper_possible_duplicates(campaign)
    assert groups == [{"serials": [serials.format_serial(sheets[0].serial), serials.format_serial(sheets[1].serial)],
                       "numbers": [1], "code": letter_code.code}]
    # Other ticks from the same household: not a duplicate.
    third = services.paper_entry_save(by=organiser_dina, campaign=campaign, serial=sheets[2].serial,
                                      record=_record(consent_script, supports=[], code=letter_code.code,
                                                     proposals=[{"text": "Plus de poubelles rue Basse."}]))
    assert third["duplicate_of"] == []


# --- Permissions ------------------------------------------------------------------------------------

def test_who_may_type_forms(sheets, campaign, consent_script, organiser_dina, moderator_marc, ambassador_bruno,
                            resident_alice, other_campaign):
    elsewhere = make_user("orga-ailleurs@example.org", campaign=other_campaign, role=Role.ORGANISER)
    for someone in (ambassador_bruno, resident_alice, elsewhere):
        with pytest.raises(NotFound):
            services.paper_entry_save(by=someone, campaign=campaign, serial=sheets[0].serial,
                                      record=_record(consent_script))
    assert not Participation.objects.exists()
    assert services.paper_entry_save(by=moderator_marc, campaign=campaign, serial=sheets[0].serial,
                                     record=_record(consent_script))["status"] == "created"


def test_the_entry_page_refuses_everyone_but_staff(client, sheets, campaign, ambassador_bruno, resident_alice,
                                                   moderator_marc, organiser_dina):
    url = reverse("fieldwork:paper_entry", args=[campaign.slug])
    assert client.get(url).status_code == 302  # to sign in
    for someone, status in ((ambassador_bruno, 404), (resident_alice, 404), (moderator_marc, 200),
                            (organiser_dina, 200)):
        client.force_login(someone)
        assert client.get(url).status_code == status
    client.force_login(moderator_marc)
    assert client.get(reverse("fieldwork:paper", args=[campaign.slug])).status_code == 404  # printing: organisers


# --- The entry screen -------------------------------------------------------------------------------

def test_typing_a_form_saves_clears_and_counts(client, sheets, campaign, moderator_marc, published_action,
                                               second_action):
    client.force_login(moderator_marc)
    url = reverse("fieldwork:paper_entry", args=[campaign.slug])
    page = client.get(url)
    assert b'autofocus' in page.content and b"1. S\xc3\xa9curiser" in page.content
    response = client.post(url, {"serial": serials.format_serial(sheets[0].serial), "numbers": "1 2",
                                 "proposal": "Un abri pour le bus.", "initials": "R. K.", "consent": "on"})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url)
    text = page.content.decode()
    assert "1 formulaire saisi" in text or "1 form entered" in text
    assert serials.format_serial(sheets[0].serial) in text
    assert set(Support.objects.filter(channel="paper").values_list("action_id", flat=True)) == {
        published_action.pk, second_action.pk}
    # The form comes back empty.
    assert 'value="' + serials.format_serial(sheets[0].serial) not in text


def test_entry_errors_are_on_their_field_and_keep_what_was_typed(client, sheets, campaign, moderator_marc):
    client.force_login(moderator_marc)
    url = reverse("fieldwork:paper_entry", args=[campaign.slug])
    response = client.post(url, {"serial": sheets[0].serial, "numbers": "1 42", "initials": "Lou", "consent": "on"})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="id_numbers_error"' in text and "42" in text and 'value="Lou"' in text
    assert 'autofocus' in text.split('id="id_numbers"')[0].rsplit("<input", 1)[1]  # focus on the first error
    response = client.post(url, {"serial": "K7O-M4X", "numbers": "1 42"})
    text = response.content.decode()
    assert 'id="id_serial_error"' in text and 'id="id_numbers_error"' in text  # both at once
    response = client.post(url, {"serial": sheets[0].serial, "numbers": "1", "initials": "Lou"})
    assert response.status_code == 400 and 'id="id_consent_error"' in response.content.decode()
    assert not Participation.objects.exists()


def test_a_correction_is_typed_again_and_kept_apart(client, sheets, campaign, moderator_marc):
    client.force_login(moderator_marc)
    url = reverse("fieldwork:paper_entry", args=[campaign.slug])
    client.post(url, {"serial": sheets[0].serial, "numbers": "1", "consent": "on"})
    page = client.get(url, {"corriger": sheets[0].serial})
    assert page.status_code == 200 and 'value="1"' in page.content.decode()
    response = client.post(url, {"serial": sheets[0].serial, "numbers": "2", "consent": "on"}, follow=True)
    assert "organis" in response.content.decode()
    assert SyncConflict.objects.filter(kind="paper").count() == 1 and Participation.objects.count() == 1


def test_the_organiser_asks_for_forms_and_downloads_a_tagged_pdf(
        client, campaign, organiser_dina, consent_script, published_action, django_capture_on_commit_callbacks):
    """The one test that renders a PDF (two forms): PDF/UA-1 identification and a structure tree."""
    client.force_login(organiser_dina)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("fieldwork:paper", args=[campaign.slug]), {"count": "2"})
    run = PaperPrint.objects.get()
    assert run.status == PrintStatus.DONE
    assert response.status_code == 302 and response["Location"] == reverse(
        "fieldwork:paper_print", args=[campaign.slug, run.pk])
    page = client.get(response["Location"])
    assert reverse("fieldwork:paper_print_pdf", args=[campaign.slug, run.pk]) in page.content.decode()
    pdf = client.get(reverse("fieldwork:paper_print_pdf", args=[campaign.slug, run.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF") and b"pdfuaid:part" in body and b"/StructTreeRoot" in body
    assert rendering.paper_data(run, list(run.sheets.order_by("number")))["sheets"][1]["serial"] == (
        serials.format_serial(run.sheets.get(number=2).serial))
    assert client.post(reverse("fieldwork:paper", args=[campaign.slug]), {"count": "0"}).status_code == 400


def test_the_organiser_chooses_the_actions_printed_and_they_are_numbered_from_one(
        organiser_dina, consent_script, published_action, second_action):
    sheets = services.paper_sheets_create(by=organiser_dina, campaign=consent_script.campaign, count=1,
                                          action_ids=[second_action.pk])
    assert sheets[0].print_run.actions == [{"n": 1, "id": second_action.pk, "title": second_action.title,
                                            "summary": second_action.summary}]
    assert [c["id"] for c in selectors.paper_entry_choices(consent_script.campaign)] == [second_action.pk]


def test_ticks_in_the_list_and_typed_numbers_add_up(client, sheets, campaign, organiser_dina, published_action,
                                                    second_action):
    client.force_login(organiser_dina)
    url = reverse("fieldwork:paper_entry", args=[campaign.slug])
    page = client.get(url).content.decode()
    assert 'name="ticks" value="2" id="id_ticks_2"' in page
    assert client.post(url, {"serial": sheets[0].serial, "numbers": "1", "ticks": ["2"],
                             "consent": "on"}).status_code == 302
    assert Support.objects.filter(channel="paper").count() == 2

"""Volunteering through the services: who may, what is checked, consent, edits, withdrawal, selectors."""

import re

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from concerto.campaigns.models import Sector
from concerto.core.errors import FieldErrors, NotFound, RateLimited
from concerto.core.models import AuditEntry
from concerto.residents.models import Role
from concerto.residents.services import resident_verify_by_letter, role_grant
from concerto.volunteers import services
from concerto.volunteers.defaults import DEFAULT_PROFILE_QUESTIONS, DEFAULT_TALENTS, call_defaults
from concerto.volunteers.errors import (
    CandidateCannotVolunteer,
    NotLetterVerified,
    NotResident,
    SignInRequired,
    StaffCannotVolunteer,
    VolunteeringClosed,
)
from concerto.volunteers.export import volunteers_export
from concerto.volunteers.models import Volunteer, VolunteerCall
from concerto.volunteers.rules import volunteer_refusal
from concerto.volunteers.selectors import (
    category_labels,
    stale_answers,
    volunteer_counts,
    volunteer_features,
    volunteer_figures,
    volunteer_pool,
)
from concerto.volunteers.services import call_configure, volunteer_save, volunteer_withdraw
from conftest import make_user

ANSWERS = {"age": "30-44", "genre": "femme", "logement": "locataire", "anciennete": "2-9", "numerique": "oui"}


def open_call(campaign, organiser, **changes) -> VolunteerCall:
    settings = {**call_defaults(campaign), "is_open": True, **changes}
    return call_configure(user=organiser, campaign=campaign, **settings)


def letter_resident(campaign, email, sector=None, name=""):
    user = make_user(email, name=name)
    resident_verify_by_letter(user=user, campaign=campaign, sector=sector)
    return user


def volunteer(user, campaign, **changes):
    data = {"talents": ["dessin"], "availability": ["atelier-1", "atelier-2"], "profile": dict(ANSWERS),
            "consent": True, **changes}
    return volunteer_save(user=user, campaign=campaign, **data)


@pytest.fixture
def sector(campaign):
    return Sector.objects.create(campaign=campaign, code="rue-lavandes", name="Rue des Lavandes")


@pytest.fixture
def call(campaign, organiser_dina):
    return open_call(campaign, organiser_dina)


@pytest.fixture
def lea(campaign, sector):
    return letter_resident(campaign, "lea@example.org", sector, name="Léa")


# --- The call -------------------------------------------------------------------------------------


def test_defaults_take_two_dates_from_the_workshop_phase(campaign):
    with translation.override("en"):
        defaults = call_defaults(campaign)
    assert [d["code"] for d in defaults["workshop_dates"]] == ["atelier-1", "atelier-2"]
    assert all(d["label"].startswith("Workshop ") for d in defaults["workshop_dates"])
    assert [t["code"] for t in defaults["talents"]] == [
        "dessin", "histoire", "parole", "organisation", "bricolage", "langues", "numerique"]
    assert [q["code"] for q in defaults["profile_questions"]] == ["age", "genre", "logement", "anciennete", "numerique"]
    assert "pseudonym" in defaults["consent_text"]
    assert f"deleted {settings.CONCERTO_VOLUNTEER_ANSWERS_KEEP_MONTHS} months after" in defaults["consent_text"]


def test_defaults_are_seed_text_in_the_organisers_language(campaign):
    """Labels are rendered once, when the organiser first sees the form; saved, they are plain text."""
    with translation.override("en"):
        defaults = call_defaults(campaign)
    assert defaults["talents"][0] == {"code": "dessin", "label": "Draw, illustrate"}
    labels = [t["label"] for t in defaults["talents"]] + [defaults["consent_text"]] + [
        x["label"] for q in defaults["profile_questions"] for x in [q, *q["options"]]]
    assert all(type(label) is str for label in labels)


def test_only_organisers_configure_the_call(campaign, resident_alice, moderator_marc, other_campaign):
    other_organiser = make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)
    for user in (resident_alice, moderator_marc, other_organiser):
        with pytest.raises(NotFound):  # staff-only: the same answer as "no such page"
            open_call(campaign, user)
    assert not VolunteerCall.objects.exists()


def test_changing_the_consent_text_bumps_its_version(campaign, organiser_dina, call):
    assert call.consent_version == 1
    call = open_call(campaign, organiser_dina, intro="Nouvelle intro")
    assert call.consent_version == 1
    call = open_call(campaign, organiser_dina, consent_text="Un autre texte de consentement.")
    assert call.consent_version == 2
    assert AuditEntry.objects.filter(code="selection.call.configured").count() == 3


@pytest.mark.parametrize("field, value", [
    ("talents", [{"code": "Dessin", "label": "Dessiner"}]),
    ("talents", [{"code": "dessin", "label": "A"}, {"code": "dessin", "label": "B"}]),
    ("talents", [{"code": "dessin", "label": ""}]),
    ("workshop_dates", "atelier-1"),
    ("profile_questions", [{"code": "age", "label": "Âge", "options": [{"code": "jeune", "label": "Jeune"}]}]),
    ("profile_questions", [{"code": "sector", "label": "Secteur", "options": [
        {"code": "a", "label": "A"}, {"code": "b", "label": "B"}]}]),
    ("consent_text", "   "),
])
def test_bad_call_settings_are_refused_and_nothing_changes(campaign, organiser_dina, call, field, value):
    with pytest.raises(FieldErrors) as exc:
        open_call(campaign, organiser_dina, **{field: value})
    assert field in exc.value.errors
    call.refresh_from_db()
    assert call.talents == DEFAULT_TALENTS
    assert call.consent_version == 1


# --- Who may volunteer ----------------------------------------------------------------------------


def test_refusals_name_the_reason(campaign, call, resident_alice, candidate_claire, organiser_dina,
                                  facilitator_fanny, resident_elsewhere, lea):
    assert volunteer_refusal(lea, campaign, call) is None
    assert isinstance(volunteer_refusal(resident_alice, campaign, call), NotLetterVerified)
    assert isinstance(volunteer_refusal(candidate_claire, campaign, call), CandidateCannotVolunteer)
    assert isinstance(volunteer_refusal(organiser_dina, campaign, call), StaffCannotVolunteer)
    assert isinstance(volunteer_refusal(facilitator_fanny, campaign, call), StaffCannotVolunteer)
    assert isinstance(volunteer_refusal(resident_elsewhere, campaign, call), NotResident)
    from django.contrib.auth.models import AnonymousUser
    assert isinstance(volunteer_refusal(AnonymousUser(), campaign, call), SignInRequired)


def test_letter_verified_staff_member_still_cannot_volunteer(campaign, call, lea, organiser_dina):
    role_grant(campaign=campaign, user=lea, role=Role.AMBASSADOR, by=organiser_dina)
    with pytest.raises(StaffCannotVolunteer):
        volunteer(lea, campaign)


def test_closed_or_missing_call_refuses(campaign, organiser_dina, lea):
    with pytest.raises(VolunteeringClosed):
        volunteer(lea, campaign)
    open_call(campaign, organiser_dina, is_open=False)
    with pytest.raises(VolunteeringClosed):
        volunteer(lea, campaign)
    assert not Volunteer.objects.exists()


def test_email_only_resident_is_refused(campaign, call, resident_alice):
    with pytest.raises(NotLetterVerified) as exc:
        volunteer(resident_alice, campaign)
    assert exc.value.status == 403
    assert not Volunteer.objects.exists()


def test_other_campaigns_letter_does_not_count(campaign, call, other_campaign):
    eve = letter_resident(other_campaign, "eve2@example.org")
    with pytest.raises(NotResident):
        volunteer(eve, campaign)


# --- Answers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("changes, field", [
    ({"consent": False}, "consent"),
    ({"talents": ["jonglage"]}, "talents"),
    ({"availability": ["atelier-9"]}, "availability"),
    ({"availability": []}, "availability"),
    ({"profile": {k: a for k, a in ANSWERS.items() if k != "age"}}, "profile.age"),
    ({"profile": {**ANSWERS, "age": "100-120"}}, "profile.age"),
    ({"profile": {**ANSWERS, "revenu": "haut"}}, "profile"),
    ({"talents": "dessin"}, "talents"),
])
def test_bad_answers_are_refused_and_nothing_is_written(campaign, call, lea, changes, field):
    with pytest.raises(FieldErrors) as exc:
        volunteer(lea, campaign, **changes)
    assert field in exc.value.errors
    assert not Volunteer.objects.exists()


def test_volunteering_records_consent_sector_and_a_pseudonym(campaign, call, lea, sector):
    record, created = volunteer(lea, campaign, talents=["parole", "dessin", "parole"])
    assert created
    assert re.fullmatch(r"V-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}", record.pseudonym)
    assert record.talents == ["dessin", "parole"]  # the call's order, no duplicates
    assert record.sector == sector
    assert record.consent_version == call.consent_version and record.consent_at is not None
    assert record.withdrawn_at is None
    entry = AuditEntry.objects.get(code="selection.volunteer.registered")
    assert "femme" not in str(entry.data)  # answers stay out of the audit trail


def test_editing_updates_answers_and_re_consents_only_for_a_new_text(campaign, organiser_dina, call, lea):
    first, _created = volunteer(lea, campaign)
    consent_at = first.consent_at
    again, created = volunteer(lea, campaign, talents=["histoire"])
    assert not created and again.pk == first.pk and again.pseudonym == first.pseudonym
    assert again.talents == ["histoire"]
    assert again.consent_at == consent_at
    open_call(campaign, organiser_dina, consent_text="Texte révisé.")
    third, _created = volunteer(lea, campaign)
    assert third.consent_version == 2 and third.consent_at > consent_at


def test_withdraw_then_come_back(campaign, organiser_dina, call, lea):
    record, _created = volunteer(lea, campaign)
    open_call(campaign, organiser_dina, is_open=False)
    withdrawn = volunteer_withdraw(user=lea, campaign=campaign)  # allowed once the call is closed
    assert withdrawn.withdrawn_at is not None
    assert volunteer_figures(campaign) == {"volunteers": 0}
    open_call(campaign, organiser_dina)
    back, created = volunteer(lea, campaign)
    assert not created and back.withdrawn_at is None and back.pseudonym == record.pseudonym
    assert back.consent_at > record.consent_at


def test_withdraw_without_volunteering_is_not_found(campaign, call, lea):
    with pytest.raises(NotFound):
        volunteer_withdraw(user=lea, campaign=campaign)


def test_pseudonym_collision_is_retried(campaign, call, lea, monkeypatch):
    other = letter_resident(campaign, "max@example.org")
    codes = iter(["V-AAAA", "V-AAAA", "V-BBBB"])
    monkeypatch.setattr(services, "_new_pseudonym", lambda: next(codes))
    assert volunteer(lea, campaign)[0].pseudonym == "V-AAAA"
    assert volunteer(other, campaign)[0].pseudonym == "V-BBBB"


@override_settings(CONCERTO_RATE_LIMITS={"volunteer": (2, 3600)})
def test_writes_are_rate_limited(campaign, call, lea):
    volunteer(lea, campaign)
    volunteer(lea, campaign)
    with pytest.raises(RateLimited):
        volunteer(lea, campaign, talents=["histoire"])
    assert Volunteer.objects.get().talents == ["dessin"]


# --- Selectors for the selection ----------------------------------------------------------------------


def test_pool_excludes_withdrawn_and_unavailable_and_is_sorted(campaign, call):
    people = [letter_resident(campaign, f"p{i}@example.org") for i in range(4)]
    volunteer(people[0], campaign)
    volunteer(people[1], campaign, availability=["atelier-1"])
    volunteer(people[2], campaign)
    volunteer(people[3], campaign)
    volunteer_withdraw(user=people[3], campaign=campaign)
    both = volunteer_pool(campaign, required_dates=["atelier-1", "atelier-2"])
    assert {x.user for x in both} == {people[0], people[2]}
    assert [x.pseudonym for x in both] == sorted(x.pseudonym for x in both)
    first = volunteer_pool(campaign, required_dates=["atelier-1"])
    assert {x.user for x in first} == {people[0], people[1], people[2]}
    assert len(volunteer_pool(campaign, required_dates=[])) == 3
    assert volunteer_figures(campaign) == {"volunteers": 3}


def test_features_and_labels(campaign, organiser_dina, call, lea, sector):
    record, _created = volunteer(lea, campaign, talents=["dessin", "langues"])
    features = volunteer_features(record, call)
    assert features["sector"] == "rue-lavandes"
    assert features["age"] == "30-44" and features["numerique"] == "oui"
    assert features["talent:dessin"] == "oui" and features["talent:langues"] == "oui"
    assert features["talent:parole"] == "non"
    assert len(features) == 1 + 5 + 7
    labels = category_labels(call, [sector])
    assert set(labels) == set(features)
    assert labels["sector"]["values"]["rue-lavandes"] == "Rue des Lavandes"
    # The call was saved from the defaults, in the language active then (this test's).
    assert labels["age"]["values"]["30-44"] == str(DEFAULT_PROFILE_QUESTIONS[0]["options"][1]["label"])
    assert labels["talent:dessin"]["label"] == str(DEFAULT_TALENTS[0]["label"])
    assert set(labels["talent:dessin"]["values"]) == {"oui", "non"}


def test_removed_codes_count_as_absent_and_are_warned_about(campaign, organiser_dina, call, lea):
    record, _created = volunteer(lea, campaign, talents=["dessin", "langues"])
    talents = [t for t in DEFAULT_TALENTS if t["code"] != "dessin"]
    questions = [{**q, "options": [o for o in q["options"] if o["code"] != "30-44"]} if q["code"] == "age" else q
                 for q in DEFAULT_PROFILE_QUESTIONS]
    questions.append({"code": "enfants", "label": "Enfants", "options": [
        {"code": "oui", "label": "Oui"}, {"code": "non", "label": "Non"}]})
    call = open_call(campaign, organiser_dina, talents=talents, profile_questions=questions)
    record.refresh_from_db()
    assert record.talents == ["dessin", "langues"]  # stored answers keep their codes
    features = volunteer_features(record, call)
    assert "talent:dessin" not in features and features["talent:langues"] == "oui"
    assert features["age"] == "" and features["enfants"] == ""
    assert len(stale_answers(call)) == 3


def test_counts_for_quota_planning(campaign, call, sector):
    a = letter_resident(campaign, "a@example.org", sector)
    b = letter_resident(campaign, "b@example.org")
    volunteer(a, campaign, talents=["dessin", "parole"])
    volunteer(b, campaign, talents=["dessin"], availability=["atelier-2"],
              profile={**ANSWERS, "genre": "homme"})
    counts = volunteer_counts(campaign, call, [sector])
    assert counts["total"] == 2 and counts["all_dates"] == 1
    assert [d["count"] for d in counts["dates"]] == [1, 2]
    by_code = {c["code"]: {r["value"]: r["count"] for r in c["rows"]} for c in counts["categories"]}
    assert by_code["talent:dessin"] == {"oui": 2}
    assert by_code["talent:parole"] == {"oui": 1}
    assert by_code["genre"] == {"femme": 1, "homme": 1, "autre": 0}
    assert by_code["sector"] == {"rue-lavandes": 1, "": 1}


def test_csv_export_is_for_organisers_only(campaign, call, lea, resident_alice, organiser_dina):
    volunteer(lea, campaign)
    with pytest.raises(NotFound):
        volunteers_export(user=resident_alice, campaign=campaign)
    content = volunteers_export(user=organiser_dina, campaign=campaign)
    assert content.startswith("\ufeff")
    lines = content.lstrip("\ufeff").splitlines()
    assert len(lines) == 2 and lines[0].count(";") == lines[1].count(";")
    assert "Léa" in lines[1] and "Rue des Lavandes" in lines[1]
    assert AuditEntry.objects.filter(code="selection.volunteers.exported").exists()


def test_csv_cells_cannot_become_formulas(campaign, call, organiser_dina):
    evil = letter_resident(campaign, "evil@example.org", name="=HYPERLINK(\"x\")")
    volunteer(evil, campaign)
    content = volunteers_export(user=organiser_dina, campaign=campaign)
    assert "'=HYPERLINK" in content
    assert ';=HYPERLINK' not in content and ';"=HYPERLINK' not in content

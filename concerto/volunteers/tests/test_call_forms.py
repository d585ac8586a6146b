"""The organiser's text formats for talents, dates and profile questions: per-line errors."""

import pytest
from django.core.exceptions import ValidationError

from concerto.volunteers.defaults import DEFAULT_PROFILE_QUESTIONS, DEFAULT_TALENTS
from concerto.volunteers.forms import (
    CallForm,
    format_items,
    format_questions,
    parse_items,
    parse_questions,
)


def messages(exc) -> list[str]:
    return [str(m) for m in exc.value.messages]


def test_items_round_trip():
    text = format_items(DEFAULT_TALENTS)
    assert parse_items(text, max_items=40, example="x: y") == DEFAULT_TALENTS


def test_questions_round_trip():
    text = format_questions(DEFAULT_PROFILE_QUESTIONS)
    assert parse_questions(text) == DEFAULT_PROFILE_QUESTIONS


def test_blank_lines_are_ignored_and_labels_keep_colons():
    assert parse_items("\n a: Samedi : 9 h 30 \n\n", max_items=5, example="") == [
        {"code": "a", "label": "Samedi : 9 h 30"}]


def test_each_bad_line_is_reported_with_its_number():
    with pytest.raises(ValidationError) as exc:
        parse_items("dessin: Dessiner\nDessin Majuscule\nÉté: Été\nbois:\ndessin: Encore", max_items=10, example="x: y")
    errors = messages(exc)
    assert len(errors) == 4
    assert [e.split(":")[0].split()[-1] for e in errors] == ["2", "3", "4", "5"]


def test_too_many_items():
    with pytest.raises(ValidationError):
        parse_items("\n".join(f"t{i}: T{i}" for i in range(5)), max_items=4, example="")


@pytest.mark.parametrize("line", [
    "age: Âge",  # no options
    "age: Âge | 18-29=Jeunes",  # one option
    "age: Âge | 18-29 Jeunes | 30-44=Moins jeunes",  # option without "="
    "age: Âge | 18-29=A | 18-29=B",  # duplicate option
    "age: Âge | 75+=Plus | 18-29=A",  # bad option code
    "sector: Secteur | a=A | b=B",  # reserved
    "Âge | a=A | b=B",  # no code
])
def test_bad_question_lines(line):
    with pytest.raises(ValidationError) as exc:
        parse_questions("genre: Genre | f=Femme | h=Homme\n" + line)
    errors = messages(exc)
    assert len(errors) == 1 and "2" in errors[0]


def test_duplicate_question_codes():
    with pytest.raises(ValidationError):
        parse_questions("a: A | x=X | y=Y\na: B | x=X | y=Y")


def test_call_form_cleans_text_into_structures():
    form = CallForm({
        "is_open": "on", "intro": "", "talents": "dessin: Dessiner", "workshop_dates": "atelier-1: Samedi",
        "profile_questions": "age: Âge | jeune=Jeune | vieux=Moins jeune", "consent_text": "J'accepte.",
    })
    assert form.is_valid(), form.errors
    assert form.cleaned_data["is_open"] is True
    assert form.cleaned_data["profile_questions"][0]["options"][1] == {"code": "vieux", "label": "Moins jeune"}


def test_call_form_reports_errors_per_field():
    form = CallForm({"talents": "pas de code", "workshop_dates": "", "profile_questions": "age: Âge", "consent_text": ""})
    assert not form.is_valid()
    assert set(form.errors) == {"talents", "profile_questions", "consent_text"}

"""Exports of ideas, themes and votes: staff at any moment, the public once closed; names only with
consent and only for staff; vote totals only once the vote is closed."""

import json

import pytest
from django.urls import reverse

from concerto.workshops.models import Attendee, Idea, Phase

from .sheets_world import fill_wall, make_workshop, move_to


@pytest.fixture
def wall(campaign, organiser_dina, facilitator_fanny):
    w = make_workshop(campaign, organiser_dina, facilitators=[facilitator_fanny])
    fill_wall(w, facilitator=facilitator_fanny)
    return move_to(w, Phase.CLUSTER, facilitator_fanny)


def export(client, w, fmt):
    return client.get(reverse("workshops:export", args=[w.campaign.slug, w.pk, fmt]))


def test_visitors_and_residents_get_nothing_before_closing(client, wall, resident_alice):
    assert export(client, wall, "csv").status_code == 404
    client.force_login(resident_alice)
    assert export(client, wall, "json").status_code == 404
    assert export(client, wall, "xml").status_code == 404


def test_staff_export_before_the_vote_has_names_with_consent_and_no_votes(client, wall, facilitator_fanny):
    client.force_login(facilitator_fanny)
    body = export(client, wall, "json").json()
    assert body["votes_visible"] is False and body["votes"] == []
    assert all("dots" not in i for i in body["ideas"]) and all("dots" not in t for t in body["themes"])
    named = {i["author"] for i in body["ideas"]}
    consenting = set(Attendee.objects.filter(workshop=wall, name_consent=True).values_list("name", flat=True))
    assert named - {""} <= consenting and named - {""}
    assert sum(1 for i in body["ideas"] if i["proxy"]) == 1
    merged = [i for i in body["ideas"] if i["merged_into"]]
    assert len(merged) == 2


def test_csv_is_for_french_spreadsheets_and_defuses_formulas(client, wall, facilitator_fanny):
    Idea.objects.filter(workshop=wall, position=5).update(text="=HYPERLINK(\"http://x\")")
    client.force_login(facilitator_fanny)
    response = export(client, wall, "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert ";" in text.splitlines()[1]
    assert "'=HYPERLINK" in text


def test_public_export_after_closing_has_totals_and_no_names(client, wall, facilitator_fanny):
    move_to(wall, Phase.CLOSED, facilitator_fanny)
    body = export(client, wall, "json").json()
    assert body["votes_visible"] is True
    assert all("author" not in i for i in body["ideas"])
    assert "Personne" not in json.dumps(body)
    assert any(v["dots"] == 0 for v in body["votes"])
    assert {t["id"] for t in body["themes"]} == {v["id"] for v in body["votes"] if v["kind"] == "theme"}
    csv_text = export(client, wall, "csv").content.decode()
    assert "Personne" not in csv_text

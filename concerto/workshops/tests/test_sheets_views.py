"""The sheets pages: plain forms (POST then redirect), JSON answers for scripts, the wall's panels."""

import uuid

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from concerto.workshops import services
from concerto.workshops.models import ActionSheet, Idea, Phase
from concerto.workshops.views import panels

from .sheets_world import fill_wall, make_workshop, move_to


@pytest.fixture
def workshop(campaign, organiser_dina, facilitator_fanny):
    w = make_workshop(campaign, organiser_dina, facilitators=[facilitator_fanny])
    fill_wall(w, facilitator=facilitator_fanny)
    return move_to(w, Phase.SHEETS, facilitator_fanny)


def url(name, w, *extra):
    return reverse(f"workshops:{name}", args=[w.campaign.slug, w.pk, *extra])


FORM = {"title": "Des bancs à l'ombre", "problem": "Trop chaud sur la place.",
        "proposal": "Installer des bancs sous les platanes.", "actors": ["city"], "cost": "small", "horizon": "soon"}


def test_double_submit_makes_one_sheet(client, workshop, facilitator_fanny):
    client.force_login(facilitator_fanny)
    data = {**FORM, "client_id": str(uuid.uuid4())}
    first = client.post(url("sheet_new", workshop), data)
    second = client.post(url("sheet_new", workshop), data)
    assert first.status_code == second.status_code == 302
    assert ActionSheet.objects.count() == 1


def test_bad_input_shows_the_error_on_its_field_and_saves_nothing(client, workshop, facilitator_fanny):
    client.force_login(facilitator_fanny)
    response = client.post(url("sheet_new", workshop), {**FORM, "title": "", "client_id": str(uuid.uuid4())})
    assert response.status_code == 400
    assert 'id="id_title_error"' in response.content.decode()
    assert not ActionSheet.objects.exists()
    json = client.post(url("sheet_new", workshop), {**FORM, "actors": ["king"], "client_id": str(uuid.uuid4())},
                       HTTP_ACCEPT="application/json")
    assert json.status_code == 400 and json.json()["code"] == "invalid_fields" and "actors" in json.json()["errors"]


def test_prefill_from_a_theme_and_from_an_idea(client, workshop, facilitator_fanny):
    client.force_login(facilitator_fanny)
    theme = workshop.themes.first()
    page = client.get(url("sheet_new", workshop), {"theme": theme.pk})
    form = page.context["form"]
    assert form.initial["title"] == theme.name and form.initial["theme"] == str(theme.pk)
    assert set(form.initial["ideas"]) == {str(i.pk) for i in Idea.objects.filter(theme=theme, merged_into__isnull=True)}
    idea = Idea.objects.filter(workshop=workshop, prompt="propose", merged_into__isnull=True).first()
    form = client.get(url("sheet_new", workshop), {"idea": idea.pk}).context["form"]
    assert form.initial["proposal"] == idea.text and form.initial["ideas"] == [str(idea.pk)]


def test_participants_cannot_reach_the_pages(client, workshop, resident_alice):
    client.force_login(resident_alice)
    assert client.get(url("sheets", workshop)).status_code == 404
    assert client.post(url("sheet_new", workshop), {**FORM, "client_id": str(uuid.uuid4())}).status_code == 404
    assert not ActionSheet.objects.exists()


@pytest.mark.parametrize("runner", [True, False])
@pytest.mark.parametrize("phase", [Phase.SHEETS, Phase.CLOSED])
def test_the_wall_panels_render(workshop, facilitator_fanny, resident_alice, runner, phase):
    s, _ = services.sheet_save(by=facilitator_fanny, workshop=workshop, client_id=str(uuid.uuid4()), **{
        k: v for k, v in FORM.items() if k not in ("actors",)}, actors=["city", "residents"])
    if phase == Phase.CLOSED:
        workshop = move_to(workshop, Phase.CLOSED, facilitator_fanny)
    request = RequestFactory().get("/")
    request.user = facilitator_fanny if runner else resident_alice
    context = panels.phase_context(request, workshop, seat=None, runner=runner)
    name = f"workshops/wall/_{'panel' if runner else 'seat'}_{phase}.html"
    html = render_to_string(name, {**context, "campaign": workshop.campaign, "workshop": workshop}, request)
    assert s.title.replace("'", "&#x27;") in html
    assert ("Retenir" in html or "Retain" in html) == (runner and phase == Phase.SHEETS)
    assert ("Mobilité" in html) == (phase == Phase.SHEETS)  # the vote results; once closed, the minutes


def test_json_answer_for_a_script(client, workshop, facilitator_fanny):
    client.force_login(facilitator_fanny)
    data = {**FORM, "client_id": str(uuid.uuid4())}
    first = client.post(url("sheet_new", workshop), data, HTTP_ACCEPT="application/json")
    again = client.post(url("sheet_new", workshop), data, HTTP_ACCEPT="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and again.json()["created"] is False

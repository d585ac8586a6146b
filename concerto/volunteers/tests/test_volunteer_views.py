"""Volunteering pages without JavaScript: the resident's form, the organiser's call, list and CSV."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from concerto.campaigns.models import Sector
from concerto.residents.models import Role
from concerto.residents.services import resident_verify_by_letter
from concerto.volunteers.defaults import DEFAULT_PROFILE_QUESTIONS, DEFAULT_TALENTS, call_defaults
from concerto.volunteers.models import Volunteer, VolunteerCall
from concerto.volunteers.services import call_configure
from conftest import make_user

ANSWERS = {"q-age": "45-59", "q-genre": "homme", "q-logement": "proprietaire", "q-anciennete": "20-plus",
           "q-numerique": "peu-ou-pas"}


def form_url(campaign):
    return reverse("volunteering:form", args=[campaign.slug])


def post_data(**changes):
    data = {"talents": ["histoire", "bricolage"], "availability": ["atelier-1"], "consent": "on", **ANSWERS}
    data.update(changes)
    return {k: val for k, val in data.items() if val is not None}


@pytest.fixture
def sector(campaign):
    return Sector.objects.create(campaign=campaign, code="allee-cigales", name="Allée des Cigales")


@pytest.fixture
def call(campaign, organiser_dina):
    return call_configure(user=organiser_dina, campaign=campaign, **{**call_defaults(campaign), "is_open": True,
                            "intro": "Deux ateliers <b>pour</b> le quartier."})


@pytest.fixture
def hugo(campaign, sector):
    user = make_user("hugo@example.org", name="Hugo")
    resident_verify_by_letter(user=user, campaign=campaign, sector=sector)
    return user


@pytest.fixture
def other_organiser(other_campaign):
    return make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)


# --- Resident's form -------------------------------------------------------------------------------


def test_visitor_is_sent_to_sign_in(client, campaign, call):
    r = client.get(form_url(campaign))
    assert r.status_code == 302 and r["Location"].startswith(reverse("residents:sign_in"))
    r = client.post(form_url(campaign), post_data())
    assert r.status_code == 302 and r["Location"].startswith(reverse("residents:sign_in"))
    assert not Volunteer.objects.exists()


def test_letter_verified_resident_volunteers(client, campaign, call, hugo, sector):
    client.force_login(hugo)
    r = client.get(form_url(campaign))
    body = r.content.decode()
    assert r.status_code == 200
    assert "Allée des Cigales" in body
    assert 'type="checkbox" name="talents" value="dessin"' in body
    assert 'type="radio" name="q-age"' in body
    assert "&lt;b&gt;pour&lt;/b&gt;" in body  # the intro is escaped
    r = client.post(form_url(campaign), post_data())
    assert r.status_code == 302
    record = Volunteer.objects.get(user=hugo)
    assert record.talents == ["histoire", "bricolage"]
    assert record.availability == ["atelier-1"]
    assert record.profile["numerique"] == "peu-ou-pas"
    assert record.sector == sector and record.consent_version == call.consent_version
    body = client.get(form_url(campaign)).content.decode()
    assert record.pseudonym in body
    assert reverse("volunteering:withdraw", args=[campaign.slug]) in body


@pytest.mark.parametrize("changes, field", [
    ({"consent": None}, "consent"),
    ({"talents": ["jonglage"]}, "talents"),
    ({"q-age": None}, "q-age"),
    ({"availability": None}, "availability"),
])
def test_form_errors_are_tied_to_fields_and_nothing_is_written(client, campaign, call, hugo, changes, field):
    client.force_login(hugo)
    r = client.post(form_url(campaign), post_data(**changes))
    assert r.status_code == 400
    assert field in r.context["form"].errors
    assert f'id="id_{field}_error"' in r.content.decode()
    assert not Volunteer.objects.exists()


def test_edit_then_withdraw(client, campaign, call, hugo):
    client.force_login(hugo)
    client.post(form_url(campaign), post_data())
    client.post(form_url(campaign), post_data(talents=["langues"]))
    record = Volunteer.objects.get(user=hugo)
    assert record.talents == ["langues"]
    r = client.post(reverse("volunteering:withdraw", args=[campaign.slug]))
    assert r.status_code == 302
    record.refresh_from_db()
    assert record.withdrawn_at is not None


def test_email_only_resident_sees_why_and_the_join_link(client, campaign, call, resident_alice):
    client.force_login(resident_alice)
    r = client.get(form_url(campaign))
    assert r.status_code == 403
    body = r.content.decode()
    assert 'name="consent"' not in body
    assert r.context["needs_letter"] and r.context["join_url"] in body
    r = client.post(form_url(campaign), post_data())
    assert r.status_code == 302
    assert not Volunteer.objects.exists()


@pytest.mark.parametrize("persona", ["candidate_claire", "organiser_dina", "ambassador_bruno", "resident_elsewhere"])
def test_others_get_a_clear_refusal(client, request, campaign, call, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    r = client.get(form_url(campaign))
    assert r.status_code == 403
    assert r.context["refusal"] is not None and 'name="consent"' not in r.content.decode()
    client.post(form_url(campaign), post_data())
    assert not Volunteer.objects.exists()


def test_closed_call_shows_own_answers_and_refuses_changes(client, campaign, organiser_dina, call, hugo):
    client.force_login(hugo)
    client.post(form_url(campaign), post_data())
    call_configure(user=organiser_dina, campaign=campaign, **{**call_defaults(campaign), "is_open": False})
    r = client.get(form_url(campaign))
    body = r.content.decode()
    assert r.status_code == 200 and r.context["closed"]
    assert 'name="consent"' not in body
    assert Volunteer.objects.get().pseudonym in body
    client.post(form_url(campaign), post_data(talents=["dessin"]))
    assert Volunteer.objects.get().talents == ["histoire", "bricolage"]


def test_no_call_yet(client, campaign, hugo):
    client.force_login(hugo)
    r = client.get(form_url(campaign))
    assert r.status_code == 200 and r.context["closed"] and r.context["form"] is None


def test_changed_consent_text_is_asked_again(client, campaign, organiser_dina, call, hugo):
    client.force_login(hugo)
    client.post(form_url(campaign), post_data())
    call_configure(user=organiser_dina, campaign=campaign,
                     **{**call_defaults(campaign), "is_open": True, "consent_text": "Nouveau texte."})
    r = client.get(form_url(campaign))
    assert r.context["stale_consent"]
    client.post(form_url(campaign), post_data())
    assert Volunteer.objects.get().consent_version == 2


# --- Organiser pages -------------------------------------------------------------------------------

ORGANISER_PAGES = ["volunteering:call", "volunteering:list", "volunteering:export"]


@pytest.mark.parametrize("name", ORGANISER_PAGES)
@pytest.mark.parametrize("persona", ["resident_alice", "candidate_claire", "moderator_marc", "facilitator_fanny",
                                     "other_organiser"])
def test_organiser_pages_are_hidden_from_everyone_else(client, request, campaign, call, name, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(name, args=[campaign.slug])).status_code == 404


@pytest.mark.parametrize("name", ORGANISER_PAGES)
def test_organiser_pages_need_sign_in(client, campaign, call, name):
    r = client.get(reverse(name, args=[campaign.slug]))
    assert r.status_code == 302 and r["Location"].startswith(reverse("residents:sign_in"))


def page_form_data(html: str, **changes) -> dict:
    """What a browser would send for the call editor's form as the page shows it (no JavaScript)."""
    import html as html_lib
    import re

    form = html[html.index('class="card form call-editor"'):]
    form = form[:form.index("</form>")]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        kind = kind.group(1) if kind else "text"
        value = re.search(r'value="([^"]*)"', tag)
        if kind == "checkbox":
            if " checked" in tag:
                data[name.group(1)] = "on"
            continue
        data[name.group(1)] = html_lib.unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = html_lib.unescape(text).lstrip("\n")
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def label_names(html: str, prefix: str) -> list[str]:
    import html as html_lib
    import re

    return [html_lib.unescape(v) for v in re.findall(rf'name="{prefix}-\d+-label" value="([^"]*)"', html) if v]


def test_call_page_is_a_form_of_rows_not_a_mini_language(client, campaign, organiser_dina):
    """Before issue 10: textareas of "code: label | option=label" lines."""
    client.force_login(organiser_dina)
    html = client.get(reverse("volunteering:call", args=[campaign.slug])).content.decode()
    assert 'name="talents"' not in html and 'name="profile_questions"' not in html
    assert label_names(html, "t") == [str(t["label"]) for t in DEFAULT_TALENTS]
    assert 'value="add:q"' in html and 'value="down:t-0"' in html and 'name="t-0-remove"' in html


def test_call_page_shows_defaults_then_saves(client, campaign, organiser_dina):
    client.force_login(organiser_dina)
    url = reverse("volunteering:call", args=[campaign.slug])
    r = client.get(url)
    assert r.status_code == 200
    assert not VolunteerCall.objects.exists()
    r = client.post(url, page_form_data(r.content.decode(), is_open="on", op="save"))
    assert r.status_code == 302
    call = VolunteerCall.objects.get(campaign=campaign)
    assert call.is_open and call.talents == DEFAULT_TALENTS
    assert call.profile_questions == DEFAULT_PROFILE_QUESTIONS
    assert [d["code"] for d in call.workshop_dates] == ["atelier-1", "atelier-2"]


def test_organiser_renames_adds_reorders_and_removes_without_javascript(client, campaign, organiser_dina, call,
                                                                       hugo):
    client.force_login(hugo)
    client.post(form_url(campaign), post_data())
    client.force_login(organiser_dina)
    url = reverse("volunteering:call", args=[campaign.slug])
    html = client.get(url).content.decode()
    # Move the second talent up: the page comes back with the new order, nothing saved yet.
    moved = client.post(url, page_form_data(html, op="up:t-1"))
    assert moved.status_code == 200 and "t-1-label" in moved.content.decode()
    order = label_names(moved.content.decode(), "t")
    assert order[:2] == [call.talents[1]["label"], call.talents[0]["label"]]
    call.refresh_from_db()
    assert call.talents == DEFAULT_TALENTS
    # Add a question: a new row with two empty answers.
    added = client.post(url, page_form_data(moved.content.decode(), op="add:q")).content.decode()
    n = len(call.profile_questions)
    assert f'name="q-{n}-o-1-label"' in added
    # Fill it, rename a talent, remove an answer, then save.
    data = page_form_data(added, op="save", **{
        f"q-{n}-label": "Avez-vous des enfants ?", f"q-{n}-o-0-label": "Oui", f"q-{n}-o-1-label": "Non",
        "t-0-label": "Connaître et raconter l'histoire du quartier", "q-0-o-4-remove": "on"})
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    call.refresh_from_db()
    assert [t["code"] for t in call.talents[:2]] == [DEFAULT_TALENTS[1]["code"], DEFAULT_TALENTS[0]["code"]]
    assert call.talents[0]["label"] == "Connaître et raconter l'histoire du quartier"
    assert call.profile_questions[-1] == {"code": "avez-vous-des-enfants", "label": "Avez-vous des enfants ?",
                                          "options": [{"code": "oui", "label": "Oui"}, {"code": "non", "label": "Non"}]}
    assert len(call.profile_questions[0]["options"]) == len(DEFAULT_PROFILE_QUESTIONS[0]["options"]) - 1
    # Hugo's answers keep their codes: the renamed talent is still his.
    volunteer = Volunteer.objects.get()
    assert "histoire" in volunteer.talents and call.talents[0]["code"] == "histoire"


def test_call_page_reports_row_errors_and_changes_nothing(client, campaign, organiser_dina, call):
    client.force_login(organiser_dina)
    url = reverse("volunteering:call", args=[campaign.slug])
    html = client.get(url).content.decode()
    r = client.post(url, page_form_data(html, op="save", **{"t-0-label": "", "q-0-o-0-remove": "on",
                                                              "q-0-o-1-remove": "on", "q-0-o-2-remove": "on",
                                                              "q-0-o-3-remove": "on", "q-0-o-4-remove": "on",
                                                              "consent_text": ""}))
    assert r.status_code == 400
    body = r.content.decode()
    assert 'id="id_t-0-error"' in body and 'id="id_q-0-error"' in body and 'role="alert"' in body
    assert 'id="id_consent_text_error"' in body
    call.refresh_from_db()
    assert call.talents == DEFAULT_TALENTS and call.consent_version == 1


def test_list_shows_volunteers_and_counts_to_the_organiser(client, campaign, organiser_dina, call, hugo):
    client.force_login(hugo)
    client.post(form_url(campaign), post_data())
    client.force_login(organiser_dina)
    r = client.get(reverse("volunteering:list", args=[campaign.slug]))
    body = r.content.decode()
    assert r.status_code == 200
    assert Volunteer.objects.get().pseudonym in body and "Hugo" in body
    assert escape(call.talents[1]["label"]) in body
    assert r.context["counts"]["total"] == 1
    assert "hugo@example.org" not in body


def test_csv_download(client, campaign, organiser_dina, call, hugo):
    client.force_login(hugo)
    client.post(form_url(campaign), post_data())
    client.force_login(organiser_dina)
    r = client.get(reverse("volunteering:export", args=[campaign.slug]))
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff") and ";" in text.splitlines()[0]
    assert "Hugo" in text and "Allée des Cigales" in text

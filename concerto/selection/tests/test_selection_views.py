"""The selection pages: permissions for every view, the forms, the stages through the web, no names in public."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape as html_escape

from concerto.residents.models import Role
from concerto.selection import computation, selectors, services
from concerto.selection.models import SeatStatus, Selection, SelectionSeat, SelectionStatus
from conftest import make_user

from .factories import (
    announced_selection,
    computed_selection,
    create_selection,
    drawn_selection,
    keys_of,
    make_pool,
    published_selection,
    suggested_quotas,
)


@pytest.fixture
def pool(campaign):
    return make_pool(campaign, 12, no_email_every=4)


@pytest.fixture
def other_organiser(other_campaign):
    return make_user("olga@example.org", campaign=other_campaign, role=Role.ORGANISER)


@pytest.fixture
def people(resident_alice, moderator_marc, other_organiser, organiser_dina):
    """Everyone but the campaign's organiser is refused the organisers' pages."""
    return {"visitor": None, "resident": resident_alice, "other staff": moderator_marc,
            "organiser elsewhere": other_organiser}


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _form_data(campaign, panel_size=4, **changes):
    data = {"title": "Sélection des ateliers", "panel_size": str(panel_size), "time_limit": "20",
            "required_dates": [], "layout": ""}
    for i, q in enumerate(suggested_quotas(campaign, panel_size)):
        data[f"q{i}_min"] = str(q["min"])
        data[f"q{i}_max"] = str(q["max"])
    data.update(changes)
    return data


def manage_urls(campaign, selection, seat_id=1):
    args = [campaign.slug, selection.pk]
    return {
        "get": [reverse("selection:manage", args=args), reverse("selection:edit", args=args),
                reverse("selection:progress", args=args), reverse("selection:letters_pdf", args=args),
                reverse("selection:create", args=[campaign.slug])],
        "post": [reverse(f"selection:{name}", args=args)
                 for name in ("compute", "cancel", "relax", "publish", "announce", "draw", "notify")]
        + [reverse("selection:replace", args=[*args, seat_id]), reverse("selection:create", args=[campaign.slug])],
    }


def test_organiser_pages_are_refused_to_everyone_else(client, campaign, pool, organiser_dina, people):
    selection = announced_selection(campaign, organiser_dina)
    urls = manage_urls(campaign, selection)
    for who, user in people.items():
        _as(client, user)
        for url in urls["get"]:
            response = client.get(url)
            assert response.status_code in (302, 404), (who, url, response.status_code)
            if user is not None:
                assert response.status_code == 404, (who, url)
        for url in urls["post"]:
            response = client.post(url, {"random_value": "1 2 3", "random_source": "x" * 10, "witnesses": "abc"})
            assert response.status_code in (302, 404), (who, url)
            if user is not None:
                assert response.status_code == 404, (who, url)
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ANNOUNCED
    assert Selection.objects.count() == 1


def test_drafts_are_invisible_to_the_public(client, campaign, pool, organiser_dina, people):
    selection = computed_selection(campaign, organiser_dina)
    args = [campaign.slug, selection.pk]
    for who, user in people.items():
        _as(client, user)
        for name in ("detail", "audit_json", "verify_script"):
            assert client.get(reverse(f"selection:{name}", args=args)).status_code == 404, (who, name)
        assert selection.title not in client.get(reverse("selection:list", args=[campaign.slug])).content.decode()
    _as(client, organiser_dina)
    assert client.get(reverse("selection:detail", args=args)).status_code == 200
    assert client.get(reverse("selection:audit_json", args=args)).status_code == 200
    assert selection.title in client.get(reverse("selection:list", args=[campaign.slug])).content.decode()


def test_public_selection_is_visible_to_everyone(client, campaign, pool, organiser_dina, people):
    selection = published_selection(campaign, organiser_dina)
    for who, user in people.items():
        _as(client, user)
        response = client.get(reverse("selection:detail", args=[campaign.slug, selection.pk]))
        assert response.status_code == 200, who
        assert selection.pool_sha256 in response.content.decode()
        assert selection.title in client.get(reverse("selection:list", args=[campaign.slug])).content.decode()


def test_selection_of_another_campaign_is_404(client, campaign, other_campaign, pool, organiser_dina):
    selection = published_selection(campaign, organiser_dina)
    assert client.get(reverse("selection:detail", args=[other_campaign.slug, selection.pk])).status_code == 404


def test_create_form_prefills_the_suggestion_and_saves(client, campaign, pool, organiser_dina):
    _as(client, organiser_dina)
    url = reverse("selection:create", args=[campaign.slug])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="q0_min"' in html and "Dessiner" in html
    suggestion = suggested_quotas(campaign, 12 if len(pool) >= 12 else 4)
    assert f'name="q0_min" value="{suggestion[0]["min"]}"' in html or 'value="' in html
    response = client.post(url, _form_data(campaign))
    selection = Selection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("selection:manage",
                                                                           args=[campaign.slug, selection.pk])
    assert selection.panel_size == 4 and len(selection.quotas) == len(keys_of(campaign))


def test_create_form_shows_errors_next_to_fields(client, campaign, pool, organiser_dina):
    _as(client, organiser_dina)
    response = client.post(reverse("selection:create", args=[campaign.slug]),
                           {**_form_data(campaign, q0_min="3", q0_max="1"), "panel_size": "abc"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_q0_max_error"' in html
    assert 'id="id_panel_size_error"' in html
    assert not Selection.objects.exists()


def test_suggest_button_recomputes_without_saving(client, campaign, pool, organiser_dina):
    _as(client, organiser_dina)
    data = _form_data(campaign, panel_size=6, suggest="1")
    data["q0_min"] = "0"
    response = client.post(reverse("selection:create", args=[campaign.slug]), data)
    assert response.status_code == 200
    assert not Selection.objects.exists()
    expected = suggested_quotas(campaign, 6)[0]
    assert f'name="q0_min" value="{expected["min"]}"' in response.content.decode()


def test_edit_only_while_draft(client, campaign, pool, organiser_dina):
    selection = create_selection(campaign, organiser_dina)
    _as(client, organiser_dina)
    url = reverse("selection:edit", args=[campaign.slug, selection.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form_data(campaign, title="Titre changé"))
    assert response.status_code == 302
    selection.refresh_from_db()
    assert selection.title == "Titre changé"
    services.selection_publish(by=organiser_dina, selection=services.selection_compute(
        by=organiser_dina, selection=selection))
    response = client.post(url, _form_data(campaign, title="Encore changé"))
    assert response.status_code == 302
    selection.refresh_from_db()
    assert selection.title == "Titre changé"


def test_whole_procedure_through_the_pages(client, campaign, pool, organiser_dina):
    selection = create_selection(campaign, organiser_dina)
    _as(client, organiser_dina)
    args = [campaign.slug, selection.pk]
    # Wrong order: drawing or announcing before publishing is refused.
    client.post(reverse("selection:draw", args=args), {"random_value": "1 2 3"})
    client.post(reverse("selection:announce", args=args), {"random_source": "Trois dés lancés", "witnesses": "Dupont"})
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.DRAFT
    assert client.post(reverse("selection:compute", args=args)).status_code == 302
    selection.refresh_from_db()
    assert selection.distribution and selection.status == SelectionStatus.DRAFT
    manage = client.get(reverse("selection:manage", args=args)).content.decode()
    assert "Publish the distribution" in manage or "Publier" in manage
    client.post(reverse("selection:publish", args=args))
    bad = client.post(reverse("selection:announce", args=args), {"random_source": "", "witnesses": ""})
    assert bad.status_code == 400 and 'id="id_random_source_error"' in bad.content.decode()
    client.post(reverse("selection:announce", args=args),
                {"random_source": "Les cinq numéros du Loto du 10 mars", "witnesses": "Maître Dupont",
                 "random_known_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "format_kind": "lottery",
                 "lottery_count": "5", "lottery_low": "1", "lottery_high": "49"})
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ANNOUNCED
    empty = client.post(reverse("selection:draw", args=args), {"random_value": ""})
    assert empty.status_code == 400
    client.post(reverse("selection:draw", args=args), {"random_value": "7 12 23 38 41"})
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.DRAWN
    again = client.post(reverse("selection:draw", args=args), {"random_value": "1 1 1"}, follow=True)
    selection.refresh_from_db()
    assert selection.random_value == "7-12-23-38-41"
    assert again.status_code == 409
    manage = client.get(reverse("selection:manage", args=args)).content.decode()
    assert "Personne" in manage  # organisers see names


def test_infeasible_page_offers_the_relaxation(client, campaign, pool, organiser_dina):
    quotas = suggested_quotas(campaign, 4)
    for q in quotas:
        if (q["category"], q["value"]) == ("sector", "nord"):
            q["min"], q["max"] = 4, 4
        if (q["category"], q["value"]) == ("sector", "sud"):
            q["min"], q["max"] = 0, 4
        if q["category"] == "age" and q["value"] == "senior":
            q["min"], q["max"] = 3, 4
        if q["category"] == "age" and q["value"] == "jeune":
            q["min"], q["max"] = 0, 4
    selection = create_selection(campaign, organiser_dina, quotas=quotas)
    _as(client, organiser_dina)
    args = [campaign.slug, selection.pk]
    client.post(reverse("selection:compute", args=args))
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.INFEASIBLE
    html = client.get(reverse("selection:manage", args=args)).content.decode()
    assert reverse("selection:relax", args=args) in html
    sentences = selectors.conflict_messages(selection)
    assert sentences and all(html_escape(sentence) in html for sentence in sentences)
    client.post(reverse("selection:relax", args=args))
    client.post(reverse("selection:compute", args=args))
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.DRAFT and selection.distribution


def test_progress_page_polls_and_redirects_when_done(client, campaign, pool, organiser_dina,
                                                       django_capture_on_commit_callbacks):
    selection = create_selection(campaign, organiser_dina)
    with django_capture_on_commit_callbacks(execute=False):
        selection = services.selection_compute(by=organiser_dina, selection=selection, inline=False)
    _as(client, organiser_dina)
    url = reverse("selection:progress", args=[campaign.slug, selection.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'hx-trigger="every 2s"' in html and "<progress" in html and url in html
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    computation.selection_run(selection_id=selection.pk, marker=selection.computed_at.isoformat())
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Redirect"].endswith("/gestion/")


def test_public_page_has_no_names_and_shows_the_draw(client, campaign, pool, organiser_dina):
    selection = drawn_selection(campaign, organiser_dina, value="7 12 23 38 41")
    html = client.get(reverse("selection:detail", args=[campaign.slug, selection.pk])).content.decode()
    assert not re.search(r"Personne \d", html) and "@example.org" not in html and "avenue" not in html
    assert selection.pool_sha256 in html
    assert "7-12-23-38-41" in html and selection.ticket in html
    assert "Maître Dupont" in html
    assert "python verify.py selection.json" in html
    for seat in SelectionSeat.objects.filter(selection=selection):
        assert seat.volunteer.pseudonym in html
    json_response = client.get(reverse("selection:audit_json", args=[campaign.slug, selection.pk]))
    assert json_response.status_code == 200
    assert json_response["Content-Disposition"] == 'attachment; filename="selection.json"'
    body = json_response.content.decode()
    assert "Personne" not in body and "@example.org" not in body


def test_volunteer_finds_their_pseudonym(client, campaign, pool, organiser_dina):
    selection = published_selection(campaign, organiser_dina)
    volunteer = pool[2]
    _as(client, volunteer.user)
    html = client.get(reverse("selection:detail", args=[campaign.slug, selection.pk])).content.decode()
    assert volunteer.pseudonym in html
    assert "Vous êtes" in html or "You are" in html


def test_volunteer_sees_their_probability_as_a_percentage(client, campaign, pool, organiser_dina):
    selection = published_selection(campaign, organiser_dina)
    volunteer = pool[2]
    _as(client, volunteer.user)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("selection:detail", args=[campaign.slug, selection.pk])).content.decode()
    percent = selection.distribution["marginals"][volunteer.pseudonym] * 100
    assert f"Your probability of being selected: {percent:.2f} %." in html


def test_verify_script_is_served(client, campaign, pool, organiser_dina):
    selection = published_selection(campaign, organiser_dina)
    response = client.get(reverse("selection:verify_script", args=[campaign.slug, selection.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/x-python")
    assert response["Content-Disposition"] == 'attachment; filename="verify.py"'


def test_replacement_through_the_page(client, campaign, pool, organiser_dina):
    selection = drawn_selection(campaign, organiser_dina)
    seat = SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED).first()
    _as(client, organiser_dina)
    url = reverse("selection:replace", args=[campaign.slug, selection.pk, seat.pk])
    response = client.post(url)
    seat.refresh_from_db()
    if response.status_code == 302:
        assert seat.status == SeatStatus.WITHDRAWN
        replacement = SelectionSeat.objects.get(replaces=seat)
        html = client.get(reverse("selection:detail", args=[campaign.slug, selection.pk])).content.decode()
        assert seat.volunteer.pseudonym in html and replacement.volunteer.pseudonym in html
    else:
        assert response.status_code == 409 and seat.status == SeatStatus.SELECTED


@pytest.mark.parametrize("method", ["get", "suggest", "invalid"])
def test_the_settings_page_snapshots_the_pool_once_per_request(client, campaign, pool, organiser_dina, monkeypatch,
                                                              method):
    from concerto.selection import selectors

    extra = {"suggest": "1"} if method == "suggest" else {"panel_size": "abc"}
    data = {**_form_data(campaign), **extra}
    calls = []
    real = selectors.pool_snapshot
    counted = lambda *a, **k: calls.append(a) or real(*a, **k)  # noqa: E731
    monkeypatch.setattr(selectors, "pool_snapshot", counted)
    monkeypatch.setattr(services, "pool_snapshot", counted)
    _as(client, organiser_dina)
    url = reverse("selection:create", args=[campaign.slug])
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code in (200, 400)
    assert len(calls) == 1

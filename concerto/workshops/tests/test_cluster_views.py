"""The cluster and vote views: plain POST + redirect, the JSON answer, the refusal rule, and the
panels rendered for facilitators and participants."""

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from ..models import Dot, Idea, WallTheme
from ..views import vote as views
from ..views.common import SESSION_SEATS
from .cluster_fixtures import make_attendee, make_ideas, make_workshop, set_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def wall(campaign, resident_alice):
    workshop = make_workshop(campaign)
    alice = make_attendee(workshop, "Alice B.", user=resident_alice)
    ideas = make_ideas(workshop, alice, ["Des bancs place du marché", "Plus de bancs", "Un parking relais"])
    return workshop, alice, ideas


def url(name, workshop, *args):
    return reverse(f"workshops:{name}", args=[workshop.campaign.slug, workshop.pk, *args])


def logged(user):
    client = Client()
    client.force_login(user)
    return client


def test_group_by_plain_post_redirects_back_to_next(wall, facilitator_fanny):
    workshop, _alice, ideas = wall
    client = logged(facilitator_fanny)
    response = client.post(url("idea_group", workshop, ideas[0].pk), {"theme": "new", "new_name": "Bancs",
                                                                      "next": "/c/quartier-test/ailleurs/"})
    assert response.status_code == 302 and response["Location"] == "/c/quartier-test/ailleurs/"
    theme = WallTheme.objects.get(workshop=workshop)
    assert Idea.objects.get(pk=ideas[0].pk).theme_id == theme.pk
    # An outside address in next is ignored.
    response = client.post(url("idea_group", workshop, ideas[1].pk), {"theme": theme.pk,
                                                                      "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_json_answers_for_the_wall_script(wall, facilitator_fanny):
    workshop, _alice, ideas = wall
    client = logged(facilitator_fanny)
    response = client.post(url("theme_add", workshop), {"name": "Bancs"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201 and response.json()["ok"] is True
    theme_id = response.json()["theme"]
    response = client.post(url("idea_group", workshop, ideas[0].pk), {"theme": theme_id},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["theme"] == theme_id
    response = client.post(url("theme_add", workshop), {"name": "bancs"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["code"] == "theme_name_taken"
    response = client.post(url("idea_group", workshop, ideas[0].pk), {"theme": "new", "new_name": ""},
                           HTTP_ACCEPT="application/json")
    assert response.json()["code"] == "theme_name_empty"
    assert Idea.objects.get(pk=ideas[0].pk).theme_id == theme_id  # left in its theme


def test_errors_without_javascript_come_back_as_messages(wall, facilitator_fanny):
    workshop, _alice, ideas = wall
    client = logged(facilitator_fanny)
    response = client.post(url("idea_merge", workshop, ideas[0].pk), {"into": ideas[0].pk})
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


def test_theme_buttons_rename_move_delete(wall, facilitator_fanny):
    workshop, _alice, ideas = wall
    client = logged(facilitator_fanny)
    a = WallTheme.objects.create(workshop=workshop, name="A", position=0)
    b = WallTheme.objects.create(workshop=workshop, name="B", position=1)
    client.post(url("theme_edit", workshop, a.pk), {"action": "rename", "name": "Bancs"})
    client.post(url("theme_edit", workshop, b.pk), {"action": "up"})
    assert list(WallTheme.objects.order_by("position").values_list("name", flat=True)) == ["B", "Bancs"]
    client.post(url("theme_edit", workshop, a.pk), {"action": "delete"})
    assert list(WallTheme.objects.values_list("name", flat=True)) == ["B"]


def test_participants_and_visitors_are_refused(wall, resident_alice):
    workshop, _alice, ideas = wall
    for name, args, data in (("theme_add", (), {"name": "X"}), ("idea_group", (ideas[0].pk,), {"theme": "new",
                             "new_name": "X"}), ("idea_merge", (ideas[1].pk,), {"into": ideas[0].pk}),
                             ("idea_edit", (ideas[0].pk,), {"text": "X"}), ("suggestion", (), {"ideas": "1"}),
                             ("vote_settings", (), {"dots_per_participant": "9"})):
        assert logged(resident_alice).post(url(name, workshop, *args), data).status_code == 404
        response = Client().post(url(name, workshop, *args), data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("residents:sign_in"))
    assert not WallTheme.objects.exists()
    assert not Idea.objects.filter(merged_into__isnull=False).exists()


def test_dot_set_by_a_device_seat_by_account_and_by_proxy(wall, facilitator_fanny, resident_alice, resident_bob):
    workshop, alice, _ideas = wall
    nadia = make_attendee(workshop, "Nadia D.")
    theme = WallTheme.objects.create(workshop=workshop, name="Bancs")
    set_phase(workshop, "vote")
    target = f"theme:{theme.pk}"
    # A device seat (no account), kept in the session.
    device = Client()
    session = device.session
    session[SESSION_SEATS] = {str(workshop.pk): nadia.pk}
    session.save()
    response = device.post(url("dot_set", workshop), {"target": target, "count": "2"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["left"] == 3
    # An account seat.
    response = logged(resident_alice).post(url("dot_set", workshop), {"target": target, "count": "1"})
    assert response.status_code == 302
    # A participant may not vote for someone else; a stranger has no seat.
    response = logged(resident_alice).post(url("dot_set", workshop), {"target": target, "count": "5",
                                                                      "attendee": nadia.pk},
                                           HTTP_ACCEPT="application/json")
    assert response.status_code == 403 and response.json()["code"] == "not_facilitator"
    response = logged(resident_bob).post(url("dot_set", workshop), {"target": target, "count": "1"},
                                         HTTP_ACCEPT="application/json")
    assert response.json()["code"] == "not_attendee"
    response = Client().post(url("dot_set", workshop), {"target": target, "count": "1"},
                             HTTP_ACCEPT="application/json")
    assert response.json()["code"] == "not_attendee"
    # The facilitator's proxy.
    response = logged(facilitator_fanny).post(url("dot_set", workshop), {"target": target, "count": "4",
                                                                         "attendee": nadia.pk},
                                              HTTP_ACCEPT="application/json")
    assert response.json()["left"] == 1
    assert {d.attendee_id: (d.count, d.proxy_by_id) for d in Dot.objects.all()} == {
        nadia.pk: (4, facilitator_fanny.pk), alice.pk: (1, None)}
    response = logged(facilitator_fanny).post(url("dot_set", workshop), {"target": target, "count": "6",
                                                                         "attendee": nadia.pk},
                                              HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["code"] == "too_many_dots"
    assert "1" in response.json()["message"]


def _render(template, workshop, builder, *, user, seat=None, runner):
    request = RequestFactory().get(f"/c/{workshop.campaign.slug}/ateliers/{workshop.pk}/animation/")
    request.user = user
    context = builder(request, workshop, seat=seat, runner=runner)
    return render_to_string(template, context, request=request)


def test_panels_render_for_facilitators_and_participants(wall, facilitator_fanny, resident_alice):
    workshop, alice, ideas = wall
    theme = WallTheme.objects.create(workshop=workshop, name="Bancs")
    Idea.objects.filter(pk=ideas[0].pk).update(theme=theme)
    html = _render("workshops/wall/_panel_cluster.html", workshop, views.cluster_context, user=facilitator_fanny,
                   runner=True)
    assert f'id="group-{ideas[1].pk}"' in html and f'id="merge-{ideas[1].pk}"' in html
    assert "Alice B." in html  # facilitators see who wrote what
    html = _render("workshops/wall/_seat_cluster.html", workshop, views.cluster_context, user=resident_alice,
                   seat=alice, runner=False)
    assert "Bancs" in html and "<form" not in html and "Alice B." not in html
    set_phase(workshop, "vote")
    Dot.objects.create(workshop=workshop, attendee=alice, theme=theme, count=2)
    html = _render("workshops/wall/_seat_vote.html", workshop, views.vote_context, user=resident_alice, seat=alice,
                   runner=False)
    assert 'name="count" value="3"' in html and 'name="count" value="1"' in html
    html = _render("workshops/wall/_panel_vote.html", workshop, views.vote_context, user=facilitator_fanny,
                   runner=True)
    assert 'id="proxy-attendee"' in html
    assert "vote-results" not in html and "<svg" not in html  # progress only, never totals per item

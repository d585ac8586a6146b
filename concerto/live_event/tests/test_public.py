"""The audience side: the public live page, the overlays, who may frame them, audience questions."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerto.campaigns.models import ElectionRound
from concerto.live_event import services
from concerto.live_event.models import AudienceQuestion, Event

from .conftest import new_id

pytestmark = pytest.mark.django_db

OVERLAYS = ["live_event:overlay_lower_third", "live_event:overlay_reactions", "live_event:overlay_times"]


def csp(response) -> dict[str, list[str]]:
    out = {}
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def live_url(event, name="live_event:live_event"):
    return reverse(name, args=[event.campaign.slug, event.pk])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def recorded(show, facilitator_fanny):
    """The show with two positions on the first action (one « no answer »), Paul speaking."""
    claire, paul, _ines = list(show.campaign.candidates.order_by("ballot_order"))
    services.position_record(actor=facilitator_fanny, event=show, item_id=show.on_air_id, candidate_id=claire.pk,
                             stance="favourable", summary="Oui, dès la première année.", client_id=new_id())
    services.position_record(actor=facilitator_fanny, event=show, item_id=show.on_air_id, candidate_id=paul.pk,
                             stance="no_answer", client_id=new_id())
    services.turn_start(actor=facilitator_fanny, event=show, candidate_id=paul.pk, client_id=new_id())
    show.refresh_from_db()
    return show


# --- The live page ------------------------------------------------------------------------------

def test_anyone_sees_the_live_page_with_the_action_on_air_and_the_matrix(recorded):
    response = Client().get(live_url(recorded))
    assert response.status_code == 200
    page = text_of(response)
    assert "Action numéro 1" in page
    assert "Habitant·e 1" in page  # the presenter
    assert "Oui, dès la première année." in page
    assert "Paul Durand" in page
    body = response.content.decode()
    # The matrix is a real table: caption, column and row headers; cells not asked yet say « — ».
    assert "<caption" in body and 'scope="col"' in body and 'scope="row"' in body
    assert "—" in page
    assert 'class="stance stance-no_answer"' in body
    # One polite status line, no other live region.
    assert body.count('role="status"') == 1 and "aria-live" not in body
    # The full state, numbered, for the script.
    assert f'data-seq="{recorded.seq}"' in body and 'id="live-state"' in body


def test_the_current_event_page_shows_the_event_on_air(recorded):
    response = Client().get(reverse("live_event:live", args=[recorded.campaign.slug]))
    assert response.status_code == 200
    assert "Le plateau des candidats" in response.content.decode()


def test_the_current_event_page_says_when_nothing_is_planned(campaign):
    response = Client().get(reverse("live_event:live", args=[campaign.slug]))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_an_unknown_or_other_campaigns_event_is_not_found(event, other_campaign):
    assert Client().get(reverse("live_event:live_event", args=[event.campaign.slug, event.pk + 999])).status_code == 404
    assert Client().get(reverse("live_event:live_event", args=[other_campaign.slug, event.pk])).status_code == 404
    for name in OVERLAYS:
        assert Client().get(reverse(name, args=[other_campaign.slug, event.pk])).status_code == 404


def test_the_stream_is_embedded_and_only_its_origin_may_be_framed_in_the_page(event):
    response = Client().get(live_url(event))
    assert '<iframe data-live-stream src="https://video.example.org/live"' in response.content.decode()
    assert csp(response)["frame-src"] == ["https://video.example.org"]
    # Other pages keep the default (no frame-src beyond 'self').
    other = Client().get(reverse("proposals:list", args=[event.campaign.slug]))
    assert "video.example.org" not in other["Content-Security-Policy"]


# --- Framing ------------------------------------------------------------------------------------

def test_live_pages_may_be_framed_by_the_listed_origins_only(event):
    Event.objects.filter(pk=event.pk).update(frame_origins=["https://mairie.example.fr", "http://localhost:8080"])
    for url in [live_url(event)] + [live_url(event, name) for name in OVERLAYS]:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert csp(response)["frame-ancestors"] == ["'self'", "https://mairie.example.fr", "http://localhost:8080"]
        # X-Frame-Options has no allow-list: left out rather than contradicting the CSP.
        assert "X-Frame-Options" not in response, url


def test_without_listed_origins_live_pages_are_framed_by_the_site_only(event):
    response = Client().get(live_url(event, "live_event:overlay_lower_third"))
    assert csp(response)["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_every_other_page_still_refuses_any_frame(event):
    Event.objects.filter(pk=event.pk).update(frame_origins=["https://mairie.example.fr"])
    for url in [reverse("proposals:list", args=[event.campaign.slug]),
                reverse("dashboard:campaign_home", args=[event.campaign.slug])]:
        response = Client().get(url)
        assert csp(response)["frame-ancestors"] == ["'none'"], url
        assert response["X-Frame-Options"] == "DENY", url


# --- Overlays -----------------------------------------------------------------------------------

def test_overlays_render_the_current_state_with_its_number(recorded):
    lower = Client().get(live_url(recorded, "live_event:overlay_lower_third"))
    assert f'data-seq="{recorded.seq}"' in lower.content.decode()
    page = text_of(lower)
    assert "Action numéro 1" in page and "Paul Durand" in page and "Agir pour Marseille 13" in page
    strip = text_of(Client().get(live_url(recorded, "live_event:overlay_reactions")))
    assert "Claire Martin" in strip and "Inès Benali" in strip
    times = Client().get(live_url(recorded, "live_event:overlay_times"))
    assert times.status_code == 200 and "Paul Durand" in text_of(times)


def test_overlays_show_nothing_broken_before_the_show(event):
    for name in OVERLAYS:
        response = Client().get(live_url(event, name))
        assert response.status_code == 200
        assert "None" not in text_of(response)
    lower = Client().get(live_url(event, "live_event:overlay_lower_third")).content.decode()
    assert 'data-part="lower-third" hidden' in lower


def test_the_question_on_screen_shows_on_the_page_and_the_lower_third(show, resident_alice, facilitator_fanny):
    Event.objects.filter(pk=show.pk).update(questions_open=True)
    show.refresh_from_db()
    question, _ = services.question_submit(actor=resident_alice, event=show, text="Et les vélos cargo ?",
                                           client_id=new_id(), item_id=show.on_air_id)
    assert "Et les vélos cargo ?" not in text_of(Client().get(live_url(show)))  # waiting for the team
    services.question_decide(actor=facilitator_fanny, event=show, question_id=question.pk, approve=True)
    services.question_show(actor=facilitator_fanny, event=show, question_id=question.pk)
    show.refresh_from_db()
    assert "Et les vélos cargo ?" in text_of(Client().get(live_url(show)))
    assert "Et les vélos cargo ?" in text_of(Client().get(live_url(show, "live_event:overlay_lower_third")))


# --- Audience questions -------------------------------------------------------------------------

@pytest.fixture
def open_show(show):
    Event.objects.filter(pk=show.pk).update(questions_open=True)
    show.refresh_from_db()
    cache.clear()  # the rate limiter's counts
    return show


def ask(client, event, text="Quand commencent les travaux ?", client_id=None):
    return client.post(live_url(event, "live_event:question_ask"), {"text": text, "client_id": client_id or new_id()})


def test_a_resident_asks_a_question_held_for_the_team(open_show, resident_alice):
    page = signed_in(resident_alice).get(live_url(open_show)).content.decode()
    assert "Votre question sera lue par l" in page or "read by the team before it is shown" in page
    response = ask(signed_in(resident_alice), open_show)
    assert response.status_code == 302
    question = AudienceQuestion.objects.get()
    assert question.status == "pending" and question.item_id == open_show.on_air_id
    assert question.author == resident_alice


def test_a_double_submit_records_one_question(open_show, resident_alice):
    client, cid = signed_in(resident_alice), new_id()
    assert ask(client, open_show, client_id=cid).status_code == 302
    assert ask(client, open_show, client_id=cid).status_code == 302
    assert AudienceQuestion.objects.count() == 1


def test_a_visitor_is_sent_to_sign_in_and_sees_the_link(open_show):
    response = ask(Client(), open_show)
    assert response.status_code == 302 and "/connexion/" in response["Location"]
    assert not AudienceQuestion.objects.exists()
    assert reverse("residents:sign_in") in Client().get(live_url(open_show)).content.decode()


def test_a_candidate_cannot_ask(open_show, candidate_claire):
    client = signed_in(candidate_claire)
    assert 'name="client_id"' not in client.get(live_url(open_show)).content.decode()
    response = ask(client, open_show)
    assert response.status_code == 400
    assert not AudienceQuestion.objects.exists()


def test_no_form_while_questions_are_closed(show, resident_alice):
    client = signed_in(resident_alice)
    assert 'name="client_id"' not in client.get(live_url(show)).content.decode()
    assert ask(client, show).status_code == 400
    assert not AudienceQuestion.objects.exists()


@pytest.mark.parametrize(("text", "client_id"), [("", None), ("x" * 281, None), ("Une question ?", "pas-un-uuid")])
def test_bad_input_is_refused_with_a_reason_and_nothing_recorded(open_show, resident_alice, text, client_id):
    response = ask(signed_in(resident_alice), open_show, text=text, client_id=client_id)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not AudienceQuestion.objects.exists()


def test_a_refused_question_can_be_fixed_and_sent_once(open_show, resident_alice):
    client, cid = signed_in(resident_alice), new_id()
    refused = ask(client, open_show, text="", client_id=cid)
    assert f'value="{cid}"' in refused.content.decode()  # the same form, the same id
    assert ask(client, open_show, text="Et la piste cyclable ?", client_id=cid).status_code == 302
    assert ask(client, open_show, text="Et la piste cyclable ?", client_id=cid).status_code == 302
    assert AudienceQuestion.objects.count() == 1
    bad_id = ask(client, open_show, client_id="pas-un-uuid").content.decode()
    assert 'value="pas-un-uuid"' not in bad_id


def test_questions_are_rate_limited_per_account(open_show, resident_alice):
    client = signed_in(resident_alice)
    for i in range(5):
        assert ask(client, open_show, text=f"Question {i} ?").status_code == 302
    response = ask(client, open_show, text="Encore une ?")
    assert response.status_code == 429
    assert AudienceQuestion.objects.count() == 5


# --- The eve of the vote ------------------------------------------------------------------------

def test_the_page_says_why_during_the_eve_of_vote_freeze(recorded, open_show, resident_alice):
    ElectionRound.objects.create(campaign=recorded.campaign, number=1,
                                 vote_date=timezone.localdate() + timedelta(days=1))
    page = signed_in(resident_alice).get(live_url(recorded)).content.decode()
    frozen = re.search(r'<p class="notice" data-part="frozen"( hidden)?>', page)
    assert frozen and not frozen.group(1)
    assert "L49" in page
    assert 'name="client_id"' not in page  # no question form
    lower = Client().get(live_url(recorded, "live_event:overlay_lower_third"))
    assert lower.status_code == 200


def test_the_ograf_lower_third_names_its_module_beside_it():
    import json
    from pathlib import Path

    from django.contrib.staticfiles import finders

    manifest = Path(finders.find("concerto/live_event/ograf/concerto-lower-third.ograf.json"))
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert (manifest.parent / data["main"]).exists()
    assert data["schema"]["required"] == ["url"]

"""The control room's pages (views/control.py) and its plain forms without JavaScript: who may open
it, what it shows (running order, reply order, positions, speaking time, questions), and that each
form posts, comes back to the action's screen and says what went wrong in the page's language."""

import re

import pytest
from django.urls import reverse
from django.utils.translation import gettext, override

from concerto.live_event import selectors, services
from concerto.live_event.errors import EventNotOnAir, StanceInvalid, SummaryTooLong
from concerto.live_event.models import AudienceQuestion, Position, QuestionStatus, SpeakingTurn
from concerto.residents.models import Role, User
from concerto.residents.services import role_grant_by_system

from .conftest import new_id


def url(event, name="control", **kw):
    return reverse(f"live_event:{name}", args=[event.campaign.slug, event.pk], kwargs=kw or None)


def signed_in(client, user):
    client.force_login(user)
    return client


def french(error_class) -> str:
    with override("fr"):
        return str(error_class.message)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- who may open it ---------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("who", ["organiser_dina", "facilitator_fanny"])
def test_organisers_and_facilitators_open_the_control_room_and_its_index(client, request, event, who):
    client = signed_in(client, request.getfixturevalue(who))
    page = client.get(url(event))
    assert page.status_code == 200
    assert "Le plateau des candidats" in page.content.decode()
    index = client.get(reverse("live_event:control_index", args=[event.campaign.slug]))
    assert index.status_code == 200
    assert url(event) in index.content.decode()
    # The campaign's menu leads there.
    assert f'href="{reverse("live_event:control_index", args=[event.campaign.slug])}"' in index.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["moderator_marc", "resident_alice", "candidate_claire"])
def test_anyone_else_gets_the_not_found_page(client, request, event, who):
    client = signed_in(client, request.getfixturevalue(who))
    assert client.get(url(event)).status_code == 404
    assert client.get(reverse("live_event:control_index", args=[event.campaign.slug])).status_code == 404
    home = client.get(reverse("dashboard:campaign_home", args=[event.campaign.slug])).content.decode()
    assert reverse("live_event:control_index", args=[event.campaign.slug]) not in home


@pytest.mark.django_db
def test_an_organiser_of_another_campaign_is_refused(client, event, other_campaign):
    stranger = User.objects.create_user(email="autre@example.org", password="autre-password-123")
    role_grant_by_system(campaign=other_campaign, user=stranger, role=Role.ORGANISER)
    client = signed_in(client, stranger)
    assert client.get(url(event)).status_code == 404
    # The event exists, but not in this campaign: the same answer.
    assert client.get(reverse("live_event:control", args=[other_campaign.slug, event.pk])).status_code == 404
    assert client.get(reverse("live_event:control_index", args=[event.campaign.slug])).status_code == 404


@pytest.mark.django_db
def test_a_visitor_is_sent_to_the_sign_in_page(client, event):
    for target in (url(event), reverse("live_event:control_index", args=[event.campaign.slug])):
        answer = client.get(target)
        assert answer.status_code == 302 and answer["Location"].startswith(reverse("residents:sign_in"))


# --- what it shows -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_running_order_shows_presenters_reply_order_and_the_action_on_air(client, show, facilitator_fanny):
    page = signed_in(client, facilitator_fanny).get(url(show))
    html = page.content.decode()
    items = selectors.running_items(show)
    for item in items:
        assert item.action.title in html and item.presenter in html
    names = {c.pk: c.name for c in selectors.candidate_list(show.campaign)}
    first = items[0]
    assert ", ".join(names[c] for c in first.reply_order) in html
    # The action on air has its badge shown, the others hidden; its screen is the one shown.
    screen = re.search(rf'<section class="card control-screen" id="item-{first.pk}"[^>]*>', html).group(0)
    assert "hidden" not in screen
    other = re.search(rf'<section class="card control-screen" id="item-{items[1].pk}"[^>]*>', html).group(0)
    assert "hidden" in other
    # In this action's screen, candidates come in its reply order, numbered for the keys.
    section = html[html.index(f'id="item-{first.pk}"'):html.index(f'id="item-{items[1].pk}"')]
    positions = [section.index(f'id="cell-{first.pk}-{c}"') for c in first.reply_order]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_another_screen_is_chosen_with_item(client, show, facilitator_fanny):
    items = selectors.running_items(show)
    html = signed_in(client, facilitator_fanny).get(url(show), {"item": items[2].pk}).content.decode()
    screen = re.search(rf'<section class="card control-screen" id="item-{items[2].pk}"[^>]*>', html).group(0)
    assert "hidden" not in screen


# --- plain forms, without JavaScript -----------------------------------------------------------

@pytest.mark.django_db
def test_a_position_posted_by_a_plain_form_is_stored_and_shown(client, show, facilitator_fanny):
    client = signed_in(client, facilitator_fanny)
    item = selectors.running_items(show)[1]
    claire = selectors.candidate_list(show.campaign)[0]
    page = client.get(url(show), {"item": item.pk}).content.decode()
    form = re.search(rf'<form[^>]*id="cell-{item.pk}-{claire.pk}".*?</form>', page, re.S).group(0)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    answer = client.post(url(show, "control_position"), {**hidden, "stance": "with_changes",
                                                           "summary": "Oui, avec une piste cyclable.",
                                                           "improvement": "Ajouter des arceaux vélo."},
                         HTTP_ACCEPT="text/html")
    assert answer.status_code == 302
    assert answer["Location"] == f"{url(show)}?item={item.pk}#cell-{item.pk}-{claire.pk}"
    stored = Position.objects.get(item=item, candidate=claire)
    assert (stored.stance, stored.summary, stored.revision) == ("with_changes", "Oui, avec une piste cyclable.", 1)
    html = client.get(answer["Location"]).content.decode()
    assert "Oui, avec une piste cyclable." in html and "Ajouter des arceaux vélo." in html
    # The next form carries the next revision: a second save updates the cell.
    form = re.search(rf'<form[^>]*id="cell-{item.pk}-{claire.pk}".*?</form>', html, re.S).group(0)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert hidden["revision"] == "2" and hidden["client_id"] == str(stored.client_id)
    client.post(url(show, "control_position"), {**hidden, "stance": "favourable", "summary": "Oui."},
                HTTP_ACCEPT="text/html")
    stored.refresh_from_db()
    assert (stored.stance, stored.revision) == ("favourable", 2)


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "error"), [
    ({"stance": ""}, StanceInvalid),
    ({"stance": "favourable", "summary": "x" * 281}, SummaryTooLong),
])
def test_a_bad_position_is_refused_with_the_reason_and_nothing_stored(client, show, facilitator_fanny, data, error):
    client = signed_in(client, facilitator_fanny)
    item = selectors.running_items(show)[0]
    claire = selectors.candidate_list(show.campaign)[0]
    answer = client.post(url(show, "control_position"), {"item": item.pk, "candidate": claire.pk,
                                                         "client_id": new_id(), "revision": 1, **data},
                         HTTP_ACCEPT="text/html", follow=True)
    assert not Position.objects.exists()
    assert french(error) in messages_of(answer)
    assert answer.redirect_chain[-1][0] == f"{url(show)}?item={item.pk}#item-{item.pk}"
    assert french(error) in answer.content.decode()


@pytest.mark.django_db
def test_speaking_time_and_the_running_order_by_plain_forms(client, show, facilitator_fanny):
    client = signed_in(client, facilitator_fanny)
    first = selectors.running_items(show)[0]
    speaker = first.reply_order[0]
    answer = client.post(url(show, "control_speaking"), {"candidate": speaker, "client_id": new_id()},
                         HTTP_ACCEPT="text/html")
    assert answer.status_code == 302
    assert SpeakingTurn.objects.get(ended_at__isnull=True).candidate_id == speaker
    html = client.get(answer["Location"]).content.decode()
    name = next(c.name for c in selectors.candidate_list(show.campaign) if c.pk == speaker)
    with override("fr"):
        assert gettext("%(name)s is speaking.") % {"name": name} in html
    client.post(url(show, "control_on_air"), {"step": "next"}, HTTP_ACCEPT="text/html")
    show.refresh_from_db()
    assert show.on_air_id == selectors.running_items(show)[1].pk
    assert not SpeakingTurn.objects.filter(ended_at__isnull=True).exists()  # a turn belongs to one action
    client.post(url(show, "control_on_air"), {"item": first.pk}, HTTP_ACCEPT="text/html")
    show.refresh_from_db()
    assert show.on_air_id == first.pk


@pytest.mark.django_db
def test_giving_the_floor_before_the_show_starts_says_why(client, event, facilitator_fanny, organiser_dina):
    services.event_order_publish(actor=organiser_dina, event=event, seed="0123456789abcdef")
    client = signed_in(client, facilitator_fanny)
    candidate = selectors.candidate_list(event.campaign)[0]
    answer = client.post(url(event, "control_speaking"), {"candidate": candidate.pk, "client_id": new_id()},
                         HTTP_ACCEPT="text/html", follow=True)
    assert french(EventNotOnAir) in messages_of(answer)
    assert not SpeakingTurn.objects.exists()
    # Starting the show from its button, then ending it after the confirmation.
    assert "control-start" in answer.content.decode()
    client.post(url(event, "control_start"), HTTP_ACCEPT="text/html")
    event.refresh_from_db()
    assert event.status == "on_air"
    html = client.get(url(event)).content.decode()
    assert "control-start" not in html and url(event, "control_end") in html
    client.post(url(event, "control_end"), HTTP_ACCEPT="text/html")
    event.refresh_from_db()
    assert event.status == "ended"


@pytest.mark.django_db
def test_questions_panel_lists_waiting_questions_filtered_by_action(client, show, facilitator_fanny, resident_alice):
    show.questions_open = True
    show.save(update_fields=["questions_open"])
    items = selectors.running_items(show)
    services.question_submit(actor=resident_alice, event=show, text="Et les trottoirs ?", client_id=new_id(),
                             item_id=items[0].pk)
    services.question_submit(actor=resident_alice, event=show, text="Et le bus de nuit ?", client_id=new_id(),
                             item_id=items[1].pk)
    client = signed_in(client, facilitator_fanny)
    html = client.get(url(show)).content.decode()
    assert "Et les trottoirs ?" in html and "Et le bus de nuit ?" in html
    only = client.get(url(show), {"questions": items[1].pk}).content.decode()
    assert "Et le bus de nuit ?" in only and "Et les trottoirs ?" not in only
    partial = client.get(url(show), {"partial": "questions", "questions": items[0].pk}).content.decode()
    assert partial.startswith("<section") and "Et les trottoirs ?" in partial and "<html" not in partial
    question = AudienceQuestion.objects.get(text="Et les trottoirs ?")
    qurl = reverse("live_event:control_question", args=[show.campaign.slug, show.pk, question.pk])
    client.post(qurl, {"do": "approve"}, HTTP_ACCEPT="text/html")
    client.post(qurl, {"do": "show"}, HTTP_ACCEPT="text/html")
    question.refresh_from_db()
    assert question.status == QuestionStatus.APPROVED and question.shown_at is not None
    client.post(qurl, {"do": "hide"}, HTTP_ACCEPT="text/html")
    other = AudienceQuestion.objects.get(text="Et le bus de nuit ?")
    client.post(reverse("live_event:control_question", args=[show.campaign.slug, show.pk, other.pk]),
                {"do": "reject"}, HTTP_ACCEPT="text/html")
    html = client.get(url(show)).content.decode()
    assert "Et le bus de nuit ?" not in html  # set aside: off the list


@pytest.mark.django_db
def test_the_room_state_carries_speaking_time_per_action(show, facilitator_fanny):
    first = selectors.running_items(show)[0]
    speaker = first.reply_order[0]
    services.turn_start(actor=facilitator_fanny, event=show, candidate_id=speaker, client_id=new_id())
    assert selectors.event_room_state(show)["item_totals"] == {}  # the running turn is the screen's to add
    services.turn_stop(actor=facilitator_fanny, event=show)
    totals = selectors.event_room_state(show)["item_totals"]
    assert list(totals) == [str(first.pk)] and list(totals[str(first.pk)]) == [str(speaker)]


@pytest.mark.django_db
def test_the_give_the_floor_form_starts_a_new_turn_each_time(client, show, facilitator_fanny):
    """Without JavaScript, the button of a candidate whose position is recorded gives the floor again
    after another one spoke (its form carries a new turn id on each page, not the cell's)."""
    client = signed_in(client, facilitator_fanny)
    item = selectors.running_items(show)[0]
    first, second = item.reply_order[:2]
    services.position_record(actor=facilitator_fanny, event=show, item_id=item.pk, candidate_id=first,
                             stance="favourable", client_id=new_id())

    def give_floor(candidate):
        page = client.get(url(show)).content.decode()
        row = re.search(rf'<tr data-candidate="{candidate}" class="speaking-row">.*?</tr>', page, re.S).group(0)
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', row))
        client.post(url(show, "control_speaking"), hidden, HTTP_ACCEPT="text/html")

    give_floor(first)
    give_floor(second)
    give_floor(first)
    assert list(SpeakingTurn.objects.order_by("started_at", "id").values_list("candidate_id", flat=True)) == [
        first, second, first]

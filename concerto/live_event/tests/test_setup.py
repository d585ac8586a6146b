"""Setting up the set: candidates (photo, account, removal), events, the running order, the published
reply order, the election calendar and the candidates' written reactions (services and pages)."""

import datetime
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from concerto.campaigns.errors import ElectionRoundNotFound
from concerto.campaigns.models import ElectionRound
from concerto.campaigns.services import election_round_delete, election_round_save
from concerto.core.errors import FieldErrors, NotAllowed
from concerto.live_event import services
from concerto.live_event.errors import (
    CandidateHasPositions,
    ElectionFreeze,
    ItemInvalid,
    NotYourReaction,
    OrderAlreadyPublished,
)
from concerto.live_event.models import Candidate, RunningItem, WrittenReaction
from concerto.proposals.services import action_create_published_by_system
from concerto.residents.models import Role, TeamInvitation, User

from .conftest import new_id

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_pages(client, settings):
    """The pages' sentences are asserted in English, the msgid language, whatever the French catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _photo(content=PNG, name="photo.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


# --- Candidates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("content", [PNG, WEBP, JPEG])
def test_a_photo_is_kept_with_its_description_under_a_name_of_ours(campaign, organiser_dina, content):
    c = services.candidate_save(actor=organiser_dina, campaign=campaign, name="Claire Martin",
                                list_name="Saint-Jérôme en commun", photo=_photo(content, "../../évil.php"),
                                photo_alt="Claire Martin devant la mairie")
    assert c.photo and c.photo.name.startswith("candidates/candidate-") and "evil" not in c.photo.name
    assert c.photo_alt == "Claire Martin devant la mairie"


@pytest.mark.parametrize(("content", "alt", "field"), [
    (PNG, "", "photo_alt"),  # a photo needs its description
    (b"GIF89a" + b"\x00" * 40, "Une photo", "photo"),  # not JPEG, PNG or WebP, whatever its name says
    (b"<?php echo 1; ?>", "Une photo", "photo"),
    (PNG + b"\x00" * (2 * 1024 * 1024), "Une photo", "photo"),  # over 2 MB
])
def test_a_bad_photo_is_refused_and_nothing_is_saved(campaign, organiser_dina, content, alt, field):
    with pytest.raises(FieldErrors) as exc:
        services.candidate_save(actor=organiser_dina, campaign=campaign, name="Claire Martin",
                                list_name="Saint-Jérôme en commun", photo=_photo(content), photo_alt=alt)
    assert field in exc.value.errors
    assert not Candidate.objects.exists()


def test_only_organisers_manage_candidates(campaign, facilitator_fanny, candidate_claire, candidates):
    for person in (facilitator_fanny, candidate_claire):
        with pytest.raises(NotAllowed):
            services.candidate_save(actor=person, campaign=campaign, name="X", list_name="Y")
        with pytest.raises(NotAllowed):
            services.candidate_delete(actor=person, candidate=candidates[1])


def test_update_keeps_names_and_panel_places_unique(campaign, organiser_dina, candidates):
    with pytest.raises(FieldErrors) as exc:
        services.candidate_update(actor=organiser_dina, candidate=candidates[1], name="claire martin",
                                  list_name="Agir", ballot_order=1)
    assert set(exc.value.errors) == {"name", "ballot_order"}
    services.candidate_update(actor=organiser_dina, candidate=candidates[1], name="Paul Durand",
                              list_name="Agir pour Marseille", representative="Léa Durand", ballot_order=9)
    candidates[1].refresh_from_db()
    assert (candidates[1].list_name, candidates[1].representative, candidates[1].ballot_order) == (
        "Agir pour Marseille", "Léa Durand", 9)


def test_a_candidate_with_positions_or_a_published_order_stays(show, organiser_dina, facilitator_fanny, candidates):
    with pytest.raises(CandidateHasPositions):
        services.candidate_delete(actor=organiser_dina, candidate=candidates[2])  # in the published order
    assert Candidate.objects.filter(pk=candidates[2].pk).exists()


def test_a_candidate_added_by_mistake_is_removed(campaign, organiser_dina, candidates, event):
    services.candidate_delete(actor=organiser_dina, candidate=candidates[2])
    assert not Candidate.objects.filter(pk=candidates[2].pk).exists()


def test_the_account_invitation_links_a_new_account_with_the_candidate_role(campaign, organiser_dina, candidates):
    candidate, url = services.candidate_account_invite(actor=organiser_dina, candidate=candidates[1],
                                                       email="Paul@Example.org", build_url=lambda s: f"/i/{s}/")
    account = User.objects.get(email="paul@example.org")
    assert candidate.user == account and not account.has_usable_password()
    assert TeamInvitation.objects.get(email="paul@example.org").role == Role.CANDIDATE and url.startswith("/i/")
    # An address already writing for another list is refused.
    with pytest.raises(FieldErrors):
        services.candidate_account_invite(actor=organiser_dina, candidate=candidates[2], email="paul@example.org",
                                          build_url=lambda s: s)


def test_an_account_that_already_has_the_role_is_linked_without_invitation(campaign, organiser_dina, candidates,
                                                                          candidate_claire):
    Candidate.objects.filter(pk=candidates[0].pk).update(user=None)
    candidate, url = services.candidate_account_invite(actor=organiser_dina, candidate=candidates[0],
                                                       email="claire@example.org", build_url=lambda s: s)
    assert candidate.user == candidate_claire and url == ""


# --- Events and running order -------------------------------------------------------------------

def test_event_update_checks_like_creation_and_changes_nothing_on_error(event, organiser_dina, facilitator_fanny):
    with pytest.raises(FieldErrors) as exc:
        services.event_update(actor=organiser_dina, event=event, title="", starts_at=event.starts_at,
                              stream_url="http://x.example", frame_origins=["https://ok.example", "https://*.bad"])
    assert set(exc.value.errors) == {"title", "stream_url", "frame_origins"}
    event.refresh_from_db()
    assert event.title == "Le plateau des candidats"
    services.event_update(actor=organiser_dina, event=event, title="Le grand oral", starts_at=event.starts_at,
                          frame_origins=["https://tv.example.org/"], questions_open=True)
    event.refresh_from_db()
    assert (event.title, event.frame_origins, event.questions_open) == ("Le grand oral", ["https://tv.example.org"],
                                                                        True)


def test_the_running_order_editor_orders_by_the_numbers(client, organiser_dina, event, actions):
    client.force_login(organiser_dina)
    url = reverse("live_event:running_order", args=[event.campaign.slug, event.pk])
    data = {f"position-{actions[0].pk}": "2", f"presenter-{actions[0].pk}": "Samia",
            f"position-{actions[2].pk}": "1", f"presenter-{actions[2].pk}": "Marcel"}
    assert client.post(url, data).status_code == 302
    items = list(RunningItem.objects.filter(event=event).order_by("position"))
    assert [(i.action_id, i.presenter) for i in items] == [(actions[2].pk, "Marcel"), (actions[0].pk, "Samia")]
    # Two actions at the same place, or a place that is not a number: said, nothing changed.
    for bad in ({f"position-{actions[0].pk}": "1", f"position-{actions[1].pk}": "1"},
                {f"position-{actions[0].pk}": "premier"}):
        response = client.post(url, bad)
        assert response.status_code == 400 and "error-summary" in response.content.decode()
    assert RunningItem.objects.filter(event=event).count() == 2


def test_publishing_the_order_then_the_order_page_shows_it_with_first_and_last_counts(
        client, organiser_dina, event, candidates, actions):
    order_url = reverse("live_event:order", args=[event.campaign.slug, event.pk])
    assert "not published yet" in client.get(order_url).content.decode()
    client.force_login(organiser_dina)
    publish = reverse("live_event:order_publish", args=[event.campaign.slug, event.pk])
    assert "can no longer change" in client.get(publish).content.decode()
    assert client.post(publish).status_code == 302
    event.refresh_from_db()
    client.logout()
    body = client.get(order_url).content.decode()
    assert event.order_seed in body and "python -m concerto.live_event.order" in body
    for c in candidates:
        assert c.name in body
    # 4 actions, 3 candidates: each replies first at least once and at most twice.
    firsts = {c.pk: 0 for c in candidates}
    for item in RunningItem.objects.filter(event=event):
        firsts[item.reply_order[0]] += 1
    assert sorted(firsts.values()) == [1, 1, 2]
    with pytest.raises(OrderAlreadyPublished):
        services.running_order_set(actor=organiser_dina, event=event, items=[(actions[0].pk, "")])


# --- Written reactions --------------------------------------------------------------------------

def test_a_candidate_writes_and_changes_their_own_reaction(candidates, candidate_claire, actions):
    r = services.written_reaction_save(actor=candidate_claire, candidate=candidates[0], action=actions[0],
                                       stance="favourable", text="Nous le ferons.")
    services.written_reaction_save(actor=candidate_claire, candidate=candidates[0], action=actions[0],
                                   stance="with_changes", text="Avec une piste cyclable.", improvement="Piste")
    r.refresh_from_db()
    assert (r.stance, r.text, r.improvement) == ("with_changes", "Avec une piste cyclable.", "Piste")
    assert WrittenReaction.objects.count() == 1


def test_nobody_writes_for_another_list(candidates, candidate_claire, organiser_dina, actions):
    for person in (candidate_claire, organiser_dina):
        with pytest.raises(NotYourReaction):
            services.written_reaction_save(actor=person, candidate=candidates[1], action=actions[0],
                                           stance="favourable")
    assert not WrittenReaction.objects.exists()


def test_bad_reactions_are_refused(campaign, candidates, candidate_claire, actions, other_campaign):
    with pytest.raises(FieldErrors) as exc:
        services.written_reaction_save(actor=candidate_claire, candidate=candidates[0], action=actions[0],
                                       stance="enthousiaste", text="x" * 2001, improvement="y" * 1001)
    assert set(exc.value.errors) == {"stance", "text", "improvement"}
    elsewhere = action_create_published_by_system(campaign=other_campaign, title="Ailleurs dans la ville",
                                                  summary="Une action d'une autre campagne, pas celle-ci.", origin="online")
    with pytest.raises(ItemInvalid):
        services.written_reaction_save(actor=candidate_claire, candidate=candidates[0], action=elsewhere,
                                       stance="favourable")


def test_the_reactions_page_shows_only_mine_and_a_crafted_post_cannot_reach_another_list(
        client, candidates, candidate_claire, actions, organiser_dina, event):
    paul = User.objects.create_user("paul@example.org", password="paul-password-123")
    from concerto.residents.services import role_grant_by_system
    role_grant_by_system(campaign=candidates[1].campaign, user=paul, role=Role.CANDIDATE)
    Candidate.objects.filter(pk=candidates[1].pk).update(user=paul)
    WrittenReaction.objects.create(candidate=candidates[1], action=actions[0], stance="unfavourable",
                                   text="Texte secret de Paul", created_at=timezone.now(), updated_at=timezone.now())
    client.force_login(candidate_claire)
    url = reverse("live_event:my_reactions", args=[candidates[0].campaign.slug])
    body = client.get(url).content.decode()
    assert "Texte secret de Paul" not in body and actions[0].title in body
    response = client.post(url, {"action": actions[0].pk, "stance": "commits", "text": "Claire s'engage",
                                 "candidate": candidates[1].pk})
    assert response.status_code == 302
    assert WrittenReaction.objects.get(candidate=candidates[1]).text == "Texte secret de Paul"
    assert WrittenReaction.objects.get(candidate=candidates[0]).stance == "commits"
    # The action's public page: every candidate, in panel order, « no written answer » said.
    page = client.get(reverse("proposals:detail", args=[actions[0].campaign.slug, actions[0].pk])).content.decode()
    section = page[page.index('id="written-reactions"'):]
    assert section.index("Claire Martin") < section.index("Paul Durand") < section.index("Inès Benali")
    assert "Claire s&#x27;engage" in section and "Texte secret de Paul" in section
    assert section.count("No written answer") == 1


@pytest.mark.parametrize("person", ["organiser_dina", "facilitator_fanny", "moderator_marc", "resident_alice"])
def test_the_reactions_page_is_the_candidates_only(client, request, person, candidates):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("live_event:my_reactions", args=[candidates[0].campaign.slug])).status_code == 404


# --- Who sees the set-up pages ------------------------------------------------------------------

SETUP_PAGES = [("live_event:candidates", False), ("live_event:candidate_create", False),
               ("live_event:events", False), ("live_event:event_create", False), ("live_event:calendar", False),
               ("live_event:candidate_edit", "cid"), ("live_event:candidate_delete", "cid"),
               ("live_event:event_edit", "pk"), ("live_event:running_order", "pk"),
               ("live_event:order_publish", "pk")]


def _url(campaign, name, extra, event, candidates):
    args = [campaign.slug] + ([event.pk] if extra == "pk" else [candidates[1].pk] if extra == "cid" else [])
    return reverse(name, args=args)


@pytest.mark.parametrize(("name", "extra"), SETUP_PAGES)
def test_set_up_pages_are_the_organisers_and_404_to_anyone_else(client, request, campaign, name, extra, event,
                                                               candidates, other_campaign):
    url = _url(campaign, name, extra, event, candidates)
    assert reverse("residents:sign_in") in client.get(url)["Location"]
    for person in ("facilitator_fanny", "moderator_marc", "resident_alice", "candidate_claire"):
        client.force_login(request.getfixturevalue(person))
        assert client.get(url).status_code == 404, person
    client.force_login(request.getfixturevalue("organiser_dina"))
    assert client.get(url).status_code == 200
    # Dina does not organise the other campaign: the same page there is 404.
    other = _url(other_campaign, name, extra, event, candidates)
    assert client.get(other).status_code == 404


def test_the_candidates_page_adds_with_a_photo_and_explains_a_refused_removal(client, organiser_dina, campaign,
                                                                             show, candidates):
    client.force_login(organiser_dina)
    response = client.post(reverse("live_event:candidate_create", args=[campaign.slug]), {
        "name": "Jeanne Roux", "list_name": "Le quartier vert", "photo": _photo(), "photo_alt": ""})
    assert response.status_code == 400 and "Describe the photo" in response.content.decode()
    response = client.post(reverse("live_event:candidate_create", args=[campaign.slug]), {
        "name": "Jeanne Roux", "list_name": "Le quartier vert", "photo": _photo(), "photo_alt": "Jeanne Roux"})
    assert response.status_code == 302
    body = client.get(reverse("live_event:candidates", args=[campaign.slug])).content.decode()
    body = body[body.index("<tbody"):]
    assert body.index("Claire Martin") < body.index("Jeanne Roux") and 'alt="Jeanne Roux"' in body
    response = client.post(reverse("live_event:candidate_delete", args=[campaign.slug, candidates[1].pk]))
    assert response.status_code == 400 and "cannot be removed" in response.content.decode()


def test_the_event_form_creates_then_edits(client, organiser_dina, campaign):
    client.force_login(organiser_dina)
    response = client.post(reverse("live_event:event_create", args=[campaign.slug]), {
        "title": "Le plateau", "starts_at": "14/03/2099 18:00", "stream_url": "https://v.example.org/x",
        "frame_origins": "https://tv.example.org\nhttps://partenaire.example.org", "target_gap_seconds": "60"})
    assert response.status_code == 302
    from concerto.live_event.models import Event
    event = Event.objects.get()
    assert event.frame_origins == ["https://tv.example.org", "https://partenaire.example.org"]
    response = client.post(reverse("live_event:event_edit", args=[campaign.slug, event.pk]), {
        "title": "Le plateau", "starts_at": "14/03/2099 18:00", "frame_origins": "ftp://x", "target_gap_seconds": "60"})
    assert response.status_code == 400 and "one site per line" in response.content.decode().lower()


# --- The election calendar and the eve-of-vote freeze -------------------------------------------

def test_round_two_comes_after_round_one_and_past_dates_are_refused(campaign, organiser_dina, moderator_marc):
    today = timezone.localdate()
    election_round_save(by=organiser_dina, campaign=campaign, number=1, vote_date=today + timedelta(days=20),
                        polls_close=datetime.time(19, 0))
    with pytest.raises(FieldErrors):
        election_round_save(by=organiser_dina, campaign=campaign, number=2, vote_date=today + timedelta(days=20),
                            polls_close=datetime.time(20, 0))
    with pytest.raises(FieldErrors):
        election_round_save(by=organiser_dina, campaign=campaign, number=2, vote_date=today - timedelta(days=2),
                            polls_close=datetime.time(20, 0))
    with pytest.raises(FieldErrors):
        election_round_save(by=organiser_dina, campaign=campaign, number=3, vote_date=today + timedelta(days=30),
                            polls_close=datetime.time(20, 0))
    with pytest.raises(ElectionRoundNotFound):
        election_round_save(by=moderator_marc, campaign=campaign, number=2, vote_date=today + timedelta(days=27),
                            polls_close=datetime.time(20, 0))
    election_round_save(by=organiser_dina, campaign=campaign, number=2, vote_date=today + timedelta(days=27),
                        polls_close=datetime.time(20, 0))
    assert ElectionRound.objects.filter(campaign=campaign).count() == 2
    election_round_delete(by=organiser_dina, campaign=campaign, number=2)
    assert ElectionRound.objects.filter(campaign=campaign).count() == 1


def test_the_calendar_page_saves_a_round(client, organiser_dina, campaign):
    client.force_login(organiser_dina)
    vote = timezone.localdate() + timedelta(days=40)
    response = client.post(reverse("live_event:calendar", args=[campaign.slug]),
                           {"number": "1", "vote_date": vote.isoformat(), "polls_close": "19:00"})
    assert response.status_code == 302
    assert ElectionRound.objects.get(campaign=campaign).polls_close == datetime.time(19, 0)


def _eve_midnight(vote_date):
    return timezone.make_aware(datetime.datetime.combine(vote_date - timedelta(days=1), datetime.time(0, 0)))


@pytest.fixture
def vote(campaign):
    """Round 1 in three days; participation is open around it (conftest: ±10 days)."""
    return ElectionRound.objects.create(campaign=campaign, number=1, vote_date=timezone.localdate() + timedelta(days=3),
                                        polls_close=datetime.time(20, 0))


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_the_eve_at_midnight_refuses_supports_comments_proposals_and_reactions(
        vote, published_action, resident_alice, resident_bob, campaign, candidates, candidate_claire, actions):
    from concerto.campaigns.errors import ElectionFreeze as CampaignFreeze
    from concerto.proposals.services import action_propose, comment_add, support_add

    eve = _eve_midnight(vote.vote_date)
    assert str(eve.tzinfo) == "Europe/Paris"
    with _at(eve - timedelta(minutes=1)):  # 23:59 the day before the eve: still open
        assert support_add(user=resident_alice, action=published_action)
    with _at(eve):
        with pytest.raises(CampaignFreeze) as exc:
            support_add(user=resident_bob, action=published_action)
        assert "L49" in str(exc.value.message)
        with pytest.raises(CampaignFreeze):
            comment_add(user=resident_alice, action=published_action, body="Un commentaire la veille du vote.")
        with pytest.raises(CampaignFreeze):
            action_propose(user=resident_alice, campaign=campaign, title="Une idée la veille du vote",
                           summary="Proposée pendant la période de réserve électorale.")
        with pytest.raises(ElectionFreeze):
            services.written_reaction_save(actor=candidate_claire, candidate=candidates[0], action=actions[0],
                                           stance="favourable")
    polls_close = timezone.make_aware(datetime.datetime.combine(vote.vote_date, datetime.time(20, 0)))
    with _at(polls_close):  # the polls are closed: open again
        assert support_add(user=resident_bob, action=published_action)


def test_the_frozen_pages_say_why_and_stay_readable(client, vote, published_action, campaign, resident_alice):
    eve = _eve_midnight(vote.vote_date)
    with _at(eve - timedelta(minutes=1)):
        body = client.get(reverse("proposals:detail", args=[campaign.slug, published_action.pk])).content.decode()
        assert "L49" not in body
    with _at(eve):
        for url in (reverse("proposals:detail", args=[campaign.slug, published_action.pk]),
                    reverse("proposals:list", args=[campaign.slug]),
                    reverse("dashboard:campaign_home", args=[campaign.slug])):
            response = client.get(url)
            assert response.status_code == 200 and "L49" in response.content.decode(), url
        assert "Sécuriser la traversée" in client.get(reverse("proposals:list", args=[campaign.slug])).content.decode()
        client.force_login(resident_alice)
        response = client.post(reverse("proposals:support", args=[campaign.slug, published_action.pk]))
        assert published_action.supports.count() == 0, response.status_code


def test_the_candidate_page_says_why_during_the_freeze(client, vote, candidates, candidate_claire, actions):
    with _at(_eve_midnight(vote.vote_date) + timedelta(hours=3)):
        client.force_login(candidate_claire)
        url = reverse("live_event:my_reactions", args=[candidates[0].campaign.slug])
        body = client.get(url).content.decode()
        assert "L49" in body and 'name="stance"' not in body
        response = client.post(url, {"action": actions[0].pk, "stance": "favourable"})
        assert response.status_code == 400 and not WrittenReaction.objects.exists()


def test_a_position_recorded_during_the_freeze_is_refused(show, facilitator_fanny, candidates, campaign):
    ElectionRound.objects.create(campaign=campaign, number=1, vote_date=timezone.localdate() + timedelta(days=1),
                                 polls_close=datetime.time(20, 0))
    moment = _eve_midnight(timezone.localdate() + timedelta(days=1)) + timedelta(hours=1)
    with _at(moment), pytest.raises(ElectionFreeze):
        services.position_record(actor=facilitator_fanny, event=show, item_id=show.on_air_id,
                                 candidate_id=candidates[0].pk, stance="favourable", client_id=new_id())


def test_moderators_publish_nothing_during_the_freeze(vote, campaign, moderator_marc, resident_alice):
    from concerto.campaigns.errors import ElectionFreeze as CampaignFreeze
    from concerto.proposals.services import action_propose, action_publish

    pending = action_propose(user=resident_alice, campaign=campaign, title="Une idée avant la réserve",
                             summary="Proposée avant la période de réserve électorale.")
    with _at(_eve_midnight(vote.vote_date)), pytest.raises(CampaignFreeze):
        action_publish(moderator=moderator_marc, campaign=campaign, action_id=pending.pk)
    pending.refresh_from_db()
    assert pending.status == "pending"

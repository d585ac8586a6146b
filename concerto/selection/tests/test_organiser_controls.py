"""Issue 10, "no silent traps" in selections: the announced moment of the random value, deleting and
archiving, the workshop panel behind public figures, notifications previewed and answered.

Each trap test fails on the code before issue 10: there, a draw on the announced day but before
the lottery was accepted, nothing could be deleted, the latest drawn selection (a rehearsal
included) fed the public figures, and notifications went out unseen, without place, time or a way
to answer.
"""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from concerto.core.models import AuditEntry
from concerto.selection import notifications, selectors, services
from concerto.selection.errors import (
    CannotArchive,
    CannotDelete,
    DrawTooEarly,
    IsArchived,
    NotifyNotPreviewed,
    NotifyUnprepared,
)
from concerto.selection.models import (
    SeatAnswer,
    SeatStatus,
    Selection,
    SelectionSeat,
    SelectionStatus,
)

from .factories import (
    WORKSHOP_PLACE,
    create_selection,
    drawn_selection,
    make_pool,
    prepared_notice,
    published_selection,
)

AUDIT_URL = "https://concerto.example/c/quartier-test/selections/1/"
LOTO = {"kind": "lottery", "count": 3, "low": 1, "high": 49}


@pytest.fixture
def pool(campaign):
    return make_pool(campaign, 12)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _at(monkeypatch, moment):
    """Move the clock of the whole process (timezone.now) to ``moment``."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _journal(selection, code):
    return AuditEntry.objects.filter(code=code, target=f"selection.selection:{selection.pk}")


# --- 1. The moment the random value is known ---------------------------------------------------


def _announced_for_tonight(campaign, organiser):
    """Announced this morning (10:00) for a lottery drawn tonight at 21:00."""
    selection = published_selection(campaign, organiser)
    return services.selection_announce(
        by=organiser, selection=selection, random_source="Les trois premiers numéros du Loto de ce soir",
        witnesses="Maître Dupont", random_format=LOTO, random_known_at=TONIGHT)


TONIGHT = timezone.make_aware(datetime.datetime(2031, 3, 10, 21, 0))
MORNING = timezone.make_aware(datetime.datetime(2031, 3, 10, 10, 0))


def test_draw_on_the_announced_day_but_before_the_lottery_is_refused(campaign, pool, organiser_dina, monkeypatch):
    _at(monkeypatch, MORNING)
    selection = _announced_for_tonight(campaign, organiser_dina)
    assert selection.random_known_at == TONIGHT and selection.random_date == TONIGHT.date()
    with pytest.raises(DrawTooEarly) as refused:
        services.selection_draw(by=organiser_dina, selection=selection, random_value="4 2 6")
    assert refused.value.code == "random_value_not_known_yet" and refused.value.status == 409
    assert "21:00" in refused.value.message
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ANNOUNCED and not selection.random_value
    assert not SelectionSeat.objects.filter(selection=selection).exists()
    _at(monkeypatch, TONIGHT + datetime.timedelta(minutes=20))
    selection = services.selection_draw(by=organiser_dina, selection=selection, random_value="4 2 6")
    assert selection.status == SelectionStatus.DRAWN


def test_the_page_and_the_api_refuse_an_early_draw_and_say_when(english, campaign, pool, organiser_dina, monkeypatch):
    from concerto.residents.services import api_token_create

    _at(monkeypatch, MORNING)
    selection = _announced_for_tonight(campaign, organiser_dina)
    english.force_login(organiser_dina)
    manage = english.get(reverse("selection:manage", args=[campaign.slug, selection.pk])).content.decode()
    assert "the draw will be possible from then on" in manage
    page = english.post(reverse("selection:draw", args=[campaign.slug, selection.pk]), {"random_value": "4 2 6"})
    assert page.status_code == 409 and "only known on" in page.content.decode()
    _token, secret = api_token_create(user=organiser_dina, name="test", scope="write")
    api = english.post(f"/api/v1/campaigns/{campaign.slug}/selections/{selection.pk}/draw",
                       {"random_value": "4 2 6"}, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 409 and api.json()["code"] == "random_value_not_known_yet"
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ANNOUNCED


def test_the_announced_moment_must_not_be_past_and_is_public(english, campaign, pool, organiser_dina):
    selection = published_selection(campaign, organiser_dina)
    english.force_login(organiser_dina)
    args = [campaign.slug, selection.pk]
    past = (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    form = {"random_source": "Le Loto de ce soir", "witnesses": "Maître Dupont", "format_kind": "lottery",
            "lottery_count": "3", "lottery_low": "1", "lottery_high": "49"}
    refused = english.post(reverse("selection:announce", args=args), {**form, "random_known_at": past})
    assert refused.status_code == 400 and 'id="id_random_known_at_error"' in refused.content.decode()
    later = timezone.localtime() + datetime.timedelta(days=2)
    assert english.post(reverse("selection:announce", args=args),
                        {**form, "random_known_at": later.strftime("%Y-%m-%dT%H:%M")}).status_code == 302
    english.logout()
    english.cookies["django_language"] = "en"
    public = english.get(reverse("selection:detail", args=args)).content.decode()
    assert later.strftime("%H:%M") in public
    document = english.get(reverse("selection:audit_json", args=args)).json()
    assert document["meta"]["random_known_at"].startswith(later.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M"))


# --- 2. Deleting drafts, archiving public selections ----------------------------------------------


def test_a_draft_is_deleted_after_confirmation_and_the_journal_keeps_it(english, campaign, pool, organiser_dina):
    draft = create_selection(campaign, organiser_dina, title="Essai de quotas")
    english.force_login(organiser_dina)
    url = reverse("selection:delete", args=[campaign.slug, draft.pk])
    confirm = english.get(url)
    assert confirm.status_code == 200 and "Delete for good" in confirm.content.decode()
    assert Selection.objects.filter(pk=draft.pk).exists()  # the GET only asks
    response = english.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("selection:list", args=[campaign.slug])
    assert not Selection.objects.filter(pk=draft.pk).exists()
    entry = _journal(draft, "selection.selection.deleted").get()
    assert entry.actor == organiser_dina and entry.data["title"] == "Essai de quotas"


def test_a_public_selection_is_never_erased_only_archived(english, campaign, pool, organiser_dina, resident_alice):
    drawn = drawn_selection(campaign, organiser_dina, title="Tirage de répétition")
    with pytest.raises(CannotDelete):
        services.selection_delete(by=organiser_dina, selection=drawn)
    english.force_login(organiser_dina)
    refused = english.post(reverse("selection:delete", args=[campaign.slug, drawn.pk]))
    assert refused.status_code == 302 and Selection.objects.filter(pk=drawn.pk).exists()

    english.post(reverse("selection:archive", args=[campaign.slug, drawn.pk]))
    drawn.refresh_from_db()
    assert drawn.archived_at is not None and _journal(drawn, "selection.selection.archived").exists()
    assert drawn.pk not in [s.pk for s in selectors.selections_for(campaign, organiser_dina)]
    assert [s.pk for s in selectors.selections_for(campaign, resident_alice, archived=True)] == [drawn.pk]
    english.logout()
    english.cookies["django_language"] = "en"
    listing = english.get(reverse("selection:list", args=[campaign.slug])).content.decode()
    assert "Tirage de répétition" not in listing and "1 archived selection" in listing
    # Still checkable at the same addresses, by anyone.
    audit = english.get(reverse("selection:detail", args=[campaign.slug, drawn.pk]))
    assert audit.status_code == 200 and "Archived by the organisers" in audit.content.decode()
    assert english.get(reverse("selection:audit_json", args=[campaign.slug, drawn.pk])).status_code == 200
    api = english.get(f"/api/v1/campaigns/{campaign.slug}/selections")
    assert drawn.pk not in [s["id"] for s in api.json()]
    assert [s["id"] for s in english.get(f"/api/v1/campaigns/{campaign.slug}/selections?archived=true").json()] \
        == [drawn.pk]
    # Frozen: nothing changes any more.
    with pytest.raises(IsArchived):
        services.selection_archive(by=organiser_dina, selection=drawn)
    with pytest.raises(IsArchived):
        services.selection_set_workshop_panel(by=organiser_dina, selection=drawn)
    seat = SelectionSeat.objects.filter(selection=drawn, status=SeatStatus.SELECTED).first()
    with pytest.raises(IsArchived):
        services.seat_replace(by=organiser_dina, selection=drawn, seat_id=seat.pk, force=True)
    seat.refresh_from_db()
    assert seat.status == SeatStatus.SELECTED


def test_deleting_and_archiving_are_for_the_right_stages_and_people(campaign, pool, organiser_dina, resident_alice):
    from concerto.selection.errors import SelectionNotFound

    draft = create_selection(campaign, organiser_dina)
    with pytest.raises(CannotArchive):
        services.selection_archive(by=organiser_dina, selection=draft)
    with pytest.raises(SelectionNotFound):
        services.selection_delete(by=resident_alice, selection=draft)
    published = published_selection(campaign, organiser_dina)
    with pytest.raises(CannotDelete):
        services.selection_delete(by=organiser_dina, selection=published)
    assert Selection.objects.filter(pk__in=[draft.pk, published.pk]).count() == 2


# --- 3. The workshop panel, the only source of public figures -------------------------------------


def test_a_rehearsal_draw_does_not_show_in_public_figures(english, campaign, pool, organiser_dina):
    drawn_selection(campaign, organiser_dina, panel_size=3, title="Répétition du tirage")
    home = english.get(reverse("dashboard:campaign_home", args=[campaign.slug])).content.decode()
    assert "Workshop participants drawn" not in home
    stats = english.get(f"/api/v1/campaigns/{campaign.slug}/stats").json()
    assert not stats["workshop_participants"]


def test_only_the_chosen_workshop_panel_feeds_public_figures(english, campaign, pool, organiser_dina):
    real = drawn_selection(campaign, organiser_dina, panel_size=4, title="Tirage des ateliers")
    english.force_login(organiser_dina)
    english.post(reverse("selection:workshop_panel", args=[campaign.slug, real.pk]))
    real.refresh_from_db()
    assert real.is_workshop_panel and _journal(real, "selection.workshop_panel.set").exists()
    # A later test draw, bigger: the figures keep counting the workshop panel.
    drawn_selection(campaign, organiser_dina, panel_size=5, title="Tirage d'essai")
    assert selectors.selection_figures(campaign) == {"workshop_participants": 4}
    english.logout()
    english.cookies["django_language"] = "en"
    stats = english.get(f"/api/v1/campaigns/{campaign.slug}/stats").json()
    assert stats["workshop_participants"] == 4


def test_at_most_one_workshop_panel_per_campaign(campaign, pool, organiser_dina):
    first = drawn_selection(campaign, organiser_dina, panel_size=4)
    second = drawn_selection(campaign, organiser_dina, panel_size=4)
    services.selection_set_workshop_panel(by=organiser_dina, selection=first)
    services.selection_set_workshop_panel(by=organiser_dina, selection=second)
    assert list(Selection.objects.filter(is_workshop_panel=True).values_list("pk", flat=True)) == [second.pk]
    # The database itself refuses two, and a panel that is not drawn.
    with pytest.raises(IntegrityError), transaction.atomic():
        Selection.objects.filter(pk=first.pk).update(is_workshop_panel=True)
    draft = create_selection(campaign, organiser_dina)
    Selection.objects.filter(pk=second.pk).update(is_workshop_panel=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Selection.objects.filter(pk=draft.pk).update(is_workshop_panel=True)
    with pytest.raises(services.WrongStage):
        services.selection_set_workshop_panel(by=organiser_dina, selection=draft)


# --- 4. Notifications: edited, previewed, with place and time, answered -------------------------


@pytest.fixture
def drawn(campaign, organiser_dina):
    make_pool(campaign, 12, no_email_every=4)
    return drawn_selection(campaign, organiser_dina)


def test_nothing_is_sent_before_the_place_time_and_preview(drawn, organiser_dina, django_capture_on_commit_callbacks):
    with pytest.raises(NotifyUnprepared), django_capture_on_commit_callbacks(execute=True):
        services.selection_notify(by=organiser_dina, selection=drawn, audit_url=AUDIT_URL, previewed="")
    digest = prepared_notice(drawn, organiser_dina, text="Venez nombreux.")
    # The text changed after the preview: refused, nothing sent.
    services.selection_workshop_update(by=organiser_dina, selection=drawn, workshop_place=WORKSHOP_PLACE,
                                       workshop_starts_at=drawn.workshop_starts_at or timezone.now()
                                       + datetime.timedelta(days=7), notice_text="Autre texte.")
    with pytest.raises(NotifyNotPreviewed), django_capture_on_commit_callbacks(execute=True):
        services.selection_notify(by=organiser_dina, selection=drawn, audit_url=AUDIT_URL, previewed=digest)
    assert not mail.outbox
    assert not SelectionSeat.objects.filter(selection=drawn, notified_at__isnull=False).exists()


def test_the_organiser_edits_previews_then_sends_with_place_and_time(english, campaign, drawn, organiser_dina,
                                                                      django_capture_on_commit_callbacks):
    english.force_login(organiser_dina)
    url = reverse("selection:message", args=[campaign.slug, drawn.pk])
    assert "Save and preview" in english.get(url).content.decode()
    bad = english.post(url, {"workshop_place": "", "workshop_starts_at": "pas une date"})
    assert bad.status_code == 400 and 'id="id_workshop_place_error"' in bad.content.decode()
    drawn.refresh_from_db()
    assert not drawn.workshop_place
    starts = (timezone.localtime() + datetime.timedelta(days=9)).replace(hour=18, minute=30)
    saved = english.post(url, {"workshop_place": "Maison de quartier, salle 2",
                               "workshop_starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
                               "notice_text": "Un goûter est prévu."})
    assert saved.status_code == 302
    preview = english.get(url).content.decode()
    assert "Maison de quartier, salle 2" in preview and "6:30 p.m." in preview and "Un goûter est prévu." in preview
    drawn.refresh_from_db()
    digest = notifications.notice_digest(drawn)
    assert f'value="{digest}"' in preview
    with django_capture_on_commit_callbacks(execute=True):
        sent = english.post(reverse("selection:notify", args=[campaign.slug, drawn.pk]), {"previewed": digest})
    assert sent.status_code == 302 and len(mail.outbox) == 9
    selected = [m for m in mail.outbox if "selected" in m.subject]
    assert selected and all("Maison de quartier, salle 2" in m.body and "6:30 p.m." in m.body
                            and "Un goûter est prévu." in m.body and "/selections/reponse/?t=" in m.body
                            for m in selected)


def test_a_selected_person_declines_and_the_organiser_calls_the_next_reserve(english, campaign, drawn,
                                                                              organiser_dina):
    seat = SelectionSeat.objects.filter(selection=drawn, status=SeatStatus.SELECTED).select_related("volunteer").first()
    token = notifications.answer_token(seat.pk)
    url = reverse("selection:answer", args=[campaign.slug])
    page = english.get(url, {"t": token})
    assert page.status_code == 200 and "Do you take part in the workshops?" in page.content.decode()
    seat.refresh_from_db()
    assert seat.answer == ""  # a GET (a mail scanner) answers nothing
    english.post(url, {"t": token, "answer": "confirmed"})
    english.post(url, {"t": token, "answer": "declined"})
    seat.refresh_from_db()
    assert seat.answer == SeatAnswer.DECLINED and seat.answered_at is not None
    assert _journal(drawn, "selection.seat.declined").exists()

    english.force_login(organiser_dina)
    manage = english.get(reverse("selection:manage", args=[campaign.slug, drawn.pk])).content.decode()
    assert "declined" in manage and "Declined: call the next reserve" in manage
    english.post(reverse("selection:replace", args=[campaign.slug, drawn.pk, seat.pk]), {"force": "1"})
    seat.refresh_from_db()
    assert seat.status == SeatStatus.WITHDRAWN and seat.replacement_info["reason"] == "declined"
    replacement = SelectionSeat.objects.get(replaces=seat)
    assert replacement.status == SeatStatus.SELECTED
    entry = _journal(drawn, "selection.seat.replaced").get()
    assert entry.actor == organiser_dina and entry.data["reason"] == "declined"
    # The old link now says the place was given away; answering changes nothing.
    english.logout()
    english.cookies["django_language"] = "en"
    english.post(url, {"t": token, "answer": "confirmed"})
    seat.refresh_from_db()
    assert seat.answer == SeatAnswer.DECLINED
    assert "no longer on the panel" in english.get(url, {"t": token}).content.decode()


def test_a_forged_or_foreign_answer_link_is_not_found(english, campaign, other_campaign, drawn):
    seat = SelectionSeat.objects.filter(selection=drawn, status=SeatStatus.SELECTED).first()
    url = reverse("selection:answer", args=[campaign.slug])
    assert english.get(url, {"t": f"{seat.pk}:forged"}).status_code == 404
    assert english.post(url, {"t": str(seat.pk), "answer": "declined"}).status_code == 404
    foreign = reverse("selection:answer", args=[other_campaign.slug])
    assert english.get(foreign, {"t": notifications.answer_token(seat.pk)}).status_code == 404
    seat.refresh_from_db()
    assert seat.answer == ""


# --- 5. The audit page: a plain summary and "Am I drawn?" --------------------------------------


def test_the_audit_page_opens_with_a_plain_summary(english, campaign, pool, organiser_dina):
    drawn = drawn_selection(campaign, organiser_dina)
    page = english.get(reverse("selection:detail", args=[campaign.slug, drawn.pk])).content.decode()
    summary = page.index("In short")
    assert summary < page.index("Hash of the pseudonymised pool")
    assert "4 people were drawn by lot among 12 volunteers." in page
    marginals = selectors.audit_view(drawn)["marginals"].values()
    low, high = min(marginals) * 100, max(marginals) * 100
    if high - low < 1e-6:
        assert "Every volunteer has the same chance of being drawn: 33.3 %." in page
    else:
        assert f"between {low:.1f} % and {high:.1f} %, 33.3 % on average" in page
    assert "Am I drawn?" in page and 'name="pseudonyme"' in page


def test_am_i_drawn_answers_by_pseudonym_without_personal_data(english, campaign, pool, organiser_dina):
    drawn = drawn_selection(campaign, organiser_dina)
    url = reverse("selection:lookup", args=[campaign.slug, drawn.pk])
    seat = SelectionSeat.objects.filter(selection=drawn, status=SeatStatus.SELECTED).select_related(
        "volunteer__user").first()
    reserve = SelectionSeat.objects.filter(selection=drawn, status=SeatStatus.RESERVE, reserve_rank=2).select_related(
        "volunteer").get()
    found = english.get(url, {"pseudonyme": seat.volunteer.pseudonym.lower().replace("-", " - ")})
    text = found.content.decode()
    assert found.status_code == 200 and f"Yes: {seat.volunteer.pseudonym} is on the panel" in text
    assert seat.volunteer.user.email not in text and seat.volunteer.user.display_name not in text
    assert "number 2 on the reserve list" in english.get(url, {"pseudonyme": reserve.volunteer.pseudonym}).content.decode()
    assert "No volunteer of this selection" in english.get(url, {"pseudonyme": "V-ZZZZ"}).content.decode()
    assert english.get(url, {"pseudonyme": ""}).status_code == 400


@override_settings(CONCERTO_RATE_LIMITS={"selection_lookup": (2, 600)})
def test_am_i_drawn_is_rate_limited(english, campaign, pool, organiser_dina):
    drawn = drawn_selection(campaign, organiser_dina)
    url = reverse("selection:lookup", args=[campaign.slug, drawn.pk])
    for _attempt in range(2):
        assert english.get(url, {"pseudonyme": "V-ZZZZ"}).status_code == 200
    refused = english.get(url, {"pseudonyme": "V-ZZZZ"})
    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()


def test_am_i_drawn_on_a_draft_is_not_found(english, campaign, pool, organiser_dina):
    draft = create_selection(campaign, organiser_dina)
    assert english.get(reverse("selection:lookup", args=[campaign.slug, draft.pk]),
                       {"pseudonyme": "V-ZZZZ"}).status_code == 404

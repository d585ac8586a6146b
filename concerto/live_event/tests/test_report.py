"""The fairness report (équité du temps de parole), its signed CSV, and the replay chapters."""

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from concerto.core.models import AuditEntry
from concerto.live_event import report, services
from concerto.live_event.models import AirSpan, Event, EventStatus, SpeakingTurn

from .conftest import new_id, record_turn

pytestmark = pytest.mark.django_db


def _end(event, who):
    services.event_end(actor=who, event=event)
    event.refresh_from_db()
    return event


# --- The figures --------------------------------------------------------------------------------

def test_a_running_turn_counts_up_to_now_and_the_figures_are_provisional(show, facilitator_fanny):
    claire = show.campaign.candidates.order_by("ballot_order").first()
    turn = services.turn_start(actor=facilitator_fanny, event=show, candidate_id=claire.pk, client_id=new_id())
    data = report.fairness_report(show, now=turn.started_at + timedelta(seconds=30))
    assert data["provisional"] and data["lines"][0]["seconds"] == 30 and data["lines"][0]["turns"] == 1
    assert data["lines"][0]["time"] == "00:30"
    with translation.override("en"):
        assert "for now" in report.gap_sentence(data)


def test_speaking_time_per_candidate_and_per_action(recorded):
    event, items, (claire, paul, ines), _t0 = recorded
    data = report.fairness_report(event)
    assert [line["candidate"] for line in data["lines"]] == [claire, paul, ines]  # the panel's order
    assert [(line["seconds"], line["time"], line["turns"]) for line in data["lines"]] == [
        (100, "01:40", 2), (60, "01:00", 1), (45, "00:45", 1)]
    claire_cells = data["lines"][0]["cells"]
    assert [(c["item"].pk, c["seconds"], c["turns"]) for c in claire_cells] == [
        (items[0].pk, 70, 1), (items[1].pk, 30, 1), (items[2].pk, 0, 0), (items[3].pk, 0, 0)]
    assert [cell["seconds"] for cell in data["by_item"][0]["cells"]] == [70, 60, 0]
    assert data["gap"] == 55 and data["met"]


def test_first_and_last_come_from_the_reply_orders_of_the_actions_on_air(recorded):
    event, items, candidates, _t0 = recorded
    data = report.fairness_report(event)
    aired = items[:2]  # items 3 and 4 never went on air: their order gives nobody a first or a last
    for line in data["lines"]:
        pk = line["candidate"].pk
        assert line["first"] == sum(1 for i in aired if i.reply_order[0] == pk)
        assert line["last"] == sum(1 for i in aired if i.reply_order[-1] == pk)
    assert sum(line["first"] for line in data["lines"]) == 2 == sum(line["last"] for line in data["lines"])
    assert data["aired_count"] == 2


def test_the_gap_against_the_target_in_a_sentence(recorded, facilitator_fanny):
    event, _items, _c, _t0 = recorded
    event = _end(event, facilitator_fanny)
    with translation.override("en"):
        data = report.fairness_report(event)
        assert report.gap_sentence(data) == ("The gap between the most and the least exposed is 55 s: "
                                             "the target of 1 min is met.")
        Event.objects.filter(pk=event.pk).update(target_gap_seconds=30)
        event.refresh_from_db()
        data = report.fairness_report(event)
        assert not data["met"]
        assert report.gap_sentence(data) == ("The gap between the most and the least exposed is 55 s: "
                                             "the target of 30 s is not met (25 s over).")


def test_before_the_show_nothing_is_counted(event):
    data = report.fairness_report(event)
    assert not data["started"] and data["gap"] == 0 and data["met"]
    assert all(line["seconds"] == 0 for line in data["lines"])


# --- The CSV and its signature ------------------------------------------------------------------

def _rows(body: bytes):
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_one_row_per_candidate_and_per_candidate_and_action(recorded):
    event, items, (claire, _paul, _ines), _t0 = recorded
    body = report.fairness_csv(report.fairness_report(event))
    assert b"\r\n" in body
    rows = _rows(body)
    assert rows[0] == list(report.CSV_COLUMNS)
    assert len(rows) == 1 + 3 * (1 + len(items))
    head = dict(zip(rows[0], rows[1], strict=True))
    assert head == {"ligne": "candidat", "ordre_panneau": str(claire.ballot_order), "candidat": "Claire Martin",
                    "liste": "Saint-Jérôme en commun", "ordre_conducteur": "", "action": "", "secondes": "100",
                    "duree": "01:40", "interventions": "2", "premier": head["premier"], "dernier": head["dernier"]}
    first_action = dict(zip(rows[0], rows[2], strict=True))
    assert first_action["ligne"] == "action" and first_action["action"] == items[0].action.title
    assert first_action["secondes"] == "70" and first_action["ordre_conducteur"] == "1"
    assert first_action["premier"] == ("1" if items[0].reply_order[0] == claire.pk else "0")


def test_a_title_like_a_formula_is_kept_as_text_in_the_csv(recorded):
    event, items, _c, _t0 = recorded
    action = items[0].action
    action.title = "=HYPERLINK(\"http://x\")"
    action.save(update_fields=["title"])
    rows = _rows(report.fairness_csv(report.fairness_report(event)))
    assert rows[2][5].startswith("'=")


def test_the_same_record_gives_the_same_signature_and_a_change_another(recorded, facilitator_fanny):
    event, _items, (claire, _p, _i), _t0 = recorded
    event = _end(event, facilitator_fanny)
    first = report.csv_digest(report.fairness_csv(report.fairness_report(event)))
    later = report.csv_digest(report.fairness_csv(report.fairness_report(event, now=timezone.now() + timedelta(days=3))))
    with translation.override("en"):
        english = report.csv_digest(report.fairness_csv(report.fairness_report(event)))
    assert first == later == english
    turn = SpeakingTurn.objects.filter(candidate=claire).first()
    SpeakingTurn.objects.filter(pk=turn.pk).update(ended_at=turn.ended_at + timedelta(seconds=4))
    assert report.csv_digest(report.fairness_csv(report.fairness_report(event))) != first


def test_the_end_of_the_show_records_the_signature_and_a_later_change_shows(recorded, facilitator_fanny, client):
    event, _items, (claire, _p, _i), _t0 = recorded
    event = _end(event, facilitator_fanny)
    signed = AuditEntry.objects.get(code="live.report_signed")
    assert signed.actor == facilitator_fanny and signed.target == f"live_event.event:{event.pk}"
    download = client.get(reverse("live_event:report_csv", args=[event.campaign.slug, event.pk]))
    assert hashlib.sha256(download.content).hexdigest() == signed.data["sha256"]
    page = client.get(reverse("live_event:report", args=[event.campaign.slug, event.pk])).content.decode()
    assert signed.data["sha256"] in page
    assert AuditEntry.objects.filter(code="live.report_signed").count() == 1  # reading records nothing new

    turn = SpeakingTurn.objects.filter(candidate=claire).first()
    SpeakingTurn.objects.filter(pk=turn.pk).update(ended_at=turn.ended_at + timedelta(seconds=4))
    page = client.get(reverse("live_event:report", args=[event.campaign.slug, event.pk])).content.decode()
    entries = list(AuditEntry.objects.filter(code="live.report_signed").order_by("id"))
    assert len(entries) == 2 and entries[1].actor is None
    assert entries[1].data["sha256"] in page and entries[0].data["sha256"] in page  # the change is visible


def test_an_event_ended_without_a_signature_gets_one_when_first_read(recorded, client):
    event, _items, _c, _t0 = recorded
    Event.objects.filter(pk=event.pk).update(status=EventStatus.ENDED, ended_at=timezone.now())
    assert not AuditEntry.objects.filter(code="live.report_signed").exists()
    client.get(reverse("live_event:report_csv", args=[event.campaign.slug, event.pk]))
    client.get(reverse("live_event:report", args=[event.campaign.slug, event.pk]))
    assert AuditEntry.objects.filter(code="live.report_signed").count() == 1


def test_no_signature_while_the_show_is_on_air(show, client):
    page = client.get(reverse("live_event:report", args=[show.campaign.slug, show.pk]))
    assert page.status_code == 200
    assert not AuditEntry.objects.filter(code="live.report_signed").exists()
    assert 'class="digest"' not in page.content.decode()


# --- Replay chapters ----------------------------------------------------------------------------

def test_chapters_are_timecoded_from_the_start_with_the_turns_inside_their_action(recorded, facilitator_fanny):
    event, items, (claire, paul, ines), _t0 = recorded
    event = _end(event, facilitator_fanny)
    chapters = report.replay_chapters(event)["chapters"]
    assert [(c["kind"], c["timecode"]) for c in chapters] == [("action", "00:00:05"), ("action", "00:05:00")]
    assert chapters[0]["title"] == f"1. {items[0].action.title}"
    assert [(t["candidate"], t["timecode"]) for t in chapters[0]["turns"]] == [(claire, "00:00:10"), (paul, "00:01:20")]
    assert [(t["candidate"], t["timecode"]) for t in chapters[1]["turns"]] == [(claire, "00:05:10"), (ines, "00:05:40")]
    assert chapters[0]["url"] == ""  # video.example.org/live: no known way to say a time


def test_a_turn_with_no_action_on_air_is_a_chapter_of_its_own(recorded):
    event, _items, (_c, _p, ines), t0 = recorded
    record_turn(event, ines, None, t0 + timedelta(seconds=700), 20)
    chapters = report.replay_chapters(event)["chapters"]
    assert chapters[-1]["kind"] == "turn" and chapters[-1]["timecode"] == "00:11:40"


def test_the_webvtt_chapters_file(recorded, facilitator_fanny):
    event, items, _c, _t0 = recorded
    action = items[0].action
    action.title = "Bus <plus> fréquents --> & vite"
    action.save(update_fields=["title"])
    event = _end(event, facilitator_fanny)
    with translation.override("en"):
        vtt = report.chapters_vtt(report.replay_chapters(event))
    blocks = vtt.split("\n\n")
    assert blocks[0] == "WEBVTT"
    first = blocks[1].split("\n")
    assert first[0].startswith("action-") and first[1] == "00:00:05.000 --> 00:05:00.000"
    assert first[2] == "1. Bus &lt;plus&gt; fréquents --&gt; &amp; vite"
    turn = blocks[2].split("\n")
    assert turn[0].startswith("turn-") and turn[1] == "00:00:10.000 --> 00:01:20.000"
    assert turn[2] == "Speaking: Claire Martin"
    assert len([b for b in blocks if b.strip()]) == 1 + 2 + 4


def test_the_lines_for_a_video_description_start_at_zero(recorded, facilitator_fanny):
    event, items, _c, _t0 = recorded
    event = _end(event, facilitator_fanny)
    with translation.override("en"):
        text = report.chapters_text(report.replay_chapters(event))
    assert text.splitlines() == ["00:00 Opening", f"00:05 1. {items[0].action.title}",
                                 f"05:00 2. {items[1].action.title}"]


@pytest.mark.parametrize(("stream", "expected"), [
    ("https://www.youtube.com/watch?v=abc123", "https://www.youtube.com/watch?v=abc123&t=750"),
    ("https://www.youtube.com/watch?v=abc123&t=5", "https://www.youtube.com/watch?v=abc123&t=750"),
    ("https://youtu.be/abc123", "https://youtu.be/abc123?t=750"),
    ("https://www.youtube.com/embed/abc123", "https://www.youtube.com/watch?v=abc123&t=750"),
    ("https://www.youtube.com/live/abc123", "https://www.youtube.com/watch?v=abc123&t=750"),
    ("https://www.twitch.tv/videos/42", "https://www.twitch.tv/videos/42?t=0h12m30s"),
    ("https://vimeo.com/76979871", "https://vimeo.com/76979871#t=750s"),
    ("https://media.example.org/replay.mp4", "https://media.example.org/replay.mp4#t=750"),
    ("https://video.example.org/live", ""),
    ("", ""),
    ("javascript:alert(1)", ""),
])
def test_the_replay_link_rule(stream, expected):
    assert report.replay_url(stream, 750) == expected


def test_chapters_link_to_the_replay_when_the_stream_says_times(recorded, facilitator_fanny, client):
    event, _items, _c, _t0 = recorded
    Event.objects.filter(pk=event.pk).update(stream_url="https://www.youtube.com/watch?v=abc123")
    event = _end(event, facilitator_fanny)
    page = client.get(reverse("live_event:chapters", args=[event.campaign.slug, event.pk])).content.decode()
    assert 'href="https://www.youtube.com/watch?v=abc123&amp;t=300"' in page
    assert "00:05:00" in page


# --- The action's page --------------------------------------------------------------------------

def test_the_action_page_links_to_its_time_on_the_set_only_when_it_went_on_air(recorded, facilitator_fanny, client):
    event, items, _c, _t0 = recorded
    aired, never = items[1].action, items[2].action
    url = lambda a: reverse("proposals:detail", args=[event.campaign.slug, a.pk])  # noqa: E731
    chapters = reverse("live_event:chapters", args=[event.campaign.slug, event.pk])
    assert chapters not in client.get(url(aired)).content.decode()  # on air, not yet a replay
    event = _end(event, facilitator_fanny)
    page = client.get(url(aired)).content.decode()
    span = AirSpan.objects.get(item=items[1])
    assert f'href="{chapters}#action-{span.pk}"' in page and "(00:05:00)" in page
    assert chapters not in client.get(url(never)).content.decode()
    Event.objects.filter(pk=event.pk).update(stream_url="https://vimeo.com/76979871")
    assert 'href="https://vimeo.com/76979871#t=300s"' in client.get(url(aired)).content.decode()


# --- Pages and permissions ----------------------------------------------------------------------

URLS = ("live_event:report", "live_event:report_csv", "live_event:chapters", "live_event:chapters_vtt",
        "live_event:chapters_txt")


@pytest.mark.parametrize("name", URLS)
def test_the_pages_are_public(recorded, client, name):
    event = recorded[0]
    response = client.get(reverse(name, args=[event.campaign.slug, event.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", URLS)
def test_an_unknown_event_or_another_campaigns_is_not_found(recorded, client, other_campaign, name):
    event = recorded[0]
    elsewhere = Event.objects.create(campaign=other_campaign, title="Ailleurs", starts_at=timezone.now())
    assert client.get(reverse(name, args=[event.campaign.slug, 999999])).status_code == 404
    assert client.get(reverse(name, args=[event.campaign.slug, elsewhere.pk])).status_code == 404
    assert client.get(reverse(name, args=[other_campaign.slug, elsewhere.pk])).status_code == 200


@pytest.mark.parametrize("name", URLS)
def test_the_pages_answer_only_get(recorded, client, name):
    event = recorded[0]
    assert client.post(reverse(name, args=[event.campaign.slug, event.pk])).status_code == 405


def test_the_files_say_what_they_are(recorded, client):
    event = recorded[0]
    args = [event.campaign.slug, event.pk]
    csv_file = client.get(reverse("live_event:report_csv", args=args))
    assert csv_file["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_file["Content-Disposition"] == f'attachment; filename="equite-{event.campaign.slug}-{event.pk}.csv"'
    vtt = client.get(reverse("live_event:chapters_vtt", args=args))
    assert vtt["Content-Type"] == "text/vtt; charset=utf-8" and vtt.content.startswith(b"WEBVTT\n")
    assert client.get(reverse("live_event:chapters_txt", args=args))["Content-Type"] == "text/plain; charset=utf-8"


def test_the_report_page_shows_every_candidate_alike(recorded, client):
    event = recorded[0]
    page = client.get(reverse("live_event:report", args=[event.campaign.slug, event.pk])).content.decode()
    for name, shown in (("Claire Martin", "01:40"), ("Paul Durand", "01:00"), ("Inès Benali", "00:45")):
        assert name in page and shown in page
    assert page.index("Claire Martin") < page.index("Paul Durand") < page.index("Inès Benali")


# --- Correcting a turn timed by mistake ---------------------------------------------------------

def test_a_turn_given_to_the_wrong_candidate_is_corrected_with_a_reason(recorded, facilitator_fanny):
    event, _items, (claire, paul, _ines), _t0 = recorded
    turn = SpeakingTurn.objects.filter(candidate=claire).order_by("started_at").first()
    services.turn_correct(actor=facilitator_fanny, event=event, turn_id=turn.pk, candidate_id=paul.pk,
                          reason="Mauvaise touche : c'était Paul.")
    data = report.fairness_report(event)
    assert [line["seconds"] for line in data["lines"]] == [30, 130, 45]
    entry = AuditEntry.objects.get(code="live.turn_corrected")
    assert entry.data["candidate_before"] == claire.pk and entry.data["candidate_after"] == paul.pk
    assert entry.data["reason"] == "Mauvaise touche : c'était Paul." and entry.actor == facilitator_fanny


def test_a_key_pressed_by_mistake_is_removed_and_after_the_end_the_report_is_signed_again(recorded, facilitator_fanny):
    event, _items, (_claire, _paul, ines), _t0 = recorded
    event = _end(event, facilitator_fanny)
    turn = SpeakingTurn.objects.get(candidate=ines)
    services.turn_correct(actor=facilitator_fanny, event=event, turn_id=turn.pk, remove=True,
                          reason="Personne ne parlait.")
    assert not SpeakingTurn.objects.filter(pk=turn.pk).exists()
    signatures = list(AuditEntry.objects.filter(code="live.report_signed").order_by("id"))
    assert len(signatures) == 2 and signatures[0].data["sha256"] != signatures[1].data["sha256"]
    assert signatures[1].data["sha256"] == report.csv_digest(report.fairness_csv(report.fairness_report(event)))


def test_a_correction_needs_a_reason_a_known_turn_and_a_facilitator(recorded, facilitator_fanny, resident_alice):
    from concerto.core.errors import FieldErrors, NotFound
    from concerto.live_event.errors import CandidateInvalid

    event, _items, (claire, paul, _ines), _t0 = recorded
    turn = SpeakingTurn.objects.filter(candidate=claire).first()
    with pytest.raises(FieldErrors) as error:
        services.turn_correct(actor=facilitator_fanny, event=event, turn_id=turn.pk, candidate_id=paul.pk, reason=" ")
    assert "reason" in error.value.errors
    with pytest.raises(FieldErrors) as error:
        services.turn_correct(actor=facilitator_fanny, event=event, turn_id="x", candidate_id=paul.pk, reason="Oups")
    assert "turn" in error.value.errors
    with pytest.raises(CandidateInvalid):
        services.turn_correct(actor=facilitator_fanny, event=event, turn_id=turn.pk, candidate_id="x", reason="Oups")
    with pytest.raises(NotFound):
        services.turn_correct(actor=resident_alice, event=event, turn_id=turn.pk, candidate_id=paul.pk, reason="Oups")
    turn.refresh_from_db()
    assert turn.candidate_id == claire.pk
    assert not AuditEntry.objects.filter(code="live.turn_corrected").exists()

"""The ambassador's app over HTTP: its pages, the data it takes along, and the sync endpoint
(session + CSRF + device cookie; per-record answers; whole-request refusals as JSON, never a 500)."""

import json
import re
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerto.campaigns.models import Phase, PhaseKind, Sector
from concerto.fieldwork import services
from concerto.fieldwork.models import (
    Batch,
    FieldworkSettings,
    Participation,
    Round,
    RoundDoor,
    SyncConflict,
    Visit,
)
from concerto.fieldwork.views.app import DEVICE_COOKIE
from concerto.letters.codes import new_code
from concerto.letters.models import Household, InvitationCode
from concerto.proposals.models import Action, Support

from .conftest import participant, visit

pytestmark = pytest.mark.django_db


def _url(name, campaign):
    return reverse(f"fieldwork:{name}", args=[campaign.slug])


def _client(user=None, token=None, *, csrf=False):
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    if token:
        client.cookies[DEVICE_COOKIE] = token
    return client


def _send(client, campaign, records, **extra):
    return client.post(_url("app_sync", campaign), json.dumps({"records": records}),
                       content_type="application/json", **extra)


@pytest.fixture
def bruno_phone(phone, ambassador_bruno):
    _device, token = phone
    return _client(ambassador_bruno, token)


# --- the pages ---------------------------------------------------------------------------------------


def test_the_shell_is_for_the_campaign_ambassadors_only(door_open, ambassador_bruno, resident_alice, organiser_dina):
    url = _url("app", door_open)
    page = _client(ambassador_bruno).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'rel="manifest"' in html and "doors/app.js" in html and "dexie.min.js" in html
    assert "Porte-à-porte" in html
    for part in ('id="visit-form"', 'name="outcome" value="talked"', 'class="doors-button doors-accept"',
                 'id="doors-counter"', 'id="doors-download"', 'id="resident-template"'):
        assert part in html
    assert "<script>" not in html  # strict CSP: only external scripts (and the JSON data block)
    assert _client(resident_alice).get(url).status_code == 404
    assert _client(organiser_dina).get(url).status_code == 404
    anonymous = _client().get(url)
    assert anonymous.status_code == 302 and reverse("residents:sign_in") in anonymous["Location"]


def test_the_manifest_makes_an_installable_french_app(door_open):
    response = _client().get(_url("app_manifest", door_open))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == manifest["scope"] == _url("app", door_open)
    assert manifest["short_name"] == "Porte-à-porte" and manifest["lang"] == "fr"
    assert {"192x192", "512x512"} <= {i["sizes"] for i in manifest["icons"]}
    for icon in manifest["icons"]:
        assert _client().get(icon["src"]).status_code == 200


def test_the_worker_precaches_the_shell_and_its_assets_from_the_app_path(door_open):
    response = _client().get(_url("app_worker", door_open))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "importScripts(" in body and "workbox-precaching.prod.js" in body
    assert f'"url": "{_url("app", door_open)}"' in body  # the shell, under the worker's own scope
    for asset in ("dexie.min.js", "doors/app.js", "doors/app.css", "site.css"):
        assert asset in body
    # Every precached URL answers (a single 404 would make the worker's installation fail).
    for url in re.findall(r'"url": "([^"]+)"', body):
        if not url.startswith("/static/"):
            continue
        response = _client().get(url)
        assert response.status_code == 200, url
        response.close()
    # Served from /c/<slug>/terrain/app/: its default scope is the app, no Service-Worker-Allowed needed.
    assert _url("app_worker", door_open).rsplit("/", 1)[0] + "/" == _url("app", door_open)


# --- the data taken along -----------------------------------------------------------------------------


def _round_with_doors(campaign, ambassador, day):
    sector = Sector.objects.create(campaign=campaign, name="Les Lilas", code="lilas")
    doors = []
    for i, used in enumerate([True, False, False]):
        household = Household.objects.create(campaign=campaign, address_line1=f"{i + 1} rue Haute", postcode="13100",
                                             city="Aix-en-Provence", key=f"{i + 1} rue haute", sector=sector)
        InvitationCode.objects.create(campaign=campaign, household=household, code=new_code(), use_count=int(used))
        doors.append(household)
    the_round = Round.objects.create(campaign=campaign, ambassador=ambassador, day=day, note="Côté pair")
    the_round.sectors.add(sector)
    for position, household in enumerate(doors):
        RoundDoor.objects.create(round=the_round, household=household, day=day, position=position)
    return the_round, doors


def test_the_data_holds_actions_consent_and_the_round_in_walking_order(
        bruno_phone, door_open, ambassador_bruno, consent_script, published_action):
    today = timezone.localdate()
    the_round, doors = _round_with_doors(door_open, ambassador_bruno, today)
    Round.objects.create(campaign=door_open, ambassador=ambassador_bruno, day=today - timedelta(days=1))  # past
    data = bruno_phone.get(_url("app_data", door_open)).json()
    assert data["consent"] == {"version": consent_script.version, "text": consent_script.text,
                               "text_hash": consent_script.text_hash}
    assert [a["id"] for a in data["actions"]] == [published_action.pk]
    assert data["actions"][0]["theme"]["slug"] == "mobilite"
    assert data["device"]["active"] is True and data["csrf_token"]
    assert [r["id"] for r in data["rounds"]] == [the_round.pk]
    listed = data["rounds"][0]["doors"]
    assert [d["household"] for d in listed] == [h.pk for h in doors]
    assert [d["unused_code"] for d in listed] == [False, True, True]
    assert "code" not in json.dumps(listed).replace("unused_code", "").replace("postcode", "")  # never the code


def test_the_data_refuses_others(door_open, resident_alice):
    assert _client(resident_alice).get(_url("app_data", door_open)).status_code == 404
    signed_out = _client().get(_url("app_data", door_open))
    assert signed_out.status_code == 401 and signed_out.json()["code"] == "signed_out"


# --- the sync endpoint ---------------------------------------------------------------------------------


def test_a_batch_is_answered_per_record_and_a_replay_is_a_no_op(
        bruno_phone, door_open, consent_script, published_action):
    proposal = {"title": "Un banc rue Tissot", "summary": "Un banc à l'ombre pour les anciens.", "read_back": True}
    records = [visit(participants=[participant(consent_script, supports=[published_action.pk], proposals=[proposal])]),
               visit(outcome="absent")]
    first = _send(bruno_phone, door_open, records)
    assert first.status_code == 200
    assert [r["status"] for r in first.json()["results"]] == ["created", "created"]
    again = _send(bruno_phone, door_open, records)
    assert [r["status"] for r in again.json()["results"]] == ["already", "already"]
    assert Visit.objects.count() == 2 and Participation.objects.count() == 1
    assert Support.objects.filter(action=published_action, channel="door_to_door").count() == 1
    assert Action.objects.filter(title="Un banc rue Tissot", origin="door_to_door").count() == 1


def test_bad_records_are_refused_with_a_french_reason_and_the_rest_kept(bruno_phone, door_open, consent_script):
    no_consent = participant(consent_script)
    no_consent["consent"]["given"] = False
    unread = participant(consent_script, proposals=[{"title": "Des bancs", "summary": "Des bancs partout.",
                                                     "read_back": False}])
    too_short = participant(consent_script, proposals=[{"title": "Oui", "summary": "Oui", "read_back": True}])
    records = [visit(participants=[no_consent]), {"id": "pas-un-uuid"}, visit(participants=[unread]),
               visit(participants=[too_short]), visit(outcome="later")]
    answers = _send(bruno_phone, door_open, records).json()["results"]
    assert [a["status"] for a in answers] == ["refused", "refused", "refused", "refused", "created"]
    assert [a["code"] for a in answers[:4]] == ["consent_missing", "client_id_invalid", "proposal_not_read_back",
                                                "proposal_invalid"]
    assert all(a["message"] for a in answers[:4])
    assert Visit.objects.count() == 1 and Participation.objects.count() == 0


def test_the_same_id_with_other_content_is_a_conflict(bruno_phone, door_open, consent_script):
    record = visit(outcome="absent")
    _send(bruno_phone, door_open, [record])
    answer = _send(bruno_phone, door_open, [dict(record, outcome="refused")]).json()["results"][0]
    assert answer["status"] == "conflict" and answer["message"]
    assert Visit.objects.get().outcome == "absent" and SyncConflict.objects.count() == 1


@pytest.mark.parametrize(("body", "content_type"), [
    ("{pas du json", "application/json"),
    ('["records"]', "application/json"),
    ('{"records": {"id": 1}}', "application/json"),
    ("records=1", "application/x-www-form-urlencoded"),
])
def test_an_unreadable_sending_is_a_400_json(bruno_phone, door_open, consent_script, body, content_type):
    response = bruno_phone.post(_url("app_sync", door_open), body, content_type=content_type)
    assert response.status_code == 400 and response.json()["code"] == "bad_json"
    assert Visit.objects.count() == 0


def test_too_many_records_at_once_are_refused_whole(bruno_phone, door_open, consent_script):
    response = _send(bruno_phone, door_open, [visit(outcome="absent") for _ in range(services.BATCH_MAX + 1)])
    assert response.status_code == 400 and response.json()["code"] == "batch_too_large"
    assert Visit.objects.count() == 0


def test_a_revoked_phone_is_refused_and_nothing_is_stored(bruno_phone, phone, door_open, organiser_dina,
                                                          consent_script):
    services.device_revoke(by=organiser_dina, campaign=door_open, device_id=phone[0].pk)
    response = _send(bruno_phone, door_open, [visit(outcome="absent")])
    assert response.status_code == 403 and response.json()["code"] == "device_revoked"
    assert response.json()["message"]
    assert Visit.objects.count() == 0


def test_who_may_send(phone, door_open, ambassador_bruno, resident_alice, consent_script):
    _device, token = phone
    cases = [
        (_client(), 401, "signed_out"),
        (_client(resident_alice, token), 403, "not_ambassador"),
        (_client(ambassador_bruno), 403, "device_unknown"),  # no device cookie
        (_client(ambassador_bruno, "pas-le-bon-jeton"), 403, "device_unknown"),
    ]
    for client, status, code in cases:
        response = _send(client, door_open, [visit(outcome="absent")])
        assert (response.status_code, response.json()["code"]) == (status, code)
    assert Visit.objects.count() == 0


def test_a_closed_door_phase_refuses_the_sending(bruno_phone, door_open, consent_script):
    Phase.objects.filter(campaign=door_open, kind=PhaseKind.DOOR_TO_DOOR).update(
        starts_at=timezone.now() - timedelta(days=30), ends_at=timezone.now() - timedelta(days=20))
    response = _send(bruno_phone, door_open, [visit(outcome="absent")])
    assert response.status_code == 400 and response.json()["code"] == "door_phase_closed"


def test_the_csrf_token_is_required_in_the_header(phone, door_open, ambassador_bruno, consent_script):
    _device, token = phone
    client = _client(ambassador_bruno, token, csrf=True)
    assert _send(client, door_open, [visit(outcome="absent")]).status_code == 403
    csrf = client.get(_url("app_data", door_open)).json()["csrf_token"]
    response = _send(client, door_open, [visit(outcome="absent")], HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200 and response.json()["results"][0]["status"] == "created"


@pytest.mark.django_db(transaction=True)
def test_a_busy_database_answers_503_with_retry_after_never_500(bruno_phone, door_open, consent_script):
    with mock.patch.object(services, "visits_sync", side_effect=OperationalError("database is locked")):
        response = _send(bruno_phone, door_open, [visit(outcome="absent")])
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["code"] == "busy"
    real = services.visits_sync
    calls = []

    def locked_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    with mock.patch.object(services, "visits_sync", side_effect=locked_once):
        response = _send(bruno_phone, door_open, [visit(outcome="absent")])
    assert response.status_code == 200 and len(calls) == 2 and Visit.objects.count() == 1


# --- three phones' worth of replays at once --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_three_parallel_replays_of_one_batch_store_it_exactly_once(phone, door_open, ambassador_bruno, consent_script,
                                                                   published_action):
    _device, token = phone
    # Twenty doors all opened: far above the usual contact rate, which would hold the batch (guards).
    FieldworkSettings.objects.create(campaign=door_open, contact_rate_min=1, contact_rate_max=100)
    start = timezone.now() - timedelta(hours=3)
    records = [
        visit(at=start + timedelta(minutes=6 * i), address=f"{i + 1} rue Tissot", participants=[participant(
            # Every other resident supports: five identical answers in a row would hold the batch (guards).
            consent_script, at=start + timedelta(minutes=6 * i), supports=[published_action.pk] if i % 2 else [],
            proposals=[{"title": f"Proposition numéro {i}", "summary": f"Le texte dicté de la proposition {i}.",
                        "read_back": True}])])
        for i in range(20)
    ]
    barrier = threading.Barrier(3)
    answers: list = [None] * 3

    def replay(n):
        try:
            client = _client(ambassador_bruno, token)
            barrier.wait(timeout=30)
            for _attempt in range(10):  # like the phone: a 503 is sent again
                response = _send(client, door_open, records)
                if response.status_code != 503:
                    break
            answers[n] = (response.status_code, [r["status"] for r in response.json()["results"]])
        except Exception as exc:  # noqa: BLE001 - reported below
            answers[n] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=replay, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(a[0] == 200 for a in answers), answers
    statuses = [s for a in answers for s in a[1]]
    assert set(statuses) <= {"created", "already"}, answers
    assert statuses.count("created") == 20  # each record created by exactly one of the three
    assert Visit.objects.count() == 20 and Participation.objects.count() == 20
    assert Support.objects.filter(action=published_action).count() == 10
    assert Action.objects.filter(origin="door_to_door").count() == 20
    assert Batch.objects.filter(visits__isnull=False).distinct().count() >= 1


def test_a_resident_id_brought_by_two_visits_is_refused_not_a_failed_batch(bruno_phone, door_open, consent_script):
    resident = participant(consent_script)
    first, second = visit(participants=[resident]), visit(participants=[dict(resident)])
    answers = _send(bruno_phone, door_open, [first, second]).json()["results"]
    assert [(a["status"], a.get("code")) for a in answers] == [("created", None), ("refused", "client_id_taken")]
    later = _send(bruno_phone, door_open, [visit(participants=[dict(resident)])])
    assert later.status_code == 200 and later.json()["results"][0]["code"] == "client_id_taken"
    assert Visit.objects.count() == 1 and Participation.objects.count() == 1

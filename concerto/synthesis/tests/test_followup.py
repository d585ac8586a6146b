"""After the election: the elected list, its commitments, dated updates, the board and its CSV round
trip, the yearly report, subscriptions and their e-mails, the API."""

import csv
import datetime as dt
import io
import json
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from concerto.campaigns.models import ElectionRound
from concerto.core.errors import FieldErrors
from concerto.core.models import AuditEntry
from concerto.synthesis import followup_csv, notifications, selectors, services
from concerto.synthesis.errors import (
    ElectedListUnchanged,
    ElectionNotOver,
    ElectionNotSet,
    FollowupImportErrors,
    ReasonRequired,
    SynthesisNotFound,
)
from concerto.synthesis.models import ActionSubscription, Commitment, CommitmentUpdate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ELECTION = TODAY - dt.timedelta(days=400)  # the term is in its second year


def _round(campaign, day=ELECTION, number=1):
    made = ElectionRound.objects.create(campaign=campaign, number=number, vote_date=day, polls_close=dt.time(20, 0))
    campaign.__dict__.pop("_election_rounds", None)  # campaigns.selectors caches the rounds on the instance
    return made


@pytest.fixture
def elected(held_show, campaign, organiser_dina, candidates):
    _round(campaign)
    return services.elected_list_mark(by=organiser_dina, campaign=campaign, candidate_id=candidates[0].pk)


def _add(organiser, campaign, commitment, **over):
    data = {"title": "Délibération du conseil", "happened_on": ELECTION + dt.timedelta(days=30),
            "status": "in_the_works", "note": "Le conseil a voté le budget.",
            "evidence_url": "https://mairie.example.fr/deliberation-12", "client_id": str(uuid.uuid4())}
    data.update(over)
    return services.commitment_update_add(by=organiser, campaign=campaign, commitment_id=commitment.pk, **data)


# --- The elected list and its commitments -----------------------------------------------------------

def test_marking_refused_without_calendar_and_before_polls_close(held_show, campaign, organiser_dina, candidates):
    with pytest.raises(ElectionNotSet):
        services.elected_list_mark(by=organiser_dina, campaign=campaign, candidate_id=candidates[0].pk)
    _round(campaign, day=TODAY)
    _round(campaign, day=TODAY + dt.timedelta(days=7), number=2)
    with pytest.raises(ElectionNotOver) as caught:
        services.elected_list_mark(by=organiser_dina, campaign=campaign, candidate_id=candidates[0].pk)
    assert (TODAY + dt.timedelta(days=7)).strftime("%d/%m/%Y") in str(caught.value)
    assert not Commitment.objects.exists() and selectors.elected_list(campaign) is None
    # The same, seen by the organiser on the page: a clear reason, nothing marked.
    from django.test import Client
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(organiser_dina)
    page = client.post(reverse("synthesis:followup_elected", args=[campaign.slug]), {"candidate": candidates[0].pk})
    assert page.status_code == 400 and "not over" in page.content.decode()


def test_commitments_come_from_the_latest_favourable_positions(elected, campaign, candidates, actions):
    """Claire's list was favourable on the set to all four actions, then wrote « reserved » on the
    fourth: its latest word counts, so three commitments; the stance is kept."""
    mine = {c.action_id: c.stance for c in selectors.commitments(campaign)}
    assert mine == {actions[0].pk: "with_changes", actions[1].pk: "favourable", actions[2].pk: "favourable"}
    assert all(c.status == "not_rated" and c.status_since == ELECTION for c in selectors.commitments(campaign))
    entry = AuditEntry.objects.get(code="synthesis.elected_list.marked")
    assert entry.data["commitments"] == 3


def test_changing_the_elected_list_needs_a_reason_and_is_audited(elected, campaign, organiser_dina, candidates):
    with pytest.raises(ElectedListUnchanged):
        services.elected_list_mark(by=organiser_dina, campaign=campaign, candidate_id=candidates[0].pk, reason="x")
    with pytest.raises(ReasonRequired):
        services.elected_list_mark(by=organiser_dina, campaign=campaign, candidate_id=candidates[1].pk)
    assert selectors.elected_list(campaign).candidate_id == candidates[0].pk
    services.elected_list_mark(by=organiser_dina, campaign=campaign, candidate_id=candidates[1].pk,
                               reason="Erreur de saisie : c'est la liste de Paul Durand.")
    assert {c.candidate_id for c in selectors.commitments(campaign)} == {candidates[1].pk}
    assert len(selectors.commitments(campaign)) == 4
    entry = AuditEntry.objects.get(code="synthesis.elected_list.changed")
    assert entry.data["reason"].startswith("Erreur de saisie") and entry.data["former"] == candidates[0].list_name


def test_only_organisers_mark_and_update(elected, campaign, resident_alice, candidate_claire, candidates):
    commitment = selectors.commitments(campaign)[0]
    for someone in (resident_alice, candidate_claire):
        with pytest.raises(SynthesisNotFound):
            services.elected_list_mark(by=someone, campaign=campaign, candidate_id=candidates[1].pk, reason="r")
        with pytest.raises(SynthesisNotFound):
            _add(someone, campaign, commitment)
    assert not CommitmentUpdate.objects.exists()


# --- Updates -------------------------------------------------------------------------------------------

def test_an_update_changes_the_status_and_is_audited(elected, campaign, organiser_dina):
    commitment = selectors.commitments(campaign)[0]
    update, created = _add(organiser_dina, campaign, commitment)
    assert created
    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_since) == ("in_the_works", update.happened_on)
    # An older update (dated before) does not override the latest status; a later one does.
    _add(organiser_dina, campaign, commitment, status="stalled", happened_on=ELECTION + dt.timedelta(days=2))
    commitment.refresh_from_db()
    assert commitment.status == "in_the_works"
    _add(organiser_dina, campaign, commitment, status="kept", happened_on=TODAY)
    commitment.refresh_from_db()
    assert commitment.status == "kept"
    assert [u.status for u in selectors.commitment_timeline(commitment)] == ["kept", "in_the_works", "stalled"]
    entry = AuditEntry.objects.filter(code="synthesis.commitment.updated").order_by("pk").last()
    assert (entry.data["before"], entry.data["after"]) == ("in_the_works", "kept")


@pytest.mark.parametrize(("field", "value"), [
    ("title", "   "),
    ("happened_on", TODAY + dt.timedelta(days=1)),
    ("happened_on", ELECTION - dt.timedelta(days=1)),
    ("status", "promised"),
    ("evidence_url", "http://mairie.example.fr/deliberation"),
    ("evidence_url", "javascript:alert(1)"),
])
def test_bad_updates_are_refused_and_change_nothing(elected, campaign, organiser_dina, field, value):
    commitment = selectors.commitments(campaign)[0]
    with pytest.raises(FieldErrors) as caught:
        _add(organiser_dina, campaign, commitment, **{field: value})
    assert field in caught.value.errors
    commitment.refresh_from_db()
    assert commitment.status == "not_rated" and not CommitmentUpdate.objects.exists()


def test_the_same_client_id_adds_nothing_and_an_update_is_never_edited(elected, campaign, organiser_dina):
    commitment = selectors.commitments(campaign)[0]
    client_id = str(uuid.uuid4())
    _add(organiser_dina, campaign, commitment, client_id=client_id)
    _update, created = _add(organiser_dina, campaign, commitment, client_id=client_id)
    assert not created and CommitmentUpdate.objects.count() == 1
    with pytest.raises(FieldErrors):
        _add(organiser_dina, campaign, commitment, client_id=client_id, title="Autre titre")
    assert CommitmentUpdate.objects.get().title == "Délibération du conseil"


# --- Board, commitment page, yearly report ---------------------------------------------------------

def test_board_shows_statuses_tallies_and_filters(client, elected, campaign, organiser_dina):
    first, second, _third = selectors.commitments(campaign)
    _add(organiser_dina, campaign, first, status="kept", title="Travaux terminés")
    url = reverse("synthesis:followup_board", args=[campaign.slug])
    page = client.get(url).content.decode()
    assert "Saint-Jérôme en commun" in page and first.action.title in page and second.action.title in page
    assert '<svg data-figure="tally" role="img"' in page and "<caption>" in page
    kept = [row for row in selectors.status_tally(c.status for c in selectors.commitments(campaign))
            if row["status"] == "kept"][0]
    assert (kept["count"], kept["percent"]) == (1, 33)
    filtered = client.get(url, {"status": "kept"}).content.decode()
    assert first.action.title in filtered and second.action.title not in filtered
    by_theme = client.get(url, {"theme": "nulle-part"}).content.decode()
    assert first.action.title not in by_theme


def test_board_before_any_elected_list(client, campaign):
    page = client.get(reverse("synthesis:followup_board", args=[campaign.slug]))
    assert page.status_code == 200 and "not marked yet" in page.content.decode()


def test_commitment_page_has_the_dated_timeline_with_evidence(client, elected, campaign, organiser_dina):
    commitment = selectors.commitments(campaign)[0]
    _add(organiser_dina, campaign, commitment, title="Budget <voté>")
    page = client.get(reverse("synthesis:followup_commitment", args=[campaign.slug, commitment.pk])).content.decode()
    assert "Budget &lt;voté&gt;" in page and 'href="https://mairie.example.fr/deliberation-12"' in page
    assert "Add an update" not in page  # the form is the organisers'
    assert client.get(reverse("synthesis:followup_commitment", args=[campaign.slug, 10**9])).status_code == 404


def test_organiser_adds_an_update_through_the_page(client, elected, campaign, organiser_dina):
    commitment = selectors.commitments(campaign)[0]
    client.force_login(organiser_dina)
    url = reverse("synthesis:followup_update_add", args=[campaign.slug, commitment.pk])
    bad = client.post(url, {"title": "Trop tôt", "happened_on": (TODAY + dt.timedelta(days=3)).isoformat(),
                            "status": "kept", "client_id": str(uuid.uuid4())})
    assert bad.status_code == 400 and "in the future" in bad.content.decode()
    assert not CommitmentUpdate.objects.exists()
    good = client.post(url, {"title": "Travaux lancés", "happened_on": TODAY.isoformat(), "status": "in_the_works",
                             "evidence_url": "https://mairie.example.fr/a", "client_id": str(uuid.uuid4())})
    assert good.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "in_the_works"


def test_yearly_report_status_at_year_end_and_updates_during(client, elected, campaign, organiser_dina):
    first, second, _third = selectors.commitments(campaign)
    _add(organiser_dina, campaign, first, status="in_the_works", happened_on=ELECTION + dt.timedelta(days=40))
    _add(organiser_dina, campaign, first, status="kept", happened_on=ELECTION + dt.timedelta(days=380))
    _add(organiser_dina, campaign, second, status="broken", happened_on=ELECTION + dt.timedelta(days=100))
    year1 = selectors.year_report(campaign, 1)
    statuses = {r["commitment"].pk: r["status"] for r in year1["rows"]}
    assert statuses == {first.pk: "in_the_works", second.pk: "broken", _third.pk: "not_rated"}
    assert year1["updates"] == 2
    year2 = selectors.year_report(campaign, 2)
    assert {r["commitment"].pk: r["status"] for r in year2["rows"]}[first.pk] == "kept"
    assert [y["number"] for y in selectors.term_years(campaign)] == [1, 2]
    page = client.get(reverse("synthesis:followup_year", args=[campaign.slug, 1])).content.decode()
    assert "33 % broken" in page and "33 % in the works" in page
    rows = list(csv.reader(io.StringIO(client.get(
        reverse("synthesis:followup_year_csv", args=[campaign.slug, 1])).content.decode())))
    assert rows[0][3] == "status_at_year_end" and len(rows) == 4
    assert client.get(reverse("synthesis:followup_year", args=[campaign.slug, 7])).status_code == 404


# --- CSV round trip ----------------------------------------------------------------------------------

def _export(client, campaign) -> str:
    response = client.get(reverse("synthesis:followup_csv", args=[campaign.slug]))
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode()


def test_csv_round_trip(client, elected, campaign, organiser_dina):
    first, second, _third = selectors.commitments(campaign)
    _add(organiser_dina, campaign, first, title="=Formule piégée", note="Ligne 1\nLigne 2")
    exported = _export(client, campaign)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert list(rows[0]) == followup_csv.COLUMNS and len(rows) == 3  # one update, two commitments without
    # Export → import adds nothing, twice.
    for _i in range(2):
        assert services.commitment_updates_import(by=organiser_dina, campaign=campaign,
                                                  data=exported.encode()) == {"added": 0, "unchanged": 1}
    assert CommitmentUpdate.objects.count() == 1
    # Edited rows with new client ids add updates (an edited row keeping its id is refused: never edited).
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=followup_csv.COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    new = dict(rows[1], client_id=str(uuid.uuid4()), date=(ELECTION + dt.timedelta(days=60)).strftime("%d/%m/%Y"),
               status="Compromise", title="Version réduite", note="", evidence_url="")
    writer.writerow(new)
    twice = dict(new, client_id=str(uuid.uuid4()), status="kept", date=TODAY.isoformat(), title="Inauguration")
    writer.writerow(twice)
    result = services.commitment_updates_import(by=organiser_dina, campaign=campaign, data=out.getvalue().encode())
    assert result == {"added": 2, "unchanged": 1}
    changed = Commitment.objects.get(pk=int(new["commitment_id"]))
    assert changed.status == "kept"
    assert CommitmentUpdate.objects.get(title="=Formule piégée").note == "Ligne 1\nLigne 2"
    # The new export, imported again, still adds nothing.
    again = _export(client, campaign)
    assert services.commitment_updates_import(by=organiser_dina, campaign=campaign,
                                              data=again.encode())["added"] == 0
    assert CommitmentUpdate.objects.count() == 3


def test_csv_with_errors_imports_nothing_and_says_which_lines(client, elected, campaign, organiser_dina):
    commitment = selectors.commitments(campaign)[0]
    good = str(uuid.uuid4())
    lines = ["commitment_id,client_id,date,status,title,note,evidence_url",
             f"{commitment.pk},{good},{TODAY.isoformat()},kept,Fait,,",
             f"{commitment.pk},pas-un-uuid,{TODAY.isoformat()},kept,Fait,,",
             f"{commitment.pk},{uuid.uuid4()},2099-01-01,kept,Fait,,",
             f"99999,{uuid.uuid4()},{TODAY.isoformat()},tenu,Fait,,http://x.example",
             f"{commitment.pk},{good},{TODAY.isoformat()},kept,Fait,,"]
    with pytest.raises(FollowupImportErrors) as caught:
        services.commitment_updates_import(by=organiser_dina, campaign=campaign, data="\n".join(lines).encode())
    numbers = [n for n, _m in caught.value.lines]
    assert numbers == [3, 4, 5, 6]
    assert not CommitmentUpdate.objects.exists()
    # On the page, in French, line by line.
    client.force_login(organiser_dina)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation
    with translation.override("fr"):
        page = client.post(reverse("synthesis:followup_import", args=[campaign.slug]),
                           {"file": SimpleUploadedFile("suivi.csv", "\n".join(lines).encode(), "text/csv")},
                           HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 400
    body = page.content.decode()
    assert "<th scope=\"row\">5</th>" in body
    assert not CommitmentUpdate.objects.exists()


def test_csv_missing_columns(elected, campaign, organiser_dina):
    with pytest.raises(FollowupImportErrors) as caught:
        services.commitment_updates_import(by=organiser_dina, campaign=campaign, data=b"a,b\n1,2\n")
    assert caught.value.lines[0][0] == 1


# --- Subscriptions ------------------------------------------------------------------------------------

def test_subscribers_get_an_email_and_can_unsubscribe(client, elected, campaign, organiser_dina, resident_alice,
                                                     django_capture_on_commit_callbacks):
    commitment = selectors.commitments(campaign)[0]
    client.force_login(resident_alice)
    url = reverse("synthesis:followup_subscribe", args=[campaign.slug, commitment.pk])
    assert client.post(url).status_code == 302
    assert ActionSubscription.objects.filter(user=resident_alice, action=commitment.action).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _add(organiser_dina, campaign, commitment, title="Budget voté")
    assert [m.to for m in mail.outbox] == [[resident_alice.email]]
    body = mail.outbox[0].body
    assert "Budget voté" in body and "https://mairie.example.fr/deliberation-12" in body
    token = notifications.unsubscribe_token(resident_alice.pk, commitment.action_id)
    stop = reverse("synthesis:followup_unsubscribe", args=[campaign.slug, token])
    assert stop in body
    client.logout()
    assert client.get(stop).status_code == 200  # a confirmation, nothing removed by a GET
    assert ActionSubscription.objects.exists()
    assert client.post(stop).status_code == 200
    assert not ActionSubscription.objects.exists()
    assert client.get(reverse("synthesis:followup_unsubscribe", args=[campaign.slug, "faux"])).status_code == 404
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _add(organiser_dina, campaign, commitment, title="Deuxième")
    assert mail.outbox == []


def test_a_visitor_is_sent_to_sign_in_to_subscribe(client, elected, campaign):
    commitment = selectors.commitments(campaign)[0]
    response = client.post(reverse("synthesis:followup_subscribe", args=[campaign.slug, commitment.pk]))
    assert response.status_code == 302 and reverse("residents:sign_in") in response["Location"]
    assert not ActionSubscription.objects.exists()


# --- API ------------------------------------------------------------------------------------------------

def _token(user):
    from concerto.residents.services import api_token_create
    return api_token_create(user=user, name="suivi")


def test_api_board_timeline_and_update(client, elected, campaign, organiser_dina, resident_alice):
    commitment = selectors.commitments(campaign)[0]
    base = f"/api/v1/campaigns/{campaign.slug}/followup"
    board = client.get(base).json()
    assert board["elected"]["list_name"] == "Saint-Jérôme en commun" and len(board["commitments"]) == 3
    assert {t["status"]: t["count"] for t in board["tally"]}["not_rated"] == 3
    body = {"title": "Délibération", "date": TODAY.isoformat(), "status": "in_the_works",
            "evidence_url": "https://mairie.example.fr/d", "client_id": str(uuid.uuid4())}
    url = f"{base}/commitments/{commitment.pk}/updates"
    _t, alice = _token(resident_alice)
    assert client.post(url, json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {alice}").status_code == 404
    _t, secret = _token(organiser_dina)
    done = client.post(url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert done.status_code == 201, done.content
    again = client.post(url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert again.status_code == 200 and CommitmentUpdate.objects.count() == 1
    bad = client.post(url, json.dumps({**body, "client_id": str(uuid.uuid4()), "date": "2099-01-01"}),
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bad.status_code == 400 and "date" in bad.json()["errors"]
    timeline = client.get(f"{base}/commitments/{commitment.pk}").json()
    assert timeline["status"] == "in_the_works" and timeline["updates"][0]["title"] == "Délibération"


def test_a_campaign_with_an_elected_list_can_be_deleted(elected, campaign, organiser_dina, candidates):
    """The elected list and its commitments hold their candidate (RESTRICT), not the campaign's deletion."""
    from django.db.models import RestrictedError

    from concerto.live_event.models import Candidate

    with pytest.raises(RestrictedError):
        Candidate.objects.filter(pk=candidates[0].pk).delete()
    type(campaign).objects.filter(pk=campaign.pk).delete()
    assert not Commitment.objects.exists()


def test_the_action_page_links_to_its_follow_up(client, elected, campaign, organiser_dina):
    commitment = selectors.commitments(campaign)[0]
    _add(organiser_dina, campaign, commitment, status="kept")
    page = client.get(reverse("proposals:detail", args=[campaign.slug, commitment.action_id])).content.decode()
    assert reverse("synthesis:followup_commitment", args=[campaign.slug, commitment.pk]) in page
    assert "Follow-up after the election: Kept" in page

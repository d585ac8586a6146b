"""The consent promise kept (issue 9, item 8): the volunteers' answers are erased 12 months after
the campaign's last phase ends, by ``manage.py purge_expired_data`` run daily; the published
selection stays the same file and still verifies. Before, no code erased anything."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from concerto.campaigns.models import Phase
from concerto.core.models import AuditEntry
from concerto.dashboard.services import account_delete
from concerto.residents.models import SignInLink
from concerto.selection import selectors, services, verify
from concerto.selection.erasure import volunteers_purge_expired
from concerto.selection.errors import SelectionArchived
from concerto.selection.models import SeatStatus, Selection, SelectionSeat
from concerto.volunteers.models import Volunteer
from concerto.volunteers.selectors import months_before, volunteer_households

from .factories import drawn_selection, make_pool


def _ended_at(campaign):
    return Phase.objects.filter(campaign=campaign).aggregate(end=Max("ends_at"))["end"]


def _document(client, campaign, selection):
    client.logout()
    response = client.get(reverse("selection:audit_json", args=[campaign.slug, selection.pk]))
    assert response.status_code == 200
    return response.json()


def _verifies(document) -> str:
    out = io.StringIO()
    report = verify.Report(out)
    verify.verify(document, report)
    assert report.failures == 0, out.getvalue()
    return out.getvalue()


def _answers(campaign):
    return sorted((v.pseudonym, v.talents, v.availability, v.profile, v.sector_id)
                  for v in Volunteer.objects.filter(campaign=campaign))


@pytest.fixture
def drawn(campaign, organiser_dina):
    # Every third volunteer joined with a letter: the pool snapshot links them to a household.
    make_pool(campaign, 12, no_email_every=3)
    return drawn_selection(campaign, organiser_dina)


def test_months_before_counts_calendar_months():
    assert months_before(datetime(2027, 3, 31, 10, tzinfo=UTC), 1) == datetime(2027, 2, 28, 10, tzinfo=UTC)
    assert months_before(datetime(2028, 1, 15, tzinfo=UTC), 12) == datetime(2027, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2028, 2, 29, tzinfo=UTC), 12) == datetime(2027, 2, 28, tzinfo=UTC)


def test_answers_stay_until_twelve_months_after_the_campaign_then_are_erased(client, campaign, drawn):
    ended = _ended_at(campaign)
    before = _answers(campaign)
    document = _document(client, campaign, drawn)
    page = selectors.audit_view(drawn)
    assert any(p.get("household") for p in drawn.pool) and all(p.get("salt") for p in drawn.pool)

    assert volunteers_purge_expired(now=ended + timedelta(days=364)) == []
    assert _answers(campaign) == before
    assert volunteer_households(campaign, Volunteer.objects.filter(campaign=campaign))

    report = volunteers_purge_expired(now=ended + timedelta(days=367))

    assert report == [{"campaign": campaign.slug, "ended_at": ended, "volunteers": 12, "selections": 1}]
    for volunteer in Volunteer.objects.filter(campaign=campaign):
        assert (volunteer.talents, volunteer.availability, volunteer.profile, volunteer.sector_id) == ([], [], {}, None)
        assert volunteer.pseudonym and volunteer.user_id  # the pseudonym and the account stay
    selection = Selection.objects.get(pk=drawn.pk)
    # The pool keeps the pseudonyms only: no answer, no household, no salt that would open a fingerprint.
    assert selection.pool == [{"id": p["id"], "features": {}} for p in drawn.pool]
    assert selection.pool_sha256 == drawn.pool_sha256
    # The published file is the same file, and it still verifies.
    assert _document(client, campaign, selection) == document
    _verifies(document)
    # The public audit page shows the same figures; a volunteer's own fingerprint can no longer be opened.
    after = selectors.audit_view(selection)
    assert after["quota_table"] == page["quota_table"] and after["probabilities"] == page["probabilities"]
    assert selectors.my_pool_line(selection, drawn.pool[0]["id"]) is None
    assert client.get(reverse("selection:detail", args=[campaign.slug, selection.pk])).status_code == 200

    # The organisers' list, CSV and API no longer group volunteers by household either.
    _move_calendar_back(campaign, 400)
    assert volunteer_households(campaign, Volunteer.objects.filter(campaign=campaign)) == {}

    entry = AuditEntry.objects.get(code="selection.volunteers.purged")
    assert entry.scope == campaign.slug
    assert entry.data["volunteers"] == 12 and entry.data["selections"] == 1 and entry.data["keep_months"] == 12
    logged = json.dumps(entry.data)
    assert not any(answer in logged for answer in ("jeune", "senior", "femme", "dessin", "nord", "atelier"))


def test_the_purge_is_idempotent(campaign, drawn):
    later = _ended_at(campaign) + timedelta(days=400)
    volunteers_purge_expired(now=later)
    pool = Selection.objects.get(pk=drawn.pk).pool

    assert volunteers_purge_expired(now=later) == []
    assert volunteers_purge_expired(now=later + timedelta(days=30)) == []
    assert AuditEntry.objects.filter(code="selection.volunteers.purged").count() == 1
    assert Selection.objects.get(pk=drawn.pk).pool == pool


def test_an_archived_selection_no_longer_changes(campaign, organiser_dina, drawn):
    volunteers_purge_expired(now=_ended_at(campaign) + timedelta(days=400))
    selection = Selection.objects.get(pk=drawn.pk)
    seat = SelectionSeat.objects.filter(selection=selection, status=SeatStatus.SELECTED).select_related(
        "volunteer__user").first()

    with pytest.raises(SelectionArchived):
        services.seat_replace(by=organiser_dina, selection=selection, seat_id=seat.pk)
    # A panel member deleting their account later: the row stays (pseudonym only), the seat as published.
    account_delete(user=seat.volunteer.user)
    seat.refresh_from_db()
    assert seat.status == SeatStatus.SELECTED and seat.volunteer.user_id is None


def _move_calendar_back(campaign, days):
    for phase in Phase.objects.filter(campaign=campaign):
        phase.starts_at -= timedelta(days=days)
        phase.ends_at -= timedelta(days=days)
        phase.save()


def test_the_command_dry_run_changes_nothing_then_the_command_erases(client, campaign, drawn):
    _move_calendar_back(campaign, 400)
    before, pool = _answers(campaign), Selection.objects.get(pk=drawn.pk).pool
    out = io.StringIO()

    call_command("purge_expired_data", "--dry-run", stdout=out)

    assert f"{campaign.slug} (ended" in out.getvalue() and "would erase the answers of 12 volunteer(s)" in out.getvalue()
    assert _answers(campaign) == before and Selection.objects.get(pk=drawn.pk).pool == pool
    assert not Selection.objects.get(pk=drawn.pk).archived
    assert not AuditEntry.objects.filter(code="selection.volunteers.purged").exists()

    call_command("purge_expired_data", stdout=out)

    assert all(v.profile == {} for v in Volunteer.objects.filter(campaign=campaign))
    assert AuditEntry.objects.filter(code="selection.volunteers.purged").count() == 1
    _verifies(_document(client, campaign, drawn))


def test_a_campaign_still_running_or_recent_is_not_touched(campaign, drawn):
    before = _answers(campaign)
    out = io.StringIO()
    call_command("purge_expired_data", stdout=out)
    assert _answers(campaign) == before
    assert out.getvalue().startswith("0 campaign(s)")


def test_the_command_deletes_expired_sign_in_links_and_their_addresses(db):
    now = timezone.now()
    SignInLink.objects.create(email="old@example.org", token_hash="a" * 64, expires_at=now - timedelta(minutes=1))
    SignInLink.objects.create(email="used@example.org", token_hash="b" * 64, expires_at=now - timedelta(days=3),
                              used_at=now - timedelta(days=3))
    SignInLink.objects.create(email="fresh@example.org", token_hash="c" * 64, expires_at=now + timedelta(minutes=10))
    out = io.StringIO()
    call_command("purge_expired_data", "--dry-run", stdout=out)
    assert "2 expired sign-in link(s) would be deleted." in out.getvalue() and SignInLink.objects.count() == 3
    call_command("purge_expired_data", stdout=out)
    assert list(SignInLink.objects.values_list("email", flat=True)) == ["fresh@example.org"]
    assert AuditEntry.objects.get(code="residents.sign_in_links.purged").data["count"] == 2

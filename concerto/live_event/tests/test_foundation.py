"""The set's core rules: the numbered state, positions' revisions, one running clock."""

import pytest

from concerto.core.errors import NotFound
from concerto.live_event import selectors, services
from concerto.live_event.errors import ClientIdConflict, OrderAlreadyPublished, SummaryTooLong
from concerto.live_event.models import Position, SpeakingTurn

from .conftest import new_id

pytestmark = pytest.mark.django_db


def test_each_change_numbers_the_public_state(show, facilitator_fanny):
    before = selectors.event_public_state(show)["seq"]
    item = show.on_air
    c = show.campaign.candidates.first()
    services.position_record(actor=facilitator_fanny, event=show, item_id=item.pk, candidate_id=c.pk,
                             stance="favourable", summary="Oui, dès la première année.", client_id=new_id())
    show.refresh_from_db()
    state = selectors.event_public_state(show)
    assert state["seq"] == before + 1
    assert state["positions"][str(item.pk)][str(c.pk)]["stance"] == "favourable"
    assert state["on_air"]["item"] == item.pk


def test_a_late_save_never_overwrites_a_newer_revision(show, facilitator_fanny):
    item, c, cid = show.on_air, show.campaign.candidates.first(), new_id()
    services.position_record(actor=facilitator_fanny, event=show, item_id=item.pk, candidate_id=c.pk,
                             stance="reserved", client_id=cid, revision=2)
    _p, outcome = services.position_record(actor=facilitator_fanny, event=show, item_id=item.pk, candidate_id=c.pk,
                                           stance="favourable", client_id=cid, revision=1)
    assert outcome == "stale"
    assert Position.objects.get(item=item, candidate=c).stance == "reserved"


def test_bad_input_changes_nothing(show, facilitator_fanny):
    item, c = show.on_air, show.campaign.candidates.first()
    with pytest.raises(SummaryTooLong):
        services.position_record(actor=facilitator_fanny, event=show, item_id=item.pk, candidate_id=c.pk,
                                 stance="favourable", summary="x" * 281, client_id=new_id())
    assert not Position.objects.exists()


def test_one_key_starts_a_candidate_and_stops_the_previous(show, facilitator_fanny):
    a, b = list(show.campaign.candidates.all())[:2]
    key = new_id()
    services.turn_start(actor=facilitator_fanny, event=show, candidate_id=a.pk, client_id=key)
    services.turn_start(actor=facilitator_fanny, event=show, candidate_id=a.pk, client_id=key)  # replayed
    services.turn_start(actor=facilitator_fanny, event=show, candidate_id=b.pk, client_id=new_id())
    turns = list(SpeakingTurn.objects.order_by("started_at"))
    assert [t.candidate_id for t in turns] == [a.pk, b.pk]
    assert turns[0].ended_at is not None and turns[1].ended_at is None


def test_a_resident_cannot_run_the_set(show, resident_alice):
    with pytest.raises(NotFound):
        services.on_air_step(actor=resident_alice, event=show, step=1)


def test_the_published_order_never_changes(show, organiser_dina):
    with pytest.raises(OrderAlreadyPublished):
        services.event_order_publish(actor=organiser_dina, event=show)


def test_a_client_id_cannot_name_two_cells(show, facilitator_fanny):
    item, (a, b) = show.on_air, list(show.campaign.candidates.all())[:2]
    cid = new_id()
    services.position_record(actor=facilitator_fanny, event=show, item_id=item.pk, candidate_id=a.pk,
                             stance="favourable", client_id=cid)
    with pytest.raises(ClientIdConflict):
        services.position_record(actor=facilitator_fanny, event=show, item_id=item.pk, candidate_id=b.pk,
                                 stance="favourable", client_id=cid)


def test_the_screens_get_one_state_per_transaction_with_its_latest_number(show, facilitator_fanny, monkeypatch,
                                                                           django_capture_on_commit_callbacks):
    from django.db import transaction

    from concerto.core import live

    sent = []
    monkeypatch.setattr(live, "publish_many", lambda events, **kw: sent.extend(events))
    a, b = list(show.campaign.candidates.all())[:2]
    # The fixtures' changes wait for a commit that never comes in a test: forget their sending.
    transaction.get_connection().run_on_commit.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.turn_start(actor=facilitator_fanny, event=show, candidate_id=a.pk, client_id=new_id())
        services.turn_start(actor=facilitator_fanny, event=show, candidate_id=b.pk, client_id=new_id())
    show.refresh_from_db()
    public = [(t, d, v) for t, d, v in sent if t == f"event:{show.pk}"]
    assert len(public) == 1
    assert public[0][2] == show.seq and public[0][1]["speaking"]["candidate"] == b.pk

"""Batches of letters: generation (in the request and through the task), failures, posting,
re-issued letters and reminders."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.core.errors import NotFound
from concerto.joining import services as joining
from concerto.letters import rendering, services, tasks
from concerto.letters.errors import BatchNotReady, NothingToPrint
from concerto.letters.models import (
    BatchKind,
    BatchStatus,
    CodeUse,
    Household,
    InvitationCode,
    LetterBatch,
)
from concerto.letters.selectors import letter_figures, reminder_codes
from concerto.residents import rules as residents_rules
from conftest import make_user

from .test_import_flow import households_csv, import_households

JOIN = "https://concerto.example/c/quartier-test/rejoindre/"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def read(batch) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def test_small_batch_is_rendered_at_once_with_one_page_per_household(campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(3))
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN)
    batch.refresh_from_db()
    assert batch.kind == BatchKind.INVITATION and batch.total == 3
    assert batch.status == BatchStatus.DONE and batch.done == 3 and batch.error == ""
    pdf = read(batch)
    assert pdf.startswith(b"%PDF") and pages(pdf) == 3
    assert batch.letters.count() == 3


def test_large_batches_go_through_the_task_after_commit(campaign, organiser_dina, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "INLINE_LIMIT", 1)
    enqueued = []
    original = tasks.render_batch

    class Spy:
        @staticmethod
        def enqueue(**kwargs):
            enqueued.append(kwargs)
            return original.enqueue(**kwargs)  # ImmediateBackend in tests: runs now

    monkeypatch.setattr(tasks, "render_batch", Spy)
    import_households(organiser_dina, campaign, households_csv(2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN)
    assert enqueued == []  # the worker must find the batch's rows: nothing is enqueued before commit
    for callback in callbacks:
        callback()
    batch.refresh_from_db()
    assert enqueued == [{"batch_id": batch.pk, "join_url": JOIN}]
    assert batch.status == BatchStatus.DONE and pages(read(batch)) == 2


def test_rendering_twice_does_nothing(campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(1))
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN)
    assert rendering.batch_render(batch_id=batch.pk, join_url=JOIN) is None


def test_new_scope_skips_households_already_in_an_invitation_batch(campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(2))
    services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN)
    with pytest.raises(NothingToPrint):
        services.batch_create(user=organiser_dina, campaign=campaign, scope="new", join_url=JOIN)
    import_households(organiser_dina, campaign, households_csv(1, start=10))
    assert services.batch_create(user=organiser_dina, campaign=campaign, scope="new", join_url=JOIN).total == 1
    assert services.batch_create(user=organiser_dina, campaign=campaign, scope="all", join_url=JOIN).total == 3


def test_a_failed_batch_keeps_its_error_and_can_be_retried(campaign, organiser_dina, monkeypatch):
    import_households(organiser_dina, campaign, households_csv(2))

    def broken(*args, **kwargs):
        raise RuntimeError("typst exploded")

    monkeypatch.setattr(rendering, "render_letters_to_file", broken)
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and "typst exploded" in batch.error and not batch.file
    with pytest.raises(BatchNotReady):
        services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=batch.pk)
    # The letters of a failed batch are not "already printed": a new batch takes them again.
    monkeypatch.undo()
    assert services.batch_create(user=organiser_dina, campaign=campaign, scope="new", join_url=JOIN).total == 2
    services.batch_retry(user=organiser_dina, campaign=campaign, batch_id=batch.pk, join_url=JOIN)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and pages(read(batch)) == 2


def test_marking_posted_counts_letters_sent_once(campaign, organiser_dina):
    import_households(organiser_dina, campaign, households_csv(3))
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN)
    assert letter_figures(campaign)["letters_sent"] == 0
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=batch.pk)
    first = LetterBatch.objects.get(pk=batch.pk).sent_at
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=batch.pk)
    assert LetterBatch.objects.get(pk=batch.pk).sent_at == first
    reprint = services.batch_create(user=organiser_dina, campaign=campaign, scope="all", join_url=JOIN)
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=reprint.pk)
    assert letter_figures(campaign)["letters_sent"] == 3


def test_reissue_revokes_the_old_code_and_keeps_residents_verified(campaign, organiser_dina, resident_alice,
                                                                   resident_bob):
    import_households(organiser_dina, campaign, households_csv(1))
    household = Household.objects.get()
    old = InvitationCode.objects.get()
    joining.code_redeem(user=resident_alice, code=old)
    batch = services.household_reissue(user=organiser_dina, campaign=campaign, household_id=household.pk,
                                       reason="Courrier perdu", join_url=JOIN)
    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoke_reason == "Courrier perdu" and old.revoked_by == organiser_dina
    new = InvitationCode.objects.get(household=household, revoked_at__isnull=True)
    assert new.code != old.code and new.use_count == 0
    batch.refresh_from_db()
    assert batch.kind == BatchKind.REISSUE and batch.status == BatchStatus.DONE and pages(read(batch)) == 1
    assert list(batch.codes.all()) == [new]
    # The old code can no longer be used; the resident who used it stays verified.
    with pytest.raises(joining.CodeRevoked):
        joining.code_redeem(user=resident_bob, code=old)
    assert CodeUse.objects.filter(code=old, user=resident_alice).exists()
    residents_rules.forget_roles(resident_alice)
    assert residents_rules.is_letter_verified(resident_alice, campaign)
    joining.code_redeem(user=resident_bob, code=new)
    assert letter_figures(campaign)["codes_used"] == 2


def test_reissue_needs_a_reason_and_a_household_of_this_campaign(campaign, other_campaign, organiser_dina):
    from concerto.core.errors import FieldErrors, NotFound

    import_households(organiser_dina, campaign, households_csv(1))
    household = Household.objects.get()
    with pytest.raises(FieldErrors):
        services.household_reissue(user=organiser_dina, campaign=campaign, household_id=household.pk, reason="",
                                   join_url=JOIN)
    with pytest.raises(NotFound):
        services.household_reissue(user=organiser_dina, campaign=other_campaign, household_id=household.pk,
                                   reason="perdu", join_url=JOIN)
    assert InvitationCode.objects.filter(revoked_at__isnull=False).count() == 0


def test_reminders_only_for_posted_codes_never_used(campaign, organiser_dina, resident_alice):
    import_households(organiser_dina, campaign, households_csv(4))
    first = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN)
    with pytest.raises(NothingToPrint):  # nothing posted yet
        services.batch_create(user=organiser_dina, campaign=campaign, kind=BatchKind.REMINDER, join_url=JOIN)
    with pytest.raises(NothingToPrint):  # generated 0 days ago: too early (10 days by default)
        services.batch_create(user=organiser_dina, campaign=campaign, kind=BatchKind.REMINDER, join_url=JOIN)
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=first.pk)
    # Posted 12 days ago (generated 13 days ago).
    LetterBatch.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=13),
                                                   sent_at=timezone.now() - timedelta(days=12))
    import_households(organiser_dina, campaign, households_csv(1, start=20))  # never posted
    codes = list(InvitationCode.objects.filter(campaign=campaign).order_by("pk"))
    joining.code_redeem(user=resident_alice, code=codes[0])  # used
    services.household_reissue(user=organiser_dina, campaign=campaign, household_id=codes[1].household_id,
                               reason="perdu", join_url=JOIN)  # re-issued, new letter not posted yet
    expected = {codes[2].pk, codes[3].pk}
    assert set(reminder_codes(campaign).values_list("pk", flat=True)) == expected
    reminder = services.batch_create(user=organiser_dina, campaign=campaign, kind=BatchKind.REMINDER, join_url=JOIN)
    reminder.refresh_from_db()
    assert reminder.kind == BatchKind.REMINDER and reminder.status == BatchStatus.DONE
    assert set(reminder.codes.values_list("pk", flat=True)) == expected  # same codes, not new ones
    assert pages(read(reminder)) == 2


def test_only_organisers_generate(campaign, moderator_marc):
    with pytest.raises(NotFound):
        services.batch_create(user=moderator_marc, campaign=campaign, join_url=JOIN)
    assert not LetterBatch.objects.exists()


def test_letter_figures_are_exact_with_a_constant_number_of_queries(campaign, organiser_dina, resident_alice,
                                                                    resident_bob, django_assert_num_queries):
    import_households(organiser_dina, campaign, households_csv(5))
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN)
    services.batch_mark_sent(user=organiser_dina, campaign=campaign, batch_id=batch.pk)
    import_households(organiser_dina, campaign, households_csv(2, start=50))  # not sent
    codes = list(InvitationCode.objects.filter(campaign=campaign).order_by("pk"))
    carol = make_user("carol@example.org")
    joining.code_redeem(user=resident_alice, code=codes[0])
    joining.code_redeem(user=resident_bob, code=codes[0])
    joining.code_redeem(user=carol, code=codes[1])
    with django_assert_num_queries(1):
        figures = letter_figures(campaign)
    assert figures == {"letters_sent": 5, "codes_used": 2, "households": 7, "residents_by_code": 3}


def test_download_is_an_attachment_for_organisers_only(client, campaign, organiser_dina, moderator_marc):
    import_households(organiser_dina, campaign, households_csv(2))
    batch = services.batch_create(user=organiser_dina, campaign=campaign, join_url=JOIN)
    url = reverse("letters:batch_download", args=[campaign.slug, batch.pk])
    client.force_login(moderator_marc)
    assert client.get(url).status_code == 404
    client.force_login(organiser_dina)
    r = client.get(url)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment;")
    assert pages(b"".join(r.streaming_content)) == 2

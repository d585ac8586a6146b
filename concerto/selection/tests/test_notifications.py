"""Selected and reserve volunteers are told: e-mail when they have one, a printable letter otherwise."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.urls import reverse

from concerto.selection import notifications, services
from concerto.selection.errors import WrongStage
from concerto.selection.models import SeatStatus, SelectionSeat

from .factories import announced_selection, drawn_selection, make_pool, prepared_notice

AUDIT_URL = "https://concerto.example/c/quartier-test/selections/1/"


@pytest.fixture
def drawn(campaign, organiser_dina):
    make_pool(campaign, 12, no_email_every=4)  # V-0004, V-0008, V-0012 joined with a code, no e-mail
    return drawn_selection(campaign, organiser_dina)


def _notify(selection, organiser, capture):
    digest = prepared_notice(selection, organiser)
    with capture(execute=True):
        return services.selection_notify(by=organiser, selection=selection, audit_url=AUDIT_URL, language="fr",
                                         previewed=digest)


def test_emails_for_those_with_an_address_letters_for_the_others(drawn, organiser_dina,
                                                                  django_capture_on_commit_callbacks):
    result = _notify(drawn, organiser_dina, django_capture_on_commit_callbacks)
    assert result["emails"] == 9 and result["letters"] == 3
    assert len(mail.outbox) == 9
    seats = {s.volunteer.user.email: s for s in SelectionSeat.objects.filter(selection=drawn)
             .select_related("volunteer__user")}
    for message in mail.outbox:
        seat = seats[message.to[0]]
        assert AUDIT_URL in message.body and seat.volunteer.pseudonym in message.body
        if seat.status == SeatStatus.SELECTED:
            assert "Samedi 14 mars" in message.body
        else:
            assert str(seat.reserve_rank) in message.body
    assert not SelectionSeat.objects.filter(selection=drawn, notified_at__isnull=True).exists()
    pdf, count = notifications.letters_pdf(drawn, audit_url=AUDIT_URL, at=result["at"])
    assert count == 3 and pdf.startswith(b"%PDF")
    rows = notifications.postal_seats(drawn, at=result["at"])
    assert all(r["address_lines"] and "avenue Saint-Jérôme" in r["address_lines"][1] for r in rows)


def test_only_those_not_yet_notified_are_notified_again(drawn, organiser_dina, django_capture_on_commit_callbacks):
    _notify(drawn, organiser_dina, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    again = _notify(drawn, organiser_dina, django_capture_on_commit_callbacks)
    assert again["emails"] == 0 and again["letters"] == 0 and not mail.outbox
    # A replacement is told again: now they are on the panel.
    seat = SelectionSeat.objects.filter(selection=drawn, status=SeatStatus.SELECTED).first()
    replacement = services.seat_replace(by=organiser_dina, selection=drawn, seat_id=seat.pk, force=True)
    replacement.refresh_from_db()
    assert replacement.notified_at is None
    third = _notify(drawn, organiser_dina, django_capture_on_commit_callbacks)
    assert third["emails"] + third["letters"] == 1
    if third["emails"]:
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [replacement.volunteer.user.email]


def test_notify_only_after_the_draw(campaign, organiser_dina, resident_alice):
    make_pool(campaign, 12)
    selection = announced_selection(campaign, organiser_dina)
    with pytest.raises(WrongStage):
        services.selection_notify(by=organiser_dina, selection=selection, audit_url=AUDIT_URL, previewed="")
    assert not mail.outbox


def test_notify_and_letters_through_the_pages(client, campaign, drawn, organiser_dina,
                                              django_capture_on_commit_callbacks):
    client.force_login(organiser_dina)
    digest = prepared_notice(drawn, organiser_dina)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("selection:notify", args=[campaign.slug, drawn.pk]), {"previewed": digest})
    assert response.status_code == 302 and "lot=" in response["Location"]
    assert len(mail.outbox) == 9
    manage = client.get(response["Location"])
    assert reverse("selection:letters_pdf", args=[campaign.slug, drawn.pk]) in manage.content.decode()
    pdf = client.get(reverse("selection:letters_pdf", args=[campaign.slug, drawn.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    lot = parse_qs(urlparse(response["Location"]).query)["lot"][0]
    this_lot = client.get(reverse("selection:letters_pdf", args=[campaign.slug, drawn.pk]), {"lot": lot})
    assert this_lot.status_code == 200 and this_lot.content.startswith(b"%PDF")
    assert client.get(reverse("selection:letters_pdf", args=[campaign.slug, drawn.pk]),
                      {"lot": "pas une date"}).status_code == 404

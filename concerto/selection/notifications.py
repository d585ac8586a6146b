"""Telling selected and reserve volunteers: e-mails, and printable letters for those without e-mail.

``selection_notify`` (services) marks the seats notified and enqueues ``send_selection_emails``
after commit; letters are rendered on demand by the organiser (``letters_pdf``), for the seats
notified at one moment or for all seats notified by post.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from concerto.letters.pdf import LetterData, render_letters
from concerto.letters.selectors import households_joined_by, letterhead

from .models import SeatStatus, Selection, SelectionSeat
from .selectors import workshop_dates

logger = logging.getLogger(__name__)


def _dates(selection) -> list[str]:
    dates = workshop_dates(selection.campaign)
    wanted = set(selection.required_dates or [])
    return [d["label"] for d in dates if not wanted or d["code"] in wanted]


def seat_message(seat: SelectionSeat, selection: Selection, *, audit_url: str) -> tuple[str, str]:
    """(subject, body) in the active language for a selected or reserve seat."""
    campaign = selection.campaign.name
    drawn = formats.date_format(timezone.localtime(selection.drawn_at), "j F Y") if selection.drawn_at else ""
    if seat.status == SeatStatus.SELECTED:
        dates = "\n".join(f"- {label}" for label in _dates(selection)) or _("(the dates will be sent to you)")
        subject = _("Workshops of %(campaign)s: you have been selected") % {"campaign": campaign}
        body = _(
            "Hello,\n\nYou volunteered for the workshops of %(campaign)s. On %(date)s, a fair and public draw "
            "selected you as one of the %(size)s participants.\n\nThe workshops take place on:\n%(dates)s\n\n"
            "If you can no longer take part, tell the organisers as soon as possible: a person from the "
            "reserve list will take your place.\n\nThe draw can be checked by anyone (you appear as "
            "%(pseudonym)s): %(url)s\n\nThank you for taking part!"
        ) % {"campaign": campaign, "date": drawn, "size": selection.panel_size, "dates": dates,
             "pseudonym": seat.volunteer.pseudonym, "url": audit_url}
    else:
        subject = _("Workshops of %(campaign)s: you are on the reserve list") % {"campaign": campaign}
        body = _(
            "Hello,\n\nYou volunteered for the workshops of %(campaign)s. On %(date)s, a fair and public draw "
            "selected the %(size)s participants; you were not among them, but you are number %(rank)s on the "
            "reserve list.\n\nIf a participant withdraws, the organisers may call on you: keep your "
            "availability if you can.\n\nThe draw can be checked by anyone (you appear as %(pseudonym)s): "
            "%(url)s\n\nThank you for volunteering!"
        ) % {"campaign": campaign, "date": drawn, "size": selection.panel_size, "rank": seat.reserve_rank,
             "pseudonym": seat.volunteer.pseudonym, "url": audit_url}
    return subject, body


def send_seat_emails(*, selection_id: int, seat_ids: list[int], audit_url: str, language: str) -> int:
    """Send one e-mail per seat (selected or reserve, with an address). Returns how many were sent."""
    selection = Selection.objects.select_related("campaign").get(pk=selection_id)
    seats = (SelectionSeat.objects.filter(selection=selection, pk__in=seat_ids,
                                          status__in=[SeatStatus.SELECTED, SeatStatus.RESERVE])
             .select_related("volunteer__user"))
    sent = 0
    with translation.override(language or settings.LANGUAGE_CODE):
        for seat in seats:
            email = seat.volunteer.user.email if seat.volunteer.user is not None else ""
            if not email:
                continue
            subject, body = seat_message(seat, selection, audit_url=audit_url)
            try:
                send_mail(subject, body, None, [email])
            except Exception:  # one bad address must not stop the others
                logger.exception("selection %s: mail to seat %s failed", selection_id, seat.pk)
                continue
            sent += 1
    return sent


def postal_seats(selection, *, at=None) -> list[dict]:
    """Notified seats whose volunteer has no e-mail, with the household address from their letter code.

    ``at``: only the seats notified at that moment (one click on "Notify"). ``address_lines`` is
    empty when no household is known (the organiser must then reach the person another way).
    """
    seats = (SelectionSeat.objects.filter(selection=selection, notified_at__isnull=False,
                                          status__in=[SeatStatus.SELECTED, SeatStatus.RESERVE],
                                          volunteer__user__isnull=False, volunteer__user__email__isnull=True)
             .select_related("volunteer__user").order_by("status", "reserve_rank", "pk"))
    if at is not None:
        seats = seats.filter(notified_at=at)
    seats = list(seats)
    households = households_joined_by(selection.campaign, [s.volunteer.user_id for s in seats])
    rows = []
    for seat in seats:
        household = households.get(seat.volunteer.user_id)
        lines = list(household.address_lines) if household else []
        name = seat.volunteer.user.display_name
        if lines and name and name not in lines:
            lines = [name, *lines]
        rows.append({"seat": seat, "address_lines": lines[:6]})
    return rows


def letters_pdf(selection, *, audit_url: str, at=None) -> tuple[bytes, int]:
    """The PDF of letters for postal seats (see ``postal_seats``) and how many letters it holds."""
    rows = [r for r in postal_seats(selection, at=at) if r["address_lines"]]
    if not rows:
        return b"", 0
    with translation.override(settings.LANGUAGE_CODE):
        letters = []
        for row in rows:
            seat = row["seat"]
            _subject, body = seat_message(seat, selection, audit_url=audit_url)
            letters.append(LetterData(address_lines=row["address_lines"], body=body, code=None, qr_url=None,
                                      reference=f"S{selection.pk}-{seat.volunteer.pseudonym}"))
        pdf = render_letters(
            letters, title=_("Workshops of %(campaign)s: result of the draw") % {"campaign": selection.campaign.name},
            **letterhead(selection.campaign), code_label="", qr_caption="", join_hint="", progress=None,
        )
    return pdf, len(letters)

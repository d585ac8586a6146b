"""Telling selected and reserve volunteers: e-mails, and printable letters for those without e-mail.

``selection_notify`` (services) marks the seats notified and enqueues ``send_selection_emails``
after commit; letters are rendered on demand by the organiser (``letters_pdf``), for the seats
notified at one moment or for all seats notified by post.
"""

import hashlib
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse
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


ANSWER_SALT = "concerto.selection.answer"


def answer_token(seat_id: int) -> str:
    """The secret part of a selected person's answer link: the seat, signed (SECRET_KEY)."""
    return signing.dumps(seat_id, salt=ANSWER_SALT, compress=False)


def seat_from_token(token: str) -> int | None:
    """The seat id of an answer link, or None if the token is not one we signed."""
    try:
        value = signing.loads(str(token or ""), salt=ANSWER_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def answer_url(seat: SelectionSeat, selection: Selection, *, audit_url: str) -> str:
    """The absolute link of the answer page, on the same site as the audit page."""
    parts = urlsplit(audit_url)
    root = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    path = reverse("selection:answer", args=[selection.campaign.slug])
    return f"{root}{path}?t={answer_token(seat.pk)}"


def notice_digest(selection: Selection) -> str:
    """What the organiser previewed: the paragraph, the place and the time. Sending checks it."""
    starts = str(int(selection.workshop_starts_at.timestamp())) if selection.workshop_starts_at else ""
    text = "\x1f".join([selection.notice_text or "", selection.workshop_place or "", starts])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def default_notice_text(selection: Selection) -> str:
    return _("We look forward to meeting you at the first workshop. Please tell us whether you take part by "
             "clicking the link below.")


def workshop_when(selection: Selection) -> str:
    """"Thursday 12 March 2026 at 18:30" in the active language, or "" when not set."""
    if selection.workshop_starts_at is None:
        return ""
    local = timezone.localtime(selection.workshop_starts_at)
    return _("%(date)s at %(time)s") % {"date": formats.date_format(local, "l j F Y"),
                                        "time": formats.time_format(local, "TIME_FORMAT")}


def seat_message(seat: SelectionSeat, selection: Selection, *, audit_url: str) -> tuple[str, str]:
    """(subject, body) in the active language for a selected or reserve seat."""
    campaign = selection.campaign.name
    drawn = formats.date_format(timezone.localtime(selection.drawn_at), "j F Y") if selection.drawn_at else ""
    if seat.status == SeatStatus.SELECTED:
        dates = "\n".join(f"- {label}" for label in _dates(selection)) or _("(the dates will be sent to you)")
        subject = _("Workshops of %(campaign)s: you have been selected") % {"campaign": campaign}
        body = _(
            "Hello,\n\nYou volunteered for the workshops of %(campaign)s. On %(date)s, a fair and public draw "
            "selected you as one of the %(size)s participants.\n\n%(notice)s\n\n"
            "First workshop: %(when)s, %(place)s.\n\nThe workshops take place on:\n%(dates)s\n\n"
            "Do you take part? Answer here (yes or no): %(answer_url)s\n"
            "If you cannot take part, a person from the reserve list will take your place.\n\n"
            "The draw can be checked by anyone (you appear as %(pseudonym)s): %(url)s\n\nThank you for taking part!"
        ) % {"campaign": campaign, "date": drawn, "size": selection.panel_size, "dates": dates,
             "notice": selection.notice_text or default_notice_text(selection),
             "when": workshop_when(selection) or _("(to be announced)"),
             "place": selection.workshop_place or _("(place to be announced)"),
             "answer_url": answer_url(seat, selection, audit_url=audit_url),
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


def preview_messages(selection: Selection, *, audit_url: str) -> list[dict]:
    """The message as a selected person and as the first reserve will read it, for the organiser to
    check before sending: ``[{"label", "subject", "body"}]`` (the answer link is a sample's)."""
    previews = []
    for status, label in ((SeatStatus.SELECTED, _("To a selected person")),
                          (SeatStatus.RESERVE, _("To a person on the reserve list"))):
        seat = (SelectionSeat.objects.filter(selection=selection, status=status)
                .select_related("volunteer").order_by("reserve_rank", "pk").first())
        if seat is not None:
            subject, body = seat_message(seat, selection, audit_url=audit_url)
            previews.append({"label": label, "subject": subject, "body": body})
    return previews


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

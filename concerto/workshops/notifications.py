"""Telling invitees: the invitation and the reminder by e-mail, printable letters for those without
e-mail, and the cancellation notice.

Every message carries a fresh personal link (``tokens.issue``): the e-mail task issues it at the
moment it writes the message, so the secret is never stored, not even in the task queue. A newer
invitation replaces the link of the previous one.
"""

import json
import logging
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from . import tokens
from .models import Attendee, Workshop

logger = logging.getLogger(__name__)

LETTER_TEMPLATE = Path(__file__).resolve().parent / "typst" / "invitation.typ"


def personal_url(base_url: str, token: str) -> str:
    """The absolute personal link (``workshop_room:join_token``) on the site of ``base_url``."""
    return base_url.rstrip("/") + reverse("workshop_room:join_token", args=[token])


def when_text(workshop) -> str:
    """"jeudi 12 mars 2026, 18:30 – 20:30" in the active language."""
    starts, ends = timezone.localtime(workshop.starts_at), timezone.localtime(workshop.ends_at)
    return _("%(date)s, %(start)s – %(end)s") % {
        "date": formats.date_format(starts, "l j F Y"),
        "start": formats.time_format(starts, "TIME_FORMAT"), "end": formats.time_format(ends, "TIME_FORMAT")}


def agenda_lines(workshop) -> list[str]:
    return [_("%(title)s (%(minutes)s min)") % {"title": item.title, "minutes": item.minutes}
            for item in workshop.agenda.all()]


def where_text(workshop) -> str:
    return ", ".join(part for part in (workshop.place, workshop.address) if part)


def invitation_message(workshop, attendee, *, link: str, reminder: bool = False) -> tuple[str, str]:
    """(subject, body) in the active language: date, place, agenda, access, the answer link."""
    campaign = workshop.campaign.name
    if reminder:
        subject = _("Reminder: workshop “%(title)s” on %(date)s") % {
            "title": workshop.title, "date": formats.date_format(timezone.localtime(workshop.starts_at), "j F")}
        opening = _("This is a reminder: you are invited to a workshop of %(campaign)s.") % {"campaign": campaign}
    else:
        subject = _("Invitation: workshop “%(title)s”") % {"title": workshop.title}
        opening = _("You are invited to a workshop of %(campaign)s, with the other residents drawn for the panel.") % {
            "campaign": campaign}
    agenda = "\n".join(f"- {line}" for line in agenda_lines(workshop)) or _("(the agenda will follow)")
    parts = [
        _("Hello %(name)s,") % {"name": attendee.name},
        opening,
        _("What: %(title)s\nWhen: %(when)s\nWhere: %(where)s") % {
            "title": workshop.title, "when": when_text(workshop), "where": where_text(workshop)},
        _("Agenda:\n%(agenda)s") % {"agenda": agenda},
    ]
    if workshop.access_notes:
        parts.append(_("Access: %(notes)s") % {"notes": workshop.access_notes})
    parts.append(_("Will you be there? Answer here (yes or no), no account needed: %(link)s\n"
                   "On the day, the same link lets you join the idea wall from your phone.") % {"link": link})
    parts.append(_("This link is personal: do not pass it on. A newer invitation replaces it."))
    parts.append(_("Thank you, and see you soon!"))
    return subject, "\n\n".join(parts)


def cancellation_message(workshop, attendee) -> tuple[str, str]:
    subject = _("Cancelled: workshop “%(title)s”") % {"title": workshop.title}
    body = "\n\n".join([
        _("Hello %(name)s,") % {"name": attendee.name},
        _("The workshop “%(title)s” planned on %(when)s at %(where)s is cancelled.") % {
            "title": workshop.title, "when": when_text(workshop), "where": where_text(workshop)},
        _("Reason: %(reason)s") % {"reason": workshop.cancel_reason},
        _("The organisers will tell you about the next date. Sorry for the inconvenience."),
    ])
    return subject, body


def _workshop(workshop_id):
    return Workshop.objects.select_related("campaign").prefetch_related("agenda").get(pk=workshop_id)


def send_invitations(*, workshop_id: int, attendee_ids: list[int], base_url: str, reminder: bool,
                     language: str) -> int:
    """One e-mail per invitee with an address, each with a new personal link. Returns how many were sent."""
    workshop = _workshop(workshop_id)
    if workshop.cancelled_at is not None:
        return 0
    sent = 0
    with translation.override(language or settings.LANGUAGE_CODE):
        for attendee in Attendee.objects.filter(workshop=workshop, pk__in=attendee_ids).exclude(email=""):
            link = personal_url(base_url, tokens.issue(attendee))
            subject, body = invitation_message(workshop, attendee, link=link, reminder=reminder)
            try:
                send_mail(subject, body, None, [attendee.email])
            except Exception:  # one bad address must not stop the others
                logger.exception("workshop %s: mail to attendee %s failed", workshop_id, attendee.pk)
                continue
            sent += 1
    return sent


def send_cancellation(*, workshop_id: int, attendee_ids: list[int], language: str) -> int:
    workshop = _workshop(workshop_id)
    sent = 0
    with translation.override(language or settings.LANGUAGE_CODE):
        for attendee in Attendee.objects.filter(workshop=workshop, pk__in=attendee_ids).exclude(email=""):
            subject, body = cancellation_message(workshop, attendee)
            try:
                send_mail(subject, body, None, [attendee.email])
            except Exception:
                logger.exception("workshop %s: cancellation mail to attendee %s failed", workshop_id, attendee.pk)
                continue
            sent += 1
    return sent


def qr_png(url: str) -> bytes:
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def _letter(workshop, attendee, token: str, *, base_url: str, reminder: bool) -> dict:
    link = personal_url(base_url, token)
    _subject, body = invitation_message(workshop, attendee, link=link, reminder=reminder)
    address = [line for line in [attendee.name, *attendee.postal_address.splitlines()] if line.strip()][:6]
    return {
        "address": address,
        "paragraphs": [p.split("\n") for p in body.split("\n\n")],
        "qr": list(qr_png(link)),
        "qr_alt": _("QR code of your personal link: %(link)s") % {"link": link},
        "link": link,
    }


def letters_pdf(workshop, pairs, *, base_url: str, reminder: bool = False) -> bytes:
    """One A4 page per invitee (``pairs``: (attendee, token)), tagged PDF/UA-1, with the QR code of
    the personal link and its text alternative."""
    import typst

    with translation.override(settings.LANGUAGE_CODE):
        title = (_("Reminder: workshop “%(title)s”") if reminder else _("Invitation: workshop “%(title)s”")) % {
            "title": workshop.title}
        data = {
            "title": title, "lang": settings.LANGUAGE_CODE[:2], "campaign": workshop.campaign.name,
            "qr_caption": _("Scan this code with your phone's camera to answer and, on the day, to join the wall."),
            "letters": [_letter(workshop, a, t, base_url=base_url, reminder=reminder) for a, t in pairs],
        }
    return typst.compile(LETTER_TEMPLATE.read_bytes(), sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                         ignore_system_fonts=True, pdf_standards="ua-1", timestamp=0)

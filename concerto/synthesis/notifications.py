"""Sending each candidate their dossier: the worker module that ``tasks.send_dispatch`` runs.

The personal link's secret is made HERE, at the moment the message is written: only its SHA-256
is stored (``Dispatch.token_hash``), never the secret, not even in the task queue. ``sent`` means
the SMTP server (any server, through ``EMAIL_BACKEND``) accepted the message; its Message-ID is
kept. A refusal is kept as ``failed`` with the server's words (the page says it in French).
"""

import hashlib
import logging
import secrets

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from concerto.core.audit import log_action

from .models import Dispatch, DispatchStatus

logger = logging.getLogger("concerto.synthesis")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def download_url(base_url: str, slug: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("synthesis:dossier_download", args=[slug, token])


def dossier_message(dispatch: Dispatch, link: str) -> tuple[str, str]:
    document = dispatch.document
    campaign = document.campaign
    candidate = dispatch.candidate
    subject = _("Your dossier: the residents' final action plan (%(campaign)s)") % {"campaign": campaign.name}
    body = "\n\n".join([
        _("Hello,"),
        _("Here is the dossier of %(name)s (list « %(list)s »): the final action plan written by the residents of "
          "%(campaign)s, your positions, statements and speaking time, your amendments and what became of them, and "
          "the positions of the other lists.") % {"name": candidate.name, "list": candidate.list_name,
                                                  "campaign": campaign.name},
        _("Download it here (personal link, do not pass it on): %(link)s") % {"link": link},
        _("On that page, please confirm that you received it: every list receives the same dossier at the same "
          "time, and the dispatch times are published."),
        _("Edition %(edition)d, SHA-256 of the file: %(sha)s") % {"edition": document.edition,
                                                                  "sha": document.sha256},
        _("Prepared on %(date)s.") % {"date": formats.date_format(timezone.localtime(document.generated_at
                                                                                     or timezone.now()), "j F Y")},
    ])
    return subject, body


def send_dispatch(*, dispatch_id: int, base_url: str, language: str = "fr", connection=None) -> bool:
    """Write and send one dispatch, with a new personal link. Returns True when the server accepted it.
    ``connection``: another e-mail backend than ``EMAIL_BACKEND`` (the demo writes its mails to files)."""
    dispatch = (Dispatch.objects.select_related("document__campaign", "candidate")
                .filter(pk=dispatch_id, status__in=[DispatchStatus.QUEUED, DispatchStatus.FAILED]).first())
    if dispatch is None:
        return False
    token = secrets.token_urlsafe(32)
    campaign = dispatch.document.campaign
    with translation.override(language or settings.LANGUAGE_CODE):
        subject, body = dossier_message(dispatch, download_url(base_url, campaign.slug, token))
    domain = (settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "concerto.local")
    message_id = make_msgid(domain=domain)
    email = EmailMessage(subject, body, None, [dispatch.to_email], headers={"Message-ID": message_id},
                         connection=connection)
    Dispatch.objects.filter(pk=dispatch.pk).update(token_hash=token_hash(token), attempts=F("attempts") + 1)
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # the server's refusal, kept and shown; the others go on
        logger.warning("dispatch %s failed: %s", dispatch.pk, exc)
        Dispatch.objects.filter(pk=dispatch.pk).update(status=DispatchStatus.FAILED, error=str(exc)[:2000] or
                                                       exc.__class__.__name__)
        log_action("synthesis.dispatch.failed", scope=campaign.slug, target=dispatch, candidate=dispatch.candidate.name,
                   sha256=dispatch.document.sha256, edition=dispatch.document.edition)
        return False
    now = timezone.now()
    Dispatch.objects.filter(pk=dispatch.pk).update(status=DispatchStatus.SENT, sent_at=now, message_id=message_id,
                                                   error="")
    log_action("synthesis.dispatch.sent", scope=campaign.slug, target=dispatch, candidate=dispatch.candidate.name,
               sha256=dispatch.document.sha256, edition=dispatch.document.edition, at=now.isoformat())
    return True

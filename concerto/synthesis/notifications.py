"""E-mails of the synthesis (worker module: tasks run it; it never imports services).

- amend: the supporters' digest, one e-mail per opted-in person listing the actions they supported
  whose final text differs, with the diff and a link to withdraw;
- followup: a commitment got an update: each person subscribed to its action receives what happened,
  the new status, the evidence, a link to the commitment's page and a link that stops these e-mails;
- documents: each candidate's dossier. The personal link's secret is made here, at the moment the
  message is written: only its SHA-256 is stored (``Dispatch.token_hash``), never the secret, not
  even in the task queue. ``sent`` means the SMTP server (any server, through ``EMAIL_BACKEND``)
  accepted the message; its Message-ID is kept. A refusal is kept as ``failed`` with the server's
  words (the page says it in French).
"""

import hashlib
import logging
import secrets

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, send_mail
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from concerto.campaigns.models import Campaign
from concerto.core.audit import log_action

from . import selectors
from .models import CommitmentStatus, CommitmentUpdate, DigestOptIn, Dispatch, DispatchStatus
from .selectors import subscribers

logger = logging.getLogger("concerto.synthesis")


# -- amend --

def digest_message(campaign, rows: list[dict], base_url: str) -> tuple[str, str]:
    """(subject, body): the actions the person supported whose final text differs, each with the
    link to its diff and to withdraw the support."""
    base = base_url.rstrip("/")
    subject = _("%(campaign)s: actions you supported have changed") % {"campaign": campaign.name}
    lines = [_("Hello,"), "",
             _("The final text of actions you supported in %(campaign)s differs from the one you supported. "
               "See what changed, and keep or withdraw your support:") % {"campaign": campaign.name}, ""]
    for row in rows:
        action = row["action"]
        url = base + reverse("synthesis:versions", args=[campaign.slug, action.pk]) + \
            f"?old={row['from']}&new={row['to']}"
        lines += [f"- {action.title}",
                  "  " + _("Version %(old)s (the one you supported) compared with version %(new)s: %(url)s") % {
                      "old": row["from"], "new": row["to"], "url": url},
                  "  " + _("Withdraw your support: %(url)s") % {
                      "url": base + reverse("synthesis:support_withdraw", args=[campaign.slug, action.pk])}, ""]
    lines += [_("You receive this message because you asked for it in your space. To stop: %(url)s") % {
        "url": base + reverse("synthesis:digest_preference", args=[campaign.slug])}]
    return subject, "\n".join(lines)


def send_digest(*, campaign_id: int, base_url: str, language: str = "fr") -> int:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    sent = 0
    with translation.override(language or settings.LANGUAGE_CODE):
        for user_id, rows in selectors.digest_rows(campaign).items():
            with transaction.atomic():
                row = (DigestOptIn.objects.select_for_update().select_related("user")
                       .filter(campaign=campaign, user_id=user_id, sent_at__isnull=True).first())
                if row is None or not row.user.email:
                    continue
                subject, body = digest_message(campaign, rows, base_url)
                try:
                    send_mail(subject, body, None, [row.user.email])
                except OSError:
                    logger.warning("supporters' digest not sent to user %s", user_id)
                    continue
                row.sent_at = timezone.now()
                row.save(update_fields=["sent_at"])
                sent += 1
    return sent


# -- followup --

UNSUBSCRIBE_SALT = "concerto.synthesis.unsubscribe"


def unsubscribe_token(user_id: int, action_id: int) -> str:
    """The secret part of an unsubscribe link: the person and the action, signed (SECRET_KEY)."""
    return signing.dumps([user_id, action_id], salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_from_token(token: str) -> tuple[int, int] | None:
    try:
        value = signing.loads(str(token or ""), salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value[0], value[1]
    return None


def _base() -> str:
    return (settings.CONCERTO_PUBLIC_URL or "http://localhost:8000").rstrip("/")


def update_message(update, user) -> tuple[str, str]:
    commitment = update.commitment
    campaign = commitment.campaign
    page = _base() + reverse("synthesis:followup_commitment", args=[campaign.slug, commitment.pk])
    stop = _base() + reverse("synthesis:followup_unsubscribe",
                             args=[campaign.slug, unsubscribe_token(user.pk, commitment.action_id)])
    subject = _("Follow-up of “%(action)s”: %(status)s") % {
        "action": commitment.action.title, "status": CommitmentStatus(update.status).label}
    lines = [
        _("An update was added to the follow-up of “%(action)s”, a commitment of %(list)s.") % {
            "action": commitment.action.title, "list": commitment.candidate.list_name},
        "",
        f"{update.happened_on:%d/%m/%Y} – {update.title}",
        _("Status: %(status)s") % {"status": CommitmentStatus(update.status).label},
    ]
    if update.note:
        lines += ["", update.note]
    if update.evidence_url:
        lines += ["", _("Evidence: %(url)s") % {"url": update.evidence_url}]
    lines += ["", _("The commitment and its timeline: %(url)s") % {"url": page}, "",
              _("You receive this e-mail because you asked for news about this action. To stop: %(url)s")
              % {"url": stop}]
    return subject, "\n".join(lines)


def send_commitment_update(*, update_id: int, language: str = "") -> int:
    update = (CommitmentUpdate.objects.filter(pk=update_id)
              .select_related("commitment__action", "commitment__campaign", "commitment__candidate").first())
    if update is None:
        return 0
    sent = 0
    with translation.override(language or settings.LANGUAGE_CODE):
        for user in subscribers(update.commitment.action):
            subject, body = update_message(update, user)
            try:
                send_mail(subject, body, None, [user.email])
            except Exception:  # one address failing does not stop the others
                logger.exception("follow-up e-mail to user %s failed", user.pk)
            else:
                sent += 1
    return sent


# -- documents --

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

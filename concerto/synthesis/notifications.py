"""Telling residents by e-mail (run by ``tasks``, never by services)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.campaigns.models import Campaign

from . import selectors
from .models import DigestOptIn

logger = logging.getLogger(__name__)


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

"""Background work of the letters app (``manage.py db_worker``): rendering large batches of letters,
and the alert sent to organisers when many unknown codes are typed.

Services enqueue these tasks on commit; a task runs a worker module (``rendering``) and never
imports services, so the import graph stays one-way (the ``layers`` contract in pyproject.toml).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from concerto.campaigns.models import Campaign
from concerto.residents.selectors import organiser_emails

from .rendering import batch_render


@task()
def render_batch(*, batch_id: int, join_url: str) -> None:
    """Render a queued batch; the service is idempotent, so a retried task does nothing twice."""
    batch_render(batch_id=batch_id, join_url=join_url)


@task()
def send_code_guessing_alert(*, campaign_id: int, failures: int, minutes: int, language: str = "fr") -> int:
    """Tell the campaign's organisers that many unknown codes were typed; returns how many were told."""
    campaign = Campaign.objects.get(pk=campaign_id)
    emails = organiser_emails(campaign)
    if not emails:
        return 0
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Concerto: many wrong letter codes typed for %(campaign)s") % {"campaign": campaign.name}
        body = _(
            "Hello,\n\nIn the last %(minutes)s minutes, %(failures)s codes that do not exist were typed on the "
            "join page of %(campaign)s. Someone may be trying to guess letter codes.\n\nNothing is blocked: "
            "residents with a real code can still join. Guessing a code is hopeless (about 31^9 possible "
            "codes), and each address is paused after a few wrong codes. If you see this message often, "
            "look at the audit trail (letters.code.failed) and tell your technical contact.\n\nYou receive "
            "this message at most once every %(minutes)s minutes."
        ) % {"minutes": minutes, "failures": failures, "campaign": campaign.name}
        send_mail(subject, body, None, emails)
    return len(emails)

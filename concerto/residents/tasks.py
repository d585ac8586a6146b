from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Role


@task()
def send_sign_in_link(*, email: str, url: str, language: str = "fr") -> None:
    with translation.override(language):
        minutes = settings.CONCERTO_MAGIC_LINK_TTL_MINUTES
        body = _(
            "Hello,\n\nTo sign in to Concerto, open this link within %(minutes)s minutes:\n\n%(url)s\n\n"
            "The link works once. If you did not ask for it, ignore this message."
        ) % {"minutes": minutes, "url": url}
        send_mail(_("Your Concerto sign-in link"), body, None, [email])


@task()
def send_team_invitation(*, email: str, url: str, campaign_name: str, role: str, inviter: str, days: int,
                         contact: str = "", language: str = "fr") -> None:
    """The invitation to join a campaign's team. ``role`` is the role's code, worded here in the
    recipient's language."""
    with translation.override(language):
        role_label = str(Role(role).label).lower()
        body = _(
            "Hello,\n\n%(inviter)s invites you to join the team of the campaign “%(campaign)s” on Concerto, "
            "as %(role)s.\n\nTo accept, open this link within %(days)s days:\n\n%(url)s\n\n"
            "If you have no account yet, you will choose your public name and a password. "
            "If you did not expect this invitation, ignore this message: nothing happens without you."
        ) % {"inviter": inviter, "campaign": campaign_name, "role": role_label, "days": days, "url": url}
        if contact:
            body += "\n\n" + _("Questions: %(contact)s") % {"contact": contact}
        send_mail(_("Invitation to the team of “%(campaign)s”") % {"campaign": campaign_name}, body, None, [email])


@task()
def send_password_reset(*, email: str, url: str, minutes: int, language: str = "fr") -> None:
    with translation.override(language):
        body = _(
            "Hello,\n\nSomeone (probably you) asked to choose a new password for your Concerto account. "
            "Open this link within %(minutes)s minutes:\n\n%(url)s\n\n"
            "The link works once. If you did not ask for it, ignore this message: your password stays the same."
        ) % {"minutes": minutes, "url": url}
        send_mail(_("Choose a new Concerto password"), body, None, [email])

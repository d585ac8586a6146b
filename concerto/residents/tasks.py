from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def send_sign_in_link(*, email: str, url: str, language: str = "fr") -> None:
    with translation.override(language):
        minutes = settings.CONCERTO_MAGIC_LINK_TTL_MINUTES
        body = _(
            "Hello,\n\nTo sign in to Concerto, open this link within %(minutes)s minutes:\n\n%(url)s\n\n"
            "The link works once. If you did not ask for it, ignore this message."
        ) % {"minutes": minutes, "url": url}
        send_mail(_("Your Concerto sign-in link"), body, None, [email])

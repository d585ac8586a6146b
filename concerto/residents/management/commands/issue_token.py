"""Create a personal API token for an existing account; prints the secret once, alone on its line."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from concerto.core.errors import DomainError
from concerto.residents.models import User
from concerto.residents.services import api_token_create, normalise_email


class Command(BaseCommand):
    help = "Create a personal API token for an existing account and print its secret (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-mail address of the account.")
        parser.add_argument("--name", default="cli", help="What the token is for, e.g. the script using it.")

    def handle(self, *args, email: str, name: str, **options):
        try:
            normal = normalise_email(email)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        user = User.objects.filter(email=normal, is_active=True).first()
        if user is None:
            raise CommandError(_("No active account uses the e-mail address %(email)s.") % {"email": email})
        try:
            token, secret = api_token_create(user=user, name=name)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stderr.write(_("Token “%(name)s” created for %(email)s. Keep the secret below: it will not be shown again.")
                          % {"name": token.name, "email": user.email})
        self.stdout.write(secret)

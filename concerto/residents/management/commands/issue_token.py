"""Create a personal API token for an existing account; prints the secret once, alone on its line."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from concerto.core.errors import DomainError
from concerto.residents.models import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, TokenScope, User
from concerto.residents.services import api_token_create, normalise_email


class Command(BaseCommand):
    help = "Create a personal API token for an existing account and print its secret (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-mail address of the account.")
        parser.add_argument("--name", default="cli", help="What the token is for, e.g. the script using it.")
        parser.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ,
                            help="read (the default): GET only; write: may also support, propose, comment...")
        parser.add_argument("--days", type=int, default=TOKEN_DEFAULT_DAYS,
                            help=f"Days of validity, 1 to {TOKEN_MAX_DAYS} (default {TOKEN_DEFAULT_DAYS}).")

    def handle(self, *args, email: str, name: str, scope: str = TokenScope.READ, days: int = TOKEN_DEFAULT_DAYS,
               **options):
        try:
            normal = normalise_email(email)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        user = User.objects.filter(email=normal, is_active=True).first()
        if user is None:
            raise CommandError(_("No active account uses the e-mail address %(email)s.") % {"email": email})
        try:
            token, secret = api_token_create(user=user, name=name, scope=scope, days=days)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stderr.write(_("Token “%(name)s” created for %(email)s. Keep the secret below: it will not be shown again.")
                          % {"name": token.name, "email": user.email})
        self.stdout.write(secret)

"""First run: create the organisation and its first administrator; everything else happens in the web
back office (``/gestion/campagnes/``). See docs/operations.md, "First run".

The password is never read from the command line (it would stay in the shell history and in ``ps``):
it is typed twice at a prompt, or read from the first line of ``--password-file``.
"""

import getpass
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from concerto.campaigns.selectors import organisation_exists
from concerto.campaigns.services import organisation_create_by_system
from concerto.core.errors import DomainError, FieldErrors
from concerto.residents.services import first_admin_create_by_system


class Command(BaseCommand):
    help = ("First run: create the organisation and its first administrator, who then signs in at "
            "/connexion/mot-de-passe/ and creates campaigns at /gestion/campagnes/. Refuses, changing "
            "nothing, when the organisation already exists.")

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="Name of the organisation, e.g. “Quartiers Vivants”.")
        parser.add_argument("--organisation-slug", default="",
                            help="Short address of the organisation (default: made from its name).")
        parser.add_argument("--email", required=True, help="E-mail address of the first administrator.")
        parser.add_argument("--name", required=True, help="Name of the first administrator, as the team sees it.")
        parser.add_argument("--password-file", default="",
                            help="Read the password from the first line of this file instead of a prompt "
                                 "(delete the file afterwards). Never pass a password on the command line.")

    def handle(self, *args, organisation: str, organisation_slug: str, email: str, name: str, password_file: str,
               **options):
        slug = organisation_slug or slugify(organisation)
        if organisation_exists(slug):
            raise CommandError(_("The organisation “%(slug)s” already exists: nothing was changed. Its administrators "
                                 "add campaigns and people in the back office (/gestion/campagnes/).") % {"slug": slug})
        password = self._password(password_file)
        try:
            with transaction.atomic():
                org = organisation_create_by_system(name=organisation, slug=slug)
                user = first_admin_create_by_system(organisation=org, email=email, display_name=name,
                                                    password=password)
        except FieldErrors as exc:
            raise CommandError("\n".join(str(message) for message in exc.errors.values())) from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(_("Organisation “%(org)s” created (address: %(slug)s).") % {"org": org.name, "slug": org.slug})
        self.stdout.write(_("First administrator: %(email)s. Sign in at /connexion/mot-de-passe/, then create the "
                            "first campaign at /gestion/campagnes/.") % {"email": user.email})

    def _password(self, password_file: str) -> str:
        if password_file:
            try:
                lines = Path(password_file).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise CommandError(_("Cannot read the password file: %(error)s") % {"error": exc.strerror}) from exc
            password = lines[0] if lines else ""
            if not password:
                raise CommandError(_("The password file is empty: write the password on its first line."))
            return password
        if not sys.stdin.isatty():
            raise CommandError(_("No terminal to type the password in: use --password-file."))
        password = getpass.getpass(_("Password of the first administrator: "))
        if password != getpass.getpass(_("The same password again: ")):
            raise CommandError(_("The two passwords are different: nothing was created."))
        return password

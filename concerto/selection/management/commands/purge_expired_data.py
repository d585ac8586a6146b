"""Keep the retention promises: ``manage.py purge_expired_data [--dry-run]``, run daily (docs/operations.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from concerto.residents.services import sign_in_links_purge
from concerto.selection.erasure import volunteers_purge_expired


class Command(BaseCommand):
    help = ("Erase the volunteers' answers of campaigns that ended more than "
            "CONCERTO_VOLUNTEER_ANSWERS_KEEP_MONTHS ago (the consent text's promise), and expired "
            "sign-in links with their e-mail addresses. Run it daily.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be erased; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        report = volunteers_purge_expired(dry_run=dry_run)
        verb = "would erase" if dry_run else "erased"
        for row in report:
            self.stdout.write(f"{row['campaign']} (ended {row['ended_at']:%Y-%m-%d}): {verb} the answers of "
                              f"{row['volunteers']} volunteer(s), archived {row['selections']} selection(s)")
        months = settings.CONCERTO_VOLUNTEER_ANSWERS_KEEP_MONTHS
        self.stdout.write(f"{len(report)} campaign(s) ended more than {months} months ago had answers to erase"
                          + (" (dry run: nothing changed)." if dry_run else "."))
        links = sign_in_links_purge(dry_run=dry_run)
        self.stdout.write(f"{links} expired sign-in link(s) " + ("would be deleted." if dry_run else "deleted."))

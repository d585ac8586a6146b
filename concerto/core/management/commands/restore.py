"""``manage.py restore BACKUP_FOLDER [--replace]``: into an empty database, after checking every file's
checksum and the versions; then ``migrate`` and the restored row counts (docs/backups.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from concerto.core import backups
from concerto.core.errors import BackupError


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` into an empty database (refused, changing nothing, "
            "if it has tables) and the media folder, then run migrate and print the restored row counts.")

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup folder (var/backups/concerto-…), or its manifest.json.")
        parser.add_argument("--replace", action="store_true",
                            help="Restore even if the target database has tables: the backup's tables are "
                                 "dropped and recreated (PostgreSQL, in the same transaction), or the whole "
                                 "SQLite file is overwritten.")
        parser.add_argument("--database", default="default", help="Which database of the settings (default: default).")

    def handle(self, *args, backup: str, replace: bool, database: str, **options):
        connection = connections[database]
        try:
            result = backups.backup_restore(source=Path(backup), database=connection.settings_dict,
                                            media_root=Path(settings.MEDIA_ROOT), replace=replace)
        except BackupError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
        manifest = result.manifest
        self.stdout.write(self.style.SUCCESS(
            _("Restored the backup of %(at)s (Concerto %(version)s, %(commit)s).")
            % {"at": manifest["created_at"], "version": manifest["concerto"].get("version") or "?",
               "commit": (manifest["concerto"].get("commit") or "?")[:12]}))
        self.stdout.write(_("Media: %(n)s files restored into %(path)s.") % {"n": result.media_files,
                                                                              "path": settings.MEDIA_ROOT})
        if result.media_set_aside:
            self.stdout.write(_("The media files that were there are kept in %(path)s.")
                              % {"path": result.media_set_aside})
        # Brings an older backup's schema up to this code; on a backup of this version it applies nothing.
        call_command("migrate", database=database, interactive=False, verbosity=max(0, options["verbosity"] - 1))
        expected = manifest.get("counts") or {}
        differ = [label for label in expected if result.counts.get(label) != expected[label]]
        width = max((len(label) for label in expected), default=0)
        self.stdout.write(_("Rows restored, per table (as in the backup's manifest):"))
        for label in sorted(expected):
            mark = "" if label not in differ else "  ≠ " + str(expected[label])
            self.stdout.write(f"  {label:<{width}}  {result.counts.get(label, 0):>9}{mark}")
        if differ:
            raise CommandError(_("Restored, but %(n)s tables do not have the row counts of the manifest: %(names)s.")
                               % {"n": len(differ), "names": ", ".join(differ)} + " [counts_mismatch]")
        self.stdout.write(self.style.SUCCESS(_("All %(n)s tables have the row counts of the backup.")
                                             % {"n": len(expected)}))

"""``manage.py backup [--dir DIR] [--keep N]``: the database, the media and a manifest, in one
timestamped folder (docs/backups.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from concerto.core import backups
from concerto.core.errors import BackupError


class Command(BaseCommand):
    help = ("Back up the database (pg_dump, or SQLite's online backup), the media folder and a manifest "
            "(checksums, schema, row counts) into a new folder of CONCERTO_BACKUP_DIR (default var/backups/).")

    def add_arguments(self, parser):
        parser.add_argument("--dir", default="", help="Where to write the backup (default: CONCERTO_BACKUP_DIR, "
                                                      "else var/backups/).")
        parser.add_argument("--keep", type=int, default=None,
                            help="Then delete all but the N newest complete backups of that folder.")
        parser.add_argument("--database", default="default", help="Which database of the settings (default: default).")

    def handle(self, *args, dir: str, keep: int | None, database: str, **options):  # noqa: A002
        directory = Path(dir) if dir else backups.default_directory()
        try:
            result = backups.backup_create(directory=directory, database=connections[database].settings_dict,
                                           media_root=Path(settings.MEDIA_ROOT), keep=keep)
        except BackupError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
        manifest = result.manifest
        size = sum(entry["bytes"] for entry in manifest["files"].values())
        self.stdout.write(self.style.SUCCESS(_("Backup written: %(path)s (%(size)s bytes).")
                                             % {"path": result.path, "size": size}))
        self.stdout.write(_("Database: %(engine)s, %(tables)s tables, %(rows)s rows; media: %(media)s files.")
                          % {"engine": manifest["database"]["engine"], "tables": len(manifest["counts"]),
                             "rows": sum(manifest["counts"].values()), "media": manifest["media"]["files"]})
        for path in result.removed:
            self.stdout.write(_("Removed the old backup %(path)s (--keep %(keep)s).") % {"path": path, "keep": keep})

"""Backups that restore: the database (PostgreSQL via ``pg_dump``, SQLite via its online backup
API), the media folder as a tar, and a manifest. ``manage.py backup`` / ``manage.py restore``;
docs/backups.md says how to run, schedule, test and copy them off-site.

A backup is one folder, ``<directory>/concerto-<UTC time>/``::

    manifest.json     what, when, from which code and schema; sha256 and size of each file
    database.dump     pg_dump --format=custom (PostgreSQL), or
    database.sqlite3  a consistent copy of the SQLite file
    media.tar         MEDIA_ROOT (letter PDFs, selection exports)

It is written under a hidden ``.partial`` name and renamed when complete, so a folder with the
final name is always whole. The manifest never holds a password, and no password is ever put on a
command line (``ps`` shows those to every user): the PostgreSQL tools get it from a passfile
readable by this user only.

Restoring goes into an empty database only, after every checksum and version check passed, so a
refused restore changes nothing. This module is infrastructure, not a domain act: nothing here is
audited (a restored audit trail stays exactly what was backed up).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess  # the PostgreSQL client tools and git, with argument lists and no shell
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _

from .errors import BackupError

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
MEDIA_FILE = "media.tar"
PREFIX = "concerto-"
PARTIAL = ".partial"
_CHUNK = 1 << 20


@dataclass
class Backup:
    path: Path
    manifest: dict
    removed: list[Path] = field(default_factory=list)


@dataclass
class Restored:
    manifest: dict
    counts: dict[str, int]
    media_files: int
    media_set_aside: Path | None = None


def default_directory() -> Path:
    var = getattr(settings, "VAR_DIR", None) or Path(settings.BASE_DIR) / "var"
    return Path(os.environ.get("CONCERTO_BACKUP_DIR") or Path(var) / "backups")


def engine_of(database: dict) -> str:
    engine = database.get("ENGINE", "")
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(_("Backups support PostgreSQL and SQLite databases, not %(engine)s.") % {"engine": engine},
                      code="engine_unsupported")


# --- Backing up ---------------------------------------------------------------------------------

def backup_create(*, directory: Path, database: dict, media_root: Path, keep: int | None = None) -> Backup:
    """Write one complete backup folder into ``directory``; with ``keep``, then delete all but the
    ``keep`` newest complete backups there. Two backups never run at once in one directory (a lock)."""
    if keep is not None and keep < 1:
        raise BackupError(_("--keep must be at least 1: the backup just made is always kept."), code="keep_invalid")
    engine = engine_of(database)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _directory_lock(directory):
        _remove_stale_partials(directory)
        now = datetime.now(UTC)
        final = _free_name(directory, PREFIX + now.strftime("%Y%m%dT%H%M%SZ"))
        partial = directory / f".{final.name}{PARTIAL}"
        partial.mkdir(mode=0o700)
        try:
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(timespec="microseconds").replace("+00:00", "Z"),
                "concerto": concerto_version(),
                "database": {"engine": engine},
            }
            if engine == "postgresql":
                db_file = partial / PG_DUMP_FILE
                manifest["database"] |= _pg_dump(database, db_file)
            else:
                db_file = partial / SQLITE_FILE
                manifest["database"] |= _sqlite_copy(database, db_file)
            manifest["database"]["file"] = db_file.name
            manifest["migrations"] = manifest["database"].pop("migrations")
            manifest["counts"] = manifest["database"].pop("counts")
            manifest["media"] = {"file": MEDIA_FILE, "files": _media_tar(Path(media_root), partial / MEDIA_FILE)}
            manifest["files"] = {p.name: _file_entry(p) for p in (db_file, partial / MEDIA_FILE)}
            _write_durably(partial / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n")
            _fsync_dir(partial)
            os.rename(partial, final)
            _fsync_dir(directory)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        removed = _apply_retention(directory, keep, spare=final) if keep else []
    return Backup(path=final, manifest=manifest, removed=removed)


def backups_in(directory: Path) -> list[tuple[str, Path]]:
    """Complete backups in ``directory``, oldest first, as (created_at, path)."""
    found = []
    for path in Path(directory).glob(PREFIX + "*"):
        try:
            created = json.loads((path / MANIFEST).read_text())["created_at"]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not one of ours, or damaged: retention never deletes what it cannot date
        found.append((created, path))
    return sorted(found)


def _apply_retention(directory: Path, keep: int, *, spare: Path) -> list[Path]:
    complete = [path for _created, path in backups_in(directory)]
    doomed = [path for path in complete[:-keep] if path != spare] if len(complete) > keep else []
    for path in doomed:
        shutil.rmtree(path)
    return doomed


@contextlib.contextmanager
def _directory_lock(directory: Path):
    with open(directory / ".lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BackupError(_("Another backup is being written in %(dir)s: try again when it ends.")
                              % {"dir": directory}, code="backup_running") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_partials(directory: Path) -> None:
    # Only called under the directory lock: a .partial folder there belongs to a backup that died.
    for path in directory.glob(f".{PREFIX}*{PARTIAL}"):
        shutil.rmtree(path, ignore_errors=True)


def _free_name(directory: Path, name: str) -> Path:
    candidate, n = directory / name, 1
    while candidate.exists():
        n += 1
        candidate = directory / f"{name}-{n}"
    return candidate


def concerto_version() -> dict:
    """The version from pyproject.toml and, when known, the commit (``CONCERTO_COMMIT``, set by the
    image build, or the checkout's git HEAD)."""
    base = Path(settings.BASE_DIR)
    info = {"version": "", "commit": os.environ.get("CONCERTO_COMMIT", "")}
    with contextlib.suppress(OSError, ValueError, KeyError):
        info["version"] = tomllib.loads((base / "pyproject.toml").read_text())["project"]["version"]
    git = shutil.which("git")
    if not info["commit"] and git and (base / ".git").exists():
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([git, "-C", str(base), "rev-parse", "HEAD"],  # noqa: S603
                                 capture_output=True, text=True, timeout=10, check=False)
            if out.returncode == 0:
                info["commit"] = out.stdout.strip()
    return info


def _model_tables() -> dict[str, str]:
    """Table name -> model label for every table Django manages (many-to-many tables included)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy:
            tables[meta.db_table] = meta.label_lower
    return tables


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_state(cursor, existing_tables: set[str]) -> dict:
    """Row counts per model and the applied migrations, read through ``cursor``'s snapshot."""
    counts = {}
    for table, label in sorted(_model_tables().items(), key=lambda item: item[1]):
        if table in existing_tables:
            # Table names come from the models, not from input; quoted all the same.
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608
            counts[label] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in existing_tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return {"counts": counts, "migrations": migrations}


# --- PostgreSQL ---------------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    bindir = os.environ.get("CONCERTO_PG_BINDIR", "")
    path = str(Path(bindir) / name) if bindir else shutil.which(name)
    if not path or not Path(path).exists():
        raise BackupError(_("%(tool)s is not installed (Debian: apt-get install postgresql-client; or set "
                            "CONCERTO_PG_BINDIR to the folder holding it).") % {"tool": name}, code="tool_missing")
    return path


def tool_version(name: str) -> str:
    """``pg_dump --version`` → "15.20"."""
    out = subprocess.run([_pg_tool(name), "--version"], capture_output=True, text=True,  # noqa: S603
                         timeout=30, check=False)
    match = re.search(r"(\d+)(?:\.(\d+))?", out.stdout)
    if out.returncode != 0 or not match:
        raise BackupError(_("Cannot tell the version of %(tool)s.") % {"tool": name}, code="tool_missing")
    return match.group(0)


def _major(version: str) -> int:
    return int(str(version).split(".")[0])


@contextlib.contextmanager
def _pg_environment(database: dict):
    """The environment for pg_dump/pg_restore: where to connect, and the password in a passfile
    readable by this user only, deleted afterwards (never on the command line, never in the manifest)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if database.get(key):
            env[var] = str(database[key])
    options = database.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service"):
        if options.get(key):
            env["PG" + key.upper()] = str(options[key])
    env["PGAPPNAME"] = "concerto-backup"
    password = database.get("PASSWORD") or ""
    with tempfile.TemporaryDirectory(prefix="concerto-pg-") as tmp:
        if password:
            passfile = Path(tmp) / "pgpass"
            escaped = password.replace("\\", "\\\\").replace(":", "\\:")
            fd = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(f"*:*:*:*:{escaped}\n")
            env["PGPASSFILE"] = str(passfile)
        yield env


def _pg_connect(database: dict, **extra):
    import psycopg  # only PostgreSQL deployments need it loaded

    options = {k: v for k, v in (database.get("OPTIONS") or {}).items()
               if k in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service")}
    params = {"dbname": database.get("NAME"), "user": database.get("USER") or None,
              "password": database.get("PASSWORD") or None, "host": database.get("HOST") or None,
              "port": database.get("PORT") or None, "application_name": "concerto-backup", **options, **extra}
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None})


def _pg_tables(cursor) -> set[str]:
    cursor.execute("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()")
    return {row[0] for row in cursor.fetchall()}


def _pg_run(args: list[str], env: dict, what: str) -> None:
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if out.returncode != 0:
        raise BackupError(_("%(tool)s failed: %(error)s") % {"tool": what, "error": out.stderr.strip()[-2000:]},
                          code=f"{what}_failed")


def _pg_dump(database: dict, target: Path) -> dict:
    """Dump under an exported snapshot, so the counts and migrations in the manifest describe exactly
    the rows in the dump, even while the site keeps writing."""
    dump_version = tool_version("pg_dump")
    with _pg_connect(database, autocommit=True) as conn, conn.cursor() as cursor:
        server_version = conn.info.server_version
        server = f"{server_version // 10000}.{server_version % 10000}"
        if _major(dump_version) < server_version // 10000:
            raise BackupError(
                _("pg_dump %(dump)s is older than the PostgreSQL server (%(server)s): it cannot dump it. "
                  "Install the client of version %(major)s or newer (postgresql-client-%(major)s) or point "
                  "CONCERTO_PG_BINDIR at it.") % {"dump": dump_version, "server": server, "major": server_version // 10000},
                code="pg_dump_too_old")
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        state = _read_state(cursor, _pg_tables(cursor))
        with _pg_environment(database) as env:
            _pg_run([_pg_tool("pg_dump"), "--format=custom", "--no-password", f"--snapshot={snapshot}",
                     f"--file={target}"], env, "pg_dump")
        cursor.execute("ROLLBACK")
    _fsync(target)
    return {"name": database.get("NAME", ""), "server_version": server, "pg_dump_version": dump_version, **state}


# --- SQLite -------------------------------------------------------------------------------------

def _sqlite_tables(conn) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return {row[0] for row in rows}


def _sqlite_copy(database: dict, target: Path) -> dict:
    """The online backup API: a consistent copy even while the site writes (WAL mode included)."""
    source_path = Path(database["NAME"])
    if not source_path.exists():
        raise BackupError(_("The SQLite database %(path)s does not exist.") % {"path": source_path},
                          code="database_missing")
    # Not opened read-only: a WAL database read by a process that cannot write its -shm file fails.
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # The copy is a plain file, like any SQLite database: no -wal file to carry along.
        copy.execute("PRAGMA journal_mode=DELETE")
        state = _read_state(copy.cursor(), _sqlite_tables(copy))
    finally:
        copy.close()
        source.close()
    _fsync(target)
    return {"name": source_path.name, "sqlite_version": sqlite3.sqlite_version, **state}


# --- Media --------------------------------------------------------------------------------------

def _media_tar(media_root: Path, target: Path) -> int:
    count = 0
    with tarfile.open(target, "w") as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=path.relative_to(media_root).as_posix(), recursive=False)
                    count += 1
    _fsync(target)
    return count


# --- Files --------------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_entry(path: Path) -> dict:
    path.chmod(0o600)  # personal data: readable by the account that made the backup only
    return {"sha256": sha256_of(path), "bytes": path.stat().st_size}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync(path)


def _write_durably(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


# --- Restoring ----------------------------------------------------------------------------------

def backup_read(source: Path) -> tuple[Path, dict]:
    """The backup folder and its manifest, after checking every file against its sha256 and size."""
    source = Path(source)
    folder = source.parent if source.name == MANIFEST else source
    if not folder.exists():
        raise BackupError(_("No backup at %(path)s.") % {"path": source}, code="backup_not_found")
    if not folder.is_dir():
        raise BackupError(_("%(path)s is not a backup folder (a folder holding manifest.json). If it is an "
                            "archive of one, unpack it first.") % {"path": source}, code="backup_not_found")
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(_("%(path)s has no manifest.json: it is not a complete backup.") % {"path": folder},
                          code="manifest_missing") from exc
    except (OSError, ValueError) as exc:
        raise BackupError(_("The manifest of %(path)s is unreadable: the backup is damaged.") % {"path": folder},
                          code="manifest_corrupt") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise BackupError(_("The manifest of %(path)s is unreadable: the backup is damaged.") % {"path": folder},
                          code="manifest_corrupt")
    if manifest.get("format") != FORMAT:
        raise BackupError(_("This backup has format %(found)s; this version of Concerto reads format %(known)s. "
                            "Restore it with the Concerto version that made it (%(commit)s).")
                          % {"found": manifest.get("format"), "known": FORMAT,
                             "commit": (manifest.get("concerto") or {}).get("commit") or "?"},
                          code="format_unsupported")
    for name, entry in manifest["files"].items():
        path = folder / name
        if Path(name).name != name:
            raise BackupError(_("The manifest of %(path)s is unreadable: the backup is damaged.") % {"path": folder},
                              code="manifest_corrupt")
        if not path.is_file():
            raise BackupError(_("%(file)s is missing from the backup %(path)s.") % {"file": name, "path": folder},
                              code="file_missing")
        size = path.stat().st_size
        if size != entry.get("bytes") or sha256_of(path) != entry.get("sha256"):
            raise BackupError(
                _("%(file)s does not match its checksum (%(size)s bytes, %(expected)s expected): the backup is "
                  "corrupt or was truncated while copied. Nothing was restored; use another copy.")
                % {"file": name, "size": size, "expected": entry.get("bytes")},
                code="checksum_mismatch")
    for key in ("database", "media"):
        if (manifest.get(key) or {}).get("file") not in manifest["files"]:
            raise BackupError(_("The manifest of %(path)s is unreadable: the backup is damaged.") % {"path": folder},
                              code="manifest_corrupt")
    return folder, manifest


def unknown_migrations(manifest: dict) -> list[str]:
    """Migrations the backup's schema has and this code does not know: the backup comes from a newer
    Concerto. Apps this code does not install are not compared (an app removed since)."""
    # Loads every migration module: only when restoring.
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    installed = {app.label for app in apps.get_app_configs()}
    return [f"{app}.{name}" for app, names in sorted((manifest.get("migrations") or {}).items())
            if app in installed for name in names if (app, name) not in known]


def backup_restore(*, source: Path, database: dict, media_root: Path, replace: bool = False) -> Restored:
    """Restore a backup into ``database`` (empty, unless ``replace``) and ``media_root``.

    Every check runs before anything is written: checksums, format, engines, tool and server versions,
    migrations, emptiness. The database is restored in one transaction (PostgreSQL) or one backup-API
    step (SQLite), so a failure leaves the target as it was. Media go in last, beside MEDIA_ROOT then
    renamed into place; files already there are set aside, never deleted. The caller runs ``migrate``.
    """
    folder, manifest = backup_read(source)
    engine = engine_of(database)
    found = (manifest.get("database") or {}).get("engine")
    if found != engine:
        raise BackupError(_("This backup holds a %(found)s database; the target is %(engine)s. Restore it into "
                            "the same kind of database.") % {"found": found, "engine": engine},
                          code="engine_mismatch")
    newer = unknown_migrations(manifest)
    if newer:
        raise BackupError(_("This backup comes from a newer Concerto: its schema has migrations this code does "
                            "not know (%(names)s). Deploy that version (%(commit)s) first, then restore.")
                          % {"names": ", ".join(newer[:5]) + (" …" if len(newer) > 5 else ""),
                             "commit": (manifest.get("concerto") or {}).get("commit") or "?"},
                          code="backup_newer_than_code")
    db_file = folder / manifest["database"]["file"]
    if engine == "postgresql":
        _pg_restore(db_file, manifest, database, replace=replace)
    else:
        _sqlite_restore(db_file, database, replace=replace)
    counts = table_counts(database)
    media_files, set_aside = _media_restore(folder / manifest["media"]["file"], Path(media_root))
    return Restored(manifest=manifest, counts=counts, media_files=media_files, media_set_aside=set_aside)


def table_counts(database: dict) -> dict[str, int]:
    if engine_of(database) == "postgresql":
        with _pg_connect(database) as conn, conn.cursor() as cursor:
            return _read_state(cursor, _pg_tables(cursor))["counts"]
    conn = sqlite3.connect(database["NAME"])
    try:
        return _read_state(conn.cursor(), _sqlite_tables(conn))["counts"]
    finally:
        conn.close()


def _not_empty(tables: set[str], name: str) -> BackupError:
    return BackupError(
        _("The target database %(name)s is not empty (%(n)s tables): nothing was restored. Restore into a new, "
          "empty database, or pass --replace to overwrite the tables this backup holds.")
        % {"name": name, "n": len(tables)}, code="target_not_empty")


def _pg_restore(dump: Path, manifest: dict, database: dict, *, replace: bool) -> None:
    restore_version = tool_version("pg_restore")
    dumped_by = manifest["database"].get("pg_dump_version", "0")
    if _major(restore_version) < _major(dumped_by):
        raise BackupError(_("This dump was made by pg_dump %(dump)s; pg_restore %(restore)s cannot read it. "
                            "Install the PostgreSQL client %(major)s or newer, or point CONCERTO_PG_BINDIR at it.")
                          % {"dump": dumped_by, "restore": restore_version, "major": _major(dumped_by)},
                          code="pg_restore_too_old")
    with _pg_connect(database) as conn, conn.cursor() as cursor:
        server = conn.info.server_version // 10000
        backed_up = _major(manifest["database"].get("server_version", "0"))
        if server < backed_up:
            raise BackupError(_("This backup comes from PostgreSQL %(from)s; the target server runs %(to)s. "
                                "Restore into a server of version %(from)s or newer.")
                              % {"from": backed_up, "to": server}, code="server_too_old")
        tables = _pg_tables(cursor)
    if tables and not replace:
        raise _not_empty(tables, database.get("NAME", ""))
    args = [_pg_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
            "--no-password", f"--dbname={database.get('NAME', '')}"]
    if replace:
        args += ["--clean", "--if-exists"]
    with _pg_environment(database) as env:
        _pg_run([*args, str(dump)], env, "pg_restore")


def _sqlite_restore(copy: Path, database: dict, *, replace: bool) -> None:
    target_path = Path(database["NAME"])
    source = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(_("%(file)s is not a sound SQLite database: nothing was restored.")
                              % {"file": copy.name}, code="database_corrupt")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(target_path)
        try:
            tables = _sqlite_tables(target)
            if tables and not replace:
                raise _not_empty(tables, target_path.name)
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _media_restore(archive: Path, media_root: Path) -> tuple[int, Path | None]:
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{media_root.name}.restoring-", dir=media_root.parent))
    try:
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            # The "data" filter refuses absolute paths, "..", links out of the folder and device files.
            tar.extractall(staging, members=members, filter="data")  # noqa: S202
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    set_aside = None
    if media_root.exists():
        if any(media_root.iterdir()):
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            set_aside = _free_name(media_root.parent, f"{media_root.name}.before-restore-{stamp}")
            os.rename(media_root, set_aside)
        else:
            media_root.rmdir()
    os.rename(staging, media_root)
    return len(members), set_aside

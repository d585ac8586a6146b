"""Backups that restore (issue 11, item 5).

The demo (the shared ``demo`` fixture: loaded once per test run, copied into the test database) is
backed up with ``manage.py backup`` and restored with ``manage.py restore`` in another process (as an
operator runs it) into a new, empty database; the restored database must show the same campaign
figures, actions, supports and audit trail.

It runs on the suite's database: PostgreSQL in ``make test-postgres`` (pg_dump / pg_restore; that
leg is skipped only when no server answers, and CI always has one), SQLite in ``make test-sqlite``
(the demo's online backup path). The refusals run on both; the SQLite file path is also checked
on its own, whatever the suite's database.
"""

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from concerto.campaigns.models import Campaign
from concerto.core import backups
from concerto.core.audit import log_action
from concerto.core.errors import BackupError
from concerto.core.models import AuditEntry
from concerto.dashboard.selectors import campaign_home_figures, campaign_stats
from concerto.proposals.models import Action, Support
from concerto.proposals.selectors import key_figures

# The test database is only created when a test of the run asks for it: every test here does.
pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
only_postgres = pytest.mark.skipif(not POSTGRES, reason="pg_dump/pg_restore: runs in make test-postgres "
                                                        "(skipped there only when no server answers; CI has one)")
SQLITE = {"ENGINE": "django.db.backends.sqlite3"}


# --- Helpers --------------------------------------------------------------------------------------

def _snapshot() -> dict:
    """What people see and what public trust rests on, read through the same selectors as the pages."""
    campaigns = list(Campaign.objects.order_by("slug"))
    audit = AuditEntry.objects.order_by("-at", "-id")
    return {
        "campaigns": [c.slug for c in campaigns],
        "stats": {c.slug: campaign_stats(c) for c in campaigns},
        "home": {c.slug: campaign_home_figures(c) for c in campaigns},
        "key_figures": {c.slug: key_figures(c) for c in campaigns},
        "actions": list(Action.objects.order_by("pk").values_list(
            "pk", "campaign_id", "title", "status", "origin", "support_count")),
        "supports": list(Support.objects.order_by("pk").values_list("pk", "action_id", "user_id", "channel",
                                                                    "created_at")),
        "audit_count": audit.count(),
        "audit_last": list(audit.values_list("pk", "at", "code", "scope", "target", "actor_id", "data")[:50]),
    }


def _media_files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _new_empty_database(tmp: Path, suffix: str) -> dict:
    """A settings dict for a new, empty database next to the test database (dropped by ``_drop``)."""
    database = dict(connection.settings_dict)
    if POSTGRES:
        database["NAME"] = f"{connection.settings_dict['NAME']}_{suffix}"
        with backups._pg_connect(connection.settings_dict, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database["NAME"]}"')
            conn.execute(f'CREATE DATABASE "{database["NAME"]}"')
    else:
        database["NAME"] = str(tmp / f"{suffix}.sqlite3")
    return database


def _drop(database: dict) -> None:
    if POSTGRES:
        with backups._pg_connect(connection.settings_dict, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database["NAME"]}" WITH (FORCE)')


def _url(database: dict) -> str:
    if not POSTGRES:
        return f"sqlite:///{database['NAME']}"
    auth = quote(database.get("USER") or "", safe="")
    if database.get("PASSWORD"):
        auth += ":" + quote(database["PASSWORD"], safe="")
    return f"postgres://{auth}@{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}/{database['NAME']}"


@contextlib.contextmanager
def _connected_to(database: dict):
    """Django's default connection reads another database for a while (outside any test transaction)."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["NAME"] = database["NAME"]
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def _restore_in_a_new_process(folder: Path, database: dict, var: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CONCERTO_MEDIA_ROOT")}
    env.update(DATABASE_URL=_url(database), DJANGO_SETTINGS_MODULE="config.settings.test",
               CONCERTO_VAR_DIR=str(var), CONCERTO_TEST_RUN_ID="restored")
    return subprocess.run([sys.executable, "manage.py", "restore", str(folder)], cwd=settings.BASE_DIR, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=600, check=False)


# --- The demo, there and back ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def round_trip(demo, django_db_blocker, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("backups")
    media = Path(settings.MEDIA_ROOT)
    letter = media / "letters" / "backup-test-letter.pdf"
    with django_db_blocker.unblock():
        letter.parent.mkdir(parents=True, exist_ok=True)
        letter.write_bytes(b"%PDF-1.7 a letter that must come back\n")
        before = _snapshot()
        media_before = _media_files(media)
        out = StringIO()
        call_command("backup", dir=str(tmp / "backups"), stdout=out)
        [folder] = list((tmp / "backups").glob("concerto-*"))
        target = _new_empty_database(tmp, "restored")
        process = _restore_in_a_new_process(folder, target, tmp / "var")
        after = None
        if process.returncode == 0:
            with _connected_to(target):
                after = _snapshot()
                counts = backups.table_counts(target)
                last_pk = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
                written = log_action("core.backup.restore_checked")  # the restored sequences go on
        empty = _new_empty_database(tmp, "empty")
    try:
        yield SimpleNamespace(before=before, after=after, folder=folder, target=target, empty=empty,
                              process=process, backup_output=out.getvalue(), media_before=media_before,
                              media_after=_media_files(tmp / "var" / "media-test-restored"),
                              counts=counts if after else None, tmp=tmp,
                              manifest=json.loads((folder / "manifest.json").read_text()),
                              continued=(last_pk, written.pk) if after else None)
    finally:
        with django_db_blocker.unblock():
            letter.unlink(missing_ok=True)
            _drop(target)
            _drop(empty)


@pytest.fixture
def restored(round_trip):
    assert round_trip.process.returncode == 0, round_trip.process.stdout + round_trip.process.stderr
    return round_trip


def test_the_backup_folder_holds_the_database_the_media_and_a_manifest(round_trip):
    manifest = round_trip.manifest
    db_file = "database.dump" if POSTGRES else "database.sqlite3"
    assert set(manifest["files"]) == {db_file, "media.tar"}
    assert manifest["database"]["engine"] == ("postgresql" if POSTGRES else "sqlite")
    assert manifest["created_at"].endswith("Z")
    assert manifest["concerto"]["version"]
    assert "0001_initial" in manifest["migrations"]["proposals"]
    assert manifest["counts"]["proposals.support"] == len(round_trip.before["supports"])
    assert manifest["counts"]["core.auditentry"] == round_trip.before["audit_count"]
    assert manifest["media"]["files"] == len(round_trip.media_before)
    for name, entry in manifest["files"].items():
        assert backups.sha256_of(round_trip.folder / name) == entry["sha256"]
        assert (round_trip.folder / name).stat().st_mode & 0o077 == 0
    assert not list(round_trip.folder.parent.glob(".*partial"))
    assert str(round_trip.folder) in round_trip.backup_output


def test_the_restored_campaigns_show_the_same_figures(restored):
    assert restored.after["campaigns"] == restored.before["campaigns"] != []
    assert restored.after["stats"] == restored.before["stats"]
    assert restored.after["home"] == restored.before["home"]
    assert restored.after["key_figures"] == restored.before["key_figures"]
    assert restored.before["stats"]["saint-jerome"]["supports"] > 0


def test_the_same_actions_and_supports_come_back(restored):
    assert len(restored.before["actions"]) > 100
    assert restored.after["actions"] == restored.before["actions"]
    assert len(restored.before["supports"]) > 100
    assert restored.after["supports"] == restored.before["supports"]


def test_the_audit_trail_comes_back_whole(restored):
    assert restored.after["audit_count"] == restored.before["audit_count"] > 100
    assert restored.after["audit_last"] == restored.before["audit_last"]


def test_the_media_files_come_back(restored):
    assert "letters/backup-test-letter.pdf" in restored.media_after
    assert restored.media_after == restored.media_before


def test_restore_migrates_and_prints_the_row_counts(restored):
    assert restored.counts == restored.manifest["counts"]
    assert "[counts_mismatch]" not in restored.process.stdout
    assert f"{restored.manifest['counts']['proposals.support']}" in restored.process.stdout
    last_pk, new_pk = restored.continued
    assert new_pk > last_pk  # new rows after a restore do not collide with restored ones


# --- Refusals: each one changes nothing -----------------------------------------------------------

def _is_empty(database: dict) -> bool:
    if not POSTGRES and not Path(database["NAME"]).exists():
        return True
    return backups.table_counts(database) == {}


def _refused(code: str, **kwargs) -> BackupError:
    with pytest.raises(BackupError) as caught:
        backups.backup_restore(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def _copy(round_trip, tmp_path) -> Path:
    return Path(shutil.copytree(round_trip.folder, tmp_path / round_trip.folder.name))


def _edit_manifest(folder: Path, change) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def test_a_database_with_tables_is_refused(round_trip, django_db_blocker, tmp_path):
    with django_db_blocker.unblock():
        audit_before = AuditEntry.objects.count()
        _refused("target_not_empty", source=round_trip.folder, database=dict(connection.settings_dict),
                 media_root=tmp_path / "media")
        with pytest.raises(CommandError, match=r"\[target_not_empty\]"):
            call_command("restore", str(round_trip.folder), stdout=StringIO())
        assert AuditEntry.objects.count() == audit_before
    assert not (tmp_path / "media").exists()


def test_a_truncated_dump_is_refused_before_anything_is_written(round_trip, tmp_path):
    folder = _copy(round_trip, tmp_path)
    dump = folder / round_trip.manifest["database"]["file"]
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    error = _refused("checksum_mismatch", source=folder, database=round_trip.empty, media_root=tmp_path / "media")
    assert dump.name in str(error)
    assert _is_empty(round_trip.empty)
    assert not (tmp_path / "media").exists()


def test_a_corrupt_media_archive_is_refused(round_trip, tmp_path):
    folder = _copy(round_trip, tmp_path)
    with open(folder / "media.tar", "r+b") as handle:
        handle.seek(600)
        handle.write(b"\x00garbage\x00")
    _refused("checksum_mismatch", source=folder, database=round_trip.empty, media_root=tmp_path / "media")
    assert _is_empty(round_trip.empty)


def test_missing_backups_and_files_are_named(round_trip, tmp_path):
    target = {"database": round_trip.empty, "media_root": tmp_path / "media"}
    _refused("backup_not_found", source=tmp_path / "nowhere", **target)
    folder = _copy(round_trip, tmp_path)
    (folder / "media.tar").unlink()
    _refused("file_missing", source=folder, **target)
    (folder / "manifest.json").unlink()
    _refused("manifest_missing", source=folder, **target)
    assert _is_empty(round_trip.empty)


@pytest.mark.parametrize(("change", "code"), [
    (lambda m: m.update(format=99), "format_unsupported"),
    (lambda m: m["migrations"].setdefault("proposals", []).append("9999_from_a_newer_concerto"),
     "backup_newer_than_code"),
    (lambda m: m["database"].update(engine="sqlite" if POSTGRES else "postgresql"), "engine_mismatch"),
])
def test_a_backup_this_code_cannot_restore_is_refused(round_trip, tmp_path, change, code):
    folder = _copy(round_trip, tmp_path)
    _edit_manifest(folder, change)
    _refused(code, source=folder, database=round_trip.empty, media_root=tmp_path / "media")
    assert _is_empty(round_trip.empty)


@only_postgres
def test_a_dump_newer_than_pg_restore_or_the_server_is_refused(round_trip, tmp_path):
    folder = _copy(round_trip, tmp_path)
    _edit_manifest(folder, lambda m: m["database"].update(pg_dump_version="99.1"))
    _refused("pg_restore_too_old", source=folder, database=round_trip.empty, media_root=tmp_path / "media")
    _edit_manifest(folder, lambda m: m["database"].update(pg_dump_version="10.0", server_version="99.1"))
    _refused("server_too_old", source=folder, database=round_trip.empty, media_root=tmp_path / "media")
    assert _is_empty(round_trip.empty)


@only_postgres
def test_pg_dump_older_than_the_server_is_refused(round_trip, django_db_blocker, tmp_path, monkeypatch):
    monkeypatch.setattr(backups, "tool_version", lambda name: "9.6")
    with django_db_blocker.unblock(), pytest.raises(BackupError) as caught:
        backups.backup_create(directory=tmp_path, database=connection.settings_dict, media_root=tmp_path / "m")
    assert caught.value.code == "pg_dump_too_old"
    assert not list(tmp_path.glob("*concerto-*"))


@only_postgres
def test_no_password_in_the_manifest_nor_on_a_command_line(round_trip, django_db_blocker, tmp_path, monkeypatch):
    database = dict(connection.settings_dict)
    # The test server trusts local connections: a made-up password is then ignored, and still handled.
    password = database.get("PASSWORD") or "made-up:pass\\word-for-this-test"
    database["PASSWORD"] = password
    calls, real_run = [], subprocess.run

    def spy(args, **kwargs):
        env = kwargs.get("env") or {}
        passfile = env.get("PGPASSFILE")
        calls.append((args, dict(env), Path(passfile).read_text() if passfile else ""))
        return real_run(args, **kwargs)

    monkeypatch.setattr(backups.subprocess, "run", spy)
    with django_db_blocker.unblock():
        result = backups.backup_create(directory=tmp_path, database=database, media_root=tmp_path / "m")
    dumps = [c for c in calls if Path(c[0][0]).name == "pg_dump" and "--version" not in c[0]]
    assert len(dumps) == 1
    args, env, passfile_text = dumps[0]
    assert all(password not in arg for arg in args)
    assert "PGPASSWORD" not in env and env["PGPASSFILE"]
    assert passfile_text == "*:*:*:*:" + password.replace("\\", "\\\\").replace(":", "\\:") + "\n"
    assert not Path(env["PGPASSFILE"]).exists()
    assert password not in (result.path / "manifest.json").read_text()


# --- The SQLite file path, whatever the suite's database ------------------------------------------

def _small_sqlite(path: Path, rows: int = 3) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT, applied TEXT)")
    conn.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('core', '0001_initial', 'now')")
    conn.execute("CREATE TABLE core_auditentry (id INTEGER PRIMARY KEY, code TEXT)")
    for i in range(rows):
        conn.execute("INSERT INTO core_auditentry (code) VALUES (?)", (f"test.{i}",))
    return conn  # left open, its writes still in the -wal file: the online backup must see them


def test_sqlite_backup_and_restore(tmp_path):
    source = _small_sqlite(tmp_path / "site.sqlite3")
    media = tmp_path / "media"
    (media / "letters").mkdir(parents=True)
    (media / "letters" / "a.pdf").write_bytes(b"%PDF a")
    made = backups.backup_create(directory=tmp_path / "backups", database={**SQLITE, "NAME": str(tmp_path / "site.sqlite3")},
                                 media_root=media)
    source.close()
    assert made.manifest["database"]["engine"] == "sqlite"
    assert made.manifest["counts"] == {"core.auditentry": 3}
    assert made.manifest["migrations"] == {"core": ["0001_initial"]}

    target = {**SQLITE, "NAME": str(tmp_path / "restored" / "site.sqlite3")}
    restored = backups.backup_restore(source=made.path, database=target, media_root=tmp_path / "media2")
    assert restored.counts == {"core.auditentry": 3}
    codes = sqlite3.connect(target["NAME"]).execute("SELECT code FROM core_auditentry ORDER BY id").fetchall()
    assert codes == [("test.0",), ("test.1",), ("test.2",)]
    assert (tmp_path / "media2" / "letters" / "a.pdf").read_bytes() == b"%PDF a"

    # Again into the same file: it has tables now.
    with pytest.raises(BackupError) as caught:
        backups.backup_restore(source=made.path, database=target, media_root=tmp_path / "media2")
    assert caught.value.code == "target_not_empty"
    # With --replace it goes in, and the media already there are set aside, not deleted.
    again = backups.backup_restore(source=made.path, database=target, media_root=tmp_path / "media2", replace=True)
    assert again.media_set_aside is not None and (again.media_set_aside / "letters" / "a.pdf").exists()


def test_retention_keeps_the_newest_backups(tmp_path):
    _small_sqlite(tmp_path / "site.sqlite3").close()
    database = {**SQLITE, "NAME": str(tmp_path / "site.sqlite3")}
    made = [backups.backup_create(directory=tmp_path / "b", database=database, media_root=tmp_path / "m", keep=2)
            for _ in range(3)]
    left = [path for _created, path in backups.backups_in(tmp_path / "b")]
    assert left == [made[1].path, made[2].path]
    assert made[2].removed == [made[0].path]
    with pytest.raises(BackupError) as caught:
        backups.backup_create(directory=tmp_path / "b", database=database, media_root=tmp_path / "m", keep=0)
    assert caught.value.code == "keep_invalid"

"""The Saint-Jérôme demo for the unit suites, loaded once per test run and copied into each module's database.

``load_demo`` takes some 20 s on a busy CI machine, and several test modules check the demo (or use it as
a ready-made campaign). The ``demo`` fixture (root conftest.py, module scope) gives each of them the same
committed demo while loading it only once per run:

- the first module of the run that asks for it loads it (``demo_load()``, the real loader) into its
  test database and keeps a copy of that database, under a lock shared by the xdist workers: on SQLite
  a file made with SQLite's online backup, on PostgreSQL a database of its own
  (``test_concerto_demo_<run>_<date>``), later used as a ``CREATE DATABASE … TEMPLATE``;
  the files the loader wrote under ``MEDIA_ROOT`` (letters, minutes) are copied next to it;
- every module that asks for it, the first included, gets a fresh copy of that database for itself:
  SQLite copies it over the worker's test database (the online backup again, milliseconds) after
  keeping what the database held before the module; PostgreSQL creates a new database from the template
  and points Django's connection at it for the module. The demo's media files are copied in too;
- after the module, the database is exactly what it was before (SQLite: the copy kept is written
  back; PostgreSQL: the connection goes back to the worker's test database, the module's copy is
  dropped) and the media files copied in are removed: nothing a module did to the demo, even
  committed, reaches another module;
- the copy is of the day it was made: a module starting on another (local) date gets a demo loaded
  that day, as the demo's dates are placed around "now" (yesterday's live event, tomorrow's workshop).

The run's folder (``tests.live.templates_folder``, made by the root conftest before the workers
start) holds the copies; the run's first process removes it, and drops the PostgreSQL templates, at
the end (``drop_templates``).
"""

from __future__ import annotations

import contextlib
import fcntl
import pickle
import shutil
import sqlite3
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from .live import templates_folder

POSTGRES_TEMPLATES = "unit-demo-postgres-databases"  # names of the templates to drop at the end of the run


def _pg_admin(database: dict):
    """An autocommit connection to the server's ``postgres`` database (CREATE/DROP DATABASE)."""
    import psycopg

    params = {"dbname": "postgres", "user": database.get("USER") or None, "password": database.get("PASSWORD") or None,
              "host": database.get("HOST") or None, "port": database.get("PORT") or None}
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True)


def _media_files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@contextlib.contextmanager
def _connected(name: str):
    """Django's connection on another database of the server for a while (outside any test transaction)."""
    connection.close()
    saved = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved


def _create_database(name: str, *, template: str) -> None:
    connection.close()  # a template may have no session open on it
    with _pg_admin(connection.settings_dict) as admin:
        # A thread of an earlier test may have left a session on the template: its test is over.
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                      "AND pid <> pg_backend_pid()", [template])
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


class SharedDemo:
    """One module's use of the run's demo: ``enter()`` returns the loader's ``DemoResult``, ``leave()`` undoes it."""

    def __init__(self):
        self.root = templates_folder()
        self.media = Path(settings.MEDIA_ROOT)
        self.postgres = connection.vendor == "postgresql"
        self.day = timezone.localdate().isoformat()  # the demo's dates are placed around its day
        self.folder = self.root / f"unit-demo-{self.day}"
        self.template = f"test_concerto_demo_{self.root.name.rsplit('-', 1)[-1].lower()}_{self.day.replace('-', '')}"
        self.copied: list[Path] = []  # media files put there for this module
        self.before: sqlite3.Connection | None = None
        self.database = ""

    def _load(self) -> None:
        """Load the demo into the current database and keep what it made (result, media files, SQLite copy)."""
        from concerto.demo.services import demo_load

        media_before = _media_files(self.media)
        result = demo_load()
        for relative in sorted(_media_files(self.media) - media_before):
            target = self.folder / "media" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.media / relative, target)
            self.copied.append(self.media / relative)
        (self.folder / "result.pickle").write_bytes(pickle.dumps(result))
        if not self.postgres:
            connection.ensure_connection()
            copy = sqlite3.connect(self.folder / "demo.sqlite3")
            connection.connection.backup(copy)
            copy.close()

    def _ready(self) -> bool:
        """Make the run's copy of the day unless it exists (under the workers' lock); True if made here."""
        with open(self.root / "unit-demo.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if (self.folder / "ready").exists():
                return False
            shutil.rmtree(self.folder, ignore_errors=True)
            (self.folder / "media").mkdir(parents=True)
            if self.postgres:
                with open(self.root / POSTGRES_TEMPLATES, "a") as names:
                    names.write(self.template + "\n")
                _create_database(self.template, template=connection.settings_dict["NAME"])
                with _connected(self.template):
                    self._load()
            else:
                self._load()  # into the test database itself (kept in self.before first)
            (self.folder / "ready").touch()
            return True

    def enter(self):
        if not self.postgres:  # what the test database holds before the module, written back after it
            connection.ensure_connection()
            self.before = sqlite3.connect(":memory:")
            connection.connection.backup(self.before)
        made_here = self._ready()
        if self.postgres:  # a new database from the template, for this module alone
            self.saved = connection.settings_dict["NAME"]
            self.database = f"{self.saved}_demo"
            _create_database(self.database, template=self.template)
            connection.settings_dict["NAME"] = self.database
        elif not made_here:
            connection.ensure_connection()
            copy = sqlite3.connect(self.folder / "demo.sqlite3")
            copy.backup(connection.connection)
            copy.close()
        if not made_here:
            for source in sorted((self.folder / "media").rglob("*")):
                if source.is_file():
                    target = self.media / source.relative_to(self.folder / "media")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
                    self.copied.append(target)
        ContentType.objects.clear_cache()  # the ids this process cached may not be the copy's
        return pickle.loads((self.folder / "result.pickle").read_bytes())  # noqa: S301 - written by this run

    def leave(self) -> None:
        if self.postgres:
            connection.close()
            connection.settings_dict["NAME"] = self.saved
            with _pg_admin(connection.settings_dict) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        else:
            connection.ensure_connection()
            self.before.backup(connection.connection)
            self.before.close()
        for path in self.copied:
            path.unlink(missing_ok=True)
        ContentType.objects.clear_cache()


def drop_templates(root: Path) -> None:
    """At the end of the run (its first process): drop the PostgreSQL templates the workers made."""
    names = root / POSTGRES_TEMPLATES
    if not names.exists():
        return
    database = settings.DATABASES["default"]
    with _pg_admin(database) as admin:
        for name in set(names.read_text().split()):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

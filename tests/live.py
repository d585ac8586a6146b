"""A real ASGI server (uvicorn) on a free port with a throw-away database holding the demo."""

import atexit
import fcntl
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


POSTGRES_URL = os.environ.get("PG_TEST_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def fresh_postgres_database(prefix: str, *, demo: bool = False):
    """A fresh database on the PostgreSQL server: (url, drop), or a skip (a failure under CI). Empty, or
    with ``demo`` a copy of the run's demo (``CREATE DATABASE … TEMPLATE``, see ``demo_postgres_template``,
    which also gives the folder of its files for ``start_live_server(demo_files=…)``)."""
    import psycopg
    import pytest

    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL is not reachable ({exc})")
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    template = f' TEMPLATE "{demo_postgres_template()[0]}"' if demo else ""
    admin.execute(f'CREATE DATABASE "{name}"{template}')

    def drop():
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return urllib.parse.urlsplit(POSTGRES_URL)._replace(path=f"/{name}").geturl(), drop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    mail_dir: Path
    env: dict
    process: subprocess.Popen

    def manage(self, *args: str) -> str:
        """Run a management command against the server's database; returns stdout."""
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True)
        if result.returncode:  # the command's own traceback, not just its exit status, in the failure
            raise AssertionError(f"manage.py {args[0]} failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def mails_to(self, address: str) -> list[str]:
        """Bodies of the mails sent to ``address``, oldest first."""
        bodies = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for message in path.read_text(encoding="utf-8").split("-" * 79):
                if f"To: {address}" in message:
                    bodies.append(message)
        return bodies


# The folder where the demo's SQLite database is made once per test run (see demo_template); the
# run's first process (the xdist controller, the root conftest.py) sets it, so its workers share it;
# the unit suites' shared demo (tests/shared_demo.py) keeps its copies there too.
TEMPLATES_ENV = "CONCERTO_LIVE_TEMPLATES"


def templates_folder() -> Path:
    folder = os.environ.get(TEMPLATES_ENV)
    if not folder:
        folder = tempfile.mkdtemp(prefix="concerto-live-templates-")
        os.environ[TEMPLATES_ENV] = folder
        atexit.register(shutil.rmtree, folder, True)
    return Path(folder)


def demo_template(env: dict) -> Path:
    """A folder holding what ``migrate`` then ``load_demo`` leave in a live server's folder (the SQLite
    file, the letters' and minutes' PDFs in media/, the mail sent): made once per test run, under a
    lock shared by the xdist workers, and copied for each SQLite server instead of loading the demo
    again (the same commands, so the same demo; its dates are those of the run's start)."""
    root = templates_folder()
    folder = root / "demo"
    with open(root / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "demo.ready").exists():
            shutil.rmtree(folder, ignore_errors=True)
            (folder / "mail").mkdir(parents=True)
            database = folder / "live.sqlite3"
            build = {**env, "DATABASE_URL": f"sqlite:///{database}", "CONCERTO_VAR_DIR": str(folder),
                     "CONCERTO_MAIL_DIR": str(folder / "mail")}
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=build,
                           check=True)
            subprocess.run([sys.executable, "manage.py", "load_demo"], cwd=ROOT, env=build, check=True,
                           stdout=subprocess.DEVNULL)
            db = sqlite3.connect(database)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file: a copy is the whole
            db.close()  # database (the last connection closed removes the -wal and -shm files)
            (root / "demo.ready").touch()
    return folder


# The run's PostgreSQL demo databases, dropped by the run's first process at its end (drop_postgres_templates).
POSTGRES_TEMPLATES = "live-demo-postgres-databases"


def demo_postgres_template() -> tuple[str, Path]:
    """The run's demo on PostgreSQL: (the name of a database to copy with ``fresh_postgres_database(…,
    template=…)``, the folder of the files the loader wrote: media/, mail/). Made once per test run by
    ``migrate`` then ``load_demo``, as ``demo_template`` does on SQLite, under a lock shared by the
    xdist workers; dropped at the end of the run. The caller has checked that the server answers."""
    import psycopg

    root = templates_folder()
    folder = root / "demo-postgres"
    name = f"concerto_live_demo_{root.name.rsplit('-', 1)[-1].lower()}"
    with open(root / "demo-postgres.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "demo-postgres.ready").exists():
            shutil.rmtree(folder, ignore_errors=True)
            (folder / "mail").mkdir(parents=True)
            with open(root / POSTGRES_TEMPLATES, "a") as names:
                names.write(name + "\n")
            with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}"')
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
            env.update({"DJANGO_SETTINGS_MODULE": "config.settings.e2e", "CONCERTO_VAR_DIR": str(folder),
                        "CONCERTO_MAIL_DIR": str(folder / "mail"),
                        "DATABASE_URL": urllib.parse.urlsplit(POSTGRES_URL)._replace(path=f"/{name}").geturl()})
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                           check=True)
            subprocess.run([sys.executable, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            (root / "demo-postgres.ready").touch()
    return name, folder


def drop_postgres_templates(root: Path) -> None:
    names = root / POSTGRES_TEMPLATES
    if names.exists():
        import psycopg

        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as admin:
            for name in set(names.read_text().split()):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_live_server(*, demo: bool = True, workers: int = 1, database_url: str = "", demo_files: Path | None = None,
                      server_env: dict | None = None) -> tuple[LiveServer, tempfile.TemporaryDirectory]:
    """``database_url``: an empty database to use (the caller creates and drops it); a SQLite file
    in the temporary directory by default, a copy of the run's ``demo_template`` when ``demo``.
    ``demo_files``: ``database_url`` already holds the demo (a copy of ``demo_postgres_template``), whose
    files are in that folder: nothing to migrate or load. ``server_env``: more environment for the server process
    only (the demo is loaded and ``manage`` runs without it)."""
    tmp = tempfile.TemporaryDirectory(prefix="concerto-live-")
    base = Path(tmp.name)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.e2e",
        "DATABASE_URL": database_url or f"sqlite:///{base / 'live.sqlite3'}",
        "CONCERTO_VAR_DIR": str(base),
        "CONCERTO_MAIL_DIR": str(base / "mail"),
        "PYTHONUNBUFFERED": "1",
    })
    (base / "mail").mkdir()
    if demo_files is not None:
        shutil.copytree(demo_files, base, dirs_exist_ok=True)
    elif demo and not database_url:
        shutil.copytree(demo_template(env), base, dirs_exist_ok=True)
    else:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                       check=True)
        if demo:
            subprocess.run([sys.executable, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
    port = free_port()
    log = open(base / "server.log", "w")  # noqa: SIM115 - closed with the temporary directory
    # --no-proxy-headers: as in production, uvicorn must not take a client's X-Forwarded-For for its
    # address; concerto.core.ratelimit.client_ip decides which proxies to believe.
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-proxy-headers"],
        cwd=ROOT, env={**env, **(server_env or {})}, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded machine (parallel CI legs) can take that long to import
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as r:  # noqa: S310 - loopback only
                if r.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()  # not left running when it answers too late
                raise RuntimeError("the live server did not start:\n" + (base / "server.log").read_text()) from None
            time.sleep(0.1)
    return LiveServer(url=url, mail_dir=base / "mail", env=env, process=process), tmp


def stop_live_server(server: LiveServer, tmp: tempfile.TemporaryDirectory) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
    shutil.rmtree(tmp.name, ignore_errors=True)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

"""The production topology on this machine (issue 11): ``make stack`` / ``make stack-stop``.

    python deploy/stack.py start [--port 8080] [--nodes 2]   # idempotent: starts only what is missing
    python deploy/stack.py stop                              # stops what start started, and only that
    python deploy/stack.py status

- HAProxy on 127.0.0.1:PORT (plain HTTP; default 8080), its Prometheus endpoint and stats page on
  127.0.0.1:PORT+9 (``/metrics``, ``/stats``); installed with apt-get when missing;
- N app nodes (default 2). Node n: granian WSGI (pages, forms, API) on 127.0.0.1:PORT+n, reachable
  directly; the stream process (uvicorn, ``config.asgi:streams``, only ``/flux/``) on PORT+10+n; a
  task worker (``manage.py db_worker``). The three share one process group, whose id is in
  ``var/stack/node<n>.pid``: ``kill -9 -$(cat var/stack/node1.pid)`` kills the whole node;
- PostgreSQL database ``concerto_stack`` (created if missing, migrated, demo loaded), Redis db 4;
- settings ``config.settings.stack`` (production over local HTTP), a secret key generated once in
  ``var/stack/secret_key``; logs in ``var/stack/*.log``.

Every option also reads an environment variable (PORT, STACK_NODES, STACK_DIR, STACK_DATABASE_URL,
STACK_REDIS_URL, STACK_WEB_WORKERS, STACK_WEB_THREADS), so that a test can run a second, small
stack on free ports with its own database and folder.
"""

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "haproxy" / "stack.cfg.in"
DEFAULT_PORT = 8080
# Measured on the 2-CPU machine (docs/operations.md, "Sizing"): 2 granian processes of 4 threads
# each per node: more threads only add GIL contention (8 and 16 measured slower).
DEFAULT_WEB_WORKERS = 2
DEFAULT_WEB_THREADS = 4
BACKLOG = 2048


class Stack:
    def __init__(self, args):
        self.port = args.port
        self.nodes = args.nodes
        self.dir = Path(args.dir).resolve()
        self.database_url = args.database_url
        self.redis_url = args.redis_url
        self.web_workers = args.web_workers
        self.web_threads = args.web_threads
        self.python = sys.executable

    # Ports and files ------------------------------------------------------------------------------
    def web_port(self, n: int) -> int:
        return self.port + n

    def stream_port(self, n: int) -> int:
        return self.port + 10 + n

    @property
    def metrics_port(self) -> int:
        return self.port + 9

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pid_file(self, name: str) -> Path:
        return self.dir / f"{name}.pid"

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.stack",
            DJANGO_SECRET_KEY=self.secret_key(),
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            CONCERTO_STACK_DIR=str(self.dir),
            CONCERTO_MEDIA_ROOT=str(self.dir / "media"),
            CONCERTO_TRUSTED_PROXIES="127.0.0.1",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CSRF_TRUSTED_ORIGINS=self.url,
            CONCERTO_PUBLIC_URL=self.url,
            PYTHONUNBUFFERED="1",
        )
        return env

    def secret_key(self) -> str:
        path = self.dir / "secret_key"
        if not path.exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
        return path.read_text().strip()

    # Which of our processes run -------------------------------------------------------------------
    def running(self, name: str) -> int | None:
        """The process (group) id in ``name``.pid if it is alive and is ours (its command line
        names this stack's folder), else None: a stale file or a recycled id is never signalled."""
        path = self.pid_file(name)
        try:
            pid = int(path.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            return None
        return pid if str(self.dir) in cmdline else None

    # Start ----------------------------------------------------------------------------------------
    def start(self) -> int:
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "mail").mkdir(exist_ok=True)
        haproxy = ensure_haproxy()
        if all(self.running(f"node{n}") for n in range(1, self.nodes + 1)) and self.running("proxy"):
            print(f"The stack is already running: {self.url}/")
            return 0 if self.wait_healthy(timeout=10) else 1
        self.prepare()
        for n in range(1, self.nodes + 1):
            if not self.running(f"node{n}"):
                self.start_node(n)
        if not self.running("proxy"):
            self.start_proxy(haproxy)
        if not self.wait_healthy(timeout=60):
            print(f"The stack did not become healthy: see {self.dir}/*.log", file=sys.stderr)
            return 1
        print(f"Concerto stack: {self.url}/  (nodes: " + ", ".join(
            f"http://127.0.0.1:{self.web_port(n)}/" for n in range(1, self.nodes + 1))
            + f"; metrics: http://127.0.0.1:{self.metrics_port}/metrics; stop: make stack-stop)")
        return 0

    def manage(self, *args: str, quiet: bool = True) -> None:
        subprocess.run([self.python, "manage.py", *args], cwd=ROOT, env=self.env(), check=True,
                       stdout=subprocess.DEVNULL if quiet else None)

    def prepare(self) -> None:
        check_services(self.database_url, self.redis_url)
        create_database(self.database_url)
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("load_demo", quiet=False)
        self.manage("collectstatic", "--noinput", "-v", "0")
        values = {
            "stack_dir": str(self.dir), "port": self.port, "metrics_port": self.metrics_port,
            "web_servers": "\n".join(f"    server node{n} 127.0.0.1:{self.web_port(n)} check"
                                     for n in range(1, self.nodes + 1)),
            "stream_servers": "\n".join(f"    server node{n} 127.0.0.1:{self.stream_port(n)} check"
                                        for n in range(1, self.nodes + 1)),
        }
        config = string.Template(TEMPLATE.read_text()).substitute(values)
        (self.dir / "haproxy.cfg").write_text(config)

    def node_command(self, n: int) -> str:
        log = self.dir / f"node{n}"
        web = [self.python, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
               "--port", str(self.web_port(n)), "--workers", str(self.web_workers),
               "--blocking-threads", str(self.web_threads), "--backlog", str(BACKLOG), "--no-ws",
               "config.wsgi:application"]
        streams = [self.python, "-m", "uvicorn", "config.asgi:streams", "--host", "127.0.0.1",
                   "--port", str(self.stream_port(n)), "--no-proxy-headers", "--no-server-header",
                   "--log-level", "warning", "--timeout-graceful-shutdown", "5"]
        worker = [self.python, "manage.py", "db_worker", "--interval", "1", "--no-reload"]

        def q(cmd):
            return " ".join(_shell_quote(part) for part in cmd)

        # One shell per node, the leader of a new process group: its children (and granian's worker
        # processes) stay in that group, so one signal to the group reaches the whole node. The
        # folder named in the command line lets `running` recognise it.
        return (f"cd {_shell_quote(str(ROOT))} && : stack {_shell_quote(str(self.dir))} node{n};"
                f" {q(web)} >>{_shell_quote(f'{log}-web.log')} 2>&1 &"
                f" {q(streams)} >>{_shell_quote(f'{log}-streams.log')} 2>&1 &"
                f" {q(worker)} >>{_shell_quote(f'{log}-worker.log')} 2>&1 &"
                f" wait")

    def start_node(self, n: int) -> None:
        process = subprocess.Popen(["bash", "-c", self.node_command(n), f"concerto-stack-{self.dir}-node{n}"],
                                   cwd=ROOT, env=self.env(), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.pid_file(f"node{n}").write_text(f"{process.pid}\n")
        print(f"node{n}: process group {process.pid} (web :{self.web_port(n)}, streams :{self.stream_port(n)}, worker)")

    def start_proxy(self, haproxy: str) -> None:
        log = open(self.dir / "haproxy.log", "ab")  # noqa: SIM115 - handed to the proxy process
        process = subprocess.Popen([haproxy, "-W", "-db", "-f", str(self.dir / "haproxy.cfg")],
                                   cwd=self.dir, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        log.close()
        self.pid_file("proxy").write_text(f"{process.pid}\n")
        print(f"proxy: HAProxy pid {process.pid} on 127.0.0.1:{self.port}")

    def wait_healthy(self, *, timeout: float) -> bool:
        urls = [f"{self.url}/healthz", f"{self.url}/flux/healthz"]
        for n in range(1, self.nodes + 1):
            urls += [f"http://127.0.0.1:{self.web_port(n)}/healthz",
                     f"http://127.0.0.1:{self.stream_port(n)}/flux/healthz"]
        deadline = time.monotonic() + timeout
        pending = list(urls)
        while pending and time.monotonic() < deadline:
            pending = [url for url in pending if not _ok(url)]
            if pending:
                time.sleep(0.2)
        for url in pending:
            print(f"not healthy: {url}", file=sys.stderr)
        return not pending

    # Stop -----------------------------------------------------------------------------------------
    def stop(self) -> int:
        stopped = []
        for name in ["proxy", *(f"node{n}" for n in range(1, 10))]:
            pid = self.running(name)
            if pid is not None:
                _stop_group(pid)
                stopped.append(name)
            self.pid_file(name).unlink(missing_ok=True)
        print("Stopped: " + (", ".join(stopped) if stopped else "nothing was running") + ".")
        return 0

    def status(self) -> int:
        for name in ["proxy", *(f"node{n}" for n in range(1, self.nodes + 1))]:
            pid = self.running(name)
            print(f"{name}: {'running, pid ' + str(pid) if pid else 'stopped'}")
        return 0


def _shell_quote(value: str) -> str:
    import shlex

    return shlex.quote(value)


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _stop_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def ensure_haproxy() -> str:
    """The HAProxy binary; installed from the Debian packages when missing (as .ci/run does for Chromium)."""
    found = shutil.which("haproxy") or (Path("/usr/sbin/haproxy").exists() and "/usr/sbin/haproxy")
    if found:
        return found
    print("Installing HAProxy (apt-get install haproxy)…")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "haproxy"], check=True, env=env, stdout=subprocess.DEVNULL)
    # The package enables a system-wide HAProxy on port 80; the stack runs its own and needs none.
    return shutil.which("haproxy") or "/usr/sbin/haproxy"


def check_services(database_url: str, redis_url: str) -> None:
    """PostgreSQL and Redis are the machine's own services: the stack uses them, never starts them."""
    import psycopg
    import redis

    base = database_url.rsplit("/", 1)[0]
    try:
        psycopg.connect(f"{base}/postgres", connect_timeout=5).close()
    except psycopg.Error as exc:
        raise SystemExit(f"PostgreSQL is not reachable at {base}/ ({exc}); start it (e.g. pg_ctlcluster 15 main "
                         "start) or give --database-url / STACK_DATABASE_URL.") from None
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise SystemExit(f"Redis is not reachable at {redis_url} ({exc}); start it (e.g. redis-server --daemonize yes) "
                         "or give --redis-url / STACK_REDIS_URL.") from None


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"PostgreSQL database {name} created.")


def add_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Where the stack is (also used by bench/failover.py)."""
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT))
    p.add_argument("--nodes", type=int, default=int(os.environ.get("STACK_NODES") or 2))
    p.add_argument("--dir", default=os.environ.get("STACK_DIR") or str(ROOT / "var" / "stack"))
    p.add_argument("--database-url", default=os.environ.get("STACK_DATABASE_URL")
                   or "postgres://postgres@127.0.0.1:5432/concerto_stack")
    p.add_argument("--redis-url", default=os.environ.get("STACK_REDIS_URL") or "redis://127.0.0.1:6379/4")
    p.add_argument("--web-workers", type=int, default=int(os.environ.get("STACK_WEB_WORKERS") or DEFAULT_WEB_WORKERS))
    p.add_argument("--web-threads", type=int, default=int(os.environ.get("STACK_WEB_THREADS") or DEFAULT_WEB_THREADS))
    return p


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["start", "stop", "status"])
    return add_options(p)


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    stack = Stack(args)
    return {"start": stack.start, "stop": stack.stop, "status": stack.status}[args.command]()


if __name__ == "__main__":
    sys.exit(main())

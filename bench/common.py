"""Shared plumbing of the benchmarks: databases, the server under test, wrk, machine facts.

No Django import here: each step that needs Django runs in its own process (one settings
module and one database per process), started by ``run.py``/``integrity.py`` with ``django_env``.
"""

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Throw-away databases and files live here (SQLite files, plans, wrk data); reused between runs.
WORK_DIR = Path(os.environ.get("BENCH_DIR", Path(tempfile.gettempdir()) / "concerto-bench"))
# PostgreSQL databases are <prefix><scale>: another prefix keeps parallel runs apart.
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "concerto_bench_")
SCALES = ("seed", "city")
DATABASES = ("sqlite", "postgres")
WORKERS = 2
WRK = shutil.which("wrk") or "wrk"


def log(*parts) -> None:
    print(time.strftime("%H:%M:%S", time.gmtime()), *parts, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_url(dbname: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


def database_url(scale: str, database: str) -> str:
    if database == "sqlite":
        return f"sqlite:///{WORK_DIR / f'{scale}.sqlite3'}"
    return pg_url(f"{PG_PREFIX}{scale}")


def plan_path(scale: str, database: str) -> Path:
    return WORK_DIR / f"plan-{scale}-{database}.json"


def django_env(scale: str | None = None, database: str | None = None, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        LOG_LEVEL=env.get("BENCH_LOG_LEVEL", "ERROR"),
    )
    if scale and database:
        env["DATABASE_URL"] = database_url(scale, database)
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


def run_step(args: list[str], env: dict, *, capture_json: bool = True, timeout: int = 1800):
    """Run ``python <args>`` in the project; return the last stdout line parsed as JSON."""
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, text=True,
                          stdout=subprocess.PIPE, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed with exit code {proc.returncode}")
    if not capture_json:
        return proc.stdout
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1])


# --- Redis (the shared cache of production: rate limits) -------------------------------------


class Redis:
    """A throw-away redis-server on a free port, no persistence; absent if not installed."""

    def __init__(self):
        self.proc = None
        self.url = ""

    def __enter__(self):
        exe = shutil.which("redis-server")
        if exe and os.environ.get("BENCH_CACHE", "redis") == "redis":
            port = free_port()
            self.proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                          "--appendonly", "no"], stdout=subprocess.DEVNULL)
            for _ in range(100):
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                time.sleep(0.05)
            self.url = f"redis://127.0.0.1:{port}/0"
        return self

    def describe(self) -> str:
        if not self.proc:
            return "in-process LocMemCache (no redis-server found): rate-limit counters per worker"
        version = subprocess.run([shutil.which("redis-server"), "--version"], capture_output=True, text=True).stdout
        match = re.search(r"v=(\S+)", version)
        return f"Redis {match.group(1) if match else '?'} (throw-away, loopback), as production's REDIS_URL"

    def __exit__(self, *exc):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)


# --- The server under test -------------------------------------------------------------------


# Granian WSGI: the server of pages, forms and the API (issue 11); uvicorn ASGI kept for comparison.
SERVERS = ("granian", "uvicorn")
SERVER_LABELS = {"granian": "granian WSGI", "uvicorn": "uvicorn ASGI"}
# The project's WSGI entry point, as production serves pages, forms and the API.
CONCERTO_WSGI = "config.wsgi:application"
CONCERTO_ASGI = "config.asgi:application"


def concerto_app(kind: str) -> str:
    return CONCERTO_WSGI if kind == "granian" else CONCERTO_ASGI


def trivial_app(kind: str) -> str:
    return "bench.trivial.wsgi:application" if kind == "granian" else "bench.trivial.asgi:application"


class Server:
    """``granian --interface wsgi --workers 2 <app>`` (``kind="granian"``) or ``uvicorn <app>
    --workers 2`` (``kind="uvicorn"``) on 127.0.0.1, as production runs it (minus the TLS proxy)."""

    def __init__(self, app: str, env: dict, *, workers: int = WORKERS, ready_path: str = "/healthz",
                 log_name: str = "server", kind: str = "uvicorn"):
        self.app, self.env, self.workers, self.ready_path = app, env, workers, ready_path
        self.kind = kind
        self.port = free_port()
        self.proc = None
        # The server's own output (e.g. Django's "Not Found" warnings, tracebacks) goes to a file.
        self.log_path = WORK_DIR / f"{log_name}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.kind == "granian":
            # Threads per worker: enough to overlap database waits, few enough that the GIL is not
            # passed around 100 threads (granian's default warns about it). BENCH_GRANIAN_THREADS.
            threads = os.environ.get("BENCH_GRANIAN_THREADS", "8")
            return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                    "--port", str(self.port), "--workers", str(self.workers), "--blocking-threads", threads,
                    "--no-ws", "--respawn-failed-workers", "--respawn-interval", "0.1",
                    "--log-level", os.environ.get("BENCH_UVICORN_LOG", "warning"), self.app]
        return [sys.executable, "-m", "uvicorn", self.app, "--host", "127.0.0.1", "--port", str(self.port),
                "--workers", str(self.workers), "--no-access-log", "--no-server-header", "--no-proxy-headers",
                "--log-level", os.environ.get("BENCH_UVICORN_LOG", "warning")]

    def __enter__(self):
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        self.log_file = self.log_path.open("w")
        self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, start_new_session=True,
                                     stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        ok = 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with code {self.proc.returncode}; see {self.log_path}:\n"
                                   + self.log_path.read_text()[-3000:])
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=2) as r:  # noqa: S310
                    ok = ok + 1 if r.status == 200 else 0
            except OSError:
                ok = 0
            if ok >= 4 and len(self.worker_pids()) >= self.workers:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.kind} did not become ready in 60 s")

    def worker_pids(self) -> list[int]:
        """Worker processes: children of the uvicorn master (multiprocessing spawn), not its helpers."""
        if self.proc is None:
            return []
        pids = []
        for child in children_of(self.proc.pid):
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            # granian's workers are its main process's direct children; uvicorn's are spawned.
            spawned = b"spawn_main" in cmdline and b"resource_tracker" not in cmdline
            if self.kind == "granian" or spawned:
                pids.append(child)
        return sorted(pids)

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far by the worker processes (all their threads)."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if getattr(self, "log_file", None):
            self.log_file.close()

    def __exit__(self, *exc):
        self.stop()


def children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            out.append(int(entry.name))
    return out


def warm_up(base: str, paths: list[str], n: int = 20, headers: dict | None = None) -> None:
    """Load templates, translations and pools in both workers before measuring."""
    for path in paths:
        for _ in range(n):
            request = urllib.request.Request(base + path, headers=headers or {})  # noqa: S310
            with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310
                r.read()


def loadavg() -> str:
    """The 1-minute load average: other work on the machine competes with the benchmark."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


# --- wrk ---------------------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"cannot read a wrk duration: {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> dict:
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M)
        result[f"p{pct}"] = _ms(match.group(1)) if match else None
    match = re.search(r"(\d+) requests in ([\d.]+\w+)", output)
    result["requests"] = int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = sum(int(x) for x in match.groups()) if match else 0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(match.group(1)) if match else 0
    match = re.search(r"^STATUS_COUNTS (.*)$", output, re.M)
    if match:
        result["status_counts"] = json.loads(match.group(1))
    return result


def wrk(url: str, *, connections: int, duration: int, threads: int = 2, script: Path | None = None,
        env: dict | None = None, headers: dict | None = None, server: "Server | None" = None) -> dict:
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", str(script)]
    cmd.append(url)
    load_before = loadavg()
    cpu_before = server.cpu_seconds() if server else None
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=duration + 60)
    cpu = server.cpu_seconds() - cpu_before if server else None
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {proc.stderr}")
    result = parse_wrk(proc.stdout)
    result["command"] = " ".join(c if not c.startswith("Cookie:") else "Cookie: …" for c in cmd)
    result["load"] = load_before
    if cpu is not None and result["requests"]:
        # Load-independent: CPU time the two workers spent per request (Python, Django, uvicorn).
        result["cpu_ms_per_request"] = round(cpu * 1000 / result["requests"], 2)
    return result


# --- Machine facts -------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    free = subprocess.run([shutil.which("free") or "/usr/bin/free", "-h"], capture_output=True,
                          text=True).stdout.splitlines()
    mem = next((" ".join(line.split()[1:2]) for line in free if line.startswith("Mem:")), "?")
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": mem,
        "free_h": "\n".join(free),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": _wrk_version(),
    }


def _wrk_version() -> str:
    if not shutil.which(WRK):
        return "wrk not installed"
    proc = subprocess.run([WRK, "--version"], capture_output=True, text=True)
    return (proc.stdout + proc.stderr).split("[")[0].strip() or "?"


async def sse_events(reader):
    """``(arrival time, event)`` for each ``data:`` line of a server-sent event stream read from an
    asyncio ``reader`` (the raw-socket clients of sse_fanout.py and wall.py), until it closes."""
    buffer = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            return
        now = time.time()
        buffer += chunk
        while b"\ndata: " in buffer:
            start = buffer.index(b"\ndata: ") + 7
            end = buffer.find(b"\n", start)
            if end < 0:
                break
            event = json.loads(buffer[start:end])
            buffer = buffer[end:]
            yield now, event
        if len(buffer) > 1 << 16:
            buffer = buffer[-1024:]


# Concerto – the two Quick start commands are `make demo` and `make test`.
SHELL := /bin/bash
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres
UV_VERSION := 0.13.8
# uv from PATH, else a private copy installed with the system Python (a fresh machine has only Python and git).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_LINK_MODE := copy

.PHONY: demo test test-sqlite test-postgres test-browser lint messages bench backup restore stack stack-stop

$(UV):
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

# manage.py and config.asgi default to production settings: the demo says it wants the demo ones.
demo messages: export DJANGO_SETTINGS_MODULE = config.settings.dev
demo: .venv/.synced
	mkdir -p var
	$(UV) run python manage.py migrate --noinput -v 0
	$(UV) run python manage.py load_demo
	@echo "Concerto demo: http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(UV) run python manage.py db_worker --interval 1 --no-reload >var/worker.log 2>&1 & \
	  $(UV) run uvicorn config.asgi:application --host 127.0.0.1 --port $(PORT) --no-server-header --no-proxy-headers

# The production topology on this machine (deploy/stack.py, docs/operations.md): HAProxy on
# 127.0.0.1:8080 (or PORT=… given to make), two nodes of granian WSGI + stream process + task worker,
# PostgreSQL database concerto_stack, Redis db 4. Idempotent; `make stack-stop` stops it.
STACK_PORT = $(if $(filter command line environment,$(origin PORT)),$(PORT),8080)
stack: .venv/.synced
	$(UV) run python deploy/stack.py start --port $(STACK_PORT)

stack-stop: .venv/.synced
	$(UV) run python deploy/stack.py stop

lint: .venv/.synced
	$(UV) run ruff check .
	$(UV) run lint-imports
	$(UV) run bandit -q -r concerto config -lll

test-sqlite: .venv/.synced
	@echo "== Test suite on SQLite =="
	env -u DATABASE_URL $(UV) run pytest -n 2 -p no:cacheprovider -m "not browser and not live"

test-postgres: .venv/.synced
	@if $(UV) run python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== Test suite on PostgreSQL ($(PG_TEST_URL)) =="; \
	  DATABASE_URL='$(PG_TEST_URL)' $(UV) run pytest -n 2 -p no:cacheprovider -m "not browser and not live"; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL is not reachable at $(PG_TEST_URL): under CI this is a failure." >&2; exit 1; \
	else \
	  echo "SKIPPED: the PostgreSQL leg of the test suite (no server at $(PG_TEST_URL); set PG_TEST_URL to use another)."; \
	fi

# The real server (uvicorn) on a throw-away SQLite database, driven over HTTP and by Chromium.
test-browser: .venv/.synced
	@if command -v chromium >/dev/null 2>&1; then \
	  echo "== Browser, accessibility and live-server suites (Chromium) =="; \
	  env -u DATABASE_URL $(UV) run pytest tests -p no:cacheprovider -n 2 --dist loadscope --no-loadscope-reorder -m "browser or live"; \
	elif [ "$$CI" = "true" ]; then \
	  echo "Chromium is not installed: under CI the browser suite cannot be skipped." >&2; exit 1; \
	else \
	  echo "SKIPPED: the browser and accessibility suite (no Chromium; apt-get install chromium)."; \
	  env -u DATABASE_URL $(UV) run pytest tests -p no:cacheprovider -m "live"; \
	fi

test: lint test-sqlite test-postgres test-browser

messages: .venv/.synced
	$(UV) run python manage.py makemessages -l fr -l en --ignore=.venv --ignore=var --ignore=.tools
	msgfmt --check -o locale/fr/LC_MESSAGES/django.mo locale/fr/LC_MESSAGES/django.po
	msgfmt --check -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

# Benchmarks (not part of `make test`): results are prepended to docs/benchmarks.md.
bench: .venv/.synced
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1 \
	  || { echo "wrk is needed for make bench (apt-get install wrk)." >&2; exit 1; }
	$(UV) run python bench/run.py --scale seed --scale city --database sqlite --database postgres
	@echo "== Failover: node1 of the two-node stack killed under load (make stack) =="
	$(MAKE) --no-print-directory stack
	$(UV) run python bench/failover.py --port $(STACK_PORT)
	@echo "== Workshop wall: 40 participants posting and voting at once (granian + stream process + Redis) =="
	$(UV) run python bench/wall.py --participants 40 --database sqlite
	$(UV) run python bench/wall.py --participants 40 --database postgres
	@echo "== Live event: the TV set's full state to 5,000 viewers on two stream processes (issue 14) =="
	$(UV) run python bench/sse_fanout.py --topic event --viewers 5000 --processes 2 --server uvicorn --events 10 --interval 1
	@echo "== Synthesis: the final plan and the 7 candidates' dossiers compiled (PDF/UA-1) on the demo (issue 15) =="
	DJANGO_SETTINGS_MODULE=config.settings.dev $(UV) run python manage.py load_demo
	DJANGO_SETTINGS_MODULE=config.settings.dev $(UV) run python bench/synthesis_documents.py

# Backups (docs/backups.md): `make backup [KEEP=N]`, `make restore FILE=var/backups/concerto-… [REPLACE=1]`.
# The demo's settings unless DJANGO_SETTINGS_MODULE says otherwise (a server sets it, with DATABASE_URL).
backup restore: export DJANGO_SETTINGS_MODULE ?= config.settings.dev
backup: .venv/.synced
	$(UV) run python manage.py backup $(if $(KEEP),--keep $(KEEP))

restore: .venv/.synced
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=var/backups/concerto-YYYYMMDDTHHMMSSZ [REPLACE=1]" >&2; exit 2; }
	$(UV) run python manage.py restore "$(FILE)" $(if $(REPLACE),--replace)

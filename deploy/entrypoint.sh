#!/bin/sh
# The image's commands (deploy/Containerfile): web, streams, worker, migrate, manage <args>.
set -eu
case "${1:-web}" in
  web)     exec granian --interface wsgi --host 0.0.0.0 --port 8001 --workers "${WEB_WORKERS:-2}" \
             --blocking-threads "${WEB_THREADS:-4}" --backlog 2048 --no-ws config.wsgi:application ;;
  streams) exec uvicorn config.asgi:streams --host 0.0.0.0 --port 8011 --no-proxy-headers --no-server-header \
             --timeout-graceful-shutdown 5 ;;
  worker)  exec python manage.py db_worker --interval 1 --no-reload ;;
  migrate) exec python manage.py migrate --noinput ;;
  manage)  shift; exec python manage.py "$@" ;;
  *)       exec "$@" ;;
esac

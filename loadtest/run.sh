#!/bin/sh
# The deadline-day load test from start to end: people, gunicorn, locust, then the check that
# nothing was lost. Loopback only; stops by itself after LOAD_RUN_TIME.
#
#   DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/styr_load loadtest/run.sh
#
# The database must hold the generated municipality (styr migrate; styr generate --scale
# stockholm --seed 1). Settings: LOAD_USERS_COUNT (200), LOAD_SPAWN_RATE (people signing in per
# second, 2), LOAD_RUN_TIME (5m), LOAD_WORKERS (gunicorn workers, 4), LOAD_PORT (8001),
# LOAD_DIR (/tmp/styr-load: the people, the submission log, locust's CSV and gunicorn's log),
# LOAD_HOST (skip gunicorn and load a server already running there, e.g. nginx), LOAD_SCENARIO
# (deadline: loadtest/locustfile.py, the default; ceiling: loadtest/ceiling.py, the cheapest
# requests at the same pace, with CEILING_PAGE api or login).
set -eu
: "${DATABASE_URL:?DATABASE_URL must name the load test's PostgreSQL database}"
BIN=${BIN:-.venv/bin}
LOCUST=${LOCUST:-$BIN/locust}
LOAD_DIR=${LOAD_DIR:-/tmp/styr-load}
USERS=${LOAD_USERS_COUNT:-200}
SPAWN=${LOAD_SPAWN_RATE:-2}
RUN_TIME=${LOAD_RUN_TIME:-5m}
WORKERS=${LOAD_WORKERS:-4}
PORT=${LOAD_PORT:-8001}
case "${LOAD_SCENARIO:-deadline}" in
deadline) LOCUSTFILE=loadtest/locustfile.py ;;
ceiling) LOCUSTFILE=loadtest/ceiling.py ;;
*)
	echo "LOAD_SCENARIO must be deadline or ceiling" >&2
	exit 2
	;;
esac
export LOAD_DIR
mkdir -p "$LOAD_DIR"

"$BIN/python" loadtest/prepare.py --users "$USERS"
rm -f "$LOAD_DIR/submitted.jsonl"

if [ -z "${LOAD_HOST:-}" ]; then
	LOAD_HOST="http://127.0.0.1:$PORT"
	# As in production (DEBUG off, connections kept), but plain HTTP on loopback: the production
	# settings' secure cookies would not come back over HTTP (nginx with TLS: docs/operations.md).
	DJANGO_SETTINGS_MODULE=config.settings.local DJANGO_DEBUG=0 DATABASE_CONN_MAX_AGE=60 \
		"$BIN/gunicorn" config.wsgi --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
		--pid "$LOAD_DIR/gunicorn.pid" >"$LOAD_DIR/gunicorn.log" 2>&1 &
	trap 'kill "$(cat "$LOAD_DIR/gunicorn.pid")" 2>/dev/null || true' EXIT INT TERM
	for _i in $(seq 50); do
		"$BIN/python" -c "import urllib.request; urllib.request.urlopen('$LOAD_HOST/logga-in/')" \
			2>/dev/null && break
		sleep 0.2
	done
fi

"$LOCUST" -f "$LOCUSTFILE" --headless --users "$USERS" --spawn-rate "$SPAWN" \
	--run-time "$RUN_TIME" --stop-timeout 20 --host "$LOAD_HOST" \
	--csv "$LOAD_DIR/run" --only-summary || status=$?
"$BIN/python" loadtest/report.py
if [ "$LOCUSTFILE" = loadtest/locustfile.py ]; then
	"$BIN/python" loadtest/verify.py
fi
exit "${status:-0}"

# Styr: two commands do the whole set-up on a machine with Python 3.11+ and make.
#   make demo   installs, loads the four presets and serves the demo on http://127.0.0.1:8000
#   make test   installs and runs the whole suite on SQLite, then on PostgreSQL when
#               DATABASE_URL names one (postgres://…)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo serve test test-sqlite test-postgres lint messages vendor clean loadtest

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Styr behöver Python 3.11 eller senare.")'
	@if [ ! -x $(BIN)/python ]; then \
		$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); \
		$(PYTHON) -m venv --without-pip $(VENV) && $(BIN)/python scripts/bootstrap_pip.py; }; \
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# The worker makes the documents ordered on the Dokument pages; it stops when the server stops.
demo: install
	$(BIN)/styr demo
	$(BIN)/styr db_worker --no-reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/styr runserver 127.0.0.1:8000

serve: install
	$(BIN)/styr runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The Swedish catalogue: extract, then compile. Needs GNU gettext (apt-get install gettext).
messages: install
	$(BIN)/styr makemessages --locale sv --ignore '.venv/*' --ignore 'tests/*' --no-obsolete
	$(BIN)/styr compilemessages --locale sv --ignore '.venv/*'

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: install
	@case "$$DATABASE_URL" in \
		postgres://*|postgresql://*) $(BIN)/pytest ;; \
		*) echo "DATABASE_URL namnger ingen PostgreSQL-databas: PostgreSQL-körningen hoppas över." ;; \
	esac

test: lint test-sqlite test-postgres

# The deadline-day load test (docs/performance.md): gunicorn and locust on loopback against the
# generated municipality in the PostgreSQL database DATABASE_URL names. Not part of `make test`.
loadtest: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[load]"
	loadtest/run.sh

# Front-end packages (htmx, Chart.js, Designsystemet, axe-core) into static/vendor, from the
# versions pinned in package.json and package-lock.json. Needs npm; the result is committed.
vendor:
	scripts/vendor.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# The README's two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export CLINICSHIELD_DATA_DIR ?= $(CURDIR)/var
PG_URL ?= postgres://postgres@127.0.0.1:5432/clinicshield
PG_PING_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run test lint typecheck pytest pytest-postgres pytest-shifted demo messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(BIN)/clinicshield serve

demo: $(STAMP)
	$(BIN)/clinicshield demo

test: lint typecheck pytest pytest-postgres pytest-shifted

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy clinicshield

# Tests get a data dir of their own, never ./var.
pytest: $(STAMP)
	CLINICSHIELD_DATA_DIR=$$(mktemp -d) $(BIN)/pytest -q

# The database-backed tests again on PostgreSQL, when one answers on 127.0.0.1:5432.
pytest-postgres: $(STAMP)
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_PING_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== the database tests again, on PostgreSQL"; \
		CLINICSHIELD_DATA_DIR=$$(mktemp -d) CLINICSHIELD_DATABASE_URL=$(PG_URL) CLINICSHIELD_TEST_DB_ONLY=1 \
			$(BIN)/pytest -q -m "not browser and not netns"; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at 127.0.0.1:5432, and CI must run the PostgreSQL pass"; exit 1; \
	else \
		echo "SKIPPED the PostgreSQL pass: no PostgreSQL answers at 127.0.0.1:5432"; \
	fi

# The whole suite again (SQLite) with the clock 400 days ahead, through Debian's libfaketime:
# a test that builds data at the real date and checks it at a fixed one, or the reverse, fails
# here instead of on the day the calendar catches up with it. Tests set the times they rely on.
# `real_clock` tests are left out: each says why it cannot run under libfaketime (tests/conftest.py).
# libfaketime 0.9.10 never ends a timed wait of Python's (Event.wait(timeout) hangs), so a test
# that meets one fails after SHIFT_TEST_TIMEOUT seconds, by name, instead of blocking the run.
LIBFAKETIME ?= $(firstword $(wildcard /usr/lib/*/faketime/libfaketime.so.1))
SHIFT_DAYS ?= 400
SHIFT_TEST_TIMEOUT ?= 300
pytest-shifted: $(STAMP)
	@if [ -n "$(LIBFAKETIME)" ] && [ -f "$(LIBFAKETIME)" ]; then \
		ahead=$$(FAKETIME=+$(SHIFT_DAYS)d LD_PRELOAD=$(LIBFAKETIME) date +%s); \
		if [ "$$ahead" -lt $$(( $$(date +%s) + ($(SHIFT_DAYS) - 1) * 86400 )) ]; then \
			echo "libfaketime ($(LIBFAKETIME)) did not move the clock"; exit 1; \
		fi; \
		echo "== the suite again, $(SHIFT_DAYS) days ahead: $$(date -u -d @$$ahead +%F)"; \
		CLINICSHIELD_DATA_DIR=$$(mktemp -d) FAKETIME=+$(SHIFT_DAYS)d LD_PRELOAD=$(LIBFAKETIME) \
			$(BIN)/pytest -q -m "not real_clock" --timeout=$(SHIFT_TEST_TIMEOUT); \
	elif [ "$$CI" = "true" ]; then \
		echo "libfaketime is not installed, and CI must run the suite $(SHIFT_DAYS) days ahead"; exit 1; \
	else \
		echo "SKIPPED the pass $(SHIFT_DAYS) days ahead: libfaketime is not installed (Debian: apt-get install libfaketime)"; \
	fi

# Rebuild the translation catalogues after changing user-facing strings. Each app keeps its
# own (clinicshield/<app>/locale/es/); PYTHONSAFEPATH keeps an app's own modules from hiding
# the standard library's. The compiled .mo files are committed so that a fresh
# install has them without gettext installed.
APPS := lib accounts training simulations readiness monitoring exposure dashboard sensor
messages: $(STAMP)
	for app in $(APPS); do \
		(cd clinicshield/$$app && mkdir -p locale && export PYTHONSAFEPATH=1 DJANGO_SETTINGS_MODULE=clinicshield.settings && \
			../../$(BIN)/django-admin makemessages -l es --no-obsolete && \
			../../$(BIN)/django-admin compilemessages) || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

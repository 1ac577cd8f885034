# The README's two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export CLINICSHIELD_DATA_DIR ?= $(CURDIR)/var
PG_URL ?= postgres://postgres@127.0.0.1:5432/clinicshield
PG_PING_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run test lint typecheck pytest pytest-postgres demo messages clean

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

test: lint typecheck pytest pytest-postgres

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

# Rebuild the translation catalogues after changing user-facing strings. Each app keeps its
# own (clinicshield/<app>/locale/es/); PYTHONSAFEPATH keeps an app's own modules from hiding
# the standard library's. The compiled .mo files are committed so that a fresh
# install has them without gettext installed.
APPS := lib accounts training simulations readiness monitoring exposure dashboard
messages: $(STAMP)
	for app in $(APPS); do \
		(cd clinicshield/$$app && mkdir -p locale && export PYTHONSAFEPATH=1 DJANGO_SETTINGS_MODULE=clinicshield.settings && \
			../../$(BIN)/django-admin makemessages -l es --no-obsolete && \
			../../$(BIN)/django-admin compilemessages) || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# The two commands users need: `make up` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up test migrate lint install broker postgres demo catalog clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

broker:
	@deploy/local/ensure-broker.sh

postgres:
	@deploy/local/ensure-postgres.sh || { echo "PostgreSQL is not reachable on 127.0.0.1:5432"; exit 1; }

migrate: install
	$(BIN)/coop migrate

up: install broker
	$(BIN)/coop up --demo

test: install broker
	@if deploy/local/ensure-postgres.sh; then backends=sqlite,postgresql; else \
	  echo "WARNING: no PostgreSQL on 127.0.0.1:5432: running the tests on SQLite only"; backends=sqlite; fi; \
	$(BIN)/lint-imports && $(BIN)/ruff check shared services coop tests bench && $(BIN)/mypy && \
	  TEST_BACKENDS=$$backends deploy/local/run-tests.sh

lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check shared services coop tests bench
	$(BIN)/mypy

catalog: install
	$(BIN)/coop events catalog

clean:
	rm -rf var .pytest_cache

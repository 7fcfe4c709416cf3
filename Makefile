# fanarchive: `make run` to try it, `make test` to check it.
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

# The newest Python >= 3.12 that actually runs (a pyenv shim may exist but refuse).
PYENV_VERSIONS := $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions
PYTHON ?= $(shell for p in python3.13 python3.12 \
	$(PYENV_VERSIONS)/3.13*/bin/python3.13 $(PYENV_VERSIONS)/3.12*/bin/python3.12; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)

.PHONY: run test test-sqlite test-postgres lint bench clean

$(BIN)/fanarchive: pyproject.toml
	@test -n "$(PYTHON)" || { echo "fanarchive needs Python 3.12 or newer (python3.13 or python3.12)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

run: $(BIN)/fanarchive
	$(BIN)/fanarchive migrate --no-input
	$(BIN)/fanarchive import demo/
	$(BIN)/fanarchive runserver $(HOST)

test: test-sqlite test-postgres lint

test-sqlite: $(BIN)/fanarchive
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

# Runs the suite against PostgreSQL. Without a server it skips, loudly; under CI
# (CI=true) a skipped PostgreSQL run is a failure.
test-postgres: $(BIN)/fanarchive
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$(TEST_DATABASE_URL)" 2>/dev/null; then \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ -n "$$CI" ]; then \
		echo "FAILED: PostgreSQL run could not happen: no server at $(TEST_DATABASE_URL)"; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL run: no server at $(TEST_DATABASE_URL) (set TEST_DATABASE_URL)"; \
	fi

lint: $(BIN)/fanarchive
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Speed figures (not part of `make test`); record them in docs/performance.md.
# PRESET=small (a few minutes), medium (20,000 full-text works) or full (the issue's
# sizes; see docs/performance.md for how long it takes); BENCH_ARGS adds options of
# bench/search.py, e.g. BENCH_ARGS="--engine sqlite --out results.json".
PRESET ?= small
BENCH_ARGS ?=
bench: $(BIN)/fanarchive
	$(BIN)/python bench/tagging.py
	$(BIN)/python bench/search.py --preset $(PRESET) $(BENCH_ARGS)
	$(BIN)/python bench/formats.py --preset $(PRESET)
	$(BIN)/python bench/downloads.py --preset $(if $(filter full,$(PRESET)),full,small)

# Jobifies: `make run` serves the app with embedded defaults; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in emails (sent by requests and by the periodic jobs alike) point where `make run` serves.
BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test check lint lock test-postgres test-sqlite worker clean-venv

# Reinstall only when a requirements file changes.
$(BIN)/.runtime-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.dev-installed: $(BIN)/.runtime-installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(BIN)/.runtime-installed
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@# Build the search index before serving, so the first search is not answered by the fallback.
	$(FLASK) search status >/dev/null 2>&1 || $(FLASK) search reindex
	BASE_URL=$(BASE_URL) $(FLASK) run --host $(HOST) --port $(PORT)

# Lint first (seconds), then the whole suite on PostgreSQL (falls back to SQLite if it is
# unreachable, unless REQUIRE_SERVICES=1), then the same suite on SQLite without the browser tests.
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	TEST_DB=sqlite $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# Everything CI checks, in one command: lint, the whole suite on PostgreSQL then SQLite (the suite
# includes the render.yaml schema validation, the alert rules under promtool and the deploy files).
check: test

# ruff (lint + format, pyproject.toml) and import-linter (the layering contracts, pyproject.toml).
lint: $(BIN)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Re-pin every dependency (with hashes) from requirements.in / requirements-dev.in.
lock: $(BIN)/.dev-installed
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

test-postgres: $(BIN)/.dev-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-sqlite: $(BIN)/.dev-installed
	TEST_DB=sqlite $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)

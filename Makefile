# Zhucun: `make run` serves the whole system on SQLite with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PWA_SOURCES := $(shell find pwa/src pwa/public pwa/index.html pwa/vite.config.ts -type f 2>/dev/null)

.PHONY: run test install install-test pwa lint api-types api-types-check test-sqlite test-postgres bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# requirements.lock pins every package (pip constraints), so two installs are the same.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# `npm ci` installs exactly the lock and never rewrites it.
pwa/node_modules/.installed: pwa/package.json pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

pwa/dist/index.html: pwa/node_modules/.installed $(PWA_SOURCES)
	cd pwa && npm run build --silent

pwa: pwa/dist/index.html

run: install pwa
	$(BIN)/zhucun migrate
	$(BIN)/zhucun seed-demo
	@echo "Zhucun on http://$${ZHUCUN_HOST:-127.0.0.1}:$${ZHUCUN_PORT:-8000}  (API docs: /schema/swagger)"
	$(BIN)/zhucun serve

lint: install-test
	$(BIN)/ruff check backend tests
	$(BIN)/mypy

# The PWA's API types (pwa/src/api.gen.ts), generated from the server's OpenAPI document
# (`zhucun openapi`, no server needed); the check fails when the checked-in file is stale.
api-types: install pwa/node_modules/.installed
	set -o pipefail; $(BIN)/zhucun openapi | (cd pwa && node scripts/api-types.mjs --write)

api-types-check: install pwa/node_modules/.installed
	set -o pipefail; $(BIN)/zhucun openapi | (cd pwa && node scripts/api-types.mjs --check)

# The suite runs once per engine, as Piccolo's own does. Browser tests run in the SQLite pass.
test-sqlite: install-test pwa
	ZHUCUN_TEST_DB=sqlite $(BIN)/pytest -q

test-postgres: install-test
	@if $(BIN)/python -m tests.dbconf; then \
	  ZHUCUN_TEST_DB=postgres $(BIN)/pytest -q -m "not e2e"; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "PostgreSQL is not reachable on 127.0.0.1:5432 but CI needs it"; exit 1; \
	else \
	  echo "PostgreSQL is not reachable on 127.0.0.1:5432: PostgreSQL pass skipped"; \
	fi

test: lint api-types-check pwa
	cd pwa && npm test --silent
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	cd pwa && npm run size --silent

bench: install-test pwa
	@for b in tests/bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Re-resolve the Python lock from pyproject.toml in a throwaway environment.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q --upgrade pip && .lock-venv/bin/pip install -q -e '.[test]'
	{ head -2 requirements.lock; .lock-venv/bin/pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

clean:
	rm -rf $(VENV) pwa/node_modules pwa/dist var *.egg-info

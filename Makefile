# Huddle: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never

# Use uv from PATH when it works; otherwise bootstrap it into the machine's Python.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo python3 -m uv)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run in parallel, one worker per core.
PYTEST_ARGS ?= -n auto

# make run: production settings on plain HTTP (localhost), a generated secret key kept in var/.
RUN_ENV = HUDDLE_SECRET_KEY="$$(cat var/secret_key)" HUDDLE_HTTPS=false \
          HUDDLE_ENCRYPTION_KEY="$$(cat var/encryption_key)" \
          HUDDLE_SITE_URL=http://$(HOST):$(PORT)

.PHONY: help run test test-postgres lint fix docs uv venv chromium xmlsec1 clean bench

help:
	@echo "make run            set up, load the demo organisation, serve on http://$(HOST):$(PORT) (and run the task worker)"
	@echo "make test           set up and run the whole suite (SQLite, lint, layers, migrations check)"
	@echo "make test-postgres  the suite against a throwaway PostgreSQL cluster"
	@echo "make bench          every benchmark at a reduced size (minutes) -> bench/results/*.json"

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv

venv: uv
	@$(UV) sync --locked --quiet

var/secret_key:
	@mkdir -p var
	@umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# The key that encrypts provider API keys at rest (Fernet: 32 url-safe base64 bytes).
var/encryption_key:
	@mkdir -p var
	@umask 077 && python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())' > $@

# The task worker (chat-export imports, digests, webhooks, the insights roll-up) runs beside the
# web server and stops with it.
run: venv var/secret_key var/encryption_key
	@$(RUN_ENV) $(BIN)/huddle migrate
	@$(RUN_ENV) $(BIN)/huddle demo
	@$(RUN_ENV) $(BIN)/huddle worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  $(RUN_ENV) $(BIN)/huddle serve --host $(HOST) --port $(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium from Debian for the browser tests…"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

# The SAML tests run pysaml2's identity provider, which signs with the xmlsec1 command.
xmlsec1:
	@command -v xmlsec1 >/dev/null 2>&1 || { \
	  echo "Installing xmlsec1 from Debian for the SAML tests…"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q xmlsec1; }

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache
	$(BIN)/cog --check -I scripts docs/cli.md

# docs/cli.md is generated from every command's --help; run after changing a command.
docs: venv
	$(BIN)/cog -r -I scripts docs/cli.md

fix: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: venv chromium xmlsec1 lint
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: venv chromium xmlsec1
	bash scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var/static test-results

# Benchmarks at a reduced size (a few minutes), on their own SQLite file; see bench/README.md for
# the full sizes. Not part of `make test`.
BENCH_ENV = HUDDLE_DEBUG=true HUDDLE_DATABASE_URL=sqlite:///var/bench.sqlite3
bench: venv
	@mkdir -p var
	$(BENCH_ENV) $(BIN)/python manage.py migrate -v0
	$(BENCH_ENV) $(BIN)/huddle demo >/dev/null
	$(BENCH_ENV) $(BIN)/python -m bench.generate --org bench --members 200 --workflows 5000 --runs 20000
	$(BENCH_ENV) $(BIN)/python -m bench.search --org bench
	$(BENCH_ENV) $(BIN)/python -m bench.render --org acme
	$(BENCH_ENV) $(BIN)/python -m bench.mcp --org bench --context-org acme --repeat 50
	$(BENCH_ENV) $(BIN)/python -m bench.brand_check --runs 50
	$(BENCH_ENV) $(BIN)/python -m bench.uploads
	$(BENCH_ENV) $(BIN)/python -m bench.http_load --org bench --seconds 10
	$(BENCH_ENV) $(BIN)/python -m bench.backup --org bench
	$(BENCH_ENV) $(BIN)/python -m bench.importing --mb 50
	$(BENCH_ENV) $(BIN)/python -m bench.usage_import --rows 100000
	$(BENCH_ENV) $(BIN)/python -m bench.mining --prompts 20000
	$(BENCH_ENV) $(BIN)/python -m bench.insights --runs 10000 50000 --cold 2 --warm 5

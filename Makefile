# One entry point behind the README's two commands. Everything is idempotent: a target
# installs only what is missing, so `make run` and `make test` work on a fresh clone.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
AXE     := node_modules/axe-core/axe.min.js

.PHONY: run test test-fast lint format browser-deps screens clean bench

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# First run on a fresh clone: demo data for all EU municipalities are generated and built
# once (about 1.5 minutes, with progress); later runs start at once.
run: $(STAMP)
	$(BIN)/python -m pipelines first-run
	DS4E_VISIBILITY=$${DS4E_VISIBILITY:-open} $(BIN)/gunicorn -c gunicorn.conf.py app:server

# Chromium (Debian) and axe-core (npm) for the browser tests; never a browser download.
browser-deps: $(AXE)
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

$(AXE): package.json
	npm install --no-audit --no-fund --silent
	touch $(AXE)

test: $(STAMP) browser-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser"

# Screenshots of every page at 390, 1366, 1440 and 1920 px in NL and EN, for a person to look
# at before a release (SHOT_DIR, default /tmp/ds4e-screens; the demo is built if nothing is).
screens: $(STAMP) browser-deps
	$(BIN)/python tools/screens.py

# Performance (python -m benchmarks, README "Performance"): every endpoint and callback from one
# and four clients against gunicorn, the build, worker start and memory, and a pandas baseline,
# at NL, EU and EU x 5 waves (the demo builds are made once, ~1 hour in all). Narrow it with
# BENCH_ARGS, e.g. make bench BENCH_ARGS="--sizes nl --calls 20".
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

# Known vulnerabilities in the installed dependencies (pip-audit), less the advisories that
# audit-allowlist.toml says do not apply and why. Says NOT AUDITED when the advisory service
# cannot be reached (DS4E_AUDIT_REQUIRED=1 makes that fail).
.PHONY: audit
audit: $(STAMP)
	$(BIN)/python tools/audit.py

clean:
	rm -rf $(VENV) node_modules

# Two commands: `make run` serves the app, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Pinned versions (pip constraints) of every dependency, so a clone installs what was tested.
LOCK := requirements.lock
# Front-end tools from the npm registry, pinned by tools/package-lock.json: axe-core (the
# browser tests' accessibility checks) and the Plotly.js bundle tools/vendor-plotly.sh vendors.
NODE_TOOLS := tools/node_modules/.installed

.PHONY: run test lint format bench load health-bench soak limits-bench worst-case abandon-bench clean lock

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml $(LOCK)
	@echo "Installing Descent into $(VENV) (first time: about a minute), then compiling its kernels…"
	$(BIN)/pip install -q -c $(LOCK) .
	$(BIN)/python -m app.engine.run.warm
	touch $@

$(VENV)/.installed-test: $(BIN)/activate pyproject.toml $(LOCK)
	@echo "Installing Descent with its test tools into $(VENV) (first time: a few minutes)…"
	$(BIN)/pip install -q -c $(LOCK) -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(BIN)/activate pyproject.toml $(LOCK)
	$(BIN)/pip install -q -c $(LOCK) -e '.[test,bench]'
	touch $@

# The app logs one line per request itself (logger descent.access): uvicorn's is off.
# --http: uvicorn's protocol with a read timeout on slow requests (app/middleware/protocol.py).
run: $(VENV)/.installed
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT) --no-access-log --http app.middleware.protocol:Guarded --ws-max-size 65536 --ws-per-message-deflate false

$(NODE_TOOLS): tools/package.json tools/package-lock.json
	@command -v npm >/dev/null || { echo "make test needs npm (Node.js 18+) for axe-core: apt-get install nodejs npm" >&2; exit 1; }
	npm ci --prefix tools --no-audit --no-fund --silent
	touch $@

lint: $(VENV)/.installed-test
	$(BIN)/ruff check app tests bench
	$(BIN)/hadolint Dockerfile

format: $(VENV)/.installed-test
	$(BIN)/ruff format app tests bench

test: lint $(NODE_TOOLS)
	$(BIN)/pytest -q

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.run

# 60 s of mixed page/surface/trajectory traffic from 32 users (locust) against a local
# uvicorn; prints req/s, p50/p99, errors and the server's RSS before/after.
load: $(VENV)/.installed-bench
	$(BIN)/python -m bench.load

# /healthz latency while the heaviest allowed requests run.
health-bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench.health_under_load

# 10 minutes of 16 clients sending random valid requests, hostile formulas included; prints
# outcomes, /healthz latency and the server's RSS (goal: 0 errors, RSS within 20 %).
soak: $(VENV)/.installed-bench
	$(BIN)/python -m bench.soak

# Each endpoint's dearest allowed request alone: its CPU-seconds and peak RSS growth.
limits-bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench.bench_limits

# 30 of those at once: /healthz p99, a 100-step run's latency, 503s with Retry-After.
worst-case: $(VENV)/.installed-bench
	$(BIN)/python -m bench.worst_case

# How soon the server's CPU stops after a client abandons a long request.
abandon-bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench.abandon

# Re-pin every dependency to what is installed in .venv (after `make test` passes).
lock: $(VENV)/.installed-test
	( sed -n '1,2p' $(LOCK); $(BIN)/pip freeze --exclude-editable | grep -v '^descent' ) > $(LOCK).new
	mv $(LOCK).new $(LOCK)

clean:
	rm -rf $(VENV) build *.egg-info

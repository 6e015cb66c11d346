# ISCM Atlas. `make run` starts the dashboard on the default data; `make test` runs the whole test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-fast bench bench-browser load cluster lint validate tables clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime  ## start the dashboard on the default data at http://127.0.0.1:$(PORT) (this computer only; serve.py)
	$(PY) serve.py --server.port $(PORT)

test: $(VENV)/.dev  ## the whole suite: unit, AppTest and browser tests (browser tests need Chromium)
	$(PY) -m pytest -q

test-fast: $(VENV)/.dev  ## everything but the browser tests
	$(PY) -m pytest -q -m "not browser"

bench: $(VENV)/.dev  ## speed and memory benchmarks; exits non-zero when a target is missed
	$(PY) -m benchmarks

BROWSER_RUNS ?= 3
bench-browser: $(VENV)/.dev  ## every page's load and interactions in headless Chromium against a floor app (~10 min)
	$(PY) -m benchmarks --only browser --runs $(BROWSER_RUNS)

load: $(VENV)/.runtime  ## 1, 10, 50 concurrent sessions against a server it starts on 127.0.0.1 (~3 min); LOAD_ARGS="--url ..." to attach
	$(PY) tools/loadtest.py $(LOAD_ARGS)

cluster: $(VENV)/.runtime  ## 2 app processes behind HAProxy on loopback, one survey store (needs haproxy); CLUSTER_ARGS="--replicas 3"
	$(PY) tools/cluster.py $(CLUSTER_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

validate: $(VENV)/.runtime
	$(PY) -m iscm validate

tables: $(VENV)/.runtime
	$(PY) -m iscm tables --data data --out out/tables

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts out

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

# axe-core: the accessibility checker the browser tests inject into every page, from npm into
# $(VENV)/node (tests/browser/test_accessibility_browser.py finds it there). Without npm the step says so and
# those tests skip (under CI they fail).
AXE_CORE_VERSION ?= 4.14.1
AXE_STAMP := $(VENV)/node/.axe-core-$(AXE_CORE_VERSION)

$(AXE_STAMP):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --no-save --no-audit --no-fund --loglevel=error --prefix $(VENV)/node axe-core@$(AXE_CORE_VERSION) \
	  && touch $@; \
	else echo "npm not found: the accessibility browser tests will skip (apt-get install nodejs npm)"; fi

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime $(AXE_STAMP)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime  ## start the dashboard on the default data at http://127.0.0.1:$(PORT) (this computer only; serve.py)
	$(PY) serve.py --server.port $(PORT)

test: $(VENV)/.dev  ## the whole suite: unit, AppTest and browser tests (browser tests need Chromium; npm installs axe-core)
	$(PY) -m pytest -q

test-fast: $(VENV)/.dev  ## everything but the browser tests
	$(PY) -m pytest -q -m "not browser"

bench: $(VENV)/.dev  ## speed and memory benchmarks; exits non-zero when a target is missed
	$(PY) -m benchmarks

# Five runs: a page's load varies by a few tenths of the floor's from run to run on a 2-core machine, and the
# median of five holds steadier than the median of three (`make bench-browser BROWSER_RUNS=3` for a quick look).
BROWSER_RUNS ?= 5
bench-browser: $(VENV)/.dev  ## every page's load and interactions in headless Chromium against a floor app (~8 min)
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

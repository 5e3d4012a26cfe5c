# platekeeper: every target works from a fresh clone and installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/platekeeper
# Test processes per run (pytest-xdist): `auto` is one per CPU; PYTEST_WORKERS=0 runs in one process.
# worksteal hands each worker a contiguous half and rebalances from the ends, so a module's shared
# server or browser is mostly started once. Not loadscope/loadfile/loadgroup: they key tests by
# node id, and schemathesis gives its per-operation tests one id (all but one would not run).
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist worksteal

.PHONY: install demo serve test test-sqlite test-postgres fuzz bench lint format browser clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: install
	$(VENV)/bin/platekeeper demo

serve: install
	$(VENV)/bin/platekeeper serve

browser:
	@bash scripts/ensure-browser.sh

test: install browser test-sqlite test-postgres

test-sqlite: install
	$(PY) -m pytest $(PYTEST_PARALLEL)

test-postgres: install
	DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest $(PYTEST_PARALLEL) -m both_databases

# Property-based and schemathesis tests with many more examples, new each run (`make test`
# runs the same few every time).
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/server/test_input_properties.py tests/server/test_openapi_fuzz.py

bench: install
	$(PY) benchmarks/run_all.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache

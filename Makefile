# Set-up commands: `make run`, `make test` (fast tier), `make test-all` (everything; CI) and `make bench`.
# Each creates .venv with a Python >= 3.12 found here.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# First Python >= 3.12 that really runs: python3.13/3.12 on PATH, then pyenv's installs, then python3.
PYTHON_FOUND := $(shell for p in python3.13 python3.12 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null) python3; do \
	  $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 && { echo $$p; break; }; done)

SCENARIO ?= syria_dec2024
SEED ?= 7
RUNS ?= 2000
OUT ?= out/$(SCENARIO)-mc

.PHONY: ui classroom run test test-all bench lint format clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON_FOUND)" || { echo "make: no Python >= 3.12 found (tried python3.13, python3.12, ~/.pyenv/versions/3.12+, python3)" >&2; exit 2; }
	test -x $(PY) || $(PYTHON_FOUND) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# The browser UI on http://127.0.0.1:8765 (offline): explore the crisis, step through a run, branch trees.
ui: $(STAMP)
	$(VENV)/bin/wargame ui $(SCENARIO)

# A teaching exercise: prints the facilitator's link and one link per seat, then serves the class.
EXERCISE ?= classroom_45min
classroom: $(STAMP)
	$(VENV)/bin/wargame classroom $(EXERCISE)

# One run told day by day, then the scenario's Monte Carlo and its branch tree.
run: $(STAMP)
	$(VENV)/bin/wargame run $(SCENARIO) --seed $(SEED)
	rm -rf $(OUT)
	$(VENV)/bin/wargame mc $(SCENARIO) --runs $(RUNS) --seed 1 --out $(OUT)
	$(VENV)/bin/wargame tree $(OUT) --min-share 0.03
	$(VENV)/bin/wargame report $(OUT) --html $(OUT)/report.html

lint: $(STAMP)
	$(VENV)/bin/ruff check wargame viz tests
	$(VENV)/bin/ruff format --check wargame viz tests
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format wargame viz tests
	$(VENV)/bin/ruff check --fix wargame viz tests

# The fast tier: lint and every test not marked slow (a few minutes on 2 cores).
test: $(STAMP) lint
	$(PY) -m pytest -q -m "not slow"

# Everything, benchmarks and the slow tier included: what CI runs.
test-all: $(STAMP) lint
	$(PY) -m pytest -q

# The benchmarks alone, slow ones included; each goal is printed beside the figure measured.
bench: $(STAMP)
	$(PY) -m pytest -q tests/benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

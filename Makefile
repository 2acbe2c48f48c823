# One place for the commands the README and CI use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install test test-fast check demo compose-e2e clean

# The same script builds the image (ops/Dockerfile): one install procedure for CI and deployment.
install:
	PYTHON=$(PYTHON) sh ops/install.sh python $(VENV) grader,local --dev --editable

test: install
	$(BIN)/python -m pytest

# The inner loop: every test not marked slow (CI runs them all).
test-fast: install
	$(BIN)/python -m pytest -m "not slow" -x -q

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy -p tests -p bench -p testkit  # checked, not strict: [[tool.mypy.overrides]] in pyproject.toml
	$(BIN)/lint-imports

demo: install
	$(BIN)/python ops/run_local.py $(if $(MODEL),--model "$(MODEL)")

# The operator's guide run for real: its own dockerd, a head and a GPU machine in containers, a sweep
# through them with a drained GPU worker and a killed CPU worker, security and teardown
# (ops/ci/compose-e2e.sh; root). CI runs it after the tests.
compose-e2e: install
	VENV=$(VENV) bash ops/ci/compose-e2e.sh

clean:
	rm -rf $(VENV) artifacts .pytest_cache .mypy_cache .ruff_cache

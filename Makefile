# One place for the commands the README and CI use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install test test-fast check demo clean

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
	$(BIN)/mypy
	$(BIN)/lint-imports

demo: install
	$(BIN)/python ops/run_local.py

clean:
	rm -rf $(VENV) artifacts .pytest_cache .mypy_cache .ruff_cache

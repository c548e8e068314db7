# The README's commands. `make test` and `make e2e` work on a fresh machine: they install what they need.
SHELL := bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
DIR ?= fixtures/gitops

.PHONY: help setup system-packages test lint unit components bench bench-chain preflight plan e2e clean

help:
	@echo "make e2e         kind cluster + airflow-e2e test --tier cluster on DIR: the mission checks (SCENARIOS=1: then the recovery scenarios)"
	@echo "make test        the harness's own tests (lint, unit, components, wheel install; cluster tests skip without Docker)"
	@echo "make preflight   static checks of DIR (default fixtures/gitops)"
	@echo "make components  the component tier against DIR"
	@echo "make plan        write every manifest and command of the cluster tier to plan-out/"
	@echo "make bench       preflight benchmarks"
	@echo "make bench-chain the local chain (servers -> Airflow -> a DAG run), warm and cold venv cache"
	@echo "make clean       remove .venv, .bin, artifacts and plan-out"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP) system-packages

system-packages:
	@bash scripts/install-system-packages.sh

lint: $(STAMP)
	$(BIN)/ruff check .

test: setup lint
	$(BIN)/pytest -p no:cacheprovider --benchmark-disable $(PYTEST_ARGS)

unit: $(STAMP)
	$(BIN)/pytest tests/unit --benchmark-disable $(PYTEST_ARGS)

components: setup
	$(BIN)/airflow-e2e test "$(DIR)" --tier components

bench: $(STAMP)
	$(BIN)/pytest tests/unit -m benchmark --benchmark-only $(PYTEST_ARGS)

bench-chain: setup
	$(BIN)/pytest -p no:cacheprovider e2e/suites/components/test_chain_benchmark.py -m benchmark --benchmark-enable $(PYTEST_ARGS)

preflight: $(STAMP)
	$(BIN)/airflow-e2e preflight "$(DIR)"

plan: $(STAMP)
	$(BIN)/airflow-e2e plan --gitops-dir "$(DIR)" --output plan-out

e2e:
	@bash scripts/e2e.sh --check-only
	@$(MAKE) --no-print-directory $(STAMP)
	@bash scripts/e2e.sh

clean:
	rm -rf $(VENV) .bin artifacts plan-out .pytest_cache .ruff_cache

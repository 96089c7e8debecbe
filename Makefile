# big-data-platform: every target bootstraps what it needs from pinned, locked files.
# Quick start on a fresh clone:  make synth   (all environments, offline)   and   make test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_BIN := $(VENV)/bin
NODE_STAMP := node_modules/.install-stamp
VENV_STAMP := $(VENV)/.install-stamp
CDK := npx --no-install cdk
# No AWS calls, ever: synth must work with no credentials and no network.
export AWS_EC2_METADATA_DISABLED := true
export CDK_DISABLE_VERSION_CHECK := 1

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- bootstrap
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV_STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV_BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements-dev.txt
	touch $@

.PHONY: deps
deps: $(NODE_STAMP) $(VENV_STAMP) ## Install the pinned Node and Python toolchains

.PHONY: lock-python
lock-python: ## Re-resolve requirements-dev.in into the locked requirements-dev.txt
	$(PYTHON) -m pip install --quiet uv==0.13.9 --target .tools/uv
	PYTHONPATH=.tools/uv .tools/uv/bin/uv pip compile requirements-dev.in -o requirements-dev.txt --python-version 3.11

include etl/etl.mk

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
AIRFLOW_VENV := .venv-airflow
AIRFLOW_VENV_STAMP := $(AIRFLOW_VENV)/.install-stamp
CDK := npx --no-install cdk
# No AWS calls, ever: synth must work with no credentials and no network.
export AWS_EC2_METADATA_DISABLED := true
export CDK_DISABLE_VERSION_CHECK := 1
# The SDK's Node 20 notice about its 2027 releases, silenced as bin/platform.ts explains.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?= true

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- bootstrap
# Node, Python and Java are the prerequisites (README, Quick start), each checked with a one-line
# message (`make prerequisites`, first in `make test`); everything else is installed from a registry.
NODE_MAJOR := $(shell cat .nvmrc)
define require_node
@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= $(NODE_MAJOR) ? 0 : 1)' 2> /dev/null || { echo "Node $(NODE_MAJOR) or newer is required (.nvmrc); found: $$(node --version 2> /dev/null || echo none)" >&2; exit 1; }
endef
define require_java
@v=$$( (java -version 2>&1 || true) | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -1); [ "$${v:-0}" -ge 17 ] || { echo "Java 17 or newer is required (PySpark runs the ETL tests on it); found: $${v:-none}" >&2; exit 1; }
endef
define require_python
@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2> /dev/null || { echo "Python 3.11 or newer is required as '$(PYTHON)' (set PYTHON=... to use another); found: $$($(PYTHON) --version 2> /dev/null || echo none)" >&2; exit 1; }
endef

$(NODE_STAMP): package.json package-lock.json
	$(require_node)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV_STAMP): requirements-dev.txt
	$(require_python)
	$(PYTHON) -m venv $(VENV)
	$(VENV_BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements-dev.txt
	touch $@

$(AIRFLOW_VENV_STAMP): requirements-airflow.txt
	$(require_python)
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -r requirements-airflow.txt
	touch $@

.PHONY: deps
deps: $(NODE_STAMP) $(VENV_STAMP) $(AIRFLOW_VENV_STAMP) ## Install the pinned Node and Python toolchains

.PHONY: lock-python
lock-python: ## Re-resolve requirements-*.in into the locked requirements-*.txt
	$(PYTHON) -m pip install --quiet uv==0.13.9 --target .tools/uv
	for lock in dev airflow; do PYTHONPATH=.tools/uv .tools/uv/bin/uv pip compile requirements-$$lock.in -o requirements-$$lock.txt --python-version 3.11; done

# ---------------------------------------------------------------- CDK
.PHONY: typecheck
typecheck: $(NODE_STAMP) ## TypeScript type-check (no emit)
	npx --no-install tsc --noEmit

.PHONY: lint
lint: $(NODE_STAMP) ## eslint, zero warnings
	npx --no-install eslint --max-warnings 0 .

.PHONY: jest
jest: $(NODE_STAMP) $(VENV_STAMP) $(AIRFLOW_VENV_STAMP) ## CDK assertions, snapshots, cdk-nag and config-validation tests
	npx --no-install jest --ci

# What synth reads; cdk.out is re-synthesized when any of it is newer (make cost, make cfn-lint).
CDK_APP_SOURCES := $(shell find bin lib constructs functions ops -name '*.ts' 2> /dev/null) cdk.json etl/bdp_etl/datasets.json

cdk.out/manifest.json: $(NODE_STAMP) $(CDK_APP_SOURCES)
	rm -rf cdk.out
	$(CDK) synth > /dev/null

# `make synth` always synthesizes afresh; cfn-lint alone reuses a current cdk.out.
.PHONY: cdk-synth
cdk-synth: $(NODE_STAMP)
	rm -rf cdk.out
	$(CDK) synth > /dev/null

.PHONY: cfn-lint
cfn-lint: $(VENV_STAMP) cdk.out/manifest.json ## cfn-lint every synthesized template (synthesizes first if cdk.out is missing or stale)
	$(VENV_BIN)/cfn-lint cdk.out/assembly-*/*.template.json
	@echo "cfn-lint: 0 findings on $$(ls cdk.out/assembly-*/*.template.json | wc -l) templates"

.PHONY: synth
synth: cdk-synth cfn-lint ## Synthesize every environment offline into cdk.out/ and print a summary
	npx --no-install tsx scripts/synth-summary.ts cdk.out

.PHONY: emr-certs
emr-certs: $(NODE_STAMP) ## EMR in-transit TLS bundle for ENV in certs/ENV/emr-tls (never committed; make sync publishes it): make emr-certs ENV=dev
	@test -n "$(ENV)" || { echo 'usage: make emr-certs ENV=<environment>' >&2; exit 2; }
	region=$$(npx --no-install tsx scripts/delivery-env.ts --env "$(ENV)" --get region); \
	scripts/emr-certs.sh "certs/$(ENV)/emr-tls" "$$region"

.PHONY: vpn-certs
vpn-certs: $(NODE_STAMP) ## Client VPN certificates per engineer in certs/ENV: make vpn-certs ENV=dev ENGINEERS="alice bob" (or ENGINEERS_FILE=<file>)
	@test -n "$(ENV)" || { echo 'usage: make vpn-certs ENV=<environment> ENGINEERS="alice bob" (or ENGINEERS_FILE=<file>, one name a line)' >&2; exit 2; }
	region=$$(npx --no-install tsx scripts/delivery-env.ts --env "$(ENV)" --get region); \
	ENGINEERS_FILE="$(ENGINEERS_FILE)" scripts/vpn-certs.sh "certs/$(ENV)" "$(ENV)" "$$region" $(ENGINEERS)

# ---------------------------------------------------------------- aggregate
.PHONY: prerequisites
prerequisites: ## Check the prerequisites (Node, Python, Java) with a one-line message each
	$(require_node)
	$(require_python)
	$(require_java)

.PHONY: test
test: prerequisites typecheck lint jest synth actionlint etl-test dags-test report-test browser-test ## Every check: typecheck, lint, jest, synth + cdk-nag + cfn-lint, actionlint, Python tests, the report and the headless-browser tests

.PHONY: bench
# bench-cdk.ts times the jest suite, which needs both Python venvs (as `make jest` does).
bench: $(NODE_STAMP) $(VENV_STAMP) $(AIRFLOW_VENV_STAMP) bench-etl ## Benchmarks: synth vs toolchain floor, jest, ETL Spark vs DuckDB, views consumer vs naive
	npx --no-install tsx scripts/bench-cdk.ts
	npx --no-install tsx scripts/bench-consumer.ts
	npx --no-install tsx scripts/bench-views-api.ts

.PHONY: clean
clean: ## Remove build output (keeps installed toolchains)
	rm -rf cdk.out dist .lake

include etl/etl.mk
include dags/dags.mk
include scripts/ops.mk
include scripts/delivery.mk
include browser.mk

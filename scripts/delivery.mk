# Delivery targets (issue 7): workflow lint, cdk diff (live and offline), artifact sync.
# Included from the root Makefile; see docs/delivery.md for the path from fork to production.

ACTIONLINT_VERSION := v1.7.12
TOOLS_BIN := $(CURDIR)/.tools/bin
# The version is in the file name, so changing ACTIONLINT_VERSION installs the new one.
ACTIONLINT := $(TOOLS_BIN)/actionlint-$(ACTIONLINT_VERSION)
# cdk diff's method: `auto` tries a change set with the deploy role and falls back to a template
# diff; CI's diff role may only assume the lookup role, so the workflow passes `template`.
DIFF_METHOD ?= auto

$(ACTIONLINT):
	@command -v go > /dev/null || { echo "actionlint is built from source with Go: install Go 1.25 or newer" >&2; exit 1; }
	mkdir -p $(TOOLS_BIN)
	GOBIN=$(TOOLS_BIN) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	mv $(TOOLS_BIN)/actionlint $@

# actionlint runs shellcheck on every `run:` block when it finds it on PATH; without it those
# blocks would silently go unchecked, so it is required. CI runs as root on Debian.
.PHONY: shellcheck-present
shellcheck-present:
	@if ! command -v shellcheck > /dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null; then \
	    apt-get install -y --no-install-recommends shellcheck > /dev/null || { apt-get update > /dev/null && apt-get install -y --no-install-recommends shellcheck > /dev/null; }; \
	  else \
	    echo "shellcheck is required (actionlint uses it on every run: block): install it, e.g. 'sudo apt-get install shellcheck'" >&2; exit 1; \
	  fi; \
	fi

.PHONY: actionlint
actionlint: $(ACTIONLINT) shellcheck-present ## Lint every workflow (actionlint + shellcheck) and the delivery shell scripts
	$(ACTIONLINT) -no-color
	shellcheck scripts/sync.sh scripts/diff-local.sh

.PHONY: node-deps
node-deps: $(NODE_STAMP) ## Install the locked Node dependencies only (what the delivery workflows need)

.PHONY: diff
diff: $(NODE_STAMP) ## cdk diff of one environment against what is deployed (needs credentials): make diff ENV=dev
	@test -n "$(ENV)" || { echo "usage: make diff ENV=<environment>" >&2; exit 2; }
	stage=$$(npx --no-install tsx scripts/delivery-env.ts --env "$(ENV)" --get stage); \
	$(CDK) diff "$$stage/*" --method $(DIFF_METHOD) --fail-on never

.PHONY: diff-local
diff-local: $(NODE_STAMP) ## Offline template diff of the working tree against a git ref, per stack: make diff-local BASE=HEAD~1
	@test -n "$(BASE)" || { echo "usage: make diff-local BASE=<git ref>" >&2; exit 2; }
	scripts/diff-local.sh "$(BASE)"

.PHONY: sync
sync: $(NODE_STAMP) etl-package ## Sync dags/ and the packaged etl/ to an environment's artifacts bucket, update MWAA requirements (needs credentials): make sync ENV=dev
	@test -n "$(ENV)" || { echo "usage: make sync ENV=<environment>" >&2; exit 2; }
	scripts/sync.sh "$(ENV)"

.PHONY: deploy
deploy: $(NODE_STAMP) ## Deploy every stack of one environment (needs credentials): make deploy ENV=dev
	@test -n "$(ENV)" || { echo "usage: make deploy ENV=<environment>" >&2; exit 2; }
	stage=$$(npx --no-install tsx scripts/delivery-env.ts --env "$(ENV)" --get stage); \
	$(CDK) deploy "$$stage/*" --require-approval never --ci

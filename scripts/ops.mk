# Ops reports (issue 8): cost estimate and architecture diagram. Included from the root Makefile;
# see docs/operations.md. The ops CLI itself needs no make target: `npx tsx bin/platform.ts --help`.

# The templates `make cost` reads come from cdk.out/manifest.json (root Makefile), re-synthesized
# only when the app's sources changed since.
# COST_FLAGS takes the usage assumptions, e.g. COST_FLAGS="--engineers 5 --gb-per-day 10" (see docs/cost.md).
COST_ARGUMENTS = --hours="$(or $(HOURS),1)" --runs-per-month="$(or $(RUNS),30)" $(COST_FLAGS)

# A bad HOURS or RUNS is refused before a synthesis.
.PHONY: cost-arguments
cost-arguments: $(NODE_STAMP)
	@npx --no-install tsx scripts/cost.ts --check-arguments $(COST_ARGUMENTS)

.PHONY: cost
cost: cost-arguments cdk.out/manifest.json ## Fixed, usage and pipeline cost per environment from cdk.out vs the original platform; draws docs/cost.svg (HOURS=1 RUNS=30 COST_FLAGS=)
	npx --no-install tsx scripts/cost.ts cdk.out $(COST_ARGUMENTS) --chart docs/cost.svg

.PHONY: diagram
diagram: $(NODE_STAMP) ## Draw docs/architecture.{dot,svg,png} from the CDK app (dev environment)
	npx --no-install tsx scripts/diagram.ts

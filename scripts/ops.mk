# Ops reports (issue 8): cost estimate and architecture diagram. Included from the root Makefile;
# see docs/operations.md. The ops CLI itself needs no make target: `npx tsx bin/platform.ts --help`.

# The templates `make cost` reads come from cdk.out/manifest.json (root Makefile), re-synthesized
# only when the app's sources changed since.
COST_ARGUMENTS = --hours="$(or $(HOURS),1)" --runs-per-month="$(or $(RUNS),30)"

# A bad HOURS or RUNS is refused before a synthesis.
.PHONY: cost-arguments
cost-arguments: $(NODE_STAMP)
	@npx --no-install tsx scripts/cost.ts --check-arguments $(COST_ARGUMENTS)

.PHONY: cost
cost: cost-arguments cdk.out/manifest.json ## Monthly fixed cost and one pipeline run per environment, from cdk.out, vs the original platform (HOURS=1 RUNS=30)
	npx --no-install tsx scripts/cost.ts cdk.out $(COST_ARGUMENTS)

.PHONY: diagram
diagram: $(NODE_STAMP) ## Draw docs/architecture.{dot,svg,png} from the CDK app (dev environment)
	npx --no-install tsx scripts/diagram.ts

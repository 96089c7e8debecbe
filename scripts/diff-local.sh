#!/usr/bin/env bash
# Usage: scripts/diff-local.sh <git ref>      (normally through `make diff-local BASE=<git ref>`)
#
# Synthesizes <git ref> and the working tree, with no AWS account, and prints their template
# differences per stack (scripts/diff-local.ts). The ref is exported with `git archive` into a
# temporary directory that borrows this checkout's node_modules; the checkout is never modified.
# Assets are compared by content, so building the base in another folder is no change.
set -euo pipefail

base_ref=${1:?usage: scripts/diff-local.sh <git ref>}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
git rev-parse --git-dir > /dev/null 2>&1 || { echo "diff-local: $root is not a git checkout; clone the repository to compare against a ref" >&2; exit 2; }
base_sha=$(git rev-parse --verify --quiet "$base_ref^{commit}") || { echo "diff-local: '$base_ref' is not a commit here (a typo, or a shallow clone: fetch it first)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/base"
git archive "$base_sha" | tar -x -C "$work/base"
ln -s "$root/node_modules" "$work/base/node_modules"

# Synthesis never calls AWS: the stacks pin account, region and availability zones.
export AWS_EC2_METADATA_DISABLED=true CDK_DISABLE_VERSION_CHECK=1
# The CLI's chatter is kept out of the report, and shown only when synthesis fails.
synth() { (cd "$1" && npx --no-install cdk synth --quiet --no-notices --output "$2" > "$2.log" 2>&1) || { cat "$2.log" >&2; return 1; }; }
echo "diff-local: synthesizing $base_ref (${base_sha:0:12})" >&2
synth "$work/base" "$work/base.out" || { echo "diff-local: $base_ref does not synthesize; nothing to compare against" >&2; exit 1; }
echo "diff-local: synthesizing the working tree" >&2
synth "$root" "$work/head.out"
npx --no-install tsx scripts/diff-local.ts --base-label "$base_ref" --base-root "$work/base" --head-root "$root" "$work/base.out" "$work/head.out"

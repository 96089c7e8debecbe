#!/usr/bin/env bash
# Usage: scripts/sync.sh <environment>      (normally through `make sync ENV=<environment>`)
#
# Mirrors dags/ and the packaged ETL (dist/etl, built by `make etl-package`) into the environment's
# artifacts bucket, deleting what is gone, then makes MWAA install the published requirements:
# - requirements.txt is uploaded only when it or constraints.txt changed (a digest of both travels
#   as object metadata), so every sync does not trigger a 20-minute MWAA update;
# - MWAA is updated whenever its requirements version is not the latest one, so a sync whose
#   update failed (e.g. MWAA was busy) is completed by the next sync.
# Needs the credentials of the environment's sync role (or broader). Every name comes from
# scripts/delivery-env.ts, i.e. from lib/config and the names modules. DAGS_DIR and ETL_DIST_DIR
# (relative to the repository root) default to dags and dist/etl.
set -euo pipefail

env_name=${1:?usage: scripts/sync.sh <environment>}
cd "$(dirname "$0")/.."
dags=${DAGS_DIR:-dags}
etl=${ETL_DIST_DIR:-dist/etl}

command -v aws > /dev/null || { echo "sync: the AWS CLI v2 is required and 'aws' is not on PATH (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)" >&2; exit 1; }
# Read the facts first: inside a process substitution an unknown environment's error would be lost.
facts=$(npx --no-install tsx scripts/delivery-env.ts --env "$env_name") || exit 2 # delivery-env.ts printed why
declare -A fact
while IFS='=' read -r key value; do fact[$key]=$value; done <<< "$facts"
bucket=${fact[artifacts-bucket]}
requirements_key=${fact[requirements-key]}
dags_prefix=${requirements_key%/*}
etl_prefix=${fact[etl-package-key]%/*}
export AWS_REGION=${fact[region]} AWS_DEFAULT_REGION=${fact[region]}

for key in "${fact[etl-package-key]}" "${fact[etl-entry-point-key]}"; do
  [[ -f $etl/${key##*/} ]] || { echo "sync: $etl/${key##*/} is missing; run 'make etl-package' first" >&2; exit 1; }
done

echo "sync: $dags/ -> s3://$bucket/$dags_prefix/"
# requirements.txt is published below with its digest; build and test leftovers stay local.
aws s3 sync "$dags/" "s3://$bucket/$dags_prefix/" --delete --only-show-errors \
  --exclude requirements.txt --exclude '*.mk' --exclude ruff.toml --exclude '*__pycache__/*' --exclude '*.pyc' --exclude '.pytest_cache/*' --exclude '.ruff_cache/*'
echo "sync: $etl/ -> s3://$bucket/$etl_prefix/"
aws s3 sync "$etl/" "s3://$bucket/$etl_prefix/" --delete --only-show-errors

[[ -f $dags/requirements.txt ]] || { echo "sync: no $dags/requirements.txt; MWAA requirements unchanged"; exit 0; }

# requirements.txt installs with --constraint constraints.txt, so a change of either is a change.
deps=("$dags/requirements.txt")
if [[ -f $dags/constraints.txt ]]; then deps+=("$dags/constraints.txt"); fi
digest=$(sha256sum "${deps[@]}" | cut -d" " -f1 | sha256sum | cut -d" " -f1)
published=$(aws s3api head-object --bucket "$bucket" --key "$requirements_key" --query 'Metadata."deps-sha256"' --output text 2> /dev/null || true)
if [[ $digest != "$published" ]]; then
  latest=$(aws s3api put-object --bucket "$bucket" --key "$requirements_key" --body "$dags/requirements.txt" \
    --metadata "deps-sha256=$digest" --query VersionId --output text)
  echo "sync: published $requirements_key version $latest"
else
  latest=$(aws s3api head-object --bucket "$bucket" --key "$requirements_key" --query VersionId --output text)
fi

mwaa=${fact[mwaa-environment]}
installed=$(aws mwaa get-environment --name "$mwaa" --query Environment.RequirementsS3ObjectVersion --output text)
if [[ $installed == "$latest" ]]; then
  echo "sync: MWAA $mwaa already runs requirements version $latest"
else
  aws mwaa update-environment --name "$mwaa" --requirements-s3-path "$requirements_key" --requirements-s3-object-version "$latest" > /dev/null
  echo "sync: MWAA $mwaa is updating to requirements version $latest (was $installed)"
fi

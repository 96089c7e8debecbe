#!/usr/bin/env bash
# Usage: scripts/sync.sh <environment>      (normally through `make sync ENV=<environment>`)
#
# Mirrors dags/ and the packaged ETL (dist/etl, built by `make etl-package`) into the environment's
# artifacts bucket, deleting what is gone, publishes EMR's in-transit TLS bundle when one was made
# here (`make emr-certs`), and publishes requirements.txt when it or constraints.txt changed (a
# digest of both travels as object metadata). It never updates MWAA: the sync role may not call
# UpdateEnvironment (it could change web-server access or logging), so pointing MWAA at a new
# requirements version is an operator's step, printed below when it is due.
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

# EMR's in-transit TLS is always on: clusters cannot start without the bundle in the bucket.
tls_key=${fact[emr-tls-key]}
tls_bundle=certs/$env_name/emr-tls/${tls_key##*/}
if [[ -f $tls_bundle ]]; then
  aws s3 cp "$tls_bundle" "s3://$bucket/$tls_key" --only-show-errors
  echo "sync: $tls_bundle -> s3://$bucket/$tls_key"
elif ! aws s3api head-object --bucket "$bucket" --key "$tls_key" > /dev/null 2>&1; then
  echo "sync: no EMR TLS bundle in s3://$bucket/$tls_key and none here; run 'make emr-certs ENV=$env_name' and sync again" >&2
  exit 1
fi

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
echo "sync: requirements version $latest is published; if MWAA $mwaa does not run it yet, an operator (not this role) applies it:"
echo "  aws mwaa update-environment --name $mwaa --requirements-s3-path $requirements_key --requirements-s3-object-version $latest"

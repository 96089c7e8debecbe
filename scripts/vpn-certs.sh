#!/usr/bin/env bash
# Creates the mutual-TLS certificates of one environment's Client VPN with openssl, locally, and
# prints how to import them into ACM. Nothing is committed: certs/ is git-ignored, and the private
# keys never leave this machine but for the two ACM imports.
#
# Usage: scripts/vpn-certs.sh OUT_DIR ENV REGION [ENGINEER...]  (normally `make vpn-certs`)
#        ENGINEERS_FILE=<file> adds the names in a file, one a line ('#' starts a comment).
#
# Two certificate authorities, so that admitting clients and being the server are separate powers:
#   server-ca.crt/.key          signs only the endpoint's server certificate (server.crt/.key)
#   client-ca/                  an `openssl ca` database (ca.crt/.key, index.txt, crl.pem) that signs
#                               one client certificate per engineer and revokes them
#                               (`npx tsx bin/platform.ts vpn-revoke --env ENV --engineer NAME`)
#   client-root.crt/.key        a client-CA certificate issued to no one: the ACM import the endpoint
#                               takes its client trust chain from (vpn.clientRootCaArn)
#   clients/<engineer>.crt/.key one per engineer; CN is the engineer's name, so connection logs name them
# Running it again keeps both CAs and issues certificates only to engineers who have none.
set -euo pipefail

usage='e.g. make vpn-certs ENV=dev ENGINEERS="alice bob", or ENGINEERS_FILE=<file> with one name a line'
[[ $# -ge 3 ]] || { echo "usage: scripts/vpn-certs.sh OUT_DIR ENV REGION [ENGINEER...]; $usage" >&2; exit 2; }
out=$1 env=$2 region=$3
shift 3
if [[ -n ${ENGINEERS_FILE:-} ]]; then
  [[ -r $ENGINEERS_FILE ]] || { echo "vpn-certs: cannot read ENGINEERS_FILE=$ENGINEERS_FILE" >&2; exit 2; }
  set -f # split the names into words, but never expand them as globs
  # shellcheck disable=SC2046 # one name per word is the point
  set -- "$@" $(sed -e 's/#.*//' "$ENGINEERS_FILE")
  set +f
fi
[[ $# -ge 1 ]] || { echo "vpn-certs: name at least one engineer; $usage" >&2; exit 2; }
days=${VPN_CERT_DAYS:-825}

# Names become file names and certificate subjects: check every one before creating anything.
declare -A seen=()
for engineer in "$@"; do
  [[ $engineer =~ ^[a-z0-9][a-z0-9._-]{0,62}$ ]] || { echo "vpn-certs: '$engineer' is not an engineer name (lower-case letters, digits, '.', '_', '-'; e.g. alice or alice.smith)" >&2; exit 2; }
  [[ -z ${seen[$engineer]:-} ]] || { echo "vpn-certs: '$engineer' is named twice" >&2; exit 2; }
  seen[$engineer]=1
done

if [[ -e $out/ca.key ]]; then
  echo "vpn-certs: $out holds the old single-CA layout (ca.key signed server and clients alike); move it away and run again to get separate server and client CAs" >&2
  exit 1
fi

mkdir -p "$out/clients" "$out/client-ca/issued"
chmod 700 "$out"
cd "$out"

# openssl's progress dots go nowhere; its error messages are shown when a step fails.
quietly() {
  local log
  log=$("$@" 2>&1 > /dev/null) || { echo "vpn-certs: '$*' failed in $PWD:" >&2; echo "$log" >&2; return 1; }
}

# subject, key file, certificate file
new_ca() {
  quietly openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -keyout "$2" -out "$3" -subj "/CN=$1" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  chmod 600 "$2"
}

first_run=false
if [[ ! -e server-ca.key ]]; then
  first_run=true
  new_ca "big-data-platform ${env} VPN server CA" server-ca.key server-ca.crt
  quietly openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr -subj "/CN=vpn.${env}.big-data-platform.internal"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:vpn.%s.big-data-platform.internal\n' "$env" > server.ext
  quietly openssl x509 -req -in server.csr -CA server-ca.crt -CAkey server-ca.key -set_serial "0x$(openssl rand -hex 16)" -sha256 -days "$days" -extfile server.ext -out server.crt
  rm -f server.csr server.ext
  chmod 600 server.key
fi

if [[ ! -e client-ca/ca.key ]]; then
  first_run=true
  (
    cd client-ca
    new_ca "big-data-platform ${env} VPN client CA" ca.key ca.crt
    : > index.txt
    echo 'unique_subject = no' > index.txt.attr
    echo 01 > crlnumber
    # `openssl ca` resolves `dir` against its working directory: run it from client-ca/.
    cat > openssl.cnf <<CNF
# The client CA of '${env}' for \`openssl ca\`, run from this folder (scripts/vpn-certs.sh, ops vpn-revoke).
[ ca ]
default_ca = client_ca

[ client_ca ]
dir = .
database = \$dir/index.txt
new_certs_dir = \$dir/issued
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
serial = \$dir/serial
rand_serial = yes
crlnumber = \$dir/crlnumber
default_md = sha256
default_days = ${days}
# Client VPN refuses every client once its CRL has expired: the CRL lives as long as a certificate.
default_crl_days = ${days}
policy = any_name
copy_extensions = none
email_in_dn = no
unique_subject = no

[ any_name ]
commonName = supplied

[ client_cert ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
  )
fi

# name, output stem (relative to $out)
issue_client() {
  quietly openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$2.key" -out "$2.csr" -subj "/CN=$1" || { rm -f "$2.key" "$2.csr"; exit 1; }
  chmod 600 "$2.key"
  (cd client-ca && quietly openssl ca -batch -notext -config openssl.cnf -extensions client_cert -in "../$2.csr" -out "../$2.crt") \
    || { rm -f "$2.key" "$2.csr" "$2.crt"; exit 1; }
  rm -f "$2.csr"
}

if [[ ! -e client-root.crt ]]; then
  # A subject's CN holds at most 64 characters.
  issue_client "bdp ${env} VPN client trust anchor (ACM only)" client-root
fi
if [[ ! -e client-ca/crl.pem ]]; then
  (cd client-ca && quietly openssl ca -gencrl -config openssl.cnf -out crl.pem)
fi

issued=() skipped=()
for engineer in "$@"; do
  if [[ -e clients/$engineer.crt ]]; then
    skipped+=("$engineer")
  else
    issue_client "$engineer" "clients/$engineer"
    issued+=("$engineer")
  fi
done

echo "Client VPN certificates for '${env}' in ${out}:"
for engineer in "${issued[@]}"; do echo "  clients/${engineer}.crt/.key   new, for ${engineer}"; done
for engineer in "${skipped[@]}"; do echo "  clients/${engineer}.crt/.key   kept: ${engineer} already has one (revoke it first to issue another)"; done
cat <<MSG
Each engineer makes their profile with:
  npx tsx bin/platform.ts vpn-config --env ${env} --cert ${out}/clients/<engineer>.crt --key ${out}/clients/<engineer>.key --out ${env}.ovpn
and one is locked out with:
  npx tsx bin/platform.ts vpn-revoke --env ${env} --engineer <engineer>
MSG

if $first_run; then
  cat <<MSG

New CAs: import the endpoint's two certificates into ACM in ${region} (credentials for the ${env} account):
  aws acm import-certificate --region ${region} --certificate fileb://${out}/server.crt \\
      --private-key fileb://${out}/server.key --certificate-chain fileb://${out}/server-ca.crt
  aws acm import-certificate --region ${region} --certificate fileb://${out}/client-root.crt \\
      --private-key fileb://${out}/client-root.key --certificate-chain fileb://${out}/client-ca/ca.crt
Put the first ARN in vpn.serverCertificateArn and the second in vpn.clientRootCaArn of the '${env}'
environment (lib/config/environments.ts): the endpoint then admits clients signed by the client CA,
minus those in its revocation list. Keep server-ca.key and client-ca/ offline: whoever holds
client-ca/ca.key can admit new clients.
MSG
fi

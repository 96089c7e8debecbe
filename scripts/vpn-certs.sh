#!/usr/bin/env bash
# Creates the mutual-TLS certificates for the Client VPN with openssl, locally, and prints how to
# import them into ACM. Nothing is committed: the output folder is git-ignored, and the private
# keys never leave this machine (import the server key into ACM; give each engineer their own
# client certificate and key).
#
# Usage: scripts/vpn-certs.sh [OUT_DIR] [ENV] [REGION]     (defaults: certs/dev dev eu-north-1)
set -euo pipefail

out=${1:-certs/dev}
env=${2:-dev}
region=${3:-eu-north-1}
days=${VPN_CERT_DAYS:-825}
server_name="vpn.${env}.big-data-platform.internal"
client_name="engineer.${env}.big-data-platform.internal"

mkdir -p "$out"
chmod 700 "$out"
cd "$out"

if [ -e ca.key ]; then
  echo "$out already holds a CA; refusing to overwrite it (delete the folder to start again)." >&2
  exit 1
fi

# A private CA that signs both the server and the client certificates.
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
  -keyout ca.key -out ca.crt -subj "/CN=big-data-platform ${env} VPN CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

issue() { # name, extendedKeyUsage
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\nsubjectAltName=DNS:%s\n' "$2" "$1" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$days" -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
issue "$server_name" serverAuth
issue "$client_name" clientAuth
chmod 600 ./*.key

cat <<MSG
Certificates for '${env}' are in ${out}:
  ca.crt                          the CA that signed both certificates
  ${server_name}.crt/.key   the endpoint's server certificate
  ${client_name}.crt/.key   a client certificate for one engineer

Import them into ACM in ${region} (credentials for the ${env} account needed):
  aws acm import-certificate --region ${region} --certificate fileb://${out}/${server_name}.crt \\
      --private-key fileb://${out}/${server_name}.key --certificate-chain fileb://${out}/ca.crt
  aws acm import-certificate --region ${region} --certificate fileb://${out}/${client_name}.crt \\
      --private-key fileb://${out}/${client_name}.key --certificate-chain fileb://${out}/ca.crt

Put the first ARN in vpn.serverCertificateArn and the second in vpn.clientRootCaArn of the '${env}'
environment (lib/config/environments.ts). Clients are then trusted because ca.crt signed them.
Keep ca.key offline: whoever holds it can admit new clients.
MSG

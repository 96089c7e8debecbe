#!/usr/bin/env bash
# Creates the PEM certificate bundle that EMR's security configuration uses for in-transit TLS
# between cluster nodes, for one environment, locally with openssl. Nothing is committed: certs/ is
# git-ignored. `make sync ENV=<env>` publishes the zip to the artifacts bucket, where every node
# reads it at start-up (constructs/emr-runtime: emr-tls/in-transit-certificates.zip).
#
# Usage: scripts/emr-certs.sh OUT_DIR REGION   (normally `make emr-certs ENV=<env>`)
#
# EMR's PEM provider wants, in one zip:
#   privateKey.pem          the nodes' private key
#   certificateChain.pem    the nodes' certificate: a wildcard for the region's private DNS names
#                           (*.ec2.internal in us-east-1, *.<region>.compute.internal elsewhere)
#   trustedCertificates.pem the CA that signed it
# Running it again keeps a bundle that is still valid for more than 30 days.
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: scripts/emr-certs.sh OUT_DIR REGION (e.g. make emr-certs ENV=dev)" >&2; exit 2; }
out=$1 region=$2
[[ $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]$ ]] || { echo "emr-certs: '$region' is not an AWS region such as eu-north-1" >&2; exit 2; }
command -v openssl > /dev/null || { echo "emr-certs: openssl is required" >&2; exit 1; }
command -v zip > /dev/null || command -v python3 > /dev/null || { echo "emr-certs: zip or python3 is required" >&2; exit 1; }
days=${EMR_CERT_DAYS:-365}
if [[ $region == us-east-1 ]]; then domain=ec2.internal; else domain=$region.compute.internal; fi

mkdir -p "$out"
chmod 700 "$out"
bundle=$out/in-transit-certificates.zip
if [[ -f $out/certificateChain.pem ]] && openssl x509 -checkend $((30 * 86400)) -noout -in "$out/certificateChain.pem" > /dev/null; then
  echo "emr-certs: $bundle is valid for more than 30 days; kept"
  exit 0
fi

umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=big-data-platform EMR in-transit CA ($region)" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$out/ca.key" -out "$out/trustedCertificates.pem" 2> /dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=*.$domain" -keyout "$out/privateKey.pem" -out "$out/node.csr" 2> /dev/null
openssl x509 -req -in "$out/node.csr" -CA "$out/trustedCertificates.pem" -CAkey "$out/ca.key" -CAcreateserial -days "$days" \
  -extfile <(printf 'subjectAltName=DNS:*.%s\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' "$domain") \
  -out "$out/certificateChain.pem" 2> /dev/null
rm -f "$out/node.csr" "$out/trustedCertificates.srl"
openssl verify -CAfile "$out/trustedCertificates.pem" "$out/certificateChain.pem" > /dev/null

rm -f "$bundle"
(cd "$out" && python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name in sys.argv[2:]: z.write(name)' "$(basename "$bundle")" privateKey.pem certificateChain.pem trustedCertificates.pem)
echo "emr-certs: wrote $bundle (CN=*.$domain, valid $days days); 'make sync ENV=<env>' publishes it"

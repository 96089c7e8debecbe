import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const script = join(ROOT, 'scripts', 'vpn-certs.sh');
const work = mkdtempSync(join(tmpdir(), 'vpn-certs-'));
// Laid out as `make vpn-certs` does it: certs/<env> under the working directory.
const out = join(work, 'certs', 'dev');
const printed = execFileSync(script, [out, 'dev', 'eu-north-1', 'alice', 'bob'], { encoding: 'utf8' });

const verify = (caFile: string, purpose: string, cert: string) =>
  spawnSync('openssl', ['verify', '-CAfile', join(out, caFile), '-purpose', purpose, join(out, cert)], { encoding: 'utf8' }).status === 0;
const fingerprint = (cert: string) => execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(out, cert)], { encoding: 'utf8' });

test('the server certificate chains to the server CA only and is fit only for a TLS server', () => {
  expect(verify('server-ca.crt', 'sslserver', 'server.crt')).toBe(true);
  expect(verify('server-ca.crt', 'sslclient', 'server.crt')).toBe(false);
  expect(verify('client-ca/ca.crt', 'sslserver', 'server.crt')).toBe(false);
});

test('each engineer gets a client certificate named after them, from the client CA, which is not the server CA', () => {
  for (const engineer of ['alice', 'bob']) {
    const cert = `clients/${engineer}.crt`;
    expect(verify('client-ca/ca.crt', 'sslclient', cert)).toBe(true);
    expect(verify('client-ca/ca.crt', 'sslserver', cert)).toBe(false);
    expect(verify('server-ca.crt', 'sslclient', cert)).toBe(false);
    expect(execFileSync('openssl', ['x509', '-noout', '-subject', '-in', join(out, cert)], { encoding: 'utf8' })).toMatch(new RegExp(`CN ?= ?${engineer}$`, 'm'));
  }
  expect(fingerprint('client-ca/ca.crt')).not.toBe(fingerprint('server-ca.crt'));
  // ACM's client root is issued by the client CA to no engineer.
  expect(verify('client-ca/ca.crt', 'sslclient', 'client-root.crt')).toBe(true);
});

test('private keys are readable by their owner only', () => {
  const keys = ['server-ca.key', 'server.key', 'client-root.key', 'client-ca/ca.key', 'clients/alice.key', 'clients/bob.key'];
  for (const key of keys) expect(statSync(join(out, key)).mode & 0o077).toBe(0);
});

test('it explains the ACM imports for the right region and files', () => {
  expect(printed).toMatch(/aws acm import-certificate --region eu-north-1 --certificate fileb:\/\/\S+\/server\.crt \\\n\s+--private-key fileb:\/\/\S+\/server\.key --certificate-chain fileb:\/\/\S+\/server-ca\.crt/);
  expect(printed).toMatch(/--certificate fileb:\/\/\S+\/client-root\.crt \\\n\s+--private-key fileb:\/\/\S+\/client-root\.key --certificate-chain fileb:\/\/\S+\/client-ca\/ca\.crt/);
  expect(printed).toMatch(/vpn\.serverCertificateArn[\s\S]*vpn\.clientRootCaArn/);
  for (const file of printed.match(/fileb:\/\/\S+/g)!) expect(existsSync(file.slice('fileb://'.length))).toBe(true);
});

test('a second run keeps both CAs and every issued certificate, and issues only to new engineers', () => {
  const before = { server: fingerprint('server.crt'), clientCa: fingerprint('client-ca/ca.crt'), alice: fingerprint('clients/alice.crt') };
  const again = execFileSync(script, [out, 'dev', 'eu-north-1', 'alice', 'carol'], { encoding: 'utf8' });
  expect({ server: fingerprint('server.crt'), clientCa: fingerprint('client-ca/ca.crt'), alice: fingerprint('clients/alice.crt') }).toEqual(before);
  expect(verify('client-ca/ca.crt', 'sslclient', 'clients/carol.crt')).toBe(true);
  expect(again).toMatch(/carol.*new/);
  expect(again).toMatch(/alice.*kept/);
  expect(again).not.toContain('import-certificate');
});

test('names come from ENGINEERS_FILE too, one a line, with comments', () => {
  const list = join(work, 'engineers.txt');
  writeFileSync(list, '# the data team\ndave\n\nerin  # on call\n');
  execFileSync(script, [out, 'dev', 'eu-north-1'], { env: { ...process.env, ENGINEERS_FILE: list }, stdio: 'pipe' });
  for (const engineer of ['dave', 'erin']) expect(verify('client-ca/ca.crt', 'sslclient', `clients/${engineer}.crt`)).toBe(true);
});

test.each([
  [['Alice'], "'Alice' is not an engineer name"],
  [['bob', '../evil'], "'../evil' is not an engineer name"],
  [['frank', 'frank'], "'frank' is named twice"],
  [[], 'name at least one engineer'],
])('bad names are refused before anything is written: %j', (names, message) => {
  const fresh = join(mkdtempSync(join(tmpdir(), 'vpn-certs-bad-')), 'dev');
  const result = spawnSync(script, [fresh, 'dev', 'eu-north-1', ...names], { encoding: 'utf8' });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain(message);
  expect(existsSync(fresh)).toBe(false);
});

test('the old single-CA layout is refused, not mixed with the new one', () => {
  const legacy = join(mkdtempSync(join(tmpdir(), 'vpn-certs-old-')), 'dev');
  mkdirSync(legacy);
  writeFileSync(join(legacy, 'ca.key'), 'old');
  const result = spawnSync(script, [legacy, 'dev', 'eu-north-1', 'alice'], { encoding: 'utf8' });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('old single-CA layout');
  expect(readdirSync(legacy)).toEqual(['ca.key']);
});

test('the certificate and key paths in the docs are the files the script makes', () => {
  // docs/operations.md and the README show `--cert certs/<env>/clients/<name>.crt --key ...`.
  const docs = ['README.md', 'docs/operations.md'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  const paths = [...docs.matchAll(/--(?:cert|key) (certs\/\S+)/g)].map((m) => m[1]);
  expect(paths.length).toBeGreaterThanOrEqual(2);
  for (const path of paths) expect({ path, made: existsSync(join(work, path.replace('<engineer>', 'alice'))) }).toEqual({ path, made: true });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = join(__dirname, '..', '..', 'scripts', 'vpn-certs.sh');
const out = join(mkdtempSync(join(tmpdir(), 'vpn-certs-')), 'staging');
const printed = execFileSync(script, [out, 'staging', 'eu-north-1'], { encoding: 'utf8' });
const verify = (purpose: string, cert: string) =>
  execFileSync('openssl', ['verify', '-CAfile', join(out, 'ca.crt'), '-purpose', purpose, join(out, cert)], { encoding: 'utf8', stdio: 'pipe' });

test('the server certificate chains to the CA and is fit only for a TLS server', () => {
  expect(verify('sslserver', 'vpn.staging.big-data-platform.internal.crt')).toMatch(/OK/);
  expect(() => verify('sslclient', 'vpn.staging.big-data-platform.internal.crt')).toThrow();
});

test('the client certificate chains to the same CA and is fit only for a TLS client', () => {
  expect(verify('sslclient', 'engineer.staging.big-data-platform.internal.crt')).toMatch(/OK/);
  expect(() => verify('sslserver', 'engineer.staging.big-data-platform.internal.crt')).toThrow();
});

test('private keys are readable by their owner only', () => {
  for (const key of readdirSync(out).filter((f) => f.endsWith('.key'))) expect(statSync(join(out, key)).mode & 0o077).toBe(0);
});

test('it explains the ACM import for the right region and refuses to overwrite an existing CA', () => {
  expect(printed).toMatch(/aws acm import-certificate --region eu-north-1 --certificate fileb:\/\/.*vpn\.staging/);
  expect(printed).toMatch(/vpn\.serverCertificateArn[\s\S]*vpn\.clientRootCaArn/);
  expect(() => execFileSync(script, [out, 'staging'], { stdio: 'pipe' })).toThrow();
});

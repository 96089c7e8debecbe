import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { type EC2Client, ImportClientVpnClientCertificateRevocationListCommand } from '@aws-sdk/client-ec2';
import { type EnvironmentConfig, loadEnvironments } from '../../lib/config';
import { stageId } from '../../lib/platform-stage';
import { type CliDependencies, runCli } from '../../ops/cli';
import { createClients } from '../../ops/context';
import { ExitCode } from '../../ops/errors';
import { DEV_ACCOUNT, NOW, cloudFormation, deployed, ec2, resetMocks } from './ops-harness';

const script = join(__dirname, '..', '..', 'scripts', 'vpn-certs.sh');
const dev = loadEnvironments().find((e) => e.name === 'dev')!;
const ENDPOINT = 'cvpn-endpoint-0abc';

// Dev's certificates, made once by the real script for alice, bob and carol; each test revokes in a copy.
let issued: string;
beforeAll(() => {
  issued = join(mkdtempSync(join(tmpdir(), 'vpn-revoke-')), 'dev');
  execFileSync(script, [issued, 'dev', dev.region, 'alice', 'bob', 'carol'], { stdio: 'pipe' });
});
function issueCertificates(): string {
  const certs = join(mkdtempSync(join(tmpdir(), 'vpn-revoke-')), 'dev');
  cpSync(issued, certs, { recursive: true });
  return certs;
}

/** `openssl verify` of a client certificate against the client CA and a CRL; true when accepted. */
function acceptedWith(crl: string, certificate: string, certs: string): boolean {
  const crlFile = join(mkdtempSync(join(tmpdir(), 'crl-')), 'crl.pem');
  writeFileSync(crlFile, crl);
  const result = spawnSync('openssl', ['verify', '-crl_check', '-CAfile', join(certs, 'client-ca', 'ca.crt'), '-CRLfile', crlFile, '-purpose', 'sslclient', certificate], { encoding: 'utf8' });
  if (result.status !== 0 && !/certificate revoked/.test(result.stdout + result.stderr)) throw new Error(`openssl verify failed for another reason: ${result.stdout}${result.stderr}`);
  return result.status === 0;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI as bin/platform.ts wires it (real createClients, so the region is the one it derives), AWS mocked. */
async function revoke(args: string[], environments: () => readonly EnvironmentConfig[] = loadEnvironments): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const deps: CliDependencies = {
    environments,
    clients: (config) => createClients(config.region),
    fetch: () => Promise.reject(new Error('unexpected fetch')),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    now: () => NOW,
    readFile: () => Promise.reject(new Error('unexpected readFile')),
    writePrivateFile: () => Promise.reject(new Error('unexpected write')),
  };
  const code = await runCli(['vpn-revoke', ...args], deps);
  return { code, stdout, stderr };
}

const uploads = () => ec2.commandCalls(ImportClientVpnClientCertificateRevocationListCommand).map((c) => c.args[0].input);

beforeEach(() => {
  resetMocks();
  deployed('Network', { ClientVpnEndpointId: ENDPOINT });
  ec2.on(ImportClientVpnClientCertificateRevocationListCommand).resolves({ Return: true });
});

test("revokes one engineer: the CRL uploaded to the Network stack's endpoint refuses their certificate and no one else's", async () => {
  const certs = issueCertificates();
  const alice = join(certs, 'clients', 'alice.crt');
  const bob = join(certs, 'clients', 'bob.crt');
  const run = await revoke(['--env', 'dev', '--engineer', 'alice', '--certs', certs]);

  expect(run.stderr).toBe('');
  expect(run.code).toBe(ExitCode.Ok);
  expect(cloudFormation.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: `${stageId(dev.name)}-Network` });
  expect(uploads()).toHaveLength(1);
  const { ClientVpnEndpointId, CertificateRevocationList } = uploads()[0];
  expect(ClientVpnEndpointId).toBe(ENDPOINT);
  const revokedFile = join(certs, 'clients', 'revoked', `alice-${serialOf(join(certs, 'clients', 'revoked'), 'alice')}.crt`);
  expect(acceptedWith(CertificateRevocationList!, revokedFile, certs)).toBe(false);
  expect(acceptedWith(CertificateRevocationList!, bob, certs)).toBe(true);
  // The name is free again: its files moved aside, so `make vpn-certs` can issue alice a new one.
  expect(existsSync(alice)).toBe(false);
  expect(run.stdout).toContain(`Revoked: alice`);
  expect(run.stdout).toContain(`(1 revoked) to ${ENDPOINT}`);
});

test('a second revocation keeps the first: the list then refuses both engineers', async () => {
  const certs = issueCertificates();
  expect((await revoke(['--env', 'dev', '--engineer', 'alice', '--certs', certs])).code).toBe(ExitCode.Ok);
  expect((await revoke(['--env', 'dev', '--engineer', 'bob', '--certs', certs])).code).toBe(ExitCode.Ok);
  const crl = uploads()[1].CertificateRevocationList!;
  const revoked = join(certs, 'clients', 'revoked');
  for (const name of ['alice', 'bob']) expect(acceptedWith(crl, join(revoked, `${name}-${serialOf(revoked, name)}.crt`), certs)).toBe(false);
  expect(acceptedWith(crl, join(certs, 'clients', 'carol.crt'), certs)).toBe(true);
});

test('a failed upload keeps the local revocation and says so; running it again uploads the same list', async () => {
  const certs = issueCertificates();
  ec2.on(ImportClientVpnClientCertificateRevocationListCommand).rejectsOnce(Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' }));
  const failed = await revoke(['--env', 'dev', '--engineer', 'alice', '--certs', certs]);
  expect(failed.code).toBe(ExitCode.Failed);
  expect(failed.stderr).toContain(`alice is revoked in ${join(certs, 'client-ca')}, but the upload to ${ENDPOINT} failed (RequestLimitExceeded: Request limit exceeded.)`);
  expect(existsSync(join(certs, 'clients', 'alice.crt'))).toBe(true);

  const retried = await revoke(['--env', 'dev', '--engineer', 'alice', '--certs', certs]);
  expect(retried.code).toBe(ExitCode.Ok);
  expect(retried.stdout).toContain('Already revoked: alice');
  const revoked = join(certs, 'clients', 'revoked');
  expect(acceptedWith(uploads()[1].CertificateRevocationList!, join(revoked, `alice-${serialOf(revoked, 'alice')}.crt`), certs)).toBe(false);
});

test("the EC2 client is in the environment's configured region", async () => {
  const certs = issueCertificates();
  const elsewhere = { ...dev, region: dev.region === 'us-west-2' ? 'eu-west-1' : 'us-west-2' };
  const run = await revoke(['--env', 'dev', '--engineer', 'alice', '--certs', certs], () => [elsewhere]);
  expect(run.code).toBe(ExitCode.Ok);
  const client = ec2.commandCalls(ImportClientVpnClientCertificateRevocationListCommand)[0].thisValue as EC2Client;
  expect(await client.config.region()).toBe(elsewhere.region);
});

test('an unknown environment is refused before anything is read or called', async () => {
  const names = loadEnvironments().map((e) => e.name);
  const run = await revoke(['--env', 'nowhere', '--engineer', 'alice', '--certs', '/nonexistent']);
  expect(run.code).toBe(ExitCode.NotFound);
  expect(run.stderr).toBe(`error: unknown environment 'nowhere'; lib/config/environments.ts defines ${names.join(', ')}\n`);
  expect(cloudFormation.calls()).toHaveLength(0);
  expect(ec2.calls()).toHaveLength(0);
});

test('an environment without a Client VPN is refused', async () => {
  const run = await revoke(['--env', 'dev', '--engineer', 'alice', '--certs', '/nonexistent'], () => [{ ...dev, vpn: { ...dev.vpn, enabled: false } }]);
  expect(run.code).toBe(ExitCode.NotFound);
  expect(run.stderr).toContain("Environment 'dev' has no Client VPN");
  expect(ec2.calls()).toHaveLength(0);
});

test.each([
  [['--engineer', 'dave'], "no certificate for 'dave' in"],
  [['--engineer', 'Alice!'], "'Alice!' is not an engineer name"],
  [[], 'vpn-revoke needs --engineer'],
])('bad input is a usage error that changes nothing: %j', async (args, message) => {
  const certs = issueCertificates();
  const index = readFileSync(join(certs, 'client-ca', 'index.txt'), 'utf8');
  const run = await revoke(['--env', 'dev', ...args, '--certs', certs]);
  expect(run.code).toBe(ExitCode.Usage);
  expect(run.stderr).toContain(message);
  expect(readFileSync(join(certs, 'client-ca', 'index.txt'), 'utf8')).toBe(index);
  expect(ec2.calls()).toHaveLength(0);
});

test('an unknown engineer is told who has a certificate', async () => {
  const run = await revoke(['--env', 'dev', '--engineer', 'dave', '--certs', issueCertificates()]);
  expect(run.stderr).toContain('current engineers: alice, bob, carol');
});

test('a folder without a client CA names make vpn-certs', async () => {
  const run = await revoke(['--env', 'dev', '--engineer', 'alice', '--certs', mkdtempSync(join(tmpdir(), 'empty-'))]);
  expect(run.code).toBe(ExitCode.Usage);
  expect(run.stderr).toContain('holds no client CA');
  expect(run.stderr).toContain('make vpn-certs ENV=dev');
});

test('an endpoint that is not deployed changes nothing locally', async () => {
  cloudFormation.reset();
  cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id Dev-Network does not exist'), { name: 'ValidationError' }));
  const certs = issueCertificates();
  const index = readFileSync(join(certs, 'client-ca', 'index.txt'), 'utf8');
  const run = await revoke(['--env', 'dev', '--engineer', 'alice', '--certs', certs]);
  expect(run.code).toBe(ExitCode.NotFound);
  expect(run.stderr).toContain(`is not deployed in account ${DEV_ACCOUNT}`);
  expect(readFileSync(join(certs, 'client-ca', 'index.txt'), 'utf8')).toBe(index);
});

/** The serial in a revoked file's name (clients/revoked/<name>-<serial>.crt). */
function serialOf(revokedDir: string, name: string): string {
  const listing = execFileSync('ls', [revokedDir], { encoding: 'utf8' });
  const match = new RegExp(`^${name}-([0-9A-F]+)\\.crt$`, 'm').exec(listing);
  if (!match) throw new Error(`no revoked certificate of ${name} in ${revokedDir}: ${listing}`);
  return match[1];
}

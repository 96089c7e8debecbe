import { ExportClientVpnClientConfigurationCommand } from '@aws-sdk/client-ec2';
import { mergeClientConfig, pemBlock } from '../../ops/commands/vpn-config';
import { ExitCode } from '../../ops/errors';
import { cli, cloudFormation, deployed, ec2, resetMocks } from './ops-harness';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydA==\n-----END CERTIFICATE-----';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';
// What ExportClientVpnClientConfiguration returns: the CA inline, no client certificate or key.
const EXPORTED = ['client', 'dev tun', 'proto udp', 'remote cvpn-endpoint-0abc.prod.clientvpn.eu-north-1.amazonaws.com 443', 'remote-random-hostname', '<ca>', '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----', '</ca>', 'reneg-sec 0', ''].join('\n');
// easy-rsa's .crt files carry a text dump before the PEM block.
const CRT_FILE = `Certificate:\n    Data:\n        Version: 3 (0x2)\n${CERT}\n`;

beforeEach(() => {
  resetMocks();
  deployed('Network', { ClientVpnEndpointId: 'cvpn-endpoint-0abc', VpcId: 'vpc-1' });
  ec2.on(ExportClientVpnClientConfigurationCommand).resolves({ ClientConfiguration: EXPORTED });
});

test('exports the endpoint named by the Network stack and writes a profile with the certificate and key inline', async () => {
  const run = await cli(['vpn-config', '--env', 'dev', '--cert', 'certs/dev/client.crt', '--key', 'certs/dev/client.key', '--out', 'dev.ovpn'], {
    files: { 'certs/dev/client.crt': CRT_FILE, 'certs/dev/client.key': `${KEY}\n` },
  });

  expect(run.code).toBe(ExitCode.Ok);
  expect(cloudFormation.calls()[0].args[0].input).toEqual({ StackName: 'Dev-Network' });
  expect(ec2.commandCalls(ExportClientVpnClientConfigurationCommand)[0].args[0].input).toEqual({ ClientVpnEndpointId: 'cvpn-endpoint-0abc' });
  const profile = run.files.get('dev.ovpn')!;
  expect(profile.startsWith(EXPORTED.trimEnd())).toBe(true);
  expect(profile.endsWith(`<cert>\n${CERT}\n</cert>\n<key>\n${KEY}\n</key>\n`)).toBe(true);
  expect(profile).not.toContain('Certificate:'); // only the PEM block of the .crt file
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain('Wrote dev.ovpn (mode 600');
});

test('without --out the profile goes to stdout', async () => {
  const run = await cli(['vpn-config', '--env', 'dev', '--cert', 'c.crt', '--key', 'c.key'], { files: { 'c.crt': CERT, 'c.key': KEY } });
  expect(run.code).toBe(ExitCode.Ok);
  expect(run.stdout).toContain('<key>\n-----BEGIN PRIVATE KEY-----');
});

test.each([
  [{ 'c.crt': KEY, 'c.key': CERT }, 'c.crt holds a private key, not a certificate: are --cert and --key swapped?'],
  [{ 'c.crt': 'hello', 'c.key': KEY }, 'c.crt is not a PEM certificate'],
  [{ 'c.crt': CERT, 'c.key': 'hello' }, 'c.key is not a PEM private key'],
  [{ 'c.crt': CERT }, "cannot read c.key: ENOENT: no such file or directory, open 'c.key'"],
])('bad files are a usage error before any AWS call: %#', async (files, message) => {
  const run = await cli(['vpn-config', '--env', 'dev', '--cert', 'c.crt', '--key', 'c.key'], { files });
  expect(run.code).toBe(ExitCode.Usage);
  expect(run.stderr).toContain(message);
  expect(cloudFormation.calls()).toHaveLength(0);
  expect(ec2.calls()).toHaveLength(0);
});

test('an export error fails the command', async () => {
  ec2.on(ExportClientVpnClientConfigurationCommand).rejects(Object.assign(new Error('The endpoint ID does not exist'), { name: 'InvalidClientVpnEndpointId.NotFound' }));
  const run = await cli(['vpn-config', '--env', 'dev', '--cert', 'c.crt', '--key', 'c.key'], { files: { 'c.crt': CERT, 'c.key': KEY } });
  expect(run.code).toBe(ExitCode.Failed);
  expect(run.stderr).toContain('InvalidClientVpnEndpointId.NotFound: The endpoint ID does not exist');
});

test('the merge replaces client certificates and keys already in a profile', () => {
  const stale = `${EXPORTED}cert old.crt\nkey old.key\n<cert>\nOLD\n</cert>\n<key>\nOLD\n</key>\n`;
  const merged = mergeClientConfig(stale, CERT, KEY);
  expect(merged.match(/<cert>/g)).toHaveLength(1);
  expect(merged.match(/<key>/g)).toHaveLength(1);
  expect(merged).not.toMatch(/OLD|old\.(crt|key)/);
  expect(merged).toContain('<ca>\n-----BEGIN CERTIFICATE-----\nQ0E=');
});

test('RSA, EC and encrypted keys are accepted', () => {
  for (const kind of ['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']) {
    const key = `-----BEGIN ${kind}-----\nAAAA\n-----END ${kind}-----`;
    expect(pemBlock('private key', 'k', key)).toBe(key);
  }
});

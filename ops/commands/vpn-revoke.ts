import { execFile } from 'node:child_process';
import { access, mkdir, readFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ImportClientVpnClientCertificateRevocationListCommand } from '@aws-sdk/client-ec2';
import type { OpsContext } from '../context';
import { resolveOutput } from '../deployed-stacks';
import { ExitCode, OpsError, usageError } from '../errors';

export interface VpnRevokeInput {
  /** The name `make vpn-certs` issued the certificate to (its CN and file name). */
  readonly engineer: string;
  /** The environment's certificate folder, as `make vpn-certs` lays it out (default certs/<env>). */
  readonly certsDir: string;
}

/** The names scripts/vpn-certs.sh accepts; anything else cannot have been issued. */
export const ENGINEER_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** One line of `openssl ca`'s database (index.txt): tab-separated status, expiry, revocation, serial, file, subject. */
export interface CaIndexEntry {
  /** V valid, R revoked, E expired. */
  readonly status: string;
  readonly serial: string;
  readonly subject: string;
}

export function parseCaIndex(text: string): CaIndexEntry[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [status, , , serial, , subject] = line.split('\t');
      return { status, serial: serial.toUpperCase(), subject };
    });
}

const run = promisify(execFile);

async function openssl(cwd: string, args: string[]): Promise<string> {
  try {
    return (await run('openssl', args, { cwd, encoding: 'utf8' })).stdout;
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new OpsError(`openssl ${args.slice(0, 2).join(' ')} failed in ${cwd}: ${(stderr || message).trim()}`, ExitCode.Failed);
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Revokes one engineer's Client VPN certificate: `openssl ca -revoke` in the environment's client
 * CA, a new CRL from it, and the CRL imported into the endpoint, which resets the engineer's
 * connections and refuses new ones. The endpoint is resolved before anything changes locally; if
 * the upload fails, the local revocation stands and running the command again uploads it. After a
 * successful upload the certificate and key move to clients/revoked/, so the name can be issued again.
 */
export async function vpnRevoke(ctx: OpsContext, input: VpnRevokeInput): Promise<ExitCode> {
  const { engineer } = input;
  if (!ENGINEER_NAME.test(engineer)) throw usageError(`'${engineer}' is not an engineer name make vpn-certs issues (lower-case letters, digits, '.', '_', '-')`);
  if (!ctx.config.vpn.enabled) throw new OpsError(`Environment '${ctx.config.name}' has no Client VPN (vpn.enabled is false in lib/config/environments.ts).`, ExitCode.NotFound);

  const certsDir = resolve(input.certsDir);
  const caDir = join(certsDir, 'client-ca');
  if (!(await exists(join(caDir, 'openssl.cnf')))) {
    throw usageError(`${input.certsDir} holds no client CA (client-ca/openssl.cnf); the certificates of '${ctx.config.name}' come from \`make vpn-certs ENV=${ctx.config.name} ENGINEERS=...\`, or pass --certs <dir>`);
  }
  const index = parseCaIndex(await readFile(join(caDir, 'index.txt'), 'utf8'));
  const subject = `/CN=${engineer}`;
  const certificate = join(certsDir, 'clients', `${engineer}.crt`);
  let entry: CaIndexEntry | undefined;
  if (await exists(certificate)) {
    const serial = /^serial=([0-9A-Fa-f]+)$/m.exec(await openssl(caDir, ['x509', '-noout', '-serial', '-in', certificate]))?.[1]?.toUpperCase();
    entry = index.find((e) => e.serial === serial);
    if (!entry) throw usageError(`${certificate} was not issued by the client CA in ${caDir}`);
  } else {
    // Already revoked and moved aside: upload the list again (a retry, or another endpoint).
    entry = index.filter((e) => e.subject === subject && e.status === 'R').at(-1);
    if (!entry) {
      const current = index.filter((e) => e.status === 'V' && /^\/CN=[a-z0-9._-]+$/.test(e.subject)).map((e) => e.subject.slice(4));
      throw usageError(`no certificate for '${engineer}' in ${join(input.certsDir, 'clients')}; current engineers: ${current.join(', ') || 'none'}`);
    }
  }

  const endpointId = await ctx.progress('Resolving the Client VPN endpoint', resolveOutput(ctx.clients.cloudFormation, ctx.config, 'clientVpnEndpointId'));
  const alreadyRevoked = entry.status === 'R';
  if (!alreadyRevoked) await openssl(caDir, ['ca', '-config', 'openssl.cnf', '-revoke', certificate]);
  await openssl(caDir, ['ca', '-gencrl', '-config', 'openssl.cnf', '-out', 'crl.pem']);
  const crl = await readFile(join(caDir, 'crl.pem'), 'utf8');
  const revokedCount = parseCaIndex(await readFile(join(caDir, 'index.txt'), 'utf8')).filter((e) => e.status === 'R').length;

  try {
    await ctx.progress(
      `Uploading the revocation list to ${endpointId}`,
      ctx.clients.ec2.send(new ImportClientVpnClientCertificateRevocationListCommand({ ClientVpnEndpointId: endpointId, CertificateRevocationList: crl })),
    );
  } catch (error) {
    const { name, message } = error as Error;
    throw new OpsError(
      `${engineer} is revoked in ${join(input.certsDir, 'client-ca')}, but the upload to ${endpointId} failed (${name}: ${message}); the endpoint still admits them until the command is run again.`,
      ExitCode.Failed,
    );
  }

  if (await exists(certificate)) {
    const revokedDir = join(certsDir, 'clients', 'revoked');
    await mkdir(revokedDir, { recursive: true });
    for (const ext of ['crt', 'key']) {
      const file = join(certsDir, 'clients', `${engineer}.${ext}`);
      if (await exists(file)) await rename(file, join(revokedDir, `${engineer}-${entry.serial}.${ext}`));
    }
  }
  ctx.print(`${alreadyRevoked ? 'Already revoked' : 'Revoked'}: ${engineer} (serial ${entry.serial}) in ${join(input.certsDir, 'client-ca')}.`);
  ctx.print(`Uploaded the revocation list (${revokedCount} revoked) to ${endpointId} in ${ctx.config.region}: its connections are reset and it can no longer connect.`);
  return ExitCode.Ok;
}

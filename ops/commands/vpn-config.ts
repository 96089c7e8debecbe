import { ExportClientVpnClientConfigurationCommand } from '@aws-sdk/client-ec2';
import type { OpsContext } from '../context';
import { resolveOutput } from '../deployed-stacks';
import { ExitCode, OpsError, usageError } from '../errors';

export interface VpnConfigInput {
  /** The client certificate, PEM (from `make vpn-certs`). */
  readonly certificate: { readonly path: string; readonly text: string };
  readonly privateKey: { readonly path: string; readonly text: string };
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]+?\r?\n-----END CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----\r?\n[\s\S]+?\r?\n-----END \1-----/;

/** The PEM block of a certificate or key file, or a usage error that says what is wrong with it. */
export function pemBlock(kind: 'certificate' | 'private key', path: string, text: string): string {
  const [wanted, other] = kind === 'certificate' ? [CERTIFICATE, PRIVATE_KEY] : [PRIVATE_KEY, CERTIFICATE];
  const block = wanted.exec(text)?.[0];
  if (block) return block;
  if (other.test(text)) throw usageError(`${path} holds a ${kind === 'certificate' ? 'private key' : 'certificate'}, not a ${kind}: are --cert and --key swapped?`);
  throw usageError(`${path} is not a PEM ${kind} (no -----BEGIN ${kind === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'}----- block)`);
}

/**
 * The endpoint's exported configuration with the client's certificate and key inline, which is
 * what OpenVPN and the AWS VPN Client import as one file. Inline blocks or file references already
 * in the export are replaced, so the result has exactly one of each.
 */
export function mergeClientConfig(exported: string, certificatePem: string, privateKeyPem: string): string {
  const base = exported
    .replace(/<(cert|key)>[\s\S]*?<\/\1>\s*/g, '')
    .replace(/^(cert|key)\s+\S.*$\n?/gm, '')
    .trimEnd();
  return `${base}\n<cert>\n${certificatePem.trim()}\n</cert>\n<key>\n${privateKeyPem.trim()}\n</key>\n`;
}

/** The ready .ovpn profile for this environment's Client VPN endpoint. */
export async function vpnConfig(ctx: OpsContext, input: VpnConfigInput): Promise<string> {
  // Check the files before any AWS call, so a typo costs nothing.
  const certificate = pemBlock('certificate', input.certificate.path, input.certificate.text);
  const privateKey = pemBlock('private key', input.privateKey.path, input.privateKey.text);
  if (!ctx.config.vpn.enabled) throw new OpsError(`Environment '${ctx.config.name}' has no Client VPN (vpn.enabled is false in lib/config/environments.ts).`, ExitCode.NotFound);
  const endpointId = await ctx.progress('Resolving the Client VPN endpoint', resolveOutput(ctx.clients.cloudFormation, ctx.config, 'clientVpnEndpointId'));
  const { ClientConfiguration } = await ctx.progress(
    `Exporting the configuration of ${endpointId}`,
    ctx.clients.ec2.send(new ExportClientVpnClientConfigurationCommand({ ClientVpnEndpointId: endpointId })),
  );
  if (!ClientConfiguration) throw new OpsError(`EC2 exported no configuration for ${endpointId}`, ExitCode.Failed);
  return mergeClientConfig(ClientConfiguration, certificate, privateKey);
}

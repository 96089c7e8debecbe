import { RegionInfo } from 'aws-cdk-lib/region-info';
import { z } from 'zod';
import { overlaps, parseIpv4Cidr } from './cidr';
import { ENDPOINTS_REQUIRED_WITHOUT_NAT, EnvironmentConfig, environmentSchema } from './schema';

/** One thing wrong with one field, phrased for the person who has to fix it. */
export interface ConfigProblem {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
}

/** Thrown at synth when an environment's settings are invalid; lists every problem at once. */
export class ConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      [
        `Invalid configuration for environment '${environment}' (lib/config/environments.ts):`,
        ...problems.map((p) => `  - ${p.field} = ${JSON.stringify(p.value) ?? 'undefined'}: ${p.allowed}`),
      ].join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Subnet sizes the network construct carves out of the VPC block in every AZ. */
export const PUBLIC_SUBNET_PREFIX = 24;
export const PRIVATE_SUBNET_PREFIX = 20;
const MIN_VPN_CLIENT_PREFIX = 12;
const MAX_VPN_CLIENT_PREFIX = 22;

const commercialRegions = (): string[] =>
  RegionInfo.regions.filter((r) => r.partition === 'aws').map((r) => r.name);

/**
 * Validates one environment: the structure (with zod) first, then the rules that relate fields
 * to each other. Throws a ConfigError naming the environment, each field, its value and what is
 * allowed; returns the typed configuration otherwise.
 */
export function validateEnvironment(input: unknown): EnvironmentConfig {
  const name = typeof input === 'object' && input !== null && 'name' in input ? String(input.name) : '<unnamed>';
  const parsed = environmentSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(name, parsed.error.issues.flatMap((issue) => describeIssue(issue, input)));
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(name, problems);
  return parsed.data;
}

/** Validates all environments and rejects duplicate names. */
export function validateEnvironments(inputs: readonly unknown[]): EnvironmentConfig[] {
  const configs = inputs.map(validateEnvironment);
  const names = configs.map((c) => c.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) {
    throw new ConfigError(duplicate, [{ field: 'name', value: duplicate, allowed: 'each environment needs a unique name' }]);
  }
  return configs;
}

function crossFieldProblems(env: EnvironmentConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (field: string, value: unknown, allowed: string) => problems.push({ field, value, allowed });

  if (!/^\d{12}$/.test(env.account)) problem('account', env.account, 'an AWS account id of exactly 12 digits');

  const regions = commercialRegions();
  if (!regions.includes(env.region)) problem('region', env.region, `a known AWS region, e.g. ${['eu-north-1', 'eu-west-1', 'us-east-1'].join(', ')}`);

  const azs = env.availabilityZones;
  if (azs.length < 2) problem('availabilityZones', azs, 'at least 2 availability zones, for a multi-AZ VPC');
  azs.forEach((az, i) => {
    if (!new RegExp(`^${env.region}[a-z]$`).test(az)) {
      problem(`availabilityZones[${i}]`, az, `an availability zone of ${env.region}, such as ${env.region}a`);
    }
  });
  if (new Set(azs).size !== azs.length) problem('availabilityZones', azs, 'each availability zone once');

  const vpc = parseIpv4Cidr(env.network.vpcCidr);
  if (typeof vpc === 'string') {
    problem('network.vpcCidr', env.network.vpcCidr, vpc);
  } else {
    const needed = azs.length * (2 ** (32 - PUBLIC_SUBNET_PREFIX) + 2 ** (32 - PRIVATE_SUBNET_PREFIX));
    if (vpc.prefix < 16) problem('network.vpcCidr', env.network.vpcCidr, 'a block of /16 or smaller (the largest a VPC may have)');
    else if (vpc.size < needed) {
      problem(
        'network.vpcCidr',
        env.network.vpcCidr,
        `a block large enough for ${azs.length} AZs x (a /${PRIVATE_SUBNET_PREFIX} private + a /${PUBLIC_SUBNET_PREFIX} public subnet): ${needed} addresses or more, e.g. /16 to /18`,
      );
    }
  }

  const nat = env.network.natGateways;
  if (nat > azs.length) problem('network.natGateways', nat, `0 to ${azs.length} (at most one per availability zone)`);
  const endpoints = new Set(env.network.interfaceEndpoints);
  if (endpoints.size !== env.network.interfaceEndpoints.length) problem('network.interfaceEndpoints', env.network.interfaceEndpoints, 'each endpoint once');
  const missing = ENDPOINTS_REQUIRED_WITHOUT_NAT.filter((service) => !endpoints.has(service));
  if (nat === 0 && missing.length > 0) {
    problem(
      'network.natGateways',
      nat,
      `at least 1 while private subnets need egress; with 0 NAT gateways, network.interfaceEndpoints must also include ${missing.join(', ')}`,
    );
  }

  if (env.vpn.enabled) {
    const client = parseIpv4Cidr(env.vpn.clientCidr);
    if (typeof client === 'string') problem('vpn.clientCidr', env.vpn.clientCidr, client);
    else if (client.prefix < MIN_VPN_CLIENT_PREFIX || client.prefix > MAX_VPN_CLIENT_PREFIX) {
      problem('vpn.clientCidr', env.vpn.clientCidr, `a block from /${MIN_VPN_CLIENT_PREFIX} to /${MAX_VPN_CLIENT_PREFIX} (Client VPN needs at least /22)`);
    } else if (typeof vpc !== 'string' && overlaps(client, vpc)) {
      problem('vpn.clientCidr', env.vpn.clientCidr, `a block that does not overlap the VPC ${env.network.vpcCidr}`);
    }
    for (const field of ['serverCertificateArn', 'clientRootCaArn'] as const) {
      const arn = env.vpn[field];
      const expected = `arn:aws:acm:${env.region}:<12-digit account>:certificate/<uuid>`;
      const match = /^arn:aws:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.exec(arn);
      if (!match) problem(`vpn.${field}`, arn, `an ACM certificate ARN: ${expected}`);
      else if (match[1] !== env.region) problem(`vpn.${field}`, arn, `a certificate in the endpoint's region: ${expected}`);
    }
    if (env.vpn.associatedAzCount > azs.length) {
      problem('vpn.associatedAzCount', env.vpn.associatedAzCount, `1 to ${azs.length} (the number of availability zones)`);
    }
  }

  const lake = env.lake;
  if (lake.bronzeGlacierAfterDays < lake.bronzeInfrequentAccessAfterDays + 30) {
    problem('lake.bronzeGlacierAfterDays', lake.bronzeGlacierAfterDays, `at least 30 days after lake.bronzeInfrequentAccessAfterDays (${lake.bronzeInfrequentAccessAfterDays}), as S3 requires`);
  }
  if (lake.bronzeExpireAfterDays <= lake.bronzeGlacierAfterDays) {
    problem('lake.bronzeExpireAfterDays', lake.bronzeExpireAfterDays, `more than lake.bronzeGlacierAfterDays (${lake.bronzeGlacierAfterDays})`);
  }

  if (env.mwaa.minWorkers > env.mwaa.maxWorkers) {
    problem('mwaa.minWorkers', env.mwaa.minWorkers, `at most mwaa.maxWorkers (${env.mwaa.maxWorkers})`);
  }
  if (env.mwaa.environmentClass === 'mw1.micro' && env.mwaa.schedulers !== 1) {
    problem('mwaa.schedulers', env.mwaa.schedulers, '1 with environment class mw1.micro');
  } else if (env.mwaa.environmentClass !== 'mw1.micro' && env.mwaa.schedulers < 2) {
    problem('mwaa.schedulers', env.mwaa.schedulers, `2 to 5 with environment class ${env.mwaa.environmentClass}`);
  }

  const { mode, shardCount } = env.streaming;
  if (mode === 'PROVISIONED' && shardCount === undefined) problem('streaming.shardCount', shardCount, 'a shard count from 1 to 500 when streaming.mode is PROVISIONED');
  if (mode === 'ON_DEMAND' && shardCount !== undefined) problem('streaming.shardCount', shardCount, 'absent when streaming.mode is ON_DEMAND (capacity is automatic)');

  const { githubOwnerId, githubRepoId, existingOidcProviderArn } = env.delivery;
  const providerArn = `arn:aws:iam::${env.account}:oidc-provider/token.actions.githubusercontent.com`;
  if (existingOidcProviderArn !== undefined && existingOidcProviderArn !== providerArn) {
    problem('delivery.existingOidcProviderArn', existingOidcProviderArn, `the GitHub Actions provider of this account: ${providerArn}`);
  }
  if ((githubOwnerId === undefined) !== (githubRepoId === undefined)) {
    problem('delivery.githubRepoId', githubRepoId, 'set together with delivery.githubOwnerId (both ids, or neither)');
  }

  if (env.production) {
    if (lake.removalPolicy !== 'retain') {
      problem('lake.removalPolicy', lake.removalPolicy, "'retain' in a production environment: its data must survive a stack deletion");
    }
    // Production has a NAT per AZ, or none at all (fully private, checked above).
    if (nat !== 0 && nat < azs.length) {
      problem('network.natGateways', nat, `${azs.length} (one per availability zone) in a production environment, so losing an AZ does not cut the others' egress`);
    }
    if (env.vpn.enabled && env.vpn.associatedAzCount < 2) {
      problem('vpn.associatedAzCount', env.vpn.associatedAzCount, 'at least 2 in a production environment, so the VPN survives the loss of an AZ');
    }
  }
  return problems;
}

/** Turns one zod issue into problems with the field path, the offending value and what is allowed. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): ConfigProblem[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(path);
    return issue.keys.map((key) => ({
      field: [...path, key].join('.'),
      value: valueAt(input, [...path, key]),
      allowed: `unknown key${suggest(key, known)}; known keys here: ${known.join(', ')}`,
    }));
  }
  return [{ field: path.join('.') || '<root>', value: valueAt(input, path), allowed: issue.message }];
}

function valueAt(input: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), input);
}

/** The keys the schema declares at an object path, for "did you mean" hints. */
function knownKeys(path: readonly string[]): string[] {
  let schema: z.ZodType = environmentSchema;
  for (const key of path) {
    if (!(schema instanceof z.ZodObject)) return [];
    schema = (schema.shape as Record<string, z.ZodType>)[key];
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function suggest(key: string, known: readonly string[]): string {
  const close = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return close ? ` (did you mean '${close}'?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

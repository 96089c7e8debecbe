import { RegionInfo } from 'aws-cdk-lib/region-info';
import { z } from 'zod';
import { Ipv4Cidr, overlaps, parseIpv4Cidr } from './cidr';
import { REGIONS_WITH_INSTANCE_TYPES, architectureOf, emrInstanceTypesIn } from './instance-types';
import { ENDPOINTS_ALWAYS_REQUIRED, ENDPOINTS_REQUIRED_WITHOUT_NAT, EnvironmentConfig, environmentSchema } from './schema';

/** Where every environment is declared; named in each error so the reader knows what to edit. */
export const ENVIRONMENTS_FILE = 'lib/config/environments.ts';

/** One thing wrong with one field of one environment, phrased for the person who has to fix it. */
export interface ConfigProblem {
  readonly environment: string;
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
}

/**
 * Thrown at synth when settings are invalid. Its message lists every problem of every environment,
 * structural and relational together, grouped by environment: entry points print it as it is.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(describeProblems(problems));
    this.name = 'ConfigError';
  }
}

function describeProblems(problems: readonly ConfigProblem[]): string {
  const environments = [...new Set(problems.map((p) => p.environment))];
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return [
    `Invalid configuration in ${ENVIRONMENTS_FILE}: ${count(problems.length, 'problem')} in ${count(environments.length, 'environment')}`,
    ...environments.flatMap((environment) => [
      `environment '${environment}':`,
      ...problems.filter((p) => p.environment === environment).map((p) => `  - ${p.field} = ${JSON.stringify(p.value) ?? 'undefined'}: ${p.allowed}`),
    ]),
  ].join('\n');
}

/**
 * Runs `main`, and when it fails on the configuration prints the ConfigError's message alone (no
 * stack trace: the message already names every field to fix) and exits with status 1. Any other
 * error propagates untouched. For entry points: `bin/app.ts`, scripts, the ops CLI.
 */
export function exitOnConfigError<T>(main: () => T): T {
  try {
    const result = main();
    if (result instanceof Promise) return result.catch(reportConfigError) as T;
    return result;
  } catch (error) {
    return reportConfigError(error);
  }
}

function reportConfigError(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

/** Subnet sizes the network construct carves out of the VPC block in every AZ. */
export const PUBLIC_SUBNET_PREFIX = 24;
export const PRIVATE_SUBNET_PREFIX = 20;
const MIN_VPN_CLIENT_PREFIX = 12;
const MAX_VPN_CLIENT_PREFIX = 22;
/** Address space a VPC may use without clashing with the internet: RFC 1918, and RFC 6598's shared space. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((text) => parseIpv4Cidr(text) as Ipv4Cidr);

const commercialRegions = (): string[] =>
  RegionInfo.regions.filter((r) => r.partition === 'aws').map((r) => r.name);

/** Validates one environment; see validateEnvironments. */
export function validateEnvironment(input: unknown): EnvironmentConfig {
  return validateEnvironments([input])[0];
}

/**
 * Validates every environment: the structure (zod) and the rules that relate fields to each other
 * and environments to each other, all in one pass, so one ConfigError names every problem of every
 * environment. A relationship rule runs whenever the sections it reads are well-formed, even if
 * another section is not. Returns the typed configurations when there is no problem at all.
 */
export function validateEnvironments(inputs: readonly unknown[]): EnvironmentConfig[] {
  const checked = inputs.map((input, index) => checkEnvironment(input, index));
  const problems = [...checked.flatMap((c) => c.problems), ...problemsAcrossEnvironments(checked)];
  if (problems.length > 0) throw new ConfigError(problems);
  return checked.map((c) => c.config!);
}

type Section = keyof EnvironmentConfig;

interface CheckedEnvironment {
  readonly label: string;
  /** The well-formed top-level sections (unknown keys set aside), for rules that read only those. */
  readonly sections: Partial<EnvironmentConfig>;
  readonly config?: EnvironmentConfig;
  readonly problems: ConfigProblem[];
}

function checkEnvironment(input: unknown, index: number): CheckedEnvironment {
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const label = typeof record.name === 'string' && record.name !== '' ? record.name : `#${index + 1}`;
  const parsed = environmentSchema.safeParse(input);
  const problems: ConfigProblem[] = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, input)).map((p) => ({ environment: label, ...p }));
  const sections = parsed.success ? parsed.data : wellFormedSections(record);
  problems.push(...relationshipProblems(sections).map((p) => ({ environment: label, ...p })));
  return { label, sections, problems, config: parsed.success ? parsed.data : undefined };
}

/** Each top-level section parsed on its own, unknown keys stripped, so one bad field hides no rule elsewhere. */
function wellFormedSections(record: Record<string, unknown>): Partial<EnvironmentConfig> {
  const sections: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(environmentSchema.shape) as [string, z.ZodType][]) {
    const lenient = schema instanceof z.ZodObject ? schema.strip() : schema;
    const result = lenient.safeParse(record[key]);
    if (result.success) sections[key] = result.data;
  }
  return sections as Partial<EnvironmentConfig>;
}

type Problem = Omit<ConfigProblem, 'environment'>;

function relationshipProblems(sections: Partial<EnvironmentConfig>): Problem[] {
  const problems: Problem[] = [];
  const problem = (field: string, value: unknown, allowed: string) => problems.push({ field, value, allowed });
  /** Runs `check` only when every section it reads is well-formed. */
  const rule = <K extends Section>(needs: readonly K[], check: (env: Pick<EnvironmentConfig, K>) => void) => {
    if (needs.every((key) => sections[key] !== undefined)) check(sections as Pick<EnvironmentConfig, K>);
  };

  rule(['account'], ({ account }) => {
    if (!/^\d{12}$/.test(account)) problem('account', account, 'an AWS account id of exactly 12 digits');
  });

  rule(['region'], ({ region }) => {
    if (!commercialRegions().includes(region)) problem('region', region, `a known AWS region, e.g. ${['eu-north-1', 'eu-west-1', 'us-east-1'].join(', ')}`);
  });

  rule(['region', 'availabilityZones'], ({ region, availabilityZones: azs }) => {
    if (azs.length < 2) problem('availabilityZones', azs, 'at least 2 availability zones, for a multi-AZ VPC');
    azs.forEach((az, i) => {
      if (!new RegExp(`^${region}[a-z]$`).test(az)) problem(`availabilityZones[${i}]`, az, `an availability zone of ${region}, such as ${region}a`);
    });
    if (new Set(azs).size !== azs.length) problem('availabilityZones', azs, 'each availability zone once');
  });

  rule(['network', 'availabilityZones'], ({ network, availabilityZones: azs }) => {
    const vpc = parseIpv4Cidr(network.vpcCidr);
    if (typeof vpc === 'string') {
      problem('network.vpcCidr', network.vpcCidr, vpc);
    } else {
      const needed = azs.length * (2 ** (32 - PUBLIC_SUBNET_PREFIX) + 2 ** (32 - PRIVATE_SUBNET_PREFIX));
      if (!PRIVATE_RANGES.some((range) => range.prefix <= vpc.prefix && overlaps(range, vpc))) {
        problem('network.vpcCidr', network.vpcCidr, 'a private block inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918) or 100.64.0.0/10: public addresses would hide the internet hosts that own them');
      } else if (vpc.prefix < 16) problem('network.vpcCidr', network.vpcCidr, 'a block of /16 or smaller (the largest a VPC may have)');
      else if (vpc.size < needed) {
        problem(
          'network.vpcCidr',
          network.vpcCidr,
          `a block large enough for ${azs.length} AZs x (a /${PRIVATE_SUBNET_PREFIX} private + a /${PUBLIC_SUBNET_PREFIX} public subnet): ${needed} addresses or more, e.g. /16 to /18`,
        );
      }
    }

    const nat = network.natGateways;
    if (nat > azs.length) problem('network.natGateways', nat, `0 to ${azs.length} (at most one per availability zone)`);
    const endpoints = new Set(network.interfaceEndpoints);
    if (endpoints.size !== network.interfaceEndpoints.length) problem('network.interfaceEndpoints', network.interfaceEndpoints, 'each endpoint once');
    const absent = ENDPOINTS_ALWAYS_REQUIRED.filter((service) => !endpoints.has(service));
    if (absent.length > 0) {
      problem('network.interfaceEndpoints', network.interfaceEndpoints, `a list that includes ${absent.join(', ')}: the views API is private, reachable only through that endpoint`);
    }
    const missing = ENDPOINTS_REQUIRED_WITHOUT_NAT.filter((service) => !endpoints.has(service));
    if (nat === 0 && missing.length > 0) {
      problem('network.natGateways', nat, `at least 1 while private subnets need egress; with 0 NAT gateways, network.interfaceEndpoints must also include ${missing.join(', ')}`);
    }
    if (network.natInstanceType !== undefined && network.natProvider !== 'instance') {
      problem('network.natInstanceType', network.natInstanceType, "absent unless network.natProvider is 'instance' (NAT gateways have no instance type)");
    }
    if (network.natProvider === 'instance' && nat === 0) {
      problem('network.natProvider', network.natProvider, "'gateway' (the default) when network.natGateways is 0: there is no NAT to run as an instance");
    }
    if (network.interfaceEndpointAzs !== undefined && network.interfaceEndpointAzs > azs.length) {
      problem('network.interfaceEndpointAzs', network.interfaceEndpointAzs, `1 to ${azs.length} (the number of availability zones), or absent for every AZ`);
    }
  });

  rule(['vpn', 'network'], ({ vpn, network }) => {
    if (!vpn.enabled) return;
    const client = parseIpv4Cidr(vpn.clientCidr);
    const vpc = parseIpv4Cidr(network.vpcCidr);
    if (typeof client === 'string') problem('vpn.clientCidr', vpn.clientCidr, client);
    else if (client.prefix < MIN_VPN_CLIENT_PREFIX || client.prefix > MAX_VPN_CLIENT_PREFIX) {
      problem('vpn.clientCidr', vpn.clientCidr, `a block from /${MIN_VPN_CLIENT_PREFIX} to /${MAX_VPN_CLIENT_PREFIX} (Client VPN needs at least /22)`);
    } else if (typeof vpc !== 'string' && overlaps(client, vpc)) {
      problem('vpn.clientCidr', vpn.clientCidr, `a block that does not overlap the VPC ${network.vpcCidr}`);
    }
  });

  // Client VPN can use only certificates ACM holds in the endpoint's own account and region.
  rule(['vpn', 'account', 'region'], ({ vpn, account, region }) => {
    if (!vpn.enabled) return;
    for (const field of ['serverCertificateArn', 'clientRootCaArn'] as const) {
      const arn = vpn[field];
      const accountText = /^\d{12}$/.test(account) ? account : '<12-digit account>';
      const expected = `arn:aws:acm:${region}:${accountText}:certificate/<uuid>`;
      const match = /^arn:aws:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.exec(arn);
      if (!match) problem(`vpn.${field}`, arn, `an ACM certificate ARN: ${expected}`);
      else if (match[1] !== region || (/^\d{12}$/.test(account) && match[2] !== account)) {
        problem(`vpn.${field}`, arn, `a certificate in the environment's own region and account (Client VPN cannot use another's): ${expected}`);
      }
    }
  });

  rule(['vpn', 'availabilityZones'], ({ vpn, availabilityZones: azs }) => {
    if (vpn.enabled && vpn.associatedAzCount > azs.length) {
      problem('vpn.associatedAzCount', vpn.associatedAzCount, `0 (on demand, not in production) to ${azs.length} (the number of availability zones)`);
    }
  });

  rule(['lake'], ({ lake }) => {
    if (lake.bronzeGlacierAfterDays < lake.bronzeInfrequentAccessAfterDays + 30) {
      problem('lake.bronzeGlacierAfterDays', lake.bronzeGlacierAfterDays, `at least 30 days after lake.bronzeInfrequentAccessAfterDays (${lake.bronzeInfrequentAccessAfterDays}), as S3 requires`);
    }
    if (lake.bronzeExpireAfterDays <= lake.bronzeGlacierAfterDays) {
      problem('lake.bronzeExpireAfterDays', lake.bronzeExpireAfterDays, `more than lake.bronzeGlacierAfterDays (${lake.bronzeGlacierAfterDays})`);
    }
  });

  rule(['mwaa'], ({ mwaa }) => {
    if (mwaa.minWorkers > mwaa.maxWorkers) problem('mwaa.minWorkers', mwaa.minWorkers, `at most mwaa.maxWorkers (${mwaa.maxWorkers})`);
    // mw1.micro runs one scheduler and one worker, fixed: it does not scale.
    if (mwaa.environmentClass === 'mw1.micro' && mwaa.maxWorkers !== 1) problem('mwaa.maxWorkers', mwaa.maxWorkers, '1 with environment class mw1.micro (a single worker)');
    if (mwaa.environmentClass === 'mw1.micro' && mwaa.schedulers !== 1) {
      problem('mwaa.schedulers', mwaa.schedulers, '1 with environment class mw1.micro');
    } else if (mwaa.environmentClass !== 'mw1.micro' && mwaa.schedulers < 2) {
      problem('mwaa.schedulers', mwaa.schedulers, `2 to 5 with environment class ${mwaa.environmentClass}`);
    }
  });

  rule(['emr', 'region'], ({ emr, region }) => instanceTypeProblems(emr, region).forEach((p) => problems.push(p)));

  rule(['streaming'], ({ streaming: { mode, shardCount } }) => {
    if (mode === 'PROVISIONED' && shardCount === undefined) problem('streaming.shardCount', shardCount, 'a shard count from 1 to 500 when streaming.mode is PROVISIONED');
    if (mode === 'ON_DEMAND' && shardCount !== undefined) problem('streaming.shardCount', shardCount, 'absent when streaming.mode is ON_DEMAND (capacity is automatic)');
  });

  rule(['delivery', 'account'], ({ delivery, account }) => {
    const providerArn = `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
    if (delivery.existingOidcProviderArn !== undefined && delivery.existingOidcProviderArn !== providerArn) {
      problem('delivery.existingOidcProviderArn', delivery.existingOidcProviderArn, `the GitHub Actions provider of this account: ${providerArn}`);
    }
    if ((delivery.githubOwnerId === undefined) !== (delivery.githubRepoId === undefined)) {
      problem('delivery.githubRepoId', delivery.githubRepoId, 'set together with delivery.githubOwnerId (both ids, or neither)');
    }
  });

  rule(['production', 'lake'], ({ production, lake }) => {
    if (production && lake.removalPolicy !== 'retain') {
      problem('lake.removalPolicy', lake.removalPolicy, "'retain' in a production environment: its data must survive a stack deletion");
    }
  });
  rule(['production', 'network', 'availabilityZones'], ({ production, network: { natGateways: nat }, availabilityZones: azs }) => {
    // Production has a NAT per AZ, or none at all (fully private, checked above).
    if (production && nat !== 0 && nat < azs.length) {
      problem('network.natGateways', nat, `${azs.length} (one per availability zone) in a production environment, so losing an AZ does not cut the others' egress`);
    }
  });
  rule(['production', 'vpn'], ({ production, vpn }) => {
    if (production && vpn.enabled && vpn.associatedAzCount < 2) {
      problem('vpn.associatedAzCount', vpn.associatedAzCount, 'at least 2 in a production environment, so the VPN is always on and survives the loss of an AZ (0, on demand, is for other environments)');
    }
  });
  rule(['production', 'network', 'availabilityZones'], ({ production, network, availabilityZones: azs }) => {
    if (!production) return;
    if (network.natProvider === 'instance') {
      problem('network.natProvider', network.natProvider, "'gateway' in a production environment: a NAT instance is a single point of failure with burstable bandwidth");
    }
    if (network.interfaceEndpointAzs !== undefined && network.interfaceEndpointAzs < azs.length) {
      problem('network.interfaceEndpointAzs', network.interfaceEndpointAzs, `${azs.length} or absent (every AZ) in a production environment, so losing an AZ does not cut the others' private paths`);
    }
  });
  return problems;
}

const FLEETS = ['primaryInstanceTypes', 'coreInstanceTypes', 'taskInstanceTypes'] as const;

/**
 * Every fleet type must be one EMR can launch in the region, and a cluster's fleets must share one
 * architecture: EMR's default AMI is built per architecture, and mixing Graviton and x86 in one
 * cluster needs a custom AMI per instance type.
 */
function instanceTypeProblems(emr: EnvironmentConfig['emr'], region: string): Problem[] {
  const offered = emrInstanceTypesIn(region);
  if (!offered) {
    return [
      {
        field: 'region',
        value: region,
        allowed: `a region lib/config/instance-types.ts lists EMR instance types for (${REGIONS_WITH_INSTANCE_TYPES.join(', ')}); add it there from 'aws emr list-supported-instance-types --region ${region}'`,
      },
    ];
  }
  const problems: Problem[] = [];
  for (const fleet of FLEETS) {
    emr[fleet].forEach((type, i) => {
      if (!offered.has(type)) {
        const size = type.split('.')[1];
        // Same size and architecture (Graviton for an unknown family), same family letter (m, r, c) first.
        const architecture = architectureOf(type) ?? 'arm64';
        const alternatives = [...offered]
          .filter((t) => t.endsWith(`.${size}`) && architectureOf(t) === architecture)
          .sort((a, b) => Number(b[0] === type[0]) - Number(a[0] === type[0]))
          .slice(0, 4);
        const hint = alternatives.length > 0 ? `, e.g. ${alternatives.join(', ')}` : '';
        problems.push({ field: `emr.${fleet}[${i}]`, value: type, allowed: `an instance type EMR can launch in ${region} (lib/config/instance-types.ts)${hint}` });
      }
    });
  }
  const types = FLEETS.flatMap((fleet) => emr[fleet]);
  const arm = [...new Set(types.filter((t) => architectureOf(t) === 'arm64'))];
  const x86 = [...new Set(types.filter((t) => architectureOf(t) === 'x86_64'))];
  if (arm.length > 0 && x86.length > 0) {
    problems.push({
      field: 'emr.*InstanceTypes',
      value: x86,
      allowed: `one architecture per cluster with EMR's default AMI, but these are x86_64 and ${arm.join(', ')} are arm64 (Graviton); keep only Graviton types (cheaper) or only x86_64 ones`,
    });
  }
  return problems;
}

/** Rules between environments: unique names, and no two sharing the deploy roles or the account's GitHub provider. */
function problemsAcrossEnvironments(environments: readonly CheckedEnvironment[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  environments.forEach(({ label, sections }, index) => {
    const earlier = environments.slice(0, index);
    if (typeof sections.name === 'string' && earlier.some((e) => e.sections.name === sections.name)) {
      problems.push({ environment: label, field: 'name', value: sections.name, allowed: 'each environment needs a unique name' });
    }
    const { account, region, delivery } = sections;
    if (account === undefined || region === undefined || delivery === undefined) return;
    const sameAccount = earlier.filter((e) => e.sections.account === account && e.sections.delivery !== undefined);

    const qualifier = delivery.bootstrapQualifier;
    const sharing = sameAccount.find((e) => e.sections.region === region && e.sections.delivery!.bootstrapQualifier === qualifier);
    if (sharing) {
      problems.push({
        environment: label,
        field: 'delivery.bootstrapQualifier',
        value: qualifier,
        allowed: `a qualifier no other environment in account ${account} and ${region} uses ('${sharing.label}' uses it, so either's deploy could change the other's stacks); run 'npx cdk bootstrap aws://${account}/${region} --qualifier <q>' (and for us-east-1, where the budget lives) and set delivery.bootstrapQualifier to <q> (up to 10 lower-case letters and digits)`,
      });
    }

    const creator = sameAccount.find((e) => e.sections.delivery!.existingOidcProviderArn === undefined);
    if (creator && delivery.existingOidcProviderArn === undefined) {
      problems.push({
        environment: label,
        field: 'delivery.existingOidcProviderArn',
        value: undefined,
        allowed: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com: '${creator.label}' already creates this account's GitHub provider, and an account holds only one`,
      });
    }
  });
  return problems;
}

/** Turns one zod issue into problems with the field path, the offending value and what is allowed. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): Problem[] {
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

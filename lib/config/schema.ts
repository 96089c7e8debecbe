import { z } from 'zod';
import { MWAA_AIRFLOW_VERSIONS, MWAA_ENVIRONMENT_CLASSES } from '../../constructs/airflow-environment/airflow-environment-props';
import { CDK_BOOTSTRAP_QUALIFIER } from '../../constructs/github-oidc';
import { INTERFACE_ENDPOINT_SERVICES, type InterfaceEndpointService } from '../../constructs/network/platform-network-props';

/**
 * The shape of one environment's settings. Structural rules (types, enums, ranges, unknown keys)
 * live here; rules that relate fields to each other live in `validate.ts`. The TypeScript type of
 * a validated environment is inferred from this schema, so the two cannot drift apart.
 */

export { INTERFACE_ENDPOINT_SERVICES, type InterfaceEndpointService };

/**
 * What private MWAA workers and EMR clusters call when their subnets have no NAT gateway:
 * MWAA's documented set (monitoring, logs, sqs, kms, airflow.*, ecr.*), elasticmapreduce and
 * glue for EMR with the Glue catalog, secretsmanager for Airflow's secrets backend, sts for
 * assume-role. S3 and DynamoDB are always reached through the free gateway endpoints.
 */
export const ENDPOINTS_REQUIRED_WITHOUT_NAT: readonly InterfaceEndpointService[] = INTERFACE_ENDPOINT_SERVICES.filter(
  (service) => service !== 'kinesis-streams' && service !== 'execute-api',
);

/**
 * Endpoints every environment has whatever its NAT: `execute-api`, the only way in to the views
 * API, which is a private API (callers in the VPC, or engineers over the VPN, whose DNS is the VPC
 * resolver).
 */
export const ENDPOINTS_ALWAYS_REQUIRED: readonly InterfaceEndpointService[] = ['execute-api'];

export { MWAA_AIRFLOW_VERSIONS, MWAA_ENVIRONMENT_CLASSES };
/** EMR releases whose Spark matches the ETL's pinned pyspark 4.1.1: the emr-spark-8.1 long-term-support line (to 2029-09-07). */
export const EMR_RELEASE_LABELS = ['emr-spark-8.1.0'] as const;
/** Hours, as the Client VPN API allows them. */
export const VPN_SESSION_TIMEOUT_HOURS = [8, 10, 12, 24] as const;
/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an EC2 instance type such as m6g.xlarge');
const logRetentionDays = z.literal(LOG_RETENTION_DAYS);

/** What a NAT instance runs on when `network.natInstanceType` is absent: the smallest Graviton type. */
export const DEFAULT_NAT_INSTANCE_TYPE = 't4g.nano';

const network = z.strictObject({
  /** IPv4 CIDR of the VPC, /16 to the smallest block that fits the subnets of every AZ. */
  vpcCidr: z.string(),
  /** NATs (gateways or instances), at most one per AZ. 0 requires every endpoint in ENDPOINTS_REQUIRED_WITHOUT_NAT. */
  natGateways: z.number().int().min(0).max(6),
  /**
   * `gateway`: managed NAT gateways. `instance`: hardened EC2 NAT instances, a tenth of the price
   * but a single point of failure per AZ with a burstable bandwidth; refused in production.
   */
  natProvider: z.enum(['gateway', 'instance']).default('gateway'),
  /** EC2 type of the NAT instances (natProvider 'instance' only). @default DEFAULT_NAT_INSTANCE_TYPE */
  natInstanceType: instanceType.optional(),
  /** Interface endpoints, with private DNS on; must include ENDPOINTS_ALWAYS_REQUIRED. */
  interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINT_SERVICES)),
  /**
   * AZs (the first N, in availabilityZones order) that hold an interface of every endpoint; the
   * other AZs reach them across AZs. Each endpoint is billed per AZ. Production uses every AZ.
   * @default every AZ
   */
  interfaceEndpointAzs: z.number().int().min(1).max(6).optional(),
  flowLogRetentionDays: logRetentionDays,
});

const vpn = z.strictObject({
  enabled: z.boolean(),
  /** Addresses handed to VPN clients: /12 to /22, outside the VPC. */
  clientCidr: z.string(),
  /** ACM certificate the endpoint presents (imported; see `make vpn-certs`). */
  serverCertificateArn: z.string(),
  /** ACM certificate of the CA that signed the client certificates (mutual TLS). */
  clientRootCaArn: z.string(),
  /**
   * Private subnets (one per AZ, in AZ order) that the endpoint is associated with; each is billed
   * hourly. 0 (not in production) is VPN on demand: the endpoint exists but carries no traffic until
   * `platform vpn-access on` associates a subnet, and `vpn-access off` removes it again.
   */
  associatedAzCount: z.number().int().min(0).max(6),
  sessionTimeoutHours: z.literal(VPN_SESSION_TIMEOUT_HOURS),
  loginBanner: z.string().min(1).max(1400),
  connectionLogRetentionDays: logRetentionDays,
});

const lake = z.strictObject({
  /** `destroy` empties and deletes buckets, tables and the key with the stack; refused in production. */
  removalPolicy: z.enum(['retain', 'destroy']),
  bronzeInfrequentAccessAfterDays: z.number().int().min(30),
  bronzeGlacierAfterDays: z.number().int().min(60),
  bronzeExpireAfterDays: z.number().int().min(90),
  noncurrentVersionsExpireAfterDays: z.number().int().min(1).max(3650),
  /** S3 access logs and EMR logs. */
  logsExpireAfterDays: z.number().int().min(1).max(3650),
  /** Athena refuses a query once it would scan more than this many megabytes (minimum 10). */
  athenaBytesScannedCutoffMb: z.number().int().min(10).max(10_000_000),
});

const mwaa = z.strictObject({
  airflowVersion: z.enum(MWAA_AIRFLOW_VERSIONS),
  environmentClass: z.enum(MWAA_ENVIRONMENT_CLASSES),
  minWorkers: z.number().int().min(1).max(25),
  maxWorkers: z.number().int().min(1).max(25),
  schedulers: z.number().int().min(1).max(5),
});

const emr = z.strictObject({
  releaseLabel: z.enum(EMR_RELEASE_LABELS),
  primaryInstanceTypes: z.array(instanceType).min(1).max(5),
  coreInstanceTypes: z.array(instanceType).min(1).max(5),
  /** On-demand units of the core fleet (HDFS and the driver's executors live here). */
  coreOnDemandUnits: z.number().int().min(1).max(100),
  /** Spot task fleet: several types, so price-capacity-optimized allocation has a choice. */
  taskInstanceTypes: z.array(instanceType).min(1).max(30),
  taskSpotUnits: z.number().int().min(0).max(500),
  /** Spot for primary and core too: cheapest, for environments whose runs may be interrupted. */
  spotEverywhere: z.boolean(),
  idleTimeoutMinutes: z.number().int().min(1).max(10080),
});

const etl = z.strictObject({
  /**
   * Earlier days of silver events that bronze_to_silver searches before accepting an event_id
   * (`--lookback-days`). 3 covers every earlier delivery an accepted event can have (2 days of
   * lateness plus the arrival slack); more costs a larger scan and catches nothing else.
   * Range as the DAGs validate it (dags/bdp/platform.py LOOKBACK_DAYS_RANGE).
   */
  dedupLookbackDays: z.number().int().min(1).max(365),
});

const streaming = z.strictObject({
  mode: z.enum(['ON_DEMAND', 'PROVISIONED']),
  /** Shards when mode is PROVISIONED; ignored (and must be absent) when ON_DEMAND. */
  shardCount: z.number().int().min(1).max(500).optional(),
  retentionHours: z.number().int().min(24).max(8760),
});

const alerts = z.strictObject({
  /** Team distribution lists that get alarm and pipeline-failure e-mails; never personal addresses. */
  emails: z.array(z.email()).max(10),
  /** Monthly AWS cost budget of the environment's account; alerts at 80 % actual and 100 % forecast. */
  monthlyBudgetUsd: z.number().positive().max(1_000_000),
});

const delivery = z.strictObject({
  /** The GitHub organisation (or user) and repository whose workflows may assume this environment's roles. */
  githubOwner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'a GitHub organisation or user name'),
  githubRepo: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'a GitHub repository name'),
  /**
   * Numeric ids of the owner and repository. Repositories created after 2026-07-15 sign OIDC
   * subjects as `repo:owner@ID/repo@ID:...`; with the ids set, roles trust that form too.
   */
  githubOwnerId: z.number().int().positive().optional(),
  githubRepoId: z.number().int().positive().optional(),
  /**
   * The account's GitHub OIDC provider when it already exists (an account holds one per issuer,
   * e.g. when two environments share an account); otherwise the Delivery stack creates it.
   */
  existingOidcProviderArn: z.string().optional(),
  /**
   * Qualifier of the CDK bootstrap stack this environment deploys through (`cdk bootstrap
   * --qualifier`). Environments sharing an account and region need different ones, or each could
   * deploy the other's stacks through the same roles.
   */
  bootstrapQualifier: z
    .string()
    .regex(/^[a-z0-9]{1,10}$/, "1 to 10 lower-case letters and digits, as 'cdk bootstrap --qualifier' accepts")
    .default(CDK_BOOTSTRAP_QUALIFIER),
});

export const environmentSchema = z.strictObject({
  /** Short lower-case name, used in resource names and the Stage id. */
  name: z.string().regex(/^[a-z][a-z0-9]{1,9}$/, '2 to 10 lower-case letters and digits, starting with a letter'),
  /** Production environments get the strict rules: retained data, HA NAT and VPN. */
  production: z.boolean(),
  account: z.string(),
  region: z.string(),
  availabilityZones: z.array(z.string()),
  network,
  vpn,
  lake,
  mwaa,
  emr,
  etl,
  streaming,
  alerts,
  delivery,
  tags: z.record(z.string(), z.string()),
});

/** What an author writes in environments.ts. */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** A validated environment. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;

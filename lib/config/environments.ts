import type { EnvironmentInput } from './schema';
import { ENDPOINTS_REQUIRED_WITHOUT_NAT } from './schema';

/**
 * Every environment's settings, in one place. Replace the accounts and certificate ARNs with
 * yours (`make vpn-certs` explains how to create and import the certificates). Every value is
 * validated at synth by `validate.ts`; the README's configuration reference explains each field.
 */

const REGION = 'eu-north-1';
const VPC_CIDR = '10.100.0.0/16';
// Outside the VPC, and outside 10.0.0.0/16 that the original platform used, which overlapped
// home and office networks more often than not.
const VPN_CLIENT_CIDR = '10.252.0.0/22';

const certificate = (account: string, id: string) => `arn:aws:acm:${REGION}:${account}:certificate/${id}`;

const common = {
  region: REGION,
  availabilityZones: [`${REGION}a`, `${REGION}b`],
  tags: { project: 'big-data-platform', 'managed-by': 'cdk' },
  mwaa: { airflowVersion: '3.3.1', environmentClass: 'mw1.small', minWorkers: 1, maxWorkers: 2, schedulers: 2 },
  emr: {
    releaseLabel: 'emr-spark-8.1.0',
    // One architecture per cluster (EMR's default AMI is per architecture): Graviton, the cheaper
    // one. Every type must be in lib/config/instance-types.ts for the region. Several task types
    // give spot's price-capacity-optimized allocation a choice.
    primaryInstanceTypes: ['m6g.xlarge', 'm7g.xlarge'],
    coreInstanceTypes: ['m6g.xlarge', 'm7g.xlarge'],
    coreOnDemandUnits: 2,
    taskInstanceTypes: ['m6g.xlarge', 'm7g.xlarge', 'm6gd.xlarge', 'r6g.xlarge', 'r6gd.xlarge', 'r7g.xlarge'],
    taskSpotUnits: 4,
    spotEverywhere: false,
    idleTimeoutMinutes: 60,
  },
  lake: {
    removalPolicy: 'retain',
    bronzeInfrequentAccessAfterDays: 30,
    bronzeGlacierAfterDays: 90,
    bronzeExpireAfterDays: 365,
    noncurrentVersionsExpireAfterDays: 30,
    logsExpireAfterDays: 365,
    athenaBytesScannedCutoffMb: 10_240,
  },
  // LATE_EVENT_DAYS + 1 (etl/bdp_etl/rules.py): every earlier delivery an accepted event can have.
  etl: { dedupLookbackDays: 3 },
  streaming: { mode: 'ON_DEMAND', retentionHours: 24 },
  alerts: { emails: ['data-platform-alerts@example.com'], monthlyBudgetUsd: 800 },
  delivery: { githubOwner: 'example-org', githubRepo: 'big-data-platform', githubOwnerId: 100000001, githubRepoId: 200000002 },
} satisfies Partial<EnvironmentInput>;

const vpn = (account: string, serverCertificateId: string, clientRootCaId: string): Omit<EnvironmentInput['vpn'], 'associatedAzCount'> => ({
  enabled: true,
  clientCidr: VPN_CLIENT_CIDR,
  serverCertificateArn: certificate(account, serverCertificateId),
  clientRootCaArn: certificate(account, clientRootCaId),
  sessionTimeoutHours: 8,
  loginBanner: 'big-data-platform: authorised engineers only. Connections are logged.',
  connectionLogRetentionDays: 90,
});

const DEV_ACCOUNT = '111111111111';
const STAGING_ACCOUNT = '222222222222';
const PROD_ACCOUNT = '333333333333';

export const ENVIRONMENTS: readonly EnvironmentInput[] = [
  {
    ...common,
    name: 'dev',
    production: false,
    account: DEV_ACCOUNT,
    // Cost-lean (docs/cost-levers.md): one NAT instance carries all egress; execute-api, the views
    // API's only way in, in one AZ; the VPN on demand (`platform vpn-access on|off --env dev`).
    network: { vpcCidr: VPC_CIDR, natGateways: 1, natProvider: 'instance', interfaceEndpoints: ['execute-api'], interfaceEndpointAzs: 1, flowLogRetentionDays: 30 },
    vpn: { ...vpn(DEV_ACCOUNT, '00000000-0000-4000-8000-00000000d001', '00000000-0000-4000-8000-00000000d002'), associatedAzCount: 0 },
    streaming: { ...common.streaming, mode: 'PROVISIONED', shardCount: 1 },
    lake: { ...common.lake, removalPolicy: 'destroy', bronzeExpireAfterDays: 120 },
    alerts: { ...common.alerts, monthlyBudgetUsd: 500 }, // above the ~$362 all-in estimate (docs/cost.md), so the 80 % alert means something
    mwaa: { ...common.mwaa, environmentClass: 'mw1.micro', schedulers: 1, maxWorkers: 1 },
    emr: { ...common.emr, coreOnDemandUnits: 1, taskSpotUnits: 2, spotEverywhere: true, idleTimeoutMinutes: 30 },
  },
  {
    ...common,
    name: 'staging',
    production: false,
    account: STAGING_ACCOUNT,
    // One NAT gateway carries the egress; the endpoints rehearse the private paths whose failure
    // would look different in prod (docs/cost-levers.md): the private views API (execute-api) and
    // MWAA's own APIs (airflow.*), in one AZ.
    network: {
      vpcCidr: VPC_CIDR,
      natGateways: 1,
      interfaceEndpoints: ['execute-api', 'airflow.api', 'airflow.env', 'airflow.ops'],
      interfaceEndpointAzs: 1,
      flowLogRetentionDays: 90,
    },
    vpn: { ...vpn(STAGING_ACCOUNT, '00000000-0000-4000-8000-00000000e001', '00000000-0000-4000-8000-00000000e002'), associatedAzCount: 1 },
    mwaa: { ...common.mwaa, environmentClass: 'mw1.micro', schedulers: 1, minWorkers: 1, maxWorkers: 1 },
    streaming: { ...common.streaming, mode: 'PROVISIONED', shardCount: 1 },
  },
  {
    ...common,
    name: 'prod',
    production: true,
    account: PROD_ACCOUNT,
    availabilityZones: [`${REGION}a`, `${REGION}b`, `${REGION}c`],
    // Highly available: a NAT per AZ, and endpoints so private traffic never needs the internet.
    network: { vpcCidr: VPC_CIDR, natGateways: 3, interfaceEndpoints: [...ENDPOINTS_REQUIRED_WITHOUT_NAT, 'kinesis-streams', 'execute-api'], flowLogRetentionDays: 365 },
    vpn: { ...vpn(PROD_ACCOUNT, '00000000-0000-4000-8000-00000000f001', '00000000-0000-4000-8000-00000000f002'), associatedAzCount: 2 },
    mwaa: { ...common.mwaa, environmentClass: 'mw1.medium', maxWorkers: 5 },
    emr: { ...common.emr, coreOnDemandUnits: 4, taskSpotUnits: 16, idleTimeoutMinutes: 60 },
    streaming: { mode: 'PROVISIONED', shardCount: 4, retentionHours: 168 },
    lake: { ...common.lake, bronzeExpireAfterDays: 730, athenaBytesScannedCutoffMb: 102_400 },
    alerts: { ...common.alerts, monthlyBudgetUsd: 3_000 },
  },
];

import type { MWAA_ENVIRONMENT_CLASSES } from '../lib/config';

/**
 * AWS list prices used by `make cost` and `platform clusters`, one dated table per region, in USD.
 *
 * APPROXIMATIONS: AWS public price list (on-demand, Linux), as remembered on `asOf`; they could not
 * be checked online when written. Check the AWS Pricing Calculator before budgeting, and update a
 * whole region's table (and its `asOf`) at once.
 */

export type MwaaEnvironmentClass = (typeof MWAA_ENVIRONMENT_CLASSES)[number];

export interface RegionPrices {
  readonly asOf: string;
  readonly source: string;
  /** Per NAT gateway-hour (data processed is usage and not included). */
  readonly natGatewayHour: number;
  /** Per public IPv4 address-hour, charged since 2024 also for the Elastic IPs of NAT gateways. */
  readonly publicIpv4Hour: number;
  /** Per interface endpoint per AZ-hour (data processed not included). */
  readonly interfaceEndpointAzHour: number;
  /** Per Client VPN subnet association-hour (connection-hours are usage, not included). */
  readonly clientVpnAssociationHour: number;
  readonly kmsKeyMonth: number;
  readonly secretMonth: number;
  readonly cloudWatchAlarmMonth: number;
  readonly cloudWatchDashboardMonth: number;
  readonly mwaa: {
    /** The environment: web server, the included schedulers and one worker. */
    readonly environmentHour: Readonly<Record<MwaaEnvironmentClass, number>>;
    /** Per worker beyond the first (min workers run all the time) and per scheduler beyond the included ones. */
    readonly additionalWorkerHour: Readonly<Record<MwaaEnvironmentClass, number>>;
    readonly additionalSchedulerHour: Readonly<Record<MwaaEnvironmentClass, number>>;
  };
  readonly kinesis: {
    readonly onDemandStreamHour: number;
    readonly shardHour: number;
    /** Per shard-hour when retention is over 24 hours (provisioned streams). */
    readonly extendedRetentionShardHour: number;
  };
  readonly dynamodb: { readonly readCapacityUnitHour: number; readonly writeCapacityUnitHour: number };
  /** EC2 on-demand per instance-hour. */
  readonly ec2Hour: Readonly<Record<string, number>>;
  /** The EMR charge per instance-hour, on top of EC2 and the same for spot instances. */
  readonly emrUpliftHour: Readonly<Record<string, number>>;
  /** Spot price as a fraction of on-demand: a typical recent average for these families, not a quote. */
  readonly spotFactor: number;
}

/** MWAA includes one scheduler in mw1.micro and two in the other classes, and one worker in each. */
export const MWAA_INCLUDED_SCHEDULERS = (environmentClass: MwaaEnvironmentClass): number => (environmentClass === 'mw1.micro' ? 1 : 2);
export const MWAA_INCLUDED_WORKERS = 1;

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

const SOURCE = 'AWS public price list, approximate (from memory; not fetched online)';

// The EMR uplift is the same in both regions.
const EMR_UPLIFT_HOUR = {
  'm5.xlarge': 0.048,
  'm5.2xlarge': 0.096,
  'm5a.xlarge': 0.043,
  'm6i.xlarge': 0.048,
  'm6g.xlarge': 0.039,
  'm6g.2xlarge': 0.078,
  'm6gd.xlarge': 0.0452,
  'm7g.xlarge': 0.0408,
  'r5.xlarge': 0.063,
  'r6g.xlarge': 0.0504,
  'r6gd.xlarge': 0.0576,
  'r7g.xlarge': 0.0536,
};

export const PRICES = {
  'eu-north-1': {
    asOf: '2026-11-01',
    source: SOURCE,
    natGatewayHour: 0.046,
    publicIpv4Hour: 0.005,
    interfaceEndpointAzHour: 0.011,
    clientVpnAssociationHour: 0.1,
    kmsKeyMonth: 1,
    secretMonth: 0.4,
    cloudWatchAlarmMonth: 0.1,
    cloudWatchDashboardMonth: 3,
    mwaa: {
      environmentHour: { 'mw1.micro': 0.26, 'mw1.small': 0.53, 'mw1.medium': 0.8, 'mw1.large': 1.07, 'mw1.xlarge': 2.13, 'mw1.2xlarge': 4.26 },
      additionalWorkerHour: { 'mw1.micro': 0.06, 'mw1.small': 0.06, 'mw1.medium': 0.12, 'mw1.large': 0.24, 'mw1.xlarge': 0.48, 'mw1.2xlarge': 0.95 },
      additionalSchedulerHour: { 'mw1.micro': 0.06, 'mw1.small': 0.06, 'mw1.medium': 0.12, 'mw1.large': 0.24, 'mw1.xlarge': 0.48, 'mw1.2xlarge': 0.95 },
    },
    kinesis: { onDemandStreamHour: 0.044, shardHour: 0.0165, extendedRetentionShardHour: 0.022 },
    dynamodb: { readCapacityUnitHour: 0.000143, writeCapacityUnitHour: 0.000715 },
    ec2Hour: {
      'm5.xlarge': 0.204,
      'm5.2xlarge': 0.408,
      'm5a.xlarge': 0.184,
      'm6i.xlarge': 0.204,
      'm6g.xlarge': 0.1632,
      'm6g.2xlarge': 0.3264,
      'm6gd.xlarge': 0.1928,
      'm7g.xlarge': 0.1734,
      'r5.xlarge': 0.268,
      'r6g.xlarge': 0.2144,
      'r6gd.xlarge': 0.2432,
      'r7g.xlarge': 0.2278,
    },
    emrUpliftHour: EMR_UPLIFT_HOUR,
    spotFactor: 0.35,
  },
  // For reference: the region most price examples quote.
  'us-east-1': {
    asOf: '2026-11-01',
    source: SOURCE,
    natGatewayHour: 0.045,
    publicIpv4Hour: 0.005,
    interfaceEndpointAzHour: 0.01,
    clientVpnAssociationHour: 0.1,
    kmsKeyMonth: 1,
    secretMonth: 0.4,
    cloudWatchAlarmMonth: 0.1,
    cloudWatchDashboardMonth: 3,
    mwaa: {
      environmentHour: { 'mw1.micro': 0.24, 'mw1.small': 0.49, 'mw1.medium': 0.74, 'mw1.large': 0.99, 'mw1.xlarge': 1.97, 'mw1.2xlarge': 3.94 },
      additionalWorkerHour: { 'mw1.micro': 0.055, 'mw1.small': 0.055, 'mw1.medium': 0.11, 'mw1.large': 0.22, 'mw1.xlarge': 0.44, 'mw1.2xlarge': 0.88 },
      additionalSchedulerHour: { 'mw1.micro': 0.055, 'mw1.small': 0.055, 'mw1.medium': 0.11, 'mw1.large': 0.22, 'mw1.xlarge': 0.44, 'mw1.2xlarge': 0.88 },
    },
    kinesis: { onDemandStreamHour: 0.04, shardHour: 0.015, extendedRetentionShardHour: 0.02 },
    dynamodb: { readCapacityUnitHour: 0.00013, writeCapacityUnitHour: 0.00065 },
    ec2Hour: {
      'm5.xlarge': 0.192,
      'm5.2xlarge': 0.384,
      'm5a.xlarge': 0.172,
      'm6i.xlarge': 0.192,
      'm6g.xlarge': 0.154,
      'm6g.2xlarge': 0.308,
      'm6gd.xlarge': 0.1808,
      'm7g.xlarge': 0.1632,
      'r5.xlarge': 0.252,
      'r6g.xlarge': 0.2016,
      'r6gd.xlarge': 0.2304,
      'r7g.xlarge': 0.2142,
    },
    emrUpliftHour: EMR_UPLIFT_HOUR,
    spotFactor: 0.35,
  },
} as const satisfies Record<string, RegionPrices>;

export type PricedRegion = keyof typeof PRICES;

/** The price table of a region, or an error that says which regions have one. */
export function pricesFor(region: string): RegionPrices {
  if (region in PRICES) return PRICES[region as PricedRegion];
  throw new Error(`no price table for region '${region}' in ops/prices.ts (tables: ${Object.keys(PRICES).join(', ')}); add one`);
}

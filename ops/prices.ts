import type { MWAA_ENVIRONMENT_CLASSES } from '../lib/config';

/**
 * AWS list prices used by `make cost` and `platform clusters`, in USD, for the regions the
 * environments use. Every unit price carries where it comes from and how far that source goes:
 *
 * - `verified`: read on an AWS page that states the price for this region (or for every region).
 * - `secondary`: this region's value as a public third-party document quotes it from AWS's price
 *   list or a bill; not read at AWS itself.
 * - `unverified`: no source for this region was found; `source` says what the value rests on.
 *
 * Nothing here was fetched from the AWS Price List API (no internet where this was written): the
 * price-list file to check against is PRICE_LIST. `make cost` prints how many prices are still
 * unverified; replace them from that file (or the AWS Pricing Calculator) before budgeting.
 */

export type MwaaEnvironmentClass = (typeof MWAA_ENVIRONMENT_CLASSES)[number];
export type PriceStatus = 'verified' | 'secondary' | 'unverified';

export interface SourcedPrice {
  readonly usd: number;
  readonly status: PriceStatus;
  /** A URL (and what on it), or for an unverified price what the value is based on. */
  readonly source: string;
  /** The day the source was read (ISO date). */
  readonly read: string;
}

/** The numbers the cost model computes with. */
export interface RegionPrices {
  readonly region: string;
  /** The day the table was last checked. */
  readonly asOf: string;
  /** Per NAT gateway-hour. */
  readonly natGatewayHour: number;
  /** Per GB a NAT gateway processes (a NAT instance has no such charge). */
  readonly natGatewayGb: number;
  /** Per public IPv4 address-hour, charged since 2024 also for the Elastic IPs of NAT gateways. */
  readonly publicIpv4Hour: number;
  /** Per interface endpoint per AZ-hour. */
  readonly interfaceEndpointAzHour: number;
  /** Per GB processed by interface endpoints (first PB a month). */
  readonly interfaceEndpointGb: number;
  /** Per Client VPN subnet association-hour. */
  readonly clientVpnAssociationHour: number;
  /** Per Client VPN connection-hour (one engineer connected for an hour). */
  readonly clientVpnConnectionHour: number;
  readonly kmsKeyMonth: number;
  /** Per 10,000 symmetric KMS requests. */
  readonly kmsRequests10k: number;
  readonly secretMonth: number;
  readonly cloudWatchAlarmMonth: number;
  readonly cloudWatchDashboardMonth: number;
  /** Per custom (or detailed-monitoring) metric-month, first 10,000. */
  readonly cloudWatchMetricMonth: number;
  /** Per GB ingested into CloudWatch Logs (standard class; VPC flow logs are billed the same). */
  readonly logsIngestionGb: number;
  readonly mwaa: {
    /** The environment: web server, the included schedulers and one worker. */
    readonly environmentHour: Readonly<Record<MwaaEnvironmentClass, number>>;
    /** Per worker beyond the first (min workers run all the time) and per scheduler beyond the included ones. */
    readonly additionalWorkerHour: Readonly<Record<MwaaEnvironmentClass, number>>;
    readonly additionalSchedulerHour: Readonly<Record<MwaaEnvironmentClass, number>>;
  };
  readonly kinesis: {
    readonly onDemandStreamHour: number;
    /** On-demand streams: per GB written. */
    readonly onDemandIngestGb: number;
    /** On-demand streams: per GB read, by each reader. */
    readonly onDemandRetrievalGb: number;
    readonly shardHour: number;
    /** Per shard-hour when retention is over 24 hours (provisioned streams). */
    readonly extendedRetentionShardHour: number;
    /** Provisioned streams: per million PUT payload units (25 KB each, rounded up per record). */
    readonly putPayloadUnitsMillion: number;
  };
  readonly dynamodb: {
    readonly readCapacityUnitHour: number;
    readonly writeCapacityUnitHour: number;
    /** On-demand tables: per million write request units. */
    readonly onDemandWritesMillion: number;
    readonly storageGbMonth: number;
    /** Point-in-time recovery: per GB-month of table size. */
    readonly pitrGbMonth: number;
  };
  /** Firehose ingestion per GB, each record rounded up to the next 5 KB. */
  readonly firehoseIngestGb: number;
  /** Athena SQL per TB scanned. */
  readonly athenaTbScanned: number;
  /** EBS gp3 per GB-month (EMR node volumes, NAT instance root volume). */
  readonly ebsGp3GbMonth: number;
  /** EC2 on-demand per instance-hour, Linux. */
  readonly ec2Hour: Readonly<Record<string, number>>;
  /** The EMR charge per instance-hour, on top of EC2 and the same for spot instances. */
  readonly emrUpliftHour: Readonly<Record<string, number>>;
  /** Spot price as a fraction of on-demand: a typical recent average for these families, not a quote. */
  readonly spotFactor: number;
}

/** A price table as written: the same shape, every number a SourcedPrice. */
type Sourced<T> = T extends number ? SourcedPrice : { readonly [K in keyof T]: Sourced<T[K]> };
export type SourcedRegionPrices = Sourced<Omit<RegionPrices, 'region' | 'asOf'>>;

/** MWAA includes one scheduler in mw1.micro and two in the other classes, and one worker in each. */
export const MWAA_INCLUDED_SCHEDULERS = (environmentClass: MwaaEnvironmentClass): number => (environmentClass === 'mw1.micro' ? 1 : 2);
export const MWAA_INCLUDED_WORKERS = 1;

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

const READ = '2026-11-29';
/** The AWS price-list files for eu-north-1 (offer index: https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json). */
export const PRICE_LIST = (service: string, region: string) => `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/${service}/current/${region}/index.json`;

const verified = (usd: number, source: string): SourcedPrice => ({ usd, status: 'verified', source, read: READ });
const secondary = (usd: number, source: string): SourcedPrice => ({ usd, status: 'secondary', source, read: READ });
const unverified = (usd: number, basis: string): SourcedPrice => ({ usd, status: 'unverified', source: basis, read: READ });

// What the unverified eu-north-1 values rest on.
const FROM_MEMORY = 'the previous table (eu-north-1 from memory, not fetched); check ';
const US_EAST_1 = 'the us-east-1 price (no eu-north-1 value found); check ';
const EC2 = (type: string) =>
  unverified(
    EC2_EU_NORTH_1[type],
    `${type === 't4g.nano' ? "the us-east-1 price ($0.0042) with Stockholm's usual few percent more, not fetched; check " : FROM_MEMORY}${PRICE_LIST('AmazonEC2', 'eu-north-1')} (BoxUsage:${type})`,
  );
const EMR = (type: string) => unverified(EMR_UPLIFT[type], `the us-east-1 EMR uplift (usually the same in every region); check ${PRICE_LIST('ElasticMapReduce', 'eu-north-1')}`);
const MWAA = (usd: number) => unverified(usd, `${FROM_MEMORY}https://aws.amazon.com/managed-workflows-for-apache-airflow/pricing/ (Europe (Stockholm))`);

/** Remembered eu-north-1 on-demand prices, kept only as the basis of unverified entries. */
const EC2_EU_NORTH_1: Record<string, number> = {
  't4g.nano': 0.0043,
  'm5.xlarge': 0.204,
  'm5.2xlarge': 0.408,
  'm6i.xlarge': 0.204,
  'm6g.xlarge': 0.1632,
  'm6g.2xlarge': 0.3264,
  'm6gd.xlarge': 0.1928,
  'm7g.xlarge': 0.1734,
  'r5.xlarge': 0.268,
  'r6g.xlarge': 0.2144,
  'r6gd.xlarge': 0.2432,
  'r7g.xlarge': 0.2278,
};
const EMR_UPLIFT: Record<string, number> = {
  'm5.xlarge': 0.048,
  'm5.2xlarge': 0.096,
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
// Only types the region offers (lib/config/instance-types.ts): no m5a, which eu-north-1 lacks.
const EMR_TYPES = Object.keys(EMR_UPLIFT);

export const SOURCED_PRICES = {
  'eu-north-1': {
    natGatewayHour: secondary(0.046, `${PRICE_LIST('AmazonEC2', 'eu-north-1')} (EUN1-NatGateway-Hours), as a public project's cost notes quote it from that file`),
    natGatewayGb: unverified(0.046, `the hourly price: AWS charges the same per GB processed as per hour in most regions; check ${PRICE_LIST('AmazonEC2', 'eu-north-1')} (EUN1-NatGateway-Bytes)`),
    publicIpv4Hour: secondary(0.005, 'https://aws.amazon.com/vpc/pricing/ (public IPv4: $0.005 per IP-hour in all regions since 2024-02-01, as https://www.haufe-akademie.de/en/skill-it/blog/aws-gebuehren-ipv4-adressen reports it)'),
    interfaceEndpointAzHour: unverified(0.011, `${FROM_MEMORY}https://aws.amazon.com/privatelink/pricing/ (us-east-1: $0.01)`),
    interfaceEndpointGb: unverified(0.01, `${US_EAST_1}https://aws.amazon.com/privatelink/pricing/ (first 1 PB: $0.01 per GB)`),
    clientVpnAssociationHour: unverified(0.1, `${US_EAST_1}https://aws.amazon.com/vpn/pricing/ (Tokyo is $0.15)`),
    clientVpnConnectionHour: unverified(0.05, `${US_EAST_1}https://aws.amazon.com/vpn/pricing/ (Tokyo is also $0.05)`),
    kmsKeyMonth: verified(1, 'https://aws.amazon.com/kms/pricing/ ("Each AWS KMS key that you create in KMS costs $1/month", no regional difference)'),
    kmsRequests10k: unverified(0.03, `${US_EAST_1}https://aws.amazon.com/kms/pricing/ (symmetric requests: $0.03 per 10,000 beyond the 20,000 free)`),
    secretMonth: unverified(0.4, `${US_EAST_1}https://aws.amazon.com/secrets-manager/pricing/`),
    cloudWatchAlarmMonth: unverified(0.1, `${US_EAST_1}https://aws.amazon.com/cloudwatch/pricing/ (standard-resolution metric alarm)`),
    cloudWatchDashboardMonth: unverified(3, `${US_EAST_1}https://aws.amazon.com/cloudwatch/pricing/ (beyond the 3 free)`),
    cloudWatchMetricMonth: unverified(0.3, `${US_EAST_1}https://aws.amazon.com/cloudwatch/pricing/ (metrics, first 10,000; EC2 detailed monitoring is billed per metric)`),
    logsIngestionGb: unverified(0.5, `${US_EAST_1}https://aws.amazon.com/cloudwatch/pricing/ (Logs, standard ingestion; vended flow logs, first 10 TB)`),
    mwaa: {
      environmentHour: { 'mw1.micro': MWAA(0.26), 'mw1.small': MWAA(0.53), 'mw1.medium': MWAA(0.8), 'mw1.large': MWAA(1.07), 'mw1.xlarge': MWAA(2.13), 'mw1.2xlarge': MWAA(4.26) },
      additionalWorkerHour: { 'mw1.micro': MWAA(0.06), 'mw1.small': MWAA(0.06), 'mw1.medium': MWAA(0.12), 'mw1.large': MWAA(0.24), 'mw1.xlarge': MWAA(0.48), 'mw1.2xlarge': MWAA(0.95) },
      additionalSchedulerHour: { 'mw1.micro': MWAA(0.06), 'mw1.small': MWAA(0.06), 'mw1.medium': MWAA(0.12), 'mw1.large': MWAA(0.24), 'mw1.xlarge': MWAA(0.48), 'mw1.2xlarge': MWAA(0.95) },
    },
    kinesis: {
      onDemandStreamHour: unverified(0.044, `${FROM_MEMORY}https://aws.amazon.com/kinesis/data-streams/pricing/`),
      onDemandIngestGb: unverified(0.08, `${US_EAST_1}https://aws.amazon.com/kinesis/data-streams/pricing/ (on-demand data ingested)`),
      onDemandRetrievalGb: unverified(0.04, `${US_EAST_1}https://aws.amazon.com/kinesis/data-streams/pricing/ (on-demand data retrieval)`),
      shardHour: unverified(0.0165, `${FROM_MEMORY}https://aws.amazon.com/kinesis/data-streams/pricing/`),
      extendedRetentionShardHour: unverified(0.022, `${FROM_MEMORY}https://aws.amazon.com/kinesis/data-streams/pricing/`),
      putPayloadUnitsMillion: unverified(0.014, `${US_EAST_1}https://aws.amazon.com/kinesis/data-streams/pricing/ (PUT payload units)`),
    },
    dynamodb: {
      readCapacityUnitHour: unverified(0.000143, `${FROM_MEMORY}https://aws.amazon.com/dynamodb/pricing/provisioned/`),
      writeCapacityUnitHour: unverified(0.000715, `${FROM_MEMORY}https://aws.amazon.com/dynamodb/pricing/provisioned/`),
      onDemandWritesMillion: unverified(0.625, `${US_EAST_1}https://aws.amazon.com/dynamodb/pricing/on-demand/ (write request units)`),
      storageGbMonth: unverified(0.25, `${US_EAST_1}https://aws.amazon.com/dynamodb/pricing/on-demand/ (Standard table class, beyond 25 GB free)`),
      pitrGbMonth: unverified(0.2, `${US_EAST_1}https://aws.amazon.com/dynamodb/pricing/on-demand/ (continuous backups)`),
    },
    firehoseIngestGb: unverified(0.029, `${US_EAST_1}https://aws.amazon.com/firehose/pricing/ (first 500 TB; the page states the 5 KB rounding per record)`),
    athenaTbScanned: unverified(5, `${US_EAST_1}https://aws.amazon.com/athena/pricing/ (SQL queries, per TB scanned, 10 MB minimum per query)`),
    ebsGp3GbMonth: secondary(0.0835, "a public project's eu-north-1 Cost Explorer figure (40 GB gp3 = $3.34 a month, EUN1-EBS:VolumeUsage.gp3); check " + PRICE_LIST('AmazonEC2', 'eu-north-1')),
    ec2Hour: Object.fromEntries(Object.keys(EC2_EU_NORTH_1).map((type) => [type, EC2(type)])),
    emrUpliftHour: Object.fromEntries(EMR_TYPES.map((type) => [type, EMR(type)])),
    spotFactor: unverified(0.35, 'an assumption: a typical recent spot discount for these families (https://aws.amazon.com/ec2/spot/instance-advisor/), not a quote'),
  },
} as const satisfies Record<string, SourcedRegionPrices>;

export type PricedRegion = keyof typeof SOURCED_PRICES;

/** The numbers of a sourced table; `asOf` is the latest day any of its prices was read. */
function numeric(region: string, table: SourcedRegionPrices): RegionPrices {
  const strip = (value: unknown): unknown => {
    if (isSourced(value)) return value.usd;
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, strip(v)]));
  };
  const asOf = sourcedEntries(table).reduce((latest, e) => (e.read > latest ? e.read : latest), '');
  return { region, asOf, ...(strip(table) as Omit<RegionPrices, 'region' | 'asOf'>) };
}

const isSourced = (value: unknown): value is SourcedPrice => typeof value === 'object' && value !== null && 'usd' in value && 'status' in value;

/** Every price of a table with its path, e.g. `mwaa.environmentHour.mw1.micro`. */
export function sourcedEntries(table: SourcedRegionPrices): (SourcedPrice & { readonly path: string })[] {
  const walk = (value: unknown, path: string): (SourcedPrice & { path: string })[] =>
    isSourced(value) ? [{ ...value, path }] : Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => walk(v, path ? `${path}.${k}` : k));
  return walk(table, '');
}

/** The numeric tables, as the model uses them. */
export const PRICES = Object.fromEntries(Object.entries(SOURCED_PRICES).map(([region, table]) => [region, numeric(region, table)])) as Record<PricedRegion, RegionPrices>;

/** The price table of a region, or an error that says which regions have one. */
export function pricesFor(region: string): RegionPrices {
  if (region in PRICES) return PRICES[region as PricedRegion];
  throw new Error(`no price table for region '${region}' in ops/prices.ts (tables: ${Object.keys(PRICES).join(', ')}); add one`);
}

/** The sourced table of a region (for the list of sources and the unverified count). */
export function sourcedPricesFor(region: string): SourcedRegionPrices {
  if (region in SOURCED_PRICES) return SOURCED_PRICES[region as PricedRegion];
  throw new Error(`no price table for region '${region}' in ops/prices.ts (tables: ${Object.keys(SOURCED_PRICES).join(', ')}); add one`);
}

/** How many prices of a region rest on each kind of source. */
export function priceStatusCounts(region: string): Record<PriceStatus, number> {
  const counts: Record<PriceStatus, number> = { verified: 0, secondary: 0, unverified: 0 };
  for (const entry of sourcedEntries(sourcedPricesFor(region))) counts[entry.status] += 1;
  return counts;
}

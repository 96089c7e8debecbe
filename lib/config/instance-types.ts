/**
 * The EC2 instance types EMR can launch in each region the configuration may use, so a fleet that
 * names a type the region does not offer is refused at synth instead of failing at cluster start
 * (`m5a.xlarge`, for one, is not offered in eu-north-1).
 *
 * Source: AWS's EC2 instance-type offerings per region (`aws ec2 describe-instance-type-offerings
 * --location-type region --region <region>`), intersected with the types EMR supports for the
 * configured release (`aws emr list-supported-instance-types --release-label emr-spark-8.1.0 --region <region>`).
 * Compiled 2026-11-29, offline (no AWS credentials here): only families long offered in the region
 * are listed, so the table errs on the side of refusing. To add a region or a family, run the two
 * commands above and add what both return.
 */

export const INSTANCE_TYPE_TABLE_SOURCE =
  'EC2 describe-instance-type-offerings intersected with EMR list-supported-instance-types (emr-spark-8.1.0), compiled 2026-11-29';

export type Architecture = 'arm64' | 'x86_64';

/** Sizes EMR runs for every family below (smaller sizes lack the memory EMR's daemons need). */
const SIZES = ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'] as const;

/** The CPU architecture of each family: Graviton families (a `g` after the generation) are arm64. */
export const FAMILY_ARCHITECTURE: Readonly<Record<string, Architecture>> = {
  c5: 'x86_64',
  c5d: 'x86_64',
  c6a: 'x86_64',
  c6g: 'arm64',
  c6gd: 'arm64',
  c6i: 'x86_64',
  c7g: 'arm64',
  c7i: 'x86_64',
  m5: 'x86_64',
  m5a: 'x86_64',
  m5d: 'x86_64',
  m6a: 'x86_64',
  m6g: 'arm64',
  m6gd: 'arm64',
  m6i: 'x86_64',
  m6id: 'x86_64',
  m7g: 'arm64',
  m7i: 'x86_64',
  r5: 'x86_64',
  r5a: 'x86_64',
  r5d: 'x86_64',
  r6a: 'x86_64',
  r6g: 'arm64',
  r6gd: 'arm64',
  r6i: 'x86_64',
  r6id: 'x86_64',
  r7g: 'arm64',
  r7i: 'x86_64',
};

const COMMON_FAMILIES = ['c5', 'c5d', 'c6g', 'c6gd', 'c6i', 'c7g', 'm5', 'm5d', 'm6g', 'm6gd', 'm6i', 'm7g', 'r5', 'r5d', 'r6g', 'r6gd', 'r6i', 'r7g'];

/** Families EMR can launch per region. eu-north-1 has no AMD (`*a`) families of these generations. */
const REGION_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  'eu-north-1': [...COMMON_FAMILIES, 'c7i', 'm6id', 'm7i', 'r6id', 'r7i'],
  'eu-west-1': [...COMMON_FAMILIES, 'c6a', 'c7i', 'm5a', 'm6a', 'm6id', 'm7i', 'r5a', 'r6a', 'r6id', 'r7i'],
  'us-east-1': [...COMMON_FAMILIES, 'c6a', 'c7i', 'm5a', 'm6a', 'm6id', 'm7i', 'r5a', 'r6a', 'r6id', 'r7i'],
};

/** The regions the table covers. */
export const REGIONS_WITH_INSTANCE_TYPES: readonly string[] = Object.keys(REGION_FAMILIES);

/** Every instance type EMR can launch in `region`, or undefined when the table does not cover it. */
export function emrInstanceTypesIn(region: string): ReadonlySet<string> | undefined {
  const families = REGION_FAMILIES[region];
  return families && new Set(families.flatMap((family) => SIZES.map((size) => `${family}.${size}`)));
}

/** The architecture of an instance type, or undefined for a family the table does not know. */
export function architectureOf(instanceType: string): Architecture | undefined {
  return FAMILY_ARCHITECTURE[instanceType.split('.')[0]];
}

import { z } from 'zod';
import { DATA_ZONES, type DataZone } from '../constructs/lake-catalog';
import declaration from '../etl/bdp_etl/datasets.json';

/**
 * The lake's datasets, read from the one declaration that the Spark jobs read too
 * (etl/bdp_etl/datasets.json). CDK builds the Glue tables, Athena queries and the Firehose
 * Parquet schema from it; nothing here restates a column.
 */

export { DATA_ZONES, type DataZone };
/** Zones held as Apache Iceberg tables, defined and committed by the ETL; bronze stays raw Parquet. */
export const ICEBERG_ZONES: readonly DataZone[] = ['silver', 'gold'];

// Hive DDL types that Glue, Athena, Firehose's Parquet conversion and Spark all understand.
const HIVE_TYPE = /^(string|boolean|int|bigint|double|date|timestamp|decimal\(\d{1,2},\d{1,2}\)|map<string,string>|array<string>)$/;

const column = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a lower-case snake_case column name'),
  type: z.string().regex(HIVE_TYPE, 'a Hive type: string, boolean, int, bigint, double, date, timestamp, decimal(p,s), map<string,string>, array<string>'),
  comment: z.string().optional(),
});

const declarationSchema = z.strictObject({
  $comment: z.string().optional(),
  partitionKey: column,
  datasets: z.array(
    z.strictObject({
      name: z.string().regex(/^[a-z][a-z0-9_]*$/),
      zone: z.enum(DATA_ZONES),
      description: z.string().min(1),
      columns: z.array(column).min(1),
    }),
  ),
});

export type DatasetColumn = z.infer<typeof column>;
export type Dataset = z.infer<typeof declarationSchema>['datasets'][number];

/** Validates a dataset declaration; exported so its rules can be tested. */
export function parseDatasetDeclaration(input: unknown) {
  const result = declarationSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new Error(`etl/bdp_etl/datasets.json is invalid:\n${problems.join('\n')}`);
  }
  const keys = result.data.datasets.map((d) => `${d.zone}.${d.name}`);
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate) throw new Error(`etl/bdp_etl/datasets.json declares ${duplicate} twice`);
  return result.data;
}

const parsed = parseDatasetDeclaration(declaration);

/** The date partition every dataset has (`dt`, yyyy-MM-dd), projected by Athena. */
export const PARTITION_KEY: DatasetColumn = parsed.partitionKey;
export const DATASETS: readonly Dataset[] = parsed.datasets;

export const datasetsIn = (zone: DataZone): Dataset[] => DATASETS.filter((d) => d.zone === zone);

export function dataset(zone: DataZone, name: string): Dataset {
  const found = DATASETS.find((d) => d.zone === zone && d.name === name);
  if (!found) throw new Error(`no dataset ${zone}.${name} in etl/bdp_etl/datasets.json`);
  return found;
}

import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The lake's zones, each a Glue database and a bucket. */
export const DATA_ZONES = ['bronze', 'silver', 'gold'] as const;
export type DataZone = (typeof DATA_ZONES)[number];

/** A column in Hive DDL terms, e.g. `{ name: 'amount', type: 'decimal(12,2)' }`. */
export interface DatasetColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/** One dataset of the lake: a table named `name` under `<name>/` in its zone's bucket. */
export interface Dataset {
  readonly name: string;
  readonly zone: DataZone;
  readonly description: string;
  readonly columns: readonly DatasetColumn[];
}

export interface LakeCatalogProps {
  /** The Glue database of each zone, e.g. `{ bronze: 'bdp_dev_bronze', ... }`. */
  readonly databaseNames: Readonly<Record<DataZone, string>>;
  /** What the lake is called in descriptions, e.g. `bdp-dev`. */
  readonly lakeName: string;
  /** The datasets to catalogue. */
  readonly datasets: readonly Dataset[];
  /** The date partition every table has, a `yyyy-MM-dd` string projected by Athena. */
  readonly partitionKey: DatasetColumn;
  /** The bucket of each zone; a dataset lives under `<name>/` in its zone's bucket. */
  readonly zoneBuckets: Readonly<Record<DataZone, s3.IBucket>>;
  /**
   * First day Athena projects date partitions for.
   * @default '2024-01-01'
   */
  readonly firstPartitionDate?: string;
  /**
   * Zones whose tables another component defines at run time, e.g. Iceberg tables the ETL creates:
   * CloudFormation updates of `AWS::Glue::Table` strip Iceberg's `table_type` and
   * `metadata_location`, after which Athena cannot read the table, so those tables must never be
   * CloudFormation resources. Their databases are still created here.
   * @default - none: every dataset gets a Parquet table here
   */
  readonly runtimeDefinedZones?: readonly DataZone[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** `decimal(12,2)` stays a primitive; `map<...>` and `array<...>` are complex types to Glue. */
export const glueColumn = (c: DatasetColumn): glue.Column => ({
  name: c.name,
  type: { inputString: c.type, isPrimitive: !c.type.includes('<') },
  comment: c.comment,
});

/**
 * The Glue Data Catalog of the lake: a database per zone and a Parquet table per dataset, with
 * the daily `dt` partition projected by Athena, so no crawler or MSCK REPAIR is ever needed.
 */
export class LakeCatalog extends Construct {
  readonly databases: Readonly<Record<DataZone, glue.Database>>;
  /** The databases' names as literals, readable in query text. */
  readonly databaseNames: Readonly<Record<DataZone, string>>;
  /** The tables defined here, keyed `zone.name`, e.g. `bronze.events`. */
  readonly tables: ReadonlyMap<string, glue.S3Table>;
  private readonly runtimeDefinedZones: ReadonlySet<DataZone>;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.databaseNames = props.databaseNames;

    const databases = {} as Record<DataZone, glue.Database>;
    for (const zone of DATA_ZONES) {
      databases[zone] = new glue.Database(this, `${zone}Database`, {
        databaseName: props.databaseNames[zone],
        description: `The ${zone} zone of the ${props.lakeName} lake`,
        removalPolicy,
      });
    }
    this.databases = databases;

    this.runtimeDefinedZones = new Set(props.runtimeDefinedZones ?? []);
    const tables = new Map<string, glue.S3Table>();
    for (const dataset of props.datasets.filter((d) => !this.runtimeDefinedZones.has(d.zone))) {
      const table = new glue.S3Table(this, `${dataset.zone}-${dataset.name}`, {
        database: databases[dataset.zone],
        tableName: dataset.name,
        description: dataset.description,
        columns: dataset.columns.map(glueColumn),
        partitionKeys: [glueColumn(props.partitionKey)],
        dataFormat: glue.DataFormat.PARQUET,
        storage: glue.S3TableStorage.fromBucket(props.zoneBuckets[dataset.zone]),
        s3Prefix: `${dataset.name}/`,
        partitionProjection: {
          [props.partitionKey.name]: glue.PartitionProjectionConfiguration.date({
            min: props.firstPartitionDate ?? '2024-01-01',
            max: 'NOW',
            format: 'yyyy-MM-dd',
            step: { interval: 1, intervalUnit: glue.DateIntervalUnit.DAYS },
          }),
        },
      });
      table.applyRemovalPolicy(removalPolicy);
      tables.set(`${dataset.zone}.${dataset.name}`, table);
    }
    this.tables = tables;
  }

  /** Read the definitions (not the data) of one zone's database and tables. */
  grantReadMetadata(grantee: iam.IGrantable, zone: DataZone): void {
    const { region, account, partition } = Stack.of(this);
    const database = this.databaseNames[zone];
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
      resourceArns: [
        `arn:${partition}:glue:${region}:${account}:catalog`,
        `arn:${partition}:glue:${region}:${account}:database/${database}`,
        ...(this.runtimeDefinedZones.has(zone)
          ? [`arn:${partition}:glue:${region}:${account}:table/${database}/*`]
          : [...this.tables.entries()].filter(([key]) => key.startsWith(`${zone}.`)).map(([, table]) => table.tableArn)),
      ],
    });
    if (this.runtimeDefinedZones.has(zone) && grantee.grantPrincipal instanceof Construct) {
      Validations.of(grantee.grantPrincipal).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:glue:${region}:${account}:table/${database}/*]`,
        reason: `The ${zone} tables are defined at run time (Iceberg, by the ETL) from datasets.json; the wildcard stays within the one database.`,
      });
    }
  }
}

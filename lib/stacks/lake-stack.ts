import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AnalyticsWorkgroup } from '../../constructs/analytics-workgroup';
import { LakeCatalog } from '../../constructs/lake-catalog';
import { LakeStorage } from '../../constructs/lake-storage';
import { DATASETS, DATA_ZONES, ICEBERG_ZONES, PARTITION_KEY, datasetsIn } from '../datasets';
import { LAKE_BUCKETS, ResourceNames } from '../naming';
import { PlatformStack, PlatformStackProps } from '../platform-stack';

/** The medallion lake: encrypted zone buckets, the Glue catalog of every dataset, Athena on gold. */
export class LakeStack extends PlatformStack {
  readonly names: ResourceNames;
  readonly storage: LakeStorage;
  readonly catalog: LakeCatalog;
  readonly analytics: AnalyticsWorkgroup;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { lake } = this.config;
    const removalPolicy = lake.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.names = new ResourceNames(this.config);

    this.storage = new LakeStorage(this, 'Storage', {
      ...this.names.lakeStorage,
      bronzeLifecycle: {
        infrequentAccessAfterDays: lake.bronzeInfrequentAccessAfterDays,
        glacierAfterDays: lake.bronzeGlacierAfterDays,
        expireAfterDays: lake.bronzeExpireAfterDays,
      },
      noncurrentVersionsExpireAfterDays: lake.noncurrentVersionsExpireAfterDays,
      logsExpireAfterDays: lake.logsExpireAfterDays,
      removalPolicy,
    });

    this.catalog = new LakeCatalog(this, 'Catalog', {
      ...this.names.lakeCatalog,
      datasets: DATASETS,
      partitionKey: PARTITION_KEY,
      zoneBuckets: this.storage.buckets,
      // Silver and gold are Iceberg tables the ETL defines from datasets.json (etl/README.md says why).
      runtimeDefinedZones: ICEBERG_ZONES,
      removalPolicy,
    });

    this.analytics = new AnalyticsWorkgroup(this, 'Analytics', {
      workgroupName: this.names.athenaWorkgroup,
      lakeName: this.names.prefix,
      storage: this.storage,
      catalog: this.catalog,
      goldDatasets: datasetsIn('gold'),
      bytesScannedCutoffMb: lake.athenaBytesScannedCutoffMb,
      removalPolicy,
    });

    for (const bucket of LAKE_BUCKETS) new CfnOutput(this, `${bucket}Bucket`, { value: this.storage.buckets[bucket].bucketName });
    for (const zone of DATA_ZONES) new CfnOutput(this, `${zone}Database`, { value: this.catalog.databases[zone].databaseName });
    new CfnOutput(this, 'LakeKeyArn', { value: this.storage.key.keyArn });
    new CfnOutput(this, 'AthenaWorkgroup', { value: this.analytics.workgroup.ref });
    new CfnOutput(this, 'AnalystRoleArn', { value: this.analytics.analystRole.roleArn });
  }
}

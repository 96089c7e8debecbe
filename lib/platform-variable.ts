import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EMR_LOGS_PREFIX, EMR_MANAGED_TAG, EmrRuntime } from '../constructs/emr-runtime';
import type { EnvironmentConfig } from './config';
import type { DataZone } from './datasets';
import { CLUSTER_ENVIRONMENT_TAG, ETL_ENTRY_POINT_KEY, ETL_PACKAGE_KEY, ResourceNames } from './naming';

/** The Airflow Variable through which CDK hands the DAGs everything they need (see dags/bdp/platform.py). */
export const PLATFORM_VARIABLE = 'bdp_platform';
/** The placeholder the ETL replaces with each zone, in `lake_root` and `catalog_namespace`. */
const ZONE = '{zone}' as DataZone;

export interface PlatformVariableSources {
  readonly config: EnvironmentConfig;
  readonly names: ResourceNames;
  readonly subnets: readonly ec2.ISubnet[];
  readonly emr: EmrRuntime;
}

/**
 * The one channel from CDK to the DAGs: names, ids and fleet settings, resolved at deploy time
 * and served to Airflow as the Variable `bdp_platform` by MWAA's Secrets Manager backend. The
 * DAGs read it at run time only, never while parsing. Its keys are the contract with
 * dags/bdp/platform.py; a test keeps the two equal.
 */
export function platformVariable({ config, names, subnets, emr }: PlatformVariableSources): Record<string, unknown> {
  // Literal URIs from the deterministic bucket names: readable in the console, no deploy-time lookup.
  const s3 = (bucket: 'logs' | 'artifacts', key: string) => `s3://${names.bucket(bucket)}/${key}`;
  return {
    environment: config.name,
    // Where the DAGs run the Spark steps: a transient EMR cluster. `local` is make local's (dags/bdp/platform.py).
    runtime: 'emr',
    region: config.region,
    release_label: config.emr.releaseLabel,
    log_uri: s3('logs', EMR_LOGS_PREFIX),
    // EMR's logs under the key the security configuration encrypts the clusters' S3 data with (the lake key).
    log_encryption_key_arn: emrS3Key(emr),
    service_role: emr.serviceRole.roleName,
    job_flow_role: emr.instanceProfile.instanceProfileName,
    security_configuration: emr.securityConfiguration.ref,
    subnet_ids: subnets.map((s) => s.subnetId),
    primary_security_group: emr.primarySecurityGroup.securityGroupId,
    core_security_group: emr.coreSecurityGroup.securityGroupId,
    service_access_security_group: emr.serviceAccessSecurityGroup.securityGroupId,
    lake_root: names.lakeRootTemplate,
    catalog_namespace: names.glueDatabase(ZONE),
    dedup_lookback_days: config.etl.dedupLookbackDays,
    etl_entry_point: s3('artifacts', ETL_ENTRY_POINT_KEY),
    etl_package: s3('artifacts', ETL_PACKAGE_KEY),
    primary_instance_types: config.emr.primaryInstanceTypes,
    core_instance_types: config.emr.coreInstanceTypes,
    core_on_demand_units: config.emr.coreOnDemandUnits,
    task_instance_types: config.emr.taskInstanceTypes,
    task_spot_units: config.emr.taskSpotUnits,
    spot_everywhere: config.emr.spotEverywhere,
    idle_timeout_seconds: config.emr.idleTimeoutMinutes * 60,
    alerts_topic_arn: names.alertsTopicArn,
    tags: { ...config.tags, environment: config.name, [CLUSTER_ENVIRONMENT_TAG]: config.name, [EMR_MANAGED_TAG.key]: EMR_MANAGED_TAG.value },
  };
}

/** The KMS key of the security configuration's S3 encryption: the lake key, which EmrRuntime does not expose. */
function emrS3Key(emr: EmrRuntime): string {
  const key: unknown = emr.securityConfiguration.securityConfiguration?.EncryptionConfiguration?.AtRestEncryptionConfiguration?.S3EncryptionConfiguration?.AwsKmsKey;
  if (key === undefined) throw new Error(`${emr.node.path}: the security configuration names no S3 KMS key for EMR's logs`);
  return key as string;
}

import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Dataset, LakeCatalog } from '../lake-catalog';
import { ATHENA_RESULTS_PREFIX, LakeStorage } from '../lake-storage';

export interface AnalyticsWorkgroupProps {
  /** The Athena workgroup's name, e.g. `bdp-dev-analysts`. */
  readonly workgroupName: string;
  /** What the lake is called in descriptions, e.g. `bdp-dev`. */
  readonly lakeName: string;
  readonly storage: LakeStorage;
  readonly catalog: LakeCatalog;
  /** The gold datasets analysts query; each gets a named query. */
  readonly goldDatasets: readonly Dataset[];
  /** A query that would scan more than this is cancelled. */
  readonly bytesScannedCutoffMb: number;
  /**
   * The principal tag (key and value) a principal of this account needs to assume the analyst role.
   * @default DEFAULT_ANALYST_TAG: `bdp:access` = `analyst`
   */
  readonly analystPrincipalTag?: { readonly key: string; readonly value: string };
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

const MEGABYTE = 1024 * 1024;
/** The principal tag that lets a role or SSO session of the account assume the analyst role. */
export const DEFAULT_ANALYST_TAG = { key: 'bdp:access', value: 'analyst' } as const;

/**
 * An Athena workgroup for analysts over the gold zone: results written KMS-encrypted to the lake's
 * results prefix, a per-query scan limit, settings enforced on every query, named queries for the
 * gold tables, and a role that can query gold and nothing else.
 */
export class AnalyticsWorkgroup extends Construct {
  readonly workgroup: athena.CfnWorkGroup;
  readonly analystRole: iam.Role;

  constructor(scope: Construct, id: string, props: AnalyticsWorkgroupProps) {
    super(scope, id);
    const { storage, catalog, workgroupName, lakeName } = props;
    const gold = storage.buckets.gold;

    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: workgroupName,
      description: `Analysts' SQL on the gold zone of ${lakeName}`,
      state: 'ENABLED',
      recursiveDeleteOption: props.removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffMb * MEGABYTE,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: gold.s3UrlForObject(ATHENA_RESULTS_PREFIX),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: storage.key.keyArn },
          expectedBucketOwner: Stack.of(this).account,
        },
      },
    });
    this.workgroup.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);

    // The literal name keeps the query text readable in the console; CreateNamedQuery does not check it.
    const database = catalog.databaseNames.gold;
    for (const dataset of props.goldDatasets) {
      new athena.CfnNamedQuery(this, `${dataset.name}Query`, {
        name: `gold.${dataset.name}: last 7 days`,
        description: dataset.description,
        database,
        workGroup: this.workgroup.ref,
        queryString: [
          `SELECT ${dataset.columns.map((c) => `"${c.name}"`).join(', ')}, dt`,
          `FROM "${database}"."${dataset.name}"`,
          `WHERE dt >= date_format(current_date - interval '7' day, '%Y-%m-%d')`,
          'ORDER BY dt DESC',
          'LIMIT 1000',
        ].join('\n'),
      });
    }

    // Not the whole account: only this account's principals that carry the analyst tag (an SSO
    // permission set's session tag, or a tag on an engineer's role) may become an analyst.
    const { key: tagKey, value: tagValue } = props.analystPrincipalTag ?? DEFAULT_ANALYST_TAG;
    this.analystRole = new iam.Role(this, 'AnalystRole', {
      assumedBy: new iam.AccountPrincipal(Stack.of(this).account).withConditions({ StringEquals: { [`aws:PrincipalTag/${tagKey}`]: tagValue } }),
      description: `Query the gold zone of ${lakeName} with Athena, read-only`,
    });
    Validations.of(this.analystRole).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: "The analyst role's inline policy is generated from the lake's grants and lives and dies with the role, so it cannot be attached to anything else by mistake.",
    });
    storage.grantRead(this.analystRole, 'gold');
    storage.grantWrite(this.analystRole, 'gold', ATHENA_RESULTS_PREFIX);
    catalog.grantReadMetadata(this.analystRole, 'gold');
    const { region, account, partition } = Stack.of(this);
    this.analystRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:StopQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:GetQueryResultsStream',
          'athena:ListQueryExecutions',
          'athena:GetWorkGroup',
          'athena:ListNamedQueries',
          'athena:GetNamedQuery',
          'athena:BatchGetNamedQuery',
        ],
        resources: [`arn:${partition}:athena:${region}:${account}:workgroup/${workgroupName}`],
      }),
    );
  }
}

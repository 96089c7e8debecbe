import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EncryptedLogs } from '../../constructs/encrypted-logs';
import { EventStream, RealtimeViews } from '../../constructs/fast-layer';
import { ViewsApi } from '../../constructs/views-api';
import { ResourceNames } from '../naming';
import { PlatformStack, PlatformStackProps } from '../platform-stack';
import type { LakeStack } from './lake-stack';
import type { NetworkStack } from './network-stack';

export interface FastLayerStackProps extends PlatformStackProps {
  /** Where the stream is archived: the bronze bucket and the bronze.events table. */
  readonly lake: LakeStack;
  /** Its `execute-api` interface endpoint is the only way in to the views API. */
  readonly network: NetworkStack;
}

/** The fast layer: events in through Kinesis, archived to bronze by Firehose, counted live in DynamoDB. */
export class FastLayerStack extends PlatformStack {
  /** Encrypts the stream, the views table, the dead-letter queue and the alarm topic. */
  readonly key: kms.Key;
  readonly events: EventStream;
  readonly views: RealtimeViews;
  /** Reads the views over HTTPS: private to the VPC's execute-api endpoint, SigV4-signed callers of this account only. */
  readonly viewsApi: ViewsApi;

  constructor(scope: Construct, id: string, props: FastLayerStackProps) {
    super(scope, id, props);
    const { streaming, production } = this.config;
    const names = new ResourceNames(this.config);
    const { prefix } = names;
    // Disposable environments (lake.removalPolicy 'destroy', never production) drop their fast layer too.
    const removalPolicy = this.config.lake.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // The fast layer's own key, not the lake's: producers get GenerateDataKey on it without any
    // right on the lake's data, and it can be rotated or revoked without touching the lake.
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${prefix}-fast-layer`,
      description: `Encrypts the ${prefix} event stream, real-time views, dead-letter queue and alarms`,
      enableKeyRotation: true,
      removalPolicy,
    });
    const logs = new EncryptedLogs(this, 'FastLayerLogs', { purpose: 'fast-layer (Firehose delivery, views consumer and views API)', removalPolicy });

    this.events = new EventStream(this, 'Events', {
      streamName: `${prefix}-events`,
      deliveryStreamName: `${prefix}-events-to-bronze`,
      encryptionKey: this.key,
      shardCount: streaming.mode === 'PROVISIONED' ? streaming.shardCount : undefined,
      retention: Duration.hours(streaming.retentionHours),
      storage: props.lake.storage,
      table: props.lake.catalog.tables.get('bronze.events') ?? missing('bronze.events'),
      logs,
      removalPolicy,
    });

    this.views = new RealtimeViews(this, 'Views', {
      tableName: `${prefix}-realtime-views`,
      deadLetterQueueName: `${prefix}-realtime-views-dlq`,
      events: this.events,
      encryptionKey: this.key,
      logs,
      deletionProtection: production,
      // The platform's alerts topic, by its literal ARN: the monitoring stack that owns it reads
      // this stack's metrics, so a reference back would make the two depend on each other.
      alarmTopic: sns.Topic.fromTopicArn(this, 'AlertsTopic', names.alertsTopicArn),
      removalPolicy,
    });

    this.viewsApi = new ViewsApi(this, 'ViewsApi', {
      apiName: `${prefix}-views-api`,
      table: this.views.table,
      tableKey: this.key,
      logs,
      allowedVpcEndpoints: [props.network.network.interfaceEndpoints.get('execute-api') ?? noExecuteApiEndpoint(this.config.name)],
      removalPolicy,
    });

    new CfnOutput(this, 'StreamName', { value: this.events.stream.streamName, description: 'For bin/produce-events.ts --stream' });
    new CfnOutput(this, 'DeliveryStreamName', { value: this.events.delivery.deliveryStreamName });
    new CfnOutput(this, 'ViewsTableName', { value: this.views.table.tableName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.views.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'ViewsApiUrl', { value: this.viewsApi.url, description: 'Private: over the Client VPN or from the VPC. For `platform views` and curl --aws-sigv4 (docs/views-api.md)' });
  }
}

function noExecuteApiEndpoint(environment: string): never {
  throw new Error(`FastLayerStack (${environment}): the views API is private, but network.interfaceEndpoints has no 'execute-api'; add it in lib/config`);
}

function missing(table: string): never {
  throw new Error(`FastLayerStack: the lake catalogues no ${table} table; declare it in etl/bdp_etl/datasets.json`);
}

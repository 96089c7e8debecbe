import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { EventStream, RealtimeViews } from '../constructs/fast-layer';
import type { ViewsApi } from '../constructs/views-api';
import type { SignalSection } from '../constructs/platform-monitoring';

/**
 * The failure signals of each platform component, with thresholds and what to do. Kept apart
 * from the monitoring construct so that each reads as a runbook line and can be tested alone.
 */

const FIVE_MINUTES = Duration.minutes(5);
const metric = (namespace: string, metricName: string, dimensionsMap: Record<string, string>, statistic: string) =>
  new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic, period: FIVE_MINUTES });
/** A CloudWatch Metrics Insights query: matches a metric whatever other dimensions it carries. */
const query = (label: string, expression: string) => new cloudwatch.MathExpression({ label, expression, usingMetrics: {}, period: FIVE_MINUTES });

export function airflowSignals(environmentName: string): SignalSection {
  const mwaa = (metricName: string, fn: string, statistic: string) => metric('AmazonMWAA', metricName, { Function: fn, Environment: environmentName }, statistic);
  return {
    title: 'Airflow',
    signals: [
      {
        name: 'failed-tasks',
        metric: query('Failed task instances', `SELECT SUM(TaskInstanceFailures) FROM "AmazonMWAA" WHERE Environment = '${environmentName}'`),
        threshold: 0,
        description: 'A task failed (the failed DAG run also notifies this topic). Open the run in the Airflow UI over the VPN; EMR step logs are in the logs bucket under emr-logs/.',
      },
      {
        name: 'scheduler-heartbeat',
        metric: mwaa('SchedulerHeartbeat', 'Scheduler', 'SampleCount'),
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        // No heartbeat at all is exactly the failure this alarm exists for.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        description: 'The Airflow scheduler has not reported a heartbeat for 15 minutes: DAGs are not being scheduled. Check the MWAA environment status and scheduler logs.',
      },
      {
        name: 'queued-tasks',
        metric: mwaa('QueuedTasks', 'Executor', 'Maximum'),
        threshold: 10,
        evaluationPeriods: 3,
        description: 'Tasks have waited in the queue for 15 minutes: workers are saturated. Raise mwaa.maxWorkers or look for stuck tasks.',
      },
    ],
  };
}

export function emrSignals(maxConcurrentClusters: number): SignalSection {
  return {
    title: 'EMR',
    signals: [
      {
        name: 'running-clusters',
        metric: query('Running clusters', 'SELECT COUNT(IsIdle) FROM "AWS/ElasticMapReduce"'),
        threshold: maxConcurrentClusters,
        evaluationPeriods: 3,
        description: 'More EMR clusters than the pipeline ever runs at once: a cluster leaked. The reaper DAG terminates tagged clusters past their age; `npx tsx bin/platform.ts clusters` lists them.',
      },
      {
        name: 'idle-clusters',
        metric: query('Idle clusters', 'SELECT SUM(IsIdle) FROM "AWS/ElasticMapReduce"'),
        threshold: 0,
        evaluationPeriods: 6,
        description: 'A cluster has been idle for 30 minutes and is costing money; its auto-termination idle timeout should end it. Check the DAG run that created it.',
      },
    ],
  };
}

export function natSignals(natGateways: readonly ec2.CfnNatGateway[]): SignalSection {
  const nat = (gateway: ec2.CfnNatGateway, metricName: string, statistic: string) => metric('AWS/NATGateway', metricName, { NatGatewayId: gateway.ref }, statistic);
  return {
    title: 'NAT',
    signals: natGateways.flatMap((gateway, i) => [
      {
        name: `port-allocation-errors-${i + 1}`,
        metric: nat(gateway, 'ErrorPortAllocation', 'Sum'),
        threshold: 0,
        description: 'The NAT gateway ran out of source ports: connections from private subnets fail. Add interface endpoints for the busiest AWS services or spread traffic across AZs.',
      },
      {
        name: `dropped-packets-${i + 1}`,
        metric: nat(gateway, 'PacketsDropCount', 'Sum'),
        threshold: 1000,
        evaluationPeriods: 2,
        description: 'The NAT gateway is dropping packets; check the AWS Health dashboard and the flow logs.',
      },
    ]),
    context: natGateways.map((gateway) => nat(gateway, 'BytesOutToDestination', 'Sum')),
  };
}

/** NAT instances (network.natProvider 'instance'): each is its AZ's only way out to the internet. */
export function natInstanceSignals(instances: readonly ec2.Instance[]): SignalSection {
  const ec2Metric = (instance: ec2.Instance, metricName: string, statistic: string) => metric('AWS/EC2', metricName, { InstanceId: instance.instanceId }, statistic);
  return {
    title: 'NAT',
    signals: instances.map((instance, i) => ({
      name: `nat-instance-status-${i + 1}`,
      metric: ec2Metric(instance, 'StatusCheckFailed', 'Maximum'),
      threshold: 0,
      evaluationPeriods: 2,
      // A stopped or terminated instance reports nothing: that is the outage itself.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      description: 'The NAT instance fails its status checks or reports nothing: private subnets have no internet egress (S3 and DynamoDB still work). EC2 recovers it on a host fault; otherwise reboot it, or redeploy the Network stack to replace it.',
    })),
    context: instances.map((instance) => ec2Metric(instance, 'NetworkOut', 'Sum')),
  };
}

export function vpnSignals(endpointId: string): SignalSection {
  const vpn = (metricName: string, statistic: string) => metric('AWS/ClientVPN', metricName, { Endpoint: endpointId }, statistic);
  return {
    title: 'VPN',
    signals: [
      {
        name: 'authentication-failures',
        metric: vpn('AuthenticationFailures', 'Sum'),
        threshold: 5,
        description: 'Repeated failed VPN logins: a revoked or expired client certificate, or someone probing. The connection log group names the client.',
      },
    ],
    context: [vpn('ActiveConnectionsCount', 'Maximum')],
  };
}

export function fastLayerSignals(events: EventStream, views: RealtimeViews): SignalSection {
  const firehose = (metricName: string, statistic: string) =>
    metric('AWS/Firehose', metricName, { DeliveryStreamName: events.delivery.deliveryStreamName }, statistic);
  const dynamodb = (metricName: string, statistic: string) => metric('AWS/DynamoDB', metricName, { TableName: views.table.tableName }, statistic);
  return {
    title: 'Fast layer',
    signals: [
      {
        name: 'stream-iterator-age',
        metric: events.stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: FIVE_MINUTES }),
        threshold: Duration.minutes(10).toMilliseconds(),
        evaluationPeriods: 3,
        description: "A reader of the event stream (Firehose or the views consumer) is 10 minutes behind: records risk expiring at the stream's retention. Check the consumer's errors and Firehose's delivery.",
      },
      {
        name: 'stream-write-throttles',
        metric: events.stream.metricPutRecordsThrottledRecords({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 0,
        evaluationPeriods: 3,
        description: 'Producers are being throttled (the producer retries them): add shards or switch streaming.mode to ON_DEMAND.',
      },
      {
        name: 'firehose-freshness',
        metric: firehose('DeliveryToS3.DataFreshness', 'Maximum'),
        threshold: Duration.minutes(30).toSeconds(),
        description: 'The oldest record waiting in Firehose is 30 minutes old (buffers flush every 5): delivery to bronze is failing. Its error log group and firehose-errors/ in bronze say why.',
      },
      {
        name: 'firehose-conversion-failures',
        metric: firehose('FailedConversion.Records', 'Sum'),
        threshold: 0,
        description: 'Records failed the Parquet conversion against bronze.events and went to firehose-errors/ in bronze: a producer sends something the declared schema cannot hold.',
      },
      {
        name: 'consumer-errors',
        metric: views.consumer.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 0,
        description: 'The views consumer failed invocations (batches are retried, bisected, then sent to the dead-letter queue). Its log group has the error.',
      },
      {
        name: 'views-throttles',
        metric: dynamodb('WriteThrottleEvents', 'Sum'),
        threshold: 0,
        evaluationPeriods: 2,
        description: 'Writes to the real-time views table are throttled: the consumer retries, the views lag. Check for a hot key.',
      },
    ],
    context: [
      events.stream.metricIncomingRecords({ statistic: 'Sum', period: FIVE_MINUTES }),
      views.consumer.metricDuration({ statistic: 'p99', period: FIVE_MINUTES }),
      dynamodb('ConsumedWriteCapacityUnits', 'Sum'),
    ],
    existingAlarms: [views.deadLetterAlarm, views.lagAlarm],
  };
}

/** The views API's stage: server errors and latency alarm; traffic, client errors and DynamoDB's share are context. */
export function viewsApiSignals(viewsApi: ViewsApi): SignalSection {
  const api = viewsApi.api;
  // Literal names: the monitoring stack then needs no export from the fast-layer stack.
  const dimensions = { ApiName: api.restApiName, Stage: viewsApi.stageName };
  const apiMetric = (metricName: string, statistic: string) => metric('AWS/ApiGateway', metricName, dimensions, statistic);
  return {
    title: 'Views API',
    signals: [
      {
        name: 'api-5xx',
        metric: apiMetric('5XXError', 'Sum'),
        threshold: 0,
        description: "The views API answered 5xx: the integration role, the table's key or the table failed. Its access log (integrationError) names the cause per requestId; GET /health checks the table.",
      },
      {
        name: 'api-latency-p99',
        metric: apiMetric('Latency', 'p99'),
        threshold: 1000,
        evaluationPeriods: 3,
        description: "The views API's p99 latency has been over 1 s for 15 minutes; compare IntegrationLatency (DynamoDB's share) on this row and look for throttled reads on the views table.",
      },
    ],
    context: [apiMetric('Count', 'Sum'), apiMetric('4XXError', 'Sum'), apiMetric('IntegrationLatency', 'p99')],
  };
}

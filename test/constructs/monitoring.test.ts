import { Match } from 'aws-cdk-lib/assertions';
import { synthPlatform, templateOf } from '../harness/platform';
import { ResourceNames } from '../../lib/naming';

const platform = synthPlatform();

describe.each([...platform.stages.keys()])('%s monitoring', (env) => {
  const stage = platform.stages.get(env)!;
  const { config } = stage;
  const template = templateOf(stage.monitoring);
  const topicArn = `arn:aws:sns:${config.region}:${config.account}:bdp-${env}-alerts`;
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const alarmNamed = (suffix: string) => alarms.find((a) => a.AlarmName === `bdp-${env}-${suffix}`);

  test('an alerts topic with its own rotating key, TLS-only, e-mail subscriptions that keep undeliverable messages', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: `bdp-${env}-alerts`, KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    for (const email of config.alerts.emails) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, RedrivePolicy: { deadLetterTargetArn: Match.anyValue() } });
    }
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue(), MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  test("AWS Budgets may publish to the topic, for this account's budget only", () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'budgets.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': config.account }, ArnLike: { 'aws:SourceArn': [`arn:aws:budgets::${config.account}:budget/${new ResourceNames(config).monthlyBudget}`] } },
          }),
        ]),
      },
    });
  });

  test('every alarm notifies the alerts topic when it fires and when it recovers', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlertsTopic/) }]);
      expect(alarm.OKActions).toEqual(alarm.AlarmActions);
      expect(alarm.AlarmDescription.length).toBeGreaterThan(40);
    }
  });

  test('Airflow: failed tasks, a silent scheduler (missing data breaches) and a long queue', () => {
    expect(alarmNamed('airflow-failed-tasks')!.Metrics[0].Expression).toBe(`SELECT SUM(TaskInstanceFailures) FROM "AmazonMWAA" WHERE Environment = 'bdp-${env}'`);
    expect(alarmNamed('airflow-scheduler-heartbeat')).toMatchObject({
      MetricName: 'SchedulerHeartbeat',
      Namespace: 'AmazonMWAA',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Dimensions: expect.arrayContaining([{ Name: 'Environment', Value: `bdp-${env}` }]),
    });
    expect(alarmNamed('airflow-queued-tasks')).toMatchObject({ MetricName: 'QueuedTasks', EvaluationPeriods: 3 });
  });

  test('EMR: leaked and idle clusters', () => {
    expect(alarmNamed('emr-running-clusters')).toMatchObject({ Threshold: 2, Metrics: [expect.objectContaining({ Expression: 'SELECT COUNT(IsIdle) FROM "AWS/ElasticMapReduce"' })] });
    expect(alarmNamed('emr-idle-clusters')).toMatchObject({ EvaluationPeriods: 6 });
  });

  const gateways = config.network.natProvider === 'gateway' ? config.network.natGateways : 0;
  const natInstances = config.network.natProvider === 'instance' ? config.network.natGateways : 0;
  test('NAT: port allocation errors and drops per gateway, failed status checks per NAT instance', () => {
    const nat = alarms.filter((a) => a.Namespace === 'AWS/NATGateway');
    expect(nat).toHaveLength(2 * gateways);
    expect(nat.filter((a) => a.MetricName === 'ErrorPortAllocation').every((a) => a.Threshold === 0)).toBe(true);
    const instances = alarms.filter((a) => a.Namespace === 'AWS/EC2');
    expect(instances).toHaveLength(natInstances);
    for (const alarm of instances) expect(alarm).toMatchObject({ MetricName: 'StatusCheckFailed', Threshold: 0, TreatMissingData: 'breaching' });
  });

  test('VPN: repeated authentication failures on this endpoint', () => {
    expect(alarmNamed('vpn-authentication-failures')).toMatchObject({ Namespace: 'AWS/ClientVPN', Dimensions: [{ Name: 'Endpoint', Value: expect.anything() }] });
  });

  test('fast layer: stream lag and throttles, Firehose freshness and conversion failures, consumer errors, view throttles', () => {
    expect(alarmNamed('fast-layer-stream-iterator-age')).toMatchObject({ MetricName: 'GetRecords.IteratorAgeMilliseconds', Namespace: 'AWS/Kinesis', Threshold: 600000 });
    expect(alarmNamed('fast-layer-firehose-freshness')).toMatchObject({ MetricName: 'DeliveryToS3.DataFreshness', Threshold: 1800 });
    expect(alarmNamed('fast-layer-firehose-conversion-failures')).toMatchObject({ MetricName: 'FailedConversion.Records', Threshold: 0 });
    expect(alarmNamed('fast-layer-consumer-errors')).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda' });
    expect(alarmNamed('fast-layer-views-throttles')).toMatchObject({ MetricName: 'WriteThrottleEvents', Namespace: 'AWS/DynamoDB' });
  });

  test("the fast layer's own dead-letter and lag alarms notify the same alerts topic", () => {
    const fastLayer = Object.values(templateOf(stage.fastLayer).findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(fastLayer.length).toBeGreaterThanOrEqual(2);
    for (const alarm of fastLayer) expect(alarm.AlarmActions).toEqual([topicArn]);
  });

  test('a dashboard named for the environment with a row per component', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard.Properties.DashboardName).toBe(`bdp-${env}`);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const row of ['Airflow', 'EMR', 'Fast layer', 'NAT', 'VPN']) expect(body).toContain(`## ${row}`);
  });

  test('a monthly cost budget in us-east-1 alerting the topic on 80 % actual and 100 % forecast', () => {
    expect(stage.budget.region).toBe('us-east-1');
    templateOf(stage.budget).hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetName: `bdp-${env}-monthly`, BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: config.alerts.monthlyBudgetUsd, Unit: 'USD' } },
      NotificationsWithSubscribers: [
        { Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' }, Subscribers: [{ SubscriptionType: 'SNS', Address: topicArn }] },
        { Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' }, Subscribers: [{ SubscriptionType: 'SNS', Address: topicArn }] },
      ],
    });
  });
});

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SignalSection } from './signal';

export interface PlatformMonitoringProps {
  /** Prefix of the dashboard, alarm and budget names, e.g. `bdp-dev`. */
  readonly namePrefix: string;
  readonly sections: readonly SignalSection[];
  /** Alarms (and their recoveries) go here. */
  readonly alertsTopic: sns.ITopic;
}

/**
 * A dashboard per environment with a row per platform component, and an alarm to the alerts
 * topic for every failure signal.
 */
export class PlatformMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: PlatformMonitoringProps) {
    super(scope, id);
    const action = new actions.SnsAction(props.alertsTopic);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.namePrefix, defaultInterval: Duration.hours(24) });

    const alarms: cloudwatch.Alarm[] = [];
    for (const section of props.sections) {
      const sectionAlarms = section.signals.map((signal) => {
        const alarm = new cloudwatch.Alarm(this, `${section.title}-${signal.name}`.replace(/[^A-Za-z0-9-]/g, ''), {
          alarmName: `${props.namePrefix}-${section.title}-${signal.name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-'),
          alarmDescription: signal.description,
          metric: signal.metric,
          threshold: signal.threshold,
          comparisonOperator: signal.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: signal.evaluationPeriods ?? 1,
          treatMissingData: signal.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
        return alarm;
      });
      alarms.push(...sectionAlarms);
      this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${section.title}`, width: 24, height: 1 }));
      this.dashboard.addWidgets(
        ...sectionAlarms.map((alarm, i) => new cloudwatch.AlarmWidget({ title: section.signals[i].name, alarm, width: 6, height: 5 })),
        ...(section.existingAlarms ?? []).map((alarm) => new cloudwatch.AlarmWidget({ title: alarm.node.id, alarm, width: 6, height: 5 })),
        ...(section.context ?? []).map((metric) => new cloudwatch.GraphWidget({ title: metricTitle(metric), left: [metric], width: 6, height: 5 })),
      );
    }
    this.alarms = alarms;
  }
}

function metricTitle(metric: cloudwatch.IMetric): string {
  const config = metric.toMetricConfig();
  return config.metricStat?.metricName ?? config.mathExpression?.expression ?? 'metric';
}

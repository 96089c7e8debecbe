import { CfnOutput } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlertsTopic } from '../../constructs/alerts-topic';
import { ResourceNames } from '../naming';
import { PlatformStack, PlatformStackProps } from '../platform-stack';

/** What operators watch: the alerts topic that alarms and failed pipeline runs publish to. */
export class MonitoringStack extends PlatformStack {
  readonly alerts: AlertsTopic;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const names = new ResourceNames(this.config);
    this.alerts = new AlertsTopic(this, 'Alerts', { topicName: names.alertsTopic, emails: this.config.alerts.emails });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topic.topicArn });
  }
}

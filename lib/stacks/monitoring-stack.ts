import { CfnOutput } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlertsTopic } from '../../constructs/alerts-topic';
import { PlatformMonitoring, SignalSection } from '../../constructs/platform-monitoring';
import { airflowSignals, emrSignals, fastLayerSignals, natInstanceSignals, natSignals, viewsApiSignals, vpnSignals } from '../monitoring-signals';
import { ResourceNames } from '../naming';
import { PlatformStack, PlatformStackProps } from '../platform-stack';
import type { FastLayerStack } from './fast-layer-stack';
import type { NetworkStack } from './network-stack';

export interface MonitoringStackProps extends PlatformStackProps {
  readonly network: NetworkStack;
  readonly fastLayer: FastLayerStack;
}

/** The pipeline runs one cluster at a time; the reaper may briefly see one more. */
const MAX_CONCURRENT_CLUSTERS = 2;

/** What operators watch: the alerts topic, and a dashboard and alarms per component. */
export class MonitoringStack extends PlatformStack {
  readonly alerts: AlertsTopic;
  readonly monitoring: PlatformMonitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const names = new ResourceNames(this.config);
    this.alerts = new AlertsTopic(this, 'Alerts', {
      topicName: names.alertsTopic,
      keyAlias: names.alertsKeyAlias,
      emails: this.config.alerts.emails,
      budgetNames: [names.monthlyBudget],
    });

    const { network, clientVpn } = props.network;
    const { events, views } = props.fastLayer;
    const sections: SignalSection[] = [airflowSignals(names.mwaaEnvironment), emrSignals(MAX_CONCURRENT_CLUSTERS), fastLayerSignals(events, views), viewsApiSignals(props.fastLayer.viewsApi)];
    if (network.natGateways.length > 0) sections.push(natSignals(network.natGateways));
    if (network.natInstances.length > 0) sections.push(natInstanceSignals(network.natInstances));
    if (clientVpn) sections.push(vpnSignals(clientVpn.endpoint.endpointId));

    this.monitoring = new PlatformMonitoring(this, 'Monitoring', {
      namePrefix: names.prefix,
      sections,
      alertsTopic: this.alerts.topic,
    });

    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: names.prefix });
  }
}

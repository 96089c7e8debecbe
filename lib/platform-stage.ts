import { Stage, StageProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';
import { stageId } from './naming';
import { BudgetStack } from './stacks/budget-stack';
import { DeliveryStack } from './stacks/delivery-stack';
import { FastLayerStack } from './stacks/fast-layer-stack';
import { LakeStack } from './stacks/lake-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { NetworkStack } from './stacks/network-stack';
import { OrchestrationStack } from './stacks/orchestration-stack';

export interface PlatformStageProps extends StageProps {
  readonly config: EnvironmentConfig;
}

export { stageId };

/** One environment of the platform. It reads like the architecture diagram. */
export class PlatformStage extends Stage {
  readonly config: EnvironmentConfig;
  readonly network: NetworkStack;
  readonly lake: LakeStack;
  readonly orchestration: OrchestrationStack;
  readonly fastLayer: FastLayerStack;
  readonly monitoring: MonitoringStack;
  readonly budget: BudgetStack;
  readonly delivery: DeliveryStack;

  constructor(scope: Construct, id: string, props: PlatformStageProps) {
    const { config } = props;
    super(scope, id, { ...props, env: { account: config.account, region: config.region } });
    this.config = config;
    for (const [key, value] of Object.entries({ ...config.tags, environment: config.name })) Tags.of(this).add(key, value);

    this.network = new NetworkStack(this, 'Network', { config, description: `big-data-platform ${config.name}: VPC, endpoints, flow logs and Client VPN` });
    this.lake = new LakeStack(this, 'Lake', { config, description: `big-data-platform ${config.name}: lake buckets, KMS, Glue catalog and Athena` });
    this.orchestration = new OrchestrationStack(this, 'Orchestration', {
      config,
      network: this.network,
      lake: this.lake,
      description: `big-data-platform ${config.name}: private MWAA and the EMR runtime its DAGs use`,
    });
    this.fastLayer = new FastLayerStack(this, 'FastLayer', {
      config,
      lake: this.lake,
      network: this.network,
      description: `big-data-platform ${config.name}: Kinesis stream, Firehose to bronze, real-time views in DynamoDB and the private views API`,
    });
    this.monitoring = new MonitoringStack(this, 'Monitoring', {
      config,
      network: this.network,
      fastLayer: this.fastLayer,
      description: `big-data-platform ${config.name}: alerts topic, dashboard and alarms`,
    });
    this.budget = new BudgetStack(this, 'Budget', { config, description: `big-data-platform ${config.name}: monthly cost budget (us-east-1)` });
    // The budget notifies the alerts topic by its literal ARN: the topic (and its policy) must exist first.
    this.budget.addStackDependency(this.monitoring);
    this.delivery = new DeliveryStack(this, 'Delivery', { config, description: `big-data-platform ${config.name}: GitHub OIDC provider and delivery roles` });
  }
}

import { Aspects, CfnResource, DefaultStackSynthesizer, IAspect, Stack, StackProps } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import type { EnvironmentConfig } from './config';

export interface PlatformStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /**
   * For the few resources CloudFormation manages in one region only (AWS Budgets).
   * @default the environment's region
   */
  readonly region?: string;
}

/**
 * A stack pinned to one environment's account, region, availability zones and CDK bootstrap
 * qualifier. The explicit AZs replace CDK's context lookup, so synthesis never calls AWS.
 */
export class PlatformStack extends Stack {
  readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, {
      ...props,
      env: { account: props.config.account, region: props.region ?? props.config.region },
      terminationProtection: props.config.production,
      // Each environment deploys through its own bootstrap roles, even when it shares an account.
      synthesizer: new DefaultStackSynthesizer({ qualifier: props.config.delivery.bootstrapQualifier }),
    });
    this.config = props.config;
    Aspects.of(this).add(new DropRedundantProviderDependsOn());
  }

  override get availabilityZones(): string[] {
    return this.region === this.config.region ? [...this.config.availabilityZones] : [];
  }
}

/**
 * CDK's custom-resource providers (default security group restriction, bucket auto-delete) give
 * their Lambda handler both a `GetAtt` of its role and an explicit `DependsOn` on it. cfn-lint
 * rightly warns (W3005) that the second is redundant; removing it changes nothing in the deploy order.
 */
class DropRedundantProviderDependsOn implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function' || node.node.id !== 'Handler') return;
    const role = node.node.scope?.node.tryFindChild('Role');
    if (role instanceof CfnResource && node.obtainDependencies().includes(role)) node.removeResourceDependency(role);
  }
}

import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';

export interface PlatformStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * A stack pinned to one environment's account, region and availability zones. The explicit AZs
 * replace CDK's context lookup, so synthesis never calls AWS.
 */
export class PlatformStack extends Stack {
  readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, {
      ...props,
      env: { account: props.config.account, region: props.config.region },
      terminationProtection: props.config.production,
    });
    this.config = props.config;
  }

  override get availabilityZones(): string[] {
    return [...this.config.availabilityZones];
  }
}

import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EMRClient } from '@aws-sdk/client-emr';
import { MWAAClient } from '@aws-sdk/client-mwaa';
import type { EnvironmentConfig } from '../lib/config';
import type { Fetch } from './airflow-cli';
import type { Progress } from './progress';

/** The AWS clients of one environment's account and region. */
export interface OpsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly mwaa: MWAAClient;
  readonly emr: EMRClient;
  readonly ec2: EC2Client;
}

/** Credentials come from the default chain (AWS_PROFILE, SSO, environment); the region from lib/config. */
export function createClients(region: string): OpsClients {
  return { cloudFormation: new CloudFormationClient({ region }), mwaa: new MWAAClient({ region }), emr: new EMRClient({ region }), ec2: new EC2Client({ region }) };
}

/** Everything a command touches outside itself, injected so tests can stand in for AWS and the terminal. */
export interface OpsContext {
  readonly config: EnvironmentConfig;
  readonly clients: OpsClients;
  readonly fetch: Fetch;
  readonly progress: Progress;
  readonly now: () => Date;
  /** A line of the command's result, to stdout. */
  readonly print: (text: string) => void;
}

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { EnvironmentConfig } from '../lib/config';
import { stageId } from '../lib/platform-stage';
import { ExitCode, OpsError } from './errors';

/**
 * Names of deployed resources come from the stacks' outputs, never typed by hand. The stack ids
 * are those of lib/platform-stage.ts (a test keeps them equal), and CDK names a Stage's stack
 * `<Stage>-<id>`, e.g. `Dev-Orchestration`.
 */
export const PLATFORM_STACKS = { network: 'Network', orchestration: 'Orchestration', fastLayer: 'FastLayer' } as const;
export type PlatformStackId = (typeof PLATFORM_STACKS)[keyof typeof PLATFORM_STACKS];

/** The outputs the ops CLI reads, by stack (lib/stacks/*.ts declare them). */
export const STACK_OUTPUTS = {
  mwaaEnvironmentName: { stack: PLATFORM_STACKS.orchestration, output: 'MwaaEnvironmentName' },
  clientVpnEndpointId: { stack: PLATFORM_STACKS.network, output: 'ClientVpnEndpointId' },
  privateSubnetIds: { stack: PLATFORM_STACKS.network, output: 'PrivateSubnetIds' },
  viewsApiUrl: { stack: PLATFORM_STACKS.fastLayer, output: 'ViewsApiUrl' },
} as const;
export type StackOutput = keyof typeof STACK_OUTPUTS;

export const deployedStackName = (environment: string, stack: PlatformStackId): string => `${stageId(environment)}-${stack}`;

/** Statuses in which a stack's outputs are those of a finished deployment. */
const USABLE_STATUSES = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

/**
 * One output of one of the environment's deployed stacks. Fails with NotFound when the stack is
 * not deployed or lacks the output, and with Credentials when the caller's account is not the
 * environment's (the stack id's ARN carries the account).
 */
export async function resolveOutput(cloudFormation: CloudFormationClient, config: EnvironmentConfig, name: StackOutput): Promise<string> {
  const { stack, output } = STACK_OUTPUTS[name];
  const stackName = deployedStackName(config.name, stack);
  let described;
  try {
    described = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message)) described = undefined;
    else throw error;
  }
  if (!described) {
    throw new OpsError(`Stack ${stackName} is not deployed in account ${config.account} (${config.region}). Deploy it with \`npx cdk deploy '${stageId(config.name)}/${stack}'\`.`, ExitCode.NotFound);
  }
  const account = described.StackId?.split(':')[4];
  if (account && account !== config.account) {
    throw new OpsError(`Your credentials are for account ${account}, but environment '${config.name}' is account ${config.account} (lib/config/environments.ts). Use the profile of ${config.account}.`, ExitCode.Credentials);
  }
  if (!USABLE_STATUSES.has(described.StackStatus ?? '')) {
    throw new OpsError(`Stack ${stackName} is ${described.StackStatus}; its outputs are not usable until a deployment completes.`, ExitCode.NotFound);
  }
  const value = described.Outputs?.find((o) => o.OutputKey === output)?.OutputValue;
  if (!value) throw new OpsError(`Stack ${stackName} has no output ${output}; deploy the current version of the app.`, ExitCode.NotFound);
  return value;
}

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EMRClient } from '@aws-sdk/client-emr';
import { CreateCliTokenCommand, GetEnvironmentCommand, MWAAClient } from '@aws-sdk/client-mwaa';
import { type AwsCommand, type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { loadEnvironments } from '../../lib/config';
import type { Fetch } from '../../ops/airflow-cli';
import { type CliDependencies, runCli } from '../../ops/cli';

/** Fakes for the ops CLI: mocked AWS clients, a fetch stub, captured stdout and stderr, a fixed clock. */

export const cloudFormation = mockClient(CloudFormationClient);
// @aws-sdk/client-mwaa 3.523.0 (the newest the registry serves here) is typed against an older
// @smithy/types than aws-sdk-client-mock, so its client and commands are cast for the compiler; at
// run time the mock stubs it like any other client.
/* eslint-disable @typescript-eslint/no-explicit-any */
type LooseCommand = new (input: any) => AwsCommand<any, any>;
export const mwaa = mockClient(MWAAClient as never) as unknown as AwsStub<any, any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */
export const MWAA = { CreateCliToken: CreateCliTokenCommand as unknown as LooseCommand, GetEnvironment: GetEnvironmentCommand as unknown as LooseCommand };
export const emr = mockClient(EMRClient);
export const ec2 = mockClient(EC2Client);

export const NOW = new Date('2026-11-22T12:00:00Z');
export const DEV_ACCOUNT = loadEnvironments().find((e) => e.name === 'dev')!.account;

export function resetMocks(): void {
  for (const mock of [cloudFormation, mwaa, emr, ec2]) mock.reset();
}

/** Dev's stacks as deployed, with the given outputs. */
export function deployed(stack: string, outputs: Record<string, string>, account = DEV_ACCOUNT): void {
  const stackName = `Dev-${stack}`;
  cloudFormation.on(DescribeStacksCommand, { StackName: stackName }).resolves({
    Stacks: [
      {
        StackName: stackName,
        StackId: `arn:aws:cloudformation:eu-north-1:${account}:stack/${stackName}/0f1e2d3c`,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-11-01T00:00:00Z'),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
}

/** What the SDK's default credential chain throws when it finds no credentials. */
export const noCredentials = () => Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly files: ReadonlyMap<string, string>;
}

export interface FakeIo {
  readonly fetch?: Fetch;
  readonly files?: Record<string, string>;
}

/** Runs the CLI as bin/platform.ts does, with fakes for everything outside it. */
export async function cli(argv: string[], io: FakeIo = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const written = new Map<string, string>();
  const deps: CliDependencies = {
    environments: loadEnvironments,
    clients: (config) => ({
      cloudFormation: new CloudFormationClient({ region: config.region }),
      mwaa: new MWAAClient({ region: config.region }),
      emr: new EMRClient({ region: config.region }),
      ec2: new EC2Client({ region: config.region }),
    }),
    fetch: io.fetch ?? (() => Promise.reject(new Error('unexpected fetch'))),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    now: () => NOW,
    readFile: async (path) => {
      const text = io.files?.[path];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return text;
    },
    writePrivateFile: async (path, text) => {
      written.set(path, text);
    },
  };
  const code = await runCli(argv, deps);
  return { code, stdout, stderr, files: written };
}

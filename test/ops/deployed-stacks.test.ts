import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DAG } from '../../ops/commands/status';
import { PLATFORM_STACKS, STACK_OUTPUTS, deployedStackName } from '../../ops/deployed-stacks';
import { PlatformStage } from '../../lib/platform-stage';
import { environment } from '../harness/platform';

// The ops CLI looks stacks and outputs up by name; these tests fail when the app renames one.
const stage = new PlatformStage(new App(), 'Dev', { config: environment('dev') });

test.each(Object.values(PLATFORM_STACKS))('stack %s is deployed under the name the CLI looks up', (id) => {
  const stack = stage.node.findChild(id);
  expect(stack).toBeInstanceOf(Stack);
  expect((stack as Stack).stackName).toBe(deployedStackName('dev', id));
});

test.each(Object.entries(STACK_OUTPUTS))('output %s exists in its stack', (_name, { stack, output }) => {
  expect(stage.node.findChild(stack).node.tryFindChild(output)).toBeInstanceOf(CfnOutput);
});

test('the default DAG of `status` is one the pipeline defines', () => {
  expect(readFileSync(join(__dirname, '..', '..', 'dags', 'bdp_pipeline.py'), 'utf8')).toContain(`"${DEFAULT_DAG}"`);
});

import { synthPlatform, templateOf } from './harness/platform';

// Snapshots catch drift that no assertion anticipated; the assertions in test/constructs say
// what must hold. Review a changed snapshot like a `cdk diff`, then `npx jest -u`.
const platform = synthPlatform();

describe.each([...platform.stages.keys()])('%s', (env) => {
  const stage = platform.stages.get(env)!;
  test.each(stage.node.children.filter((c) => 'templateOptions' in c).map((s) => [s.node.id, s] as const))('%s stack', (_id, stack) => {
    expect(templateOf(stack as never).toJSON()).toMatchSnapshot();
  });
});

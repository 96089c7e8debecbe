import { Stack } from 'aws-cdk-lib';
import { ENVIRONMENTS } from '../../../lib/config/environments';
import { CDK_BOOTSTRAP_QUALIFIER, DEPLOY_BOOTSTRAP_ROLES, cdkBootstrapRoleName } from '../../../lib/delivery-names';
import { environment, policyStatements, synthPlatform, templateOf } from '../../harness/platform';

// Issue 11, defect 9: an environment sharing an account deploys through its own bootstrap roles.
const [first] = ENVIRONMENTS;
const qualifier = 'otherq1';
const config = environment(first.name, (c) => ({ ...c, delivery: { ...c.delivery, bootstrapQualifier: qualifier } }));
const stage = synthPlatform([config]).stages.get(config.name)!;
const stacks = stage.node.children.filter((c): c is Stack => c instanceof Stack);

test('every stack of the stage checks the bootstrap version of its own qualifier', () => {
  expect(stacks.length).toBeGreaterThan(0);
  for (const stack of stacks) {
    expect({ stack: stack.stackName, parameter: templateOf(stack).toJSON().Parameters?.BootstrapVersion?.Default }).toEqual({
      stack: stack.stackName,
      parameter: `/cdk-bootstrap/${qualifier}/version`,
    });
  }
});

test('the deploy role may assume exactly the bootstrap roles of that qualifier', () => {
  const assumable = policyStatements(templateOf(stage.delivery), 'DeployRole')
    .filter((s) => s.Action === 'sts:AssumeRole')
    .flatMap((s) => [s.Resource].flat())
    .map((arn) => JSON.stringify(arn));
  for (const kind of DEPLOY_BOOTSTRAP_ROLES) {
    expect(assumable.some((arn) => arn.includes(cdkBootstrapRoleName(kind, config.account, config.region, qualifier)))).toBe(true);
  }
  expect(assumable.join()).not.toContain('hnb659fds');
});

test('without the field an environment uses the qualifier of a plain cdk bootstrap, so its templates do not change', () => {
  expect(environment(first.name, (c) => ({ ...c, delivery: { ...c.delivery, bootstrapQualifier: undefined } })).delivery.bootstrapQualifier).toBe(CDK_BOOTSTRAP_QUALIFIER);
});

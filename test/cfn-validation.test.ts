import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cdkJsonContext } from './harness/platform';

test("cdk.json turns CDK's built-in CloudFormation validation findings into errors", () => {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8'));
  expect(cdkJson.context['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
});

test('with that context, a template CloudFormation would reject fails synthesis', () => {
  const app = new App({ context: cdkJsonContext() });
  new CfnResource(new Stack(app, 'Broken'), 'Queue', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 'not-a-number', NoSuchProperty: 1 } });
  expect(() => app.synth()).toThrow(/VisibilityTimeout: 'not-a-number' is not of type 'integer' \(CloudFormation Validate\)/);
});

import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { nagFindings, synthPlatform } from './harness/platform';

const platform = synthPlatform();

/**
 * Every cdk-nag acknowledgement recorded anywhere in the app, with where it was made. CDK records
 * them as `Annotation::<rule>`; aws-cdk-lib's own CloudFormation-Validate acknowledgements are not ours.
 */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c: Construct) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .filter(([id]) => id.startsWith('Annotation::'))
      .map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^Annotation::/, ''), reason })),
  );
}

test('cdk-nag AwsSolutions, NIST 800-53 R5 and Serverless report no unacknowledged finding in any environment', () => {
  expect(nagFindings(platform.app)).toEqual([]);
});

test('every acknowledgement names a specific rule and says why the risk is accepted', () => {
  const acks = acknowledgements(platform.app);
  expect(acks.length).toBeGreaterThan(0);
  for (const ack of acks) {
    expect(ack.id).toMatch(/^(AwsSolutions|NIST\.800\.53\.R5|Serverless)-[A-Za-z0-9]+(\[.+\])?$/);
    expect(ack.reason.length).toBeGreaterThan(60);
  }
});

test('the harness catches a finding: an unencrypted, unlogged bucket is reported', () => {
  const app = new App();
  new s3.Bucket(new Stack(app, 'Bad'), 'Bucket');
  expect(nagFindings(app).map((f) => f.rule)).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10', 'NIST.800.53.R5-S3BucketLoggingEnabled']));
});

import { Match } from 'aws-cdk-lib/assertions';
import { datasetsIn } from '../../lib/datasets';
import { policyStatements, synthPlatform, templateOf } from '../harness/platform';

const platform = synthPlatform();

describe.each([...platform.stages.keys()])('%s Athena', (env) => {
  const config = platform.stages.get(env)!.config;
  const template = templateOf(platform.stages.get(env)!.lake);
  const goldBucket = template.getResourceId('AWS::S3::Bucket', { Properties: { BucketName: `bdp-${env}-gold-${config.account}-${config.region}` } });

  test('an enforced workgroup writing KMS-encrypted results to the results prefix, with the scan limit from config', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: `bdp-${env}-analysts`,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: config.lake.athenaBytesScannedCutoffMb * 1024 * 1024,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: goldBucket }, '/athena-results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] } },
          ExpectedBucketOwner: config.account,
        },
      },
    });
  });

  test('a named query for every gold table', () => {
    const gold = datasetsIn('gold');
    template.resourceCountIs('AWS::Athena::NamedQuery', gold.length);
    for (const dataset of gold) {
      template.hasResourceProperties('AWS::Athena::NamedQuery', {
        Database: `bdp_${env}_gold`,
        QueryString: Match.stringLikeRegexp(`FROM "bdp_${env}_gold"."${dataset.name}"\\nWHERE dt >= `),
      });
    }
  });

  test('the analyst role reads gold and writes query results, and touches no other bucket', () => {
    const statements = policyStatements(template, 'AnalystRole');
    const text = JSON.stringify(statements);
    for (const other of ['bronze', 'silver', 'artifacts', 'logs']) expect(text).not.toContain(`bdp-${env}-${other}-`);
    const gold = `arn:aws:s3:::bdp-${env}-gold-${config.account}-${config.region}`;
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: `${gold}/*` }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['s3:PutObject']), Resource: `${gold}/athena-results/*` }));
    const writes = statements.filter((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(writes).toHaveLength(1);
    const glue = statements.find((s) => [s.Action].flat().includes('glue:GetTable'));
    expect(JSON.stringify(glue!.Resource)).not.toMatch(/bronze|silver/);
  });
});

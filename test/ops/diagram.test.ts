import { App, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { architectureGraph, platformArchitectureDot, toDot } from '../../ops/diagram';

test('docs/architecture.dot is current (run `make diagram` after changing the architecture)', () => {
  const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'architecture.dot'), 'utf8');
  const current = platformArchitectureDot('dev');
  if (current !== committed) throw new Error('docs/architecture.dot is stale: run `make diagram` and commit docs/architecture.{dot,svg,png}');
});

/** A tiny two-stack app: a lake construct with two buckets, and a job that reads one, writes the other and alerts. */
function tinyStage(): Stage {
  const stage = new Stage(new App(), 'Test', { env: { account: '123456789012', region: 'eu-north-1' } });
  const storage = new Stack(stage, 'Storage');
  class Lake extends Construct {
    readonly raw = new s3.Bucket(this, 'Raw', { bucketName: 'raw-bucket' });
    readonly clean = new s3.Bucket(this, 'Clean');
  }
  const lake = new Lake(storage, 'Lake');
  const topic = new sns.Topic(storage, 'Alerts', { topicName: 'alerts' });
  const compute = new Stack(stage, 'Compute');
  class Job extends Construct {
    constructor(scope: Construct, id: string) {
      super(scope, id);
      const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      // A literal ARN, as the platform writes them, and a token.
      role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::raw-bucket/*'] }));
      lake.clean.grantReadWrite(role);
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    }
  }
  new Job(compute, 'Job');
  return stage;
}

test('groups, nodes and data-flow edges come from the construct tree and the IAM grants', () => {
  const graph = architectureGraph(tinyStage(), 'tiny');
  expect(graph.stacks.map((s) => [s.title, s.groups.map((g) => [g.title, g.subtitle, g.isCluster, g.nodes.map((n) => n.title)])])).toEqual([
    [
      'Storage stack',
      [
        ['Lake', 'Lake', true, ['Raw', 'Clean']],
        ['Alerts', 'sns.Topic', false, ['Alerts']],
      ],
    ],
    ['Compute stack', [['Job', 'Job', false, ['Job']]]],
  ]);
  expect(graph.edges).toEqual([
    { from: 'n_Test_Compute_Job', to: 'n_Test_Storage_Alerts', kind: 'writes' },
    { from: 'n_Test_Compute_Job', to: 'n_Test_Storage_Lake_Clean', kind: 'reads+writes' },
    { from: 'n_Test_Compute_Job', to: 'n_Test_Storage_Lake_Raw', kind: 'reads' },
  ]);
});

test('the DOT draws reads from the store, clusters for multi-resource constructs, and is deterministic', () => {
  const dot = toDot(architectureGraph(tinyStage(), 'tiny'));
  expect(dot).toContain('n_Test_Storage_Lake_Raw -> n_Test_Compute_Job [color="#1f6fb2", penwidth=1.6, label="reads"]');
  expect(dot).toContain('subgraph cluster_n_Test_Storage_Lake {');
  expect(toDot(architectureGraph(tinyStage(), 'tiny'))).toBe(dot);
});

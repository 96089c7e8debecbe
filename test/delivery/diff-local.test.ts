import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnTemplate, Replacement, ReplacementOracle, diffAssemblies, diffTemplates, loadReplacementOracle, readAssemblyTemplates, renderReport } from '../../scripts/template-diff';

/** A small stand-in for the resource specification. */
const REPLACING: Readonly<Record<string, Replacement>> = {
  'AWS::S3::Bucket/BucketName': 'always',
  'AWS::Lambda::Function/FunctionName': 'always',
  'AWS::EC2::Instance/UserData': 'conditional',
};
const oracle: ReplacementOracle = (type, property) => REPLACING[`${type}/${property}`] ?? 'never';

const bucket = (props: Record<string, unknown> = {}, policy?: string) => ({ Type: 'AWS::S3::Bucket', Properties: { Tags: [], ...props }, ...(policy ? { DeletionPolicy: policy } : {}) });
const fn = (props: Record<string, unknown> = {}) => ({ Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler', ...props } });

describe('diffTemplates', () => {
  test('identical templates have no change, whatever the key order', () => {
    const a: CfnTemplate = { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { A: 1, B: { x: 1, y: 2 } } } } };
    const b: CfnTemplate = { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { B: { y: 2, x: 1 }, A: 1 } } } };
    expect(diffTemplates(a, b, oracle)).toEqual([]);
  });

  test('an added resource is harmless; a removed bucket is DESTRUCTIVE, a removed function is not', () => {
    const changes = diffTemplates({ Resources: { Old: bucket(), Fn: fn() } }, { Resources: { New: bucket() } }, oracle);
    expect(changes.map((c) => [c.logicalId, c.kind, c.impact])).toEqual([
      ['Fn', 'removed', 'none'],
      ['New', 'added', 'none'],
      ['Old', 'removed', 'destroy'],
    ]);
  });

  test('a removed bucket that is retained is orphaned, not destroyed', () => {
    expect(diffTemplates({ Resources: { B: bucket({}, 'Retain') } }, { Resources: {} }, oracle)).toEqual([
      expect.objectContaining({ logicalId: 'B', kind: 'removed', impact: 'orphan' }),
    ]);
  });

  test('a replacing property change destroys a stateful resource and replaces a stateless one', () => {
    const changes = diffTemplates(
      { Resources: { B: bucket({ BucketName: 'a' }), F: fn({ FunctionName: 'f' }) } },
      { Resources: { B: bucket({ BucketName: 'b' }), F: fn({ FunctionName: 'g' }) } },
      oracle,
    );
    expect(changes).toEqual([
      { logicalId: 'B', type: 'AWS::S3::Bucket', kind: 'modified', changed: ['BucketName'], replacedBy: ['BucketName'], impact: 'destroy' },
      { logicalId: 'F', type: 'AWS::Lambda::Function', kind: 'modified', changed: ['FunctionName'], replacedBy: ['FunctionName'], impact: 'replace' },
    ]);
  });

  test('an in-place change lists its properties and has no impact', () => {
    expect(diffTemplates({ Resources: { B: bucket({ Tags: [1] }) } }, { Resources: { B: bucket({ Tags: [2] }) } }, oracle)).toEqual([
      { logicalId: 'B', type: 'AWS::S3::Bucket', kind: 'modified', changed: ['Tags'], replacedBy: [], impact: 'none' },
    ]);
  });

  test('a conditional replacement may replace; a changed DeletionPolicy is reported as a change', () => {
    const instance = (userData: string) => ({ Type: 'AWS::EC2::Instance', Properties: { UserData: userData } });
    expect(diffTemplates({ Resources: { I: instance('a') } }, { Resources: { I: instance('b') } }, oracle)[0].impact).toBe('may-replace');
    expect(diffTemplates({ Resources: { B: bucket({}, 'Retain') } }, { Resources: { B: bucket({}, 'Delete') } }, oracle)[0].changed).toEqual(['DeletionPolicy']);
  });

  test('a changed type under the same logical id deletes the old stateful resource', () => {
    expect(diffTemplates({ Resources: { X: bucket() } }, { Resources: { X: fn() } }, oracle)[0]).toEqual(expect.objectContaining({ changed: ['Type'], impact: 'destroy' }));
  });

  test('CDK metadata resources are ignored', () => {
    const meta = (v: string) => ({ Resources: { CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: v } } } });
    expect(diffTemplates(meta('a'), meta('b'), oracle)).toEqual([]);
  });
});

describe('diffAssemblies and renderReport', () => {
  const base = new Map<string, CfnTemplate>([
    ['Dev/Lake', { Resources: { Bucket: bucket({ BucketName: 'a' }) }, Outputs: { O: { Value: 1 } } }],
    ['Dev/Old', { Resources: { Q: { Type: 'AWS::SQS::Queue' } } }],
    ['Dev/Same', { Resources: { F: fn() } }],
  ]);
  const head = new Map<string, CfnTemplate>([
    ['Dev/Lake', { Resources: { Bucket: bucket({ BucketName: 'b' }) }, Outputs: { O: { Value: 2 }, P: { Value: 3 } } }],
    ['Dev/New', { Resources: { F: fn() } }],
    ['Dev/Same', { Resources: { F: fn() } }],
  ]);
  const diffs = diffAssemblies(base, head, oracle);

  test('every stack of either side has a status', () => {
    expect(diffs.map((d) => [d.stack, d.status])).toEqual([
      ['Dev/Lake', 'changed'],
      ['Dev/New', 'added'],
      ['Dev/Old', 'removed'],
      ['Dev/Same', 'unchanged'],
    ]);
    expect(diffs[0].outputs).toEqual({ added: ['P'], removed: [], modified: ['O'] });
  });

  test('the report names each stack and marks destructive changes', () => {
    expect(renderReport(diffs, 'Template diff')).toBe(
      [
        'Template diff',
        '',
        'Dev/Lake: 1 resource changed, 1 DESTRUCTIVE',
        '  [~] AWS::S3::Bucket Bucket {BucketName}  DESTRUCTIVE: deleted or replaced, losing its data (BucketName)',
        '  outputs: +1 -0 ~1',
        'Dev/New: new stack (1 resource)',
        'Dev/Old: STACK REMOVED (1 resource)',
        '  [-] AWS::SQS::Queue Q  DESTRUCTIVE: deleted or replaced, losing its data',
        'Dev/Same: no changes',
        '',
        'Stacks: 1 changed, 1 added, 1 removed, 1 unchanged; 2 destructive changes.',
      ].join('\n'),
    );
  });
});

describe('the edges: assemblies on disk and the resource specification', () => {
  test('readAssemblyTemplates finds stacks of nested Stage assemblies by display name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assembly-'));
    try {
      mkdirSync(join(dir, 'assembly-Dev'));
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ artifacts: { 'assembly-Dev': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Dev' } } } }));
      writeFileSync(
        join(dir, 'assembly-Dev', 'manifest.json'),
        JSON.stringify({ artifacts: { DevLakeABC: { type: 'aws:cloudformation:stack', displayName: 'Dev/Lake', properties: { templateFile: 'DevLakeABC.template.json' } } } }),
      );
      writeFileSync(join(dir, 'assembly-Dev', 'DevLakeABC.template.json'), JSON.stringify({ Resources: { B: bucket() } }));
      expect([...readAssemblyTemplates(dir).entries()]).toEqual([['Dev/Lake', { Resources: { B: bucket() } }]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the CDK CLI's resource specification knows which properties replace what", () => {
    const spec = loadReplacementOracle();
    expect(spec('AWS::S3::Bucket', 'BucketName')).toBe('always');
    expect(spec('AWS::MWAA::Environment', 'Name')).toBe('always');
    expect(spec('AWS::S3::Bucket', 'Tags')).toBe('never');
    expect(spec('AWS::No::Such', 'Thing')).toBe('never');
  });
});

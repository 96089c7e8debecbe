import { App } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Assembly,
  AssemblyStack,
  CfnTemplate,
  ReplacementOracle,
  StackDiff,
  assetContentHash,
  assetLabel,
  diffAssemblies,
  findCfnLintSchemas,
  loadReplacementOracle,
  readAssembly,
  renderReport,
} from '../../scripts/template-diff';
import { EnvironmentConfig, loadEnvironments } from '../../lib/config';
import { LAKE_BUCKETS, ResourceNames } from '../../lib/naming';
import { PlatformStage, stageId } from '../../lib/platform-stage';
import { cdkJsonContext, environment } from '../harness/platform';

const ROOT = join(__dirname, '..', '..');

/** A small stand-in for the resource schemas. */
const RULES: Readonly<Record<string, { always?: string[]; conditional?: string[] }>> = {
  'AWS::S3::Bucket': { always: ['BucketName'] },
  'AWS::S3::BucketPolicy': { always: ['Bucket'] },
  'AWS::EC2::VPC': { always: ['CidrBlock'] },
  'AWS::EC2::Subnet': { always: ['VpcId', 'CidrBlock'] },
  'AWS::MWAA::Environment': { always: ['Name', 'NetworkConfiguration/SubnetIds'] },
  'AWS::EC2::Instance': { conditional: ['UserData'] },
  'AWS::Lambda::Function': { always: ['FunctionName'] },
};
const oracle: ReplacementOracle = { source: 'test rules', rules: (type) => ({ always: RULES[type]?.always ?? [], conditional: RULES[type]?.conditional ?? [] }) };

const assembly = (stacks: Record<string, CfnTemplate>): Assembly => new Map(Object.entries(stacks).map(([name, template]): [string, AssemblyStack] => [name, { template }]));
const diffOne = (before: CfnTemplate, after: CfnTemplate) => diffAssemblies(assembly({ 'Dev/S': before }), assembly({ 'Dev/S': after }), oracle)[0];
const bucket = (props: Record<string, unknown> = {}, policy?: string) => ({ Type: 'AWS::S3::Bucket', Properties: { Tags: [], ...props }, ...(policy ? { DeletionPolicy: policy } : {}) });
const fn = (props: Record<string, unknown> = {}) => ({ Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler', ...props } });
const vpc = (cidr: string) => ({ Type: 'AWS::EC2::VPC', Properties: { CidrBlock: cidr } });
const subnet = (cidr: string) => ({ Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: cidr } });

describe('diffAssemblies, one template', () => {
  test('identical templates have no change, whatever the key order', () => {
    const a: CfnTemplate = { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { A: 1, B: { x: 1, y: 2 } } } } };
    const b: CfnTemplate = { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { B: { y: 2, x: 1 }, A: 1 } } } };
    expect(diffOne(a, b)).toEqual(expect.objectContaining({ status: 'unchanged', resources: [] }));
  });

  test('an added resource is harmless; a removed bucket loses data, a retained one is orphaned, a removed function is not destructive', () => {
    const { resources } = diffOne({ Resources: { Old: bucket(), Kept: bucket({}, 'Retain'), Fn: fn() } }, { Resources: { New: bucket() } });
    expect(resources.map((c) => [c.logicalId, c.kind, c.impact])).toEqual([
      ['Fn', 'removed', 'none'],
      ['Kept', 'removed', 'orphan'],
      ['New', 'added', 'none'],
      ['Old', 'removed', 'destroy'],
    ]);
  });

  test('a create-only property replaces: a stateful resource loses its data, a stateless one is replaced', () => {
    const { resources } = diffOne({ Resources: { B: bucket({ BucketName: 'a' }), F: fn({ FunctionName: 'f' }) } }, { Resources: { B: bucket({ BucketName: 'b' }), F: fn({ FunctionName: 'g' }) } });
    expect(resources).toEqual([
      { logicalId: 'B', type: 'AWS::S3::Bucket', kind: 'modified', changed: ['BucketName'], replacedBy: ['BucketName'], through: [], assets: [], impact: 'destroy' },
      { logicalId: 'F', type: 'AWS::Lambda::Function', kind: 'modified', changed: ['FunctionName'], replacedBy: ['FunctionName'], through: [], assets: [], impact: 'replace' },
    ]);
  });

  test('nested create-only paths replace only when the value at that path changes', () => {
    const mwaa = (subnets: string[], other: string) => ({ Type: 'AWS::MWAA::Environment', Properties: { NetworkConfiguration: { SubnetIds: subnets, SecurityGroupIds: [other] } } });
    expect(diffOne({ Resources: { E: mwaa(['a'], 'x') } }, { Resources: { E: mwaa(['a'], 'y') } }).resources[0]).toEqual(expect.objectContaining({ changed: ['NetworkConfiguration'], impact: 'none' }));
    expect(diffOne({ Resources: { E: mwaa(['a'], 'x') } }, { Resources: { E: mwaa(['b'], 'x') } }).resources[0]).toEqual(
      expect.objectContaining({ replacedBy: ['NetworkConfiguration/SubnetIds'], impact: 'destroy' }),
    );
  });

  test('an in-place change lists its properties; a conditional one may replace; a changed DeletionPolicy is a change; a new type replaces', () => {
    expect(diffOne({ Resources: { B: bucket({ Tags: [1] }) } }, { Resources: { B: bucket({ Tags: [2] }) } }).resources[0]).toEqual(expect.objectContaining({ changed: ['Tags'], replacedBy: [], impact: 'none' }));
    const instance = (userData: string) => ({ Type: 'AWS::EC2::Instance', Properties: { UserData: userData } });
    expect(diffOne({ Resources: { I: instance('a') } }, { Resources: { I: instance('b') } }).resources[0].impact).toBe('may-replace');
    expect(diffOne({ Resources: { B: bucket({}, 'Retain') } }, { Resources: { B: bucket({}, 'Delete') } }).resources[0].changed).toEqual(['DeletionPolicy']);
    expect(diffOne({ Resources: { X: bucket() } }, { Resources: { X: fn() } }).resources[0]).toEqual(expect.objectContaining({ changed: ['Type'], impact: 'replace' }));
  });

  test('CDK metadata resources are ignored', () => {
    const meta = (v: string) => ({ Resources: { CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: v } } } });
    expect(diffOne(meta('a'), meta('b')).status).toBe('unchanged');
  });

  test('a replacement spreads through Ref, GetAtt and Sub to create-only properties; other properties update in place', () => {
    const policy = (bucketRef: unknown) => ({ Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: bucketRef } });
    const before: CfnTemplate = {
      Resources: {
        B: bucket({ BucketName: 'a' }),
        P: policy({ Ref: 'B' }),
        Q: policy({ 'Fn::Sub': '${B}' }),
        F: fn({ Environment: { Variables: { ARN: { 'Fn::GetAtt': ['B', 'Arn'] }, LITERAL: '${!B}' } } }),
      },
    };
    const after: CfnTemplate = { Resources: { ...before.Resources, B: bucket({ BucketName: 'b' }) } };
    const { resources } = diffOne(before, after);
    expect(resources.map((c) => [c.logicalId, c.impact, c.replacedBy, c.through])).toEqual([
      ['B', 'destroy', ['BucketName'], []],
      ['F', 'none', [], ['Environment: B is replaced']],
      ['P', 'replace', ['Bucket (B is replaced)'], []],
      ['Q', 'replace', ['Bucket (B is replaced)'], []],
    ]);
  });

  test('a changed asset is named by the change', () => {
    const code = (hash: string) => fn({ Code: { S3Bucket: 'b', S3Key: `${assetLabel('Views/Consumer/Code', hash)}.zip` } });
    expect(diffOne({ Resources: { F: code('a'.repeat(64)) } }, { Resources: { F: code('b'.repeat(64)) } }).resources[0]).toEqual(
      expect.objectContaining({ changed: ['Code'], assets: ['Views/Consumer/Code'], impact: 'none' }),
    );
  });
});

describe('diffAssemblies across stacks', () => {
  const network = (cidr: string): CfnTemplate => ({
    Resources: { Vpc: vpc(cidr), SubnetA: subnet(cidr.replace('0.0/16', '0.0/24')) },
    Outputs: { VpcId: { Value: { Ref: 'Vpc' }, Export: { Name: 'Dev-Network:VpcId' } }, Subnet: { Value: { Ref: 'SubnetA' } } },
  });
  const orchestration: CfnTemplate = {
    Resources: {
      Env: { Type: 'AWS::MWAA::Environment', Properties: { NetworkConfiguration: { SubnetIds: [{ 'Fn::GetStackOutput': { StackName: 'Dev-Network', OutputName: 'Subnet' } }] } } },
      F: fn({ Environment: { Variables: { VPC: { 'Fn::ImportValue': 'Dev-Network:VpcId' } } } }),
    },
  };
  const other: CfnTemplate = { Resources: { F: fn() } };
  const diffs = diffAssemblies(
    assembly({ 'Dev/Network': network('10.0.0.0/16'), 'Dev/Orchestration': orchestration, 'Dev/Other': other }),
    assembly({ 'Dev/Network': network('10.1.0.0/16'), 'Dev/Orchestration': orchestration, 'Dev/Other': other }),
    oracle,
  );
  const [net, orch, rest] = diffs;

  test('a VPC replacement replaces its subnets and changes the values other stacks import or read', () => {
    expect(net.resources.map((c) => [c.logicalId, c.impact, c.replacedBy])).toEqual([
      ['SubnetA', 'replace', ['CidrBlock', 'VpcId (Vpc is replaced)']],
      ['Vpc', 'replace', ['CidrBlock']],
    ]);
    expect(net.exports).toEqual([
      { kind: 'export', name: 'Dev-Network:VpcId', change: 'changed', importers: ['Dev/Orchestration'] },
      { kind: 'output', name: 'Subnet', change: 'changed', importers: ['Dev/Orchestration'] },
    ]);
  });

  test('the importing stack is affected, and a create-only property fed by an import replaces its resource', () => {
    expect(orch).toEqual(expect.objectContaining({ status: 'changed', affectedBy: ['Dev/Network'] }));
    expect(orch.resources.map((c) => [c.logicalId, c.impact, c.replacedBy, c.through])).toEqual([
      ['Env', 'destroy', ['NetworkConfiguration/SubnetIds (Dev/Network output Subnet changes)'], []],
      ['F', 'none', [], ['Environment: Dev/Network export Dev-Network:VpcId changes']],
    ]);
    expect(rest.status).toBe('unchanged');
  });

  test('the report leads with data loss, explains replacements and counts them destructive', () => {
    const report = renderReport(diffs, 'Template diff').split('\n');
    expect(report.slice(0, 4)).toEqual([
      'Template diff',
      '',
      '!!! 1 stateful resource (data) deleted or replaced:',
      '!!!   Dev/Orchestration: AWS::MWAA::Environment Env {NetworkConfiguration}  !!! DATA LOSS: stateful, deleted or replaced by NetworkConfiguration/SubnetIds (Dev/Network output Subnet changes)',
    ]);
    expect(report).toContain('Dev/Orchestration: 2 resources changed, 1 destructive (affected through imports from Dev/Network)');
    expect(report).toContain('  [~] AWS::EC2::Subnet SubnetA {CidrBlock, VpcId}  REPLACED by CidrBlock; VpcId (Vpc is replaced)');
    expect(report).toContain('  export Dev-Network:VpcId changes; imported by Dev/Orchestration (CloudFormation refuses to change or remove an export in use)');
    expect(report.at(-1)).toBe('Stacks: 2 changed (1 through imports), 0 added, 0 removed, 1 unchanged; 3 destructive changes (3 replaced, 0 deleted), 1 losing stateful data.');
  });

  test('a removed export that is still imported is reported; new and removed stacks are reported', () => {
    const withoutExport: CfnTemplate = { ...network('10.0.0.0/16'), Outputs: {} };
    const [n, o, gone, added] = diffAssemblies(
      assembly({ 'Dev/Network': network('10.0.0.0/16'), 'Dev/Orchestration': orchestration, 'Dev/Gone': other }),
      assembly({ 'Dev/Network': withoutExport, 'Dev/Orchestration': orchestration, 'Dev/New': other }),
      oracle,
    ).sort((a, b) => ['Dev/Network', 'Dev/Orchestration', 'Dev/Gone', 'Dev/New'].indexOf(a.stack) - ['Dev/Network', 'Dev/Orchestration', 'Dev/Gone', 'Dev/New'].indexOf(b.stack));
    expect(n.exports.map((e) => [e.name, e.change, e.importers])).toEqual([
      ['Dev-Network:VpcId', 'removed', ['Dev/Orchestration']],
      ['Subnet', 'removed', ['Dev/Orchestration']],
    ]);
    expect(o.affectedBy).toEqual(['Dev/Network']);
    expect([gone.status, added.status]).toEqual(['removed', 'added']);
  });

  test('no change at all reads "no changes"', () => {
    const same = assembly({ 'Dev/Network': network('10.0.0.0/16') });
    expect(renderReport(diffAssemblies(same, same, oracle), 'Template diff')).toBe('Template diff\n\nno changes (1 stack compared)');
  });
});

describe('the edges: assets, assemblies on disk and the resource schemas', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'diff-local-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("an asset's content hash ignores where its bundle was written, and sees what it holds", () => {
    const bundle = (outdir: string, code: string) => {
      const asset = join(dir, outdir, 'asset.x');
      mkdirSync(asset, { recursive: true });
      writeFileSync(join(asset, 'index.js'), code);
      // esbuild names sources relative to the bundle's folder.
      const relativeSource = join('..', '..', ...outdir.split('/').map(() => '..'), 'project', 'src', 'handler.ts');
      writeFileSync(join(asset, 'index.js.map'), JSON.stringify({ version: 3, sources: [relativeSource], sourcesContent: [code], mappings: 'AAAA' }));
      return asset;
    };
    const project = join(dir, 'project');
    const a = assetContentHash(bundle('a', 'one'), project);
    expect(assetContentHash(bundle('b/c/d', 'one'), project)).toBe(a);
    expect(assetContentHash(bundle('e', 'two'), project)).not.toBe(a);
  });

  test('readAssembly finds stacks of nested Stage assemblies, with region and stack name, and names assets by content', () => {
    mkdirSync(join(dir, 'assembly-Dev'));
    mkdirSync(join(dir, 'asset.h1'));
    writeFileSync(join(dir, 'asset.h1', 'index.js'), 'code');
    const hash = 'f'.repeat(64);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ artifacts: { 'assembly-Dev': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Dev' } } } }));
    writeFileSync(
      join(dir, 'assembly-Dev', 'manifest.json'),
      JSON.stringify({
        artifacts: {
          'DevLakeABC.assets': { type: 'cdk:asset-manifest', properties: { file: 'DevLakeABC.assets.json' } },
          DevLakeABC: { type: 'aws:cloudformation:stack', displayName: 'Dev/Lake', environment: 'aws://1/eu-north-1', properties: { templateFile: 'DevLakeABC.template.json', stackName: 'Dev-Lake' } },
        },
      }),
    );
    writeFileSync(join(dir, 'assembly-Dev', 'DevLakeABC.assets.json'), JSON.stringify({ files: { [hash]: { displayName: 'Fn/Code', source: { path: '../asset.h1', packaging: 'zip' } } } }));
    writeFileSync(join(dir, 'assembly-Dev', 'DevLakeABC.template.json'), JSON.stringify({ Resources: { F: fn({ Code: { S3Key: `${hash}.zip` } }) } }));
    const label = assetLabel('Fn/Code', assetContentHash(join(dir, 'asset.h1'), dir));
    expect([...readAssembly(dir, dir).entries()]).toEqual([['Dev/Lake', { region: 'eu-north-1', stackName: 'Dev-Lake', template: { Resources: { F: fn({ Code: { S3Key: `${label}.zip` } }) } } }]]);
  });

  test("cfn-lint's schemas know nested create-only paths, per region; the CDK CLI's specification fills in types they lack", () => {
    const schemas = findCfnLintSchemas(ROOT);
    expect(schemas).toBeDefined();
    const cfnLint = loadReplacementOracle(schemas);
    expect(cfnLint.rules('AWS::EC2::VPC', 'eu-north-1').always).toContain('CidrBlock');
    expect(cfnLint.rules('AWS::MWAA::Environment', 'eu-north-1').always).toContain('NetworkConfiguration/SubnetIds');
    expect(cfnLint.rules('AWS::S3::Bucket').always).not.toContain('Tags');
    expect(cfnLint.rules('AWS::No::Such')).toEqual({ always: [], conditional: [] });

    mkdirSync(join(dir, 'providers'));
    writeFileSync(join(dir, 'providers', 'us-east-1.json'), '{}');
    const fallback = loadReplacementOracle(dir);
    expect(fallback.rules('AWS::S3::Bucket').always).toContain('BucketName');
    expect(loadReplacementOracle(undefined).source).toMatch(/CDK CLI/);
  });

  test('diff-local.sh rejects a ref that is not a commit in one line, and diff-local.ts its missing arguments', () => {
    const bad = spawnSync('bash', [join(ROOT, 'scripts', 'diff-local.sh'), 'no-such-ref-xyz'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(["diff-local: 'no-such-ref-xyz' is not a commit here (a typo, or a shallow clone: fetch it first)"]);
    const usage = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'diff-local.ts'), 'only-one'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^usage: /);
  });
});

/**
 * The real stacks, synthesized as `cdk synth` does, into assemblies at different depths (the base
 * of `make diff-local` is built in a temporary folder). The compliance checks that `buildPlatform`
 * adds are other tests' business and are left out, which keeps this file affordable, as does
 * skipping bundling on both sides of the configuration changes.
 */
describe('real synthesized templates', () => {
  const [first] = loadEnvironments();
  const work = mkdtempSync(join(tmpdir(), 'diff-local-synth-'));
  const cfnLint = loadReplacementOracle(findCfnLintSchemas(ROOT));
  const synth = (outdir: string, config: EnvironmentConfig, bundle: boolean): string => {
    const app = new App({ context: { ...cdkJsonContext(), ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) }, outdir: join(work, outdir) });
    new PlatformStage(app, stageId(config.name), { config });
    app.synth();
    return app.outdir;
  };
  const diff = (base: string, head: string) => diffAssemblies(readAssembly(base, ROOT), readAssembly(head, ROOT), cfnLint);
  const rawAssetKeys = (outdir: string) => readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  const stackWith = (diffs: readonly StackDiff[], assemblyDir: string, type: string): string => {
    const found = [...readAssembly(assemblyDir, ROOT)].find(([, s]) => Object.values(s.template.Resources ?? {}).some((r) => r.Type === type));
    if (!found) throw new Error(`no stack holds a ${type}`);
    expect(diffs.map((d) => d.stack)).toContain(found[0]);
    return found[0];
  };
  const logicalIds = (assemblyDir: string, stack: string, type: string) =>
    Object.entries(readAssembly(assemblyDir, ROOT).get(stack)!.template.Resources ?? {})
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id);
  const outputs = new Map<string, string>();
  /** One synth takes a minute or more when the two cores are busy; jest's default allows two. */
  const SYNTH_TIMEOUT_MS = 600_000;

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe('bundled', () => {
    let base: string;
    let head: string;
    beforeAll(() => {
      base = synth('base/cdk.out', first, true);
      head = synth('a/much/deeper/head/cdk.out', first, true);
    }, SYNTH_TIMEOUT_MS);

    test('the same tree synthesized elsewhere diffs empty, although its asset hashes differ', () => {
      expect(rawAssetKeys(head)).not.toEqual(rawAssetKeys(base));
      const report = renderReport(diff(base, head), 'Template diff');
      outputs.set('unchanged', report);
      expect(report.split('\n').at(-1)).toMatch(/^no changes \(\d+ stacks compared\)$/);
    });

    test('a Lambda code change shows each function using the bundle as changed, naming the asset', () => {
      // The bundle is the asset with a source map; it is changed where the synth left it.
      const bundle = rawAssetKeys(head).find((name) => readdirSync(join(head, name)).some((file) => file.endsWith('.map')));
      if (!bundle) throw new Error('no bundled asset');
      const hash = bundle.replace('asset.', '');
      const users = [...readAssembly(head, ROOT).keys()].flatMap((stack) => {
        const raw = readFileSync(join(head, ...findTemplateFile(head, stack)), 'utf8');
        const parsed = JSON.parse(raw) as CfnTemplate;
        return Object.entries(parsed.Resources ?? {})
          .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties?.Code ?? {}).includes(hash))
          .map(([id]) => `${stack} ${id}`);
      });
      expect(users.length).toBeGreaterThan(0);
      const js = readdirSync(join(head, bundle)).find((file) => file.endsWith('.js'))!;
      appendFileSync(join(head, bundle, js), '\n/* a real change */ console.log("changed");\n');

      const diffs = diff(base, head);
      const changed = diffs.flatMap((d) => d.resources.map((c) => ({ stack: d.stack, ...c })));
      expect(changed.map((c) => `${c.stack} ${c.logicalId}`).sort()).toEqual(users.sort());
      for (const change of changed) expect(change).toEqual(expect.objectContaining({ kind: 'modified', changed: ['Code'], impact: 'none', assets: [expect.any(String)] }));
      outputs.set('lambda', renderReport(diffs, 'Template diff'));
    });
  });

  describe('configuration changes (bundling skipped on both sides)', () => {
    let base: string;
    beforeAll(() => {
      base = synth('unbundled/cdk.out', first, false);
    }, SYNTH_TIMEOUT_MS);

    test('a VPC CIDR change replaces the VPC and every subnet, spreads to the stacks that read them, and counts destructive', () => {
      const [a, b, ...rest] = first.network.vpcCidr.split('.');
      const cidr = [a, String((Number(b) + 1) % 256), ...rest].join('.');
      const head = synth('cidr/cdk.out', environment(first.name, (input) => ({ ...input, network: { ...input.network, vpcCidr: cidr } })), false);
      const diffs = diff(base, head);
      const network = stackWith(diffs, base, 'AWS::EC2::VPC');
      const replaced = diffs.find((d) => d.stack === network)!.resources.filter((c) => c.impact === 'replace');
      const [vpcId] = logicalIds(base, network, 'AWS::EC2::VPC');
      expect(replaced.find((c) => c.logicalId === vpcId)?.replacedBy).toEqual(['CidrBlock']);
      const subnets = logicalIds(base, network, 'AWS::EC2::Subnet');
      expect(subnets.length).toBe(first.availabilityZones.length * 2);
      for (const id of subnets) expect(replaced.find((c) => c.logicalId === id)?.replacedBy).toEqual(['CidrBlock', `VpcId (${vpcId} is replaced)`]);

      // Orchestration (MWAA in the private subnets) reads the network's outputs: affected, and MWAA is replaced.
      const orchestration = stackWith(diffs, base, 'AWS::MWAA::Environment');
      const affected = diffs.find((d) => d.stack === orchestration)!;
      expect(affected.affectedBy).toEqual([network]);
      const [mwaa] = logicalIds(base, orchestration, 'AWS::MWAA::Environment');
      expect(affected.resources.find((c) => c.logicalId === mwaa)).toEqual(expect.objectContaining({ impact: 'destroy', replacedBy: [expect.stringMatching(/^NetworkConfiguration\/SubnetIds \(/)] }));

      const report = renderReport(diffs, 'Template diff');
      outputs.set('cidr', report);
      const destructive = diffs.flatMap((d) => d.resources).filter((c) => ['replace', 'destroy'].includes(c.impact)).length;
      const dataLoss = diffs.flatMap((d) => d.resources).filter((c) => c.impact === 'destroy').length;
      expect(destructive).toBeGreaterThanOrEqual(1 + subnets.length + 1);
      expect(report.split('\n').at(-1)).toMatch(new RegExp(`; ${destructive} destructive changes \\(${destructive} replaced, 0 deleted\\), ${dataLoss} losing stateful data\\.$`));
      expect(report).toMatch(new RegExp(`^!!!   ${orchestration}: AWS::MWAA::Environment ${mwaa} `, 'm'));
    }, SYNTH_TIMEOUT_MS);

    test('a bucket rename replaces the bucket, flagged above everything as data loss', () => {
      const [renamed] = LAKE_BUCKETS;
      const original = ResourceNames.prototype.bucket;
      const spy = jest.spyOn(ResourceNames.prototype, 'bucket').mockImplementation(function (this: ResourceNames, name) {
        return `${original.call(this, name)}${name === renamed ? '-v2' : ''}`;
      });
      let head: string;
      try {
        head = synth('bucket/cdk.out', first, false);
      } finally {
        spy.mockRestore();
      }
      const oldName = new ResourceNames(first).bucket(renamed);
      const diffs = diff(base, head);
      const lake = stackWith(diffs, base, 'AWS::S3::Bucket');
      const [bucketId] = Object.entries(readAssembly(base, ROOT).get(lake)!.template.Resources ?? {})
        .filter(([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties?.BucketName === oldName)
        .map(([id]) => id);
      expect(bucketId).toBeDefined();
      const change = diffs.find((d) => d.stack === lake)!.resources.find((c) => c.logicalId === bucketId);
      expect(change).toEqual(expect.objectContaining({ impact: 'destroy', replacedBy: ['BucketName'] }));

      const report = renderReport(diffs, 'Template diff').split('\n');
      outputs.set('bucket', report.join('\n'));
      expect(report[2]).toMatch(/^!!! \d+ stateful resources? \(data\) deleted or replaced:$/);
      expect(report.findIndex((line) => line.includes(`${lake}: AWS::S3::Bucket ${bucketId} {BucketName}  !!! DATA LOSS`))).toBeLessThan(report.findIndex((line) => /^\S+: \d+ resources? changed/.test(line)));
    }, SYNTH_TIMEOUT_MS);
  });

  afterAll(() => {
    // The outputs of each case, for docs/delivery.md: DIFF_LOCAL_OUTPUTS=<dir> keeps them.
    const keep = process.env.DIFF_LOCAL_OUTPUTS;
    if (keep) for (const [name, report] of outputs) writeFileSync(join(keep, `${name}.txt`), `${report}\n`);
  });
});

/** The template file of a stack of an assembly directory, as a path below it. */
function findTemplateFile(directory: string, stack: string): string[] {
  const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; displayName?: string; properties?: Record<string, string> }> };
  for (const artifact of Object.values(manifest.artifacts)) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      try {
        return [artifact.properties.directoryName, ...findTemplateFile(join(directory, artifact.properties.directoryName), stack)];
      } catch {
        continue;
      }
    }
    if (artifact.type === 'aws:cloudformation:stack' && artifact.displayName === stack && artifact.properties?.templateFile) return [artifact.properties.templateFile];
  }
  throw new Error(`no stack ${stack} in ${directory}`);
}

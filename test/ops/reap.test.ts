import { type Cluster, DescribeClusterCommand, ListClustersCommand, TerminateJobFlowsCommand } from '@aws-sdk/client-emr';
import { decideReap } from '../../ops/commands/reap';
import { ExitCode } from '../../ops/errors';
import { NOW, cli, emr, resetMocks } from './ops-harness';

const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
const cluster = (id: string, tags: Record<string, string>, ageHours: number, extra: Partial<Cluster> = {}): Cluster => ({
  Id: id,
  Name: id.toLowerCase(),
  Status: { State: 'WAITING', Timeline: { CreationDateTime: hoursAgo(ageHours) } },
  Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  ...extra,
});

const CLUSTERS: Record<string, Cluster> = {
  'j-STALE': cluster('j-STALE', { 'bdp:environment': 'dev' }, 9),
  'j-FRESH': cluster('j-FRESH', { 'bdp:environment': 'dev' }, 1),
  'j-UNTAGGED': cluster('j-UNTAGGED', { owner: 'data-science' }, 48),
  'j-STAGING': cluster('j-STAGING', { 'bdp:environment': 'staging' }, 48),
  'j-PROTECTED': cluster('j-PROTECTED', { 'bdp:environment': 'dev' }, 12, { TerminationProtected: true }),
};

beforeEach(() => {
  resetMocks();
  emr.on(ListClustersCommand).resolves({ Clusters: Object.keys(CLUSTERS).map((Id) => ({ Id })) });
  emr.on(DescribeClusterCommand).callsFake((input) => ({ Cluster: CLUSTERS[input.ClusterId] }));
  emr.on(TerminateJobFlowsCommand).resolves({});
});

const terminated = () => emr.commandCalls(TerminateJobFlowsCommand).flatMap((c) => c.args[0].input.JobFlowIds);
const row = (stdout: string, id: string) => stdout.split('\n').find((l) => l.startsWith(id)) ?? '';

test('terminates only stale clusters tagged for the environment, and says why it refuses the others', async () => {
  const run = await cli(['reap', '--env', 'dev', '--older-than', '6h']);

  expect(run.code).toBe(ExitCode.Ok);
  expect(emr.commandCalls(ListClustersCommand)[0].args[0].input.ClusterStates).toEqual(['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING']);
  expect(terminated()).toEqual(['j-STALE']);
  expect(row(run.stdout, 'j-STALE')).toMatch(/terminating\s+up 9h 00m, longer than 6h 00m/);
  expect(row(run.stdout, 'j-FRESH')).toMatch(/kept\s+up 1h 00m, within 6h 00m/);
  expect(row(run.stdout, 'j-UNTAGGED')).toMatch(/REFUSED\s+not tagged bdp:environment=dev \(no such tag\): never touched/);
  expect(row(run.stdout, 'j-STAGING')).toMatch(/REFUSED\s+not tagged bdp:environment=dev \(tagged staging\): never touched/);
  expect(row(run.stdout, 'j-PROTECTED')).toMatch(/REFUSED\s+up 12h 00m but termination-protected/);
});

test('--dry-run terminates nothing and says what it would do', async () => {
  const run = await cli(['reap', '--env', 'dev', '--older-than', '6h', '--dry-run']);
  expect(run.code).toBe(ExitCode.Ok);
  expect(terminated()).toEqual([]);
  expect(row(run.stdout, 'j-STALE')).toContain('would terminate (dry run)');
});

test('a named untagged cluster is refused, never terminated, and the command fails', async () => {
  const run = await cli(['reap', '--env', 'dev', '--older-than', '1h', 'j-UNTAGGED', 'j-STALE']);
  expect(emr.commandCalls(ListClustersCommand)).toHaveLength(0);
  expect(emr.commandCalls(DescribeClusterCommand).map((c) => c.args[0].input.ClusterId)).toEqual(['j-UNTAGGED', 'j-STALE']);
  expect(terminated()).toEqual(['j-STALE']);
  expect(row(run.stdout, 'j-UNTAGGED')).toContain('REFUSED');
  expect(run.code).toBe(ExitCode.Failed);
});

test('a failed termination is reported and fails the command; the others still go', async () => {
  CLUSTERS['j-STALE2'] = cluster('j-STALE2', { 'bdp:environment': 'dev' }, 10);
  emr.on(ListClustersCommand).resolves({ Clusters: [{ Id: 'j-STALE' }, { Id: 'j-STALE2' }] });
  emr.on(TerminateJobFlowsCommand, { JobFlowIds: ['j-STALE'] }).rejects(Object.assign(new Error('Cluster is in an invalid state'), { name: 'ValidationException' }));
  const run = await cli(['reap', '--env', 'dev', '--older-than', '6h']);
  expect(run.code).toBe(ExitCode.Failed);
  expect(terminated()).toEqual(['j-STALE', 'j-STALE2']);
  expect(row(run.stdout, 'j-STALE')).toContain('FAILED');
  expect(run.stdout).toContain('error: j-STALE: ValidationException: Cluster is in an invalid state');
  delete CLUSTERS['j-STALE2'];
});

test('a cluster the caller may not describe is not ours and is skipped', async () => {
  emr.on(DescribeClusterCommand, { ClusterId: 'j-UNTAGGED' }).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
  const run = await cli(['reap', '--env', 'dev', '--older-than', '6h']);
  expect(run.code).toBe(ExitCode.Ok);
  expect(run.stdout).not.toContain('j-UNTAGGED');
});

test('the refusal of an untagged cluster does not depend on its age or state', () => {
  const ancient = cluster('j-OLD', {}, 24 * 365, { Status: { State: 'RUNNING', Timeline: { CreationDateTime: hoursAgo(24 * 365) } } });
  expect(decideReap([ancient], 'dev', NOW, 60_000)).toEqual([expect.objectContaining({ id: 'j-OLD', action: 'refuse' })]);
});

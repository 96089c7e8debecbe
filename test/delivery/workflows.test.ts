import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadEnvironments } from '../../lib/config';
import { DELIVERY_ROLES, deliveryRoleName } from '../../lib/delivery-names';
import { ResourceNames } from '../../lib/naming';
import { deliveryFacts, selectEnvironments } from '../../scripts/delivery-env';

const ROOT = join(__dirname, '..', '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, string | number | boolean>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly name?: string;
  readonly if?: string;
  readonly needs?: string | string[];
  readonly uses?: string;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly strategy?: { matrix: Record<string, unknown>; 'max-parallel'?: number; 'fail-fast'?: boolean };
  readonly env?: Record<string, string>;
  readonly steps?: Step[];
}
interface Workflow {
  readonly on: Record<string, Record<string, unknown> | null>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const text = (file: string) => readFileSync(join(WORKFLOWS, file), 'utf8');
// YAML anchors share one step list between the jobs of each environment; parse resolves them.
const workflows = new Map(files.map((f) => [f.replace(/\.ya?ml$/, ''), parse(text(f)) as Workflow]));
const workflow = (name: string): Workflow => {
  const w = workflows.get(name);
  if (!w) throw new Error(`.github/workflows/${name}.yml is missing`);
  return w;
};
const allJobs = [...workflows].flatMap(([name, w]) => Object.entries(w.jobs).map(([id, job]) => ({ workflow: name, id, job })));
const runs = allJobs.flatMap(({ job }) => (job.steps ?? []).flatMap((s) => (s.run ? [s.run] : [])));
const environmentNames = loadEnvironments().map((e) => e.name);

/** Targets of the root Makefile, the fragments it includes, and scripts/delivery.mk (included from the root). */
function makeTargets(): Set<string> {
  const seen = new Set<string>();
  const targets = new Set<string>();
  const read = (file: string) => {
    if (seen.has(file) || !existsSync(join(ROOT, file))) return;
    seen.add(file);
    const source = readFileSync(join(ROOT, file), 'utf8');
    for (const [, include] of source.matchAll(/^include\s+(\S+)/gm)) read(include);
    for (const [, target] of source.matchAll(/^([A-Za-z0-9_.-]+)\s*:(?!=)/gm)) targets.add(target);
  };
  read('Makefile');
  read('scripts/delivery.mk');
  return targets;
}

test('the four delivery workflows exist', () => {
  expect([...workflows.keys()]).toEqual(expect.arrayContaining(['ci', 'diff', 'deploy', 'sync']));
});

test('every third-party action is pinned to a full commit SHA, with its tag in a comment, the same SHA everywhere', () => {
  const pins = new Map<string, Set<string>>();
  for (const file of files) {
    for (const line of text(file).split('\n')) {
      const match = /^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/.exec(line);
      if (!match || match[1].startsWith('./')) continue;
      expect({ file, line: line.trim() }).toEqual({ file, line: expect.stringMatching(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/) });
      const [action, sha] = match[1].split('@');
      pins.set(action, new Set([...(pins.get(action) ?? []), `${sha}${match[2]}`]));
    }
  }
  for (const [action, versions] of pins) expect({ action, versions: [...versions] }).toEqual({ action, versions: [expect.any(String)] });
});

test('every make target, npx command and script the workflows run exists in the repository', () => {
  const targets = makeTargets();
  const problems: string[] = [];
  for (const script of runs) {
    for (const [, target] of script.matchAll(/\bmake\s+(?:-\S+\s+)*([a-z][\w-]*)/g)) if (!targets.has(target)) problems.push(`make ${target}`);
    for (const [, command, argument] of script.matchAll(/\bnpx\s+(?:--no-install\s+)?(\S+)\s*(\S*)/g)) {
      if (!existsSync(join(ROOT, 'node_modules', '.bin', command))) problems.push(`npx ${command}`);
      if (command === 'tsx' && !existsSync(join(ROOT, argument))) problems.push(`npx tsx ${argument}`);
    }
    for (const [path] of script.matchAll(/\bscripts\/[\w./-]+/g)) if (!existsSync(join(ROOT, path))) problems.push(path);
  }
  expect(problems).toEqual([]);
  expect(runs.join('\n')).toMatch(/make test/);
});

test('no account id, ARN, role name or bucket name is typed into a workflow', () => {
  const literals = loadEnvironments().flatMap((config) => [
    config.account,
    ...DELIVERY_ROLES.map((role) => deliveryRoleName(config, role)),
    new ResourceNames(config).bucket('artifacts'),
  ]);
  for (const file of files) {
    const source = text(file);
    expect({ file, accountIds: source.match(/\b\d{12}\b/g) }).toEqual({ file, accountIds: null });
    expect({ file, arns: source.match(/arn:aws[\w-]*:/g) }).toEqual({ file, arns: null });
    expect({ file, names: source.match(/\bbdp-[a-z0-9]+-[\w-]+/g) }).toEqual({ file, names: null });
    for (const literal of literals) expect({ file, literal, found: source.includes(literal) }).toEqual({ file, literal, found: false });
  }
});

test('each AWS role comes from scripts/delivery-env.ts, the role matching the job: diff for pull requests, deploy and sync in their environments', () => {
  const factKeys = Object.keys(deliveryFacts(loadEnvironments()[0]));
  const expectedRole: Record<string, string> = { diff: 'diff', deploy: 'deploy', sync: 'sync' };
  const credentialJobs = allJobs.filter(({ job }) => (job.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')));
  expect(credentialJobs.map(({ workflow: w, id }) => `${w}.${id}`).sort()).toEqual(['deploy.deploy', 'diff.cdk-diff', 'sync.sync']);
  for (const { workflow: name, job } of credentialJobs) {
    const steps = job.steps ?? [];
    const facts = steps.find((s) => s.id === 'env');
    expect(facts?.run).toBe('npx --no-install tsx scripts/delivery-env.ts --env "$ENVIRONMENT" >> "$GITHUB_OUTPUT"');
    const credentials = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.with?.['role-to-assume']).toBe(`\${{ steps.env.outputs.${expectedRole[name]}-role-arn }}`);
    expect(credentials?.with?.['aws-region']).toBe('${{ steps.env.outputs.region }}');
    expect(steps.indexOf(facts!)).toBeLessThan(steps.indexOf(credentials!));
  }
  for (const script of [...runs, ...files.map(text)]) {
    for (const [, key] of script.matchAll(/steps\.env\.outputs\.([\w-]+)/g)) expect(factKeys).toContain(key);
  }
});

test('the workflows cover exactly the environments of lib/config, each job in its own', () => {
  const diff = workflow('diff').jobs;
  expect(diff.environments.steps?.find((s) => s.id === 'list')?.run).toBe('npx --no-install tsx scripts/delivery-env.ts --list all >> "$GITHUB_OUTPUT"');
  expect(diff['cdk-diff'].needs).toBe('environments');
  expect(diff['cdk-diff'].strategy?.matrix.environment).toBe('${{ fromJSON(needs.environments.outputs.environments) }}');
  // Named as a word, not as a path such as /dev/null.
  for (const environment of environmentNames) expect({ environment, named: new RegExp(`(?<![\\w/])${environment}(?![\\w/])`).test(text('diff.yml')) }).toEqual({ environment, named: false });
  for (const name of ['deploy', 'sync']) {
    const { gate, [name]: job } = workflow(name).jobs;
    // The gate computes the list from lib/config; the one job runs once per listed environment.
    const list = gate.steps?.find((s) => s.id === 'list');
    expect(list?.run).toBe('npx --no-install tsx scripts/delivery-env.ts --list "$ENVIRONMENT" >> "$GITHUB_OUTPUT"');
    expect(list?.env?.ENVIRONMENT).toBe("${{ inputs.environment || 'all' }}");
    expect(job.needs).toBe('gate');
    expect(job.strategy).toEqual({ matrix: { environment: '${{ fromJSON(needs.gate.outputs.environments) }}' }, 'max-parallel': 1, 'fail-fast': true });
    expect(job.environment).toBe('${{ matrix.environment }}');
    expect(job.env?.ENVIRONMENT).toBe('${{ matrix.environment }}');
    expect(job.concurrency).toEqual({ group: `${name}-\${{ matrix.environment }}`, 'cancel-in-progress': false });
    expect(Object.keys(workflow(name).jobs).filter((id) => workflow(name).jobs[id].environment)).toEqual([name]);
    // No environment is named in the file: a new one in lib/config needs no edit here.
    for (const environment of environmentNames) expect({ name, environment, named: new RegExp(`\\b${environment}\\b`).test(text(`${name}.yml`)) }).toEqual({ name, environment, named: false });
  }
});

test("the gate's list: every environment in lib/config's order, or one named, and an unknown name refused", () => {
  const output = execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/delivery-env.ts', '--list', 'all'], { cwd: ROOT, encoding: 'utf8' });
  expect(output).toBe(`environments=${JSON.stringify(environmentNames)}\n`);
  const last = environmentNames.at(-1)!;
  expect(selectEnvironments(environmentNames, last)).toEqual([last]);
  const unknown = `${environmentNames.join('')}x`;
  expect(() => selectEnvironments(environmentNames, unknown)).toThrow(`--list must be 'all' or an environment of lib/config/environments.ts (${environmentNames.join(', ')}), not '${unknown}'`);
});

test('permissions are minimal: nothing by default, id-token only where OIDC is used, pull-requests only for the comment', () => {
  expect(workflow('ci').permissions).toEqual({ contents: 'read' });
  for (const name of ['diff', 'deploy', 'sync']) expect(workflow(name).permissions).toEqual({});
  for (const { workflow: name, id, job } of allJobs) {
    const permissions = job.permissions ?? {};
    const usesOidc = (job.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect({ job: `${name}.${id}`, idToken: permissions['id-token'] }).toEqual({ job: `${name}.${id}`, idToken: usesOidc ? 'write' : undefined });
    const writes = Object.entries(permissions).filter(([scope, level]) => level === 'write' && scope !== 'id-token');
    expect({ job: `${name}.${id}`, writes }).toEqual({ job: `${name}.${id}`, writes: name === 'diff' && id === 'comment' ? [['pull-requests', 'write']] : [] });
  }
});

test('deploy: after a green ci of a push to main (or by hand), every environment in order, never cancelled midway', () => {
  const deploy = workflow('deploy');
  expect(deploy.on.workflow_run).toEqual({ workflows: ['ci'], types: ['completed'], branches: ['main'] });
  expect(deploy.on).toHaveProperty('workflow_dispatch');
  const gate = deploy.jobs.gate.if ?? '';
  for (const condition of ["workflow_run.conclusion == 'success'", "workflow_run.event == 'push'", 'head_repository.full_name == github.repository']) expect(gate).toContain(condition);
  // The gate checks out the tested commit to compute the list; the deploy job deploys that same commit.
  expect(deploy.jobs.gate.steps?.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.ref).toBe('${{ steps.commit.outputs.sha }}');
  const steps = deploy.jobs.deploy.steps ?? [];
  expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.ref).toBe('${{ needs.gate.outputs.sha }}');
  expect(steps.at(-1)?.run).toBe('make deploy ENV="$ENVIRONMENT"');
});

test('sync: after a successful deploy, or after the full ci passes in the same run for pushes to dags/ or etl/', () => {
  const sync = workflow('sync');
  expect(sync.on.push).toEqual({ branches: ['main'], paths: ['dags/**', 'etl/**'] });
  expect(sync.on.workflow_run).toEqual({ workflows: ['deploy'], types: ['completed'] });
  expect(sync.jobs.tests.uses).toBe('./.github/workflows/ci.yml');
  expect(workflow('ci').on).toHaveProperty('workflow_call');
  expect(sync.jobs.gate.needs).toBe('tests');
  expect(sync.jobs.gate.if).toContain("needs.tests.result == 'success'");
  expect(sync.jobs.gate.if).toContain("workflow_run.conclusion == 'success'");
  expect(sync.jobs.sync.steps?.at(-1)?.run).toBe('make sync ENV="$ENVIRONMENT"');
});

test('diff: cdk diff per environment with the diff role, one comment, and the offline template diff for forks', () => {
  const diff = workflow('diff');
  expect(Object.keys(diff.on)).toEqual(['pull_request']);
  const live = diff.jobs['cdk-diff'];
  expect(diff.jobs.environments.if).toContain('!github.event.pull_request.head.repo.fork');
  expect(live.steps?.find((s) => s.id === 'diff')?.run).toMatch(/^make diff ENV="\$ENVIRONMENT" DIFF_METHOD=template /);
  expect(diff.jobs.comment.needs).toBe('cdk-diff');
  expect(diff.jobs.comment.steps?.at(-1)?.run).toMatch(/COMMENT_MARKER[\s\S]*--method PATCH[\s\S]*--method POST/);
  const offline = diff.jobs['template-diff'];
  expect(offline.if).toContain('github.event.pull_request.head.repo.fork');
  expect(offline.steps?.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth']).toBe(0);
  expect(offline.steps?.at(-1)?.run).toContain('make diff-local BASE="$BASE_SHA"');
  expect(offline.steps?.at(-1)?.env?.BASE_SHA).toBe('${{ github.event.pull_request.base.sha }}');
});

test('ci: Node from .nvmrc, Python 3.11, Java 17, cached dependencies, make test, cdk.out kept as an artifact', () => {
  const ci = workflow('ci');
  expect(ci.on).toEqual(expect.objectContaining({ pull_request: null, push: { branches: ['main'] } }));
  const steps = ci.jobs.test.steps ?? [];
  const setup = (action: string) => steps.find((s) => s.uses?.startsWith(`actions/${action}@`))?.with;
  expect(setup('setup-node')).toEqual(expect.objectContaining({ 'node-version-file': '.nvmrc', cache: 'npm' }));
  expect(setup('setup-python')).toEqual(expect.objectContaining({ 'python-version': '3.11', cache: 'pip' }));
  expect(setup('setup-java')).toEqual(expect.objectContaining({ 'java-version': '17' }));
  expect(setup('setup-go')).toBeUndefined(); // make actionlint bootstraps its pinned Go
  expect(steps.some((s) => s.run === 'make test')).toBe(true);
  expect(setup('upload-artifact')).toEqual(expect.objectContaining({ name: 'cdk.out', path: 'cdk.out/' }));
});

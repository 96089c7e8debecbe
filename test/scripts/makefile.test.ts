/**
 * The Makefile installs what a target uses before the target uses it. Read from make's own rule
 * database (the Makefile and every file it includes), so a new target is checked too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

interface Rule {
  readonly prerequisites: string[];
  readonly recipe: string;
}

function readRules(): Map<string, Rule> {
  // -q exits non-zero when something is out of date; the database is printed either way.
  const database = spawnSync('make', ['-pRrq', '-f', 'Makefile', ':'], { cwd: ROOT, encoding: 'utf8' }).stdout;
  const rules = new Map<string, Rule>();
  for (const block of database.split('\n\n')) {
    const head = /^([^\s#:][^\s:]*):(?!=) ?(.*)$/m.exec(block);
    if (!head || block.startsWith('#') || head.index !== 0) continue;
    const recipe = block
      .split('\n')
      .filter((line) => line.startsWith('\t'))
      .join('\n');
    rules.set(head[1].replace(`${ROOT}/`, ''), { prerequisites: head[2].split(/\s+/).filter(Boolean).map((p) => p.replace(`${ROOT}/`, '')), recipe });
  }
  return rules;
}

const rules = readRules();
const NODE = 'node_modules/.install-stamp';
const VENV = '.venv/.install-stamp';
const AIRFLOW_VENV = '.venv-airflow/.install-stamp';

function dependsOn(target: string, wanted: string, seen = new Set<string>()): boolean {
  if (seen.has(target)) return false;
  seen.add(target);
  return (rules.get(target)?.prerequisites ?? []).some((p) => p === wanted || dependsOn(p, wanted, seen));
}

/** What a recipe runs, and the installation step it therefore needs. */
const NEEDS: [RegExp, string[]][] = [
  [/\bnpx\b|\$\(CDK\)/, [NODE]],
  [/\$\(VENV_BIN\)|\.venv\/bin|\$\(SHELLCHECK\)/, [VENV]],
  [/\$\(AIRFLOW_VENV\)|\.venv-airflow/, [AIRFLOW_VENV]],
  // jest runs the CDK-to-DAG contract test (Airflow venv) and the cfn-lint tests (dev venv); bench-cdk.ts times jest.
  [/\bjest\b|bench-cdk/, [NODE, VENV, AIRFLOW_VENV]],
];

test('every target depends on the step that installs what its recipe runs', () => {
  const installers = new Set([NODE, VENV, AIRFLOW_VENV]);
  const checked: string[] = [];
  const missing: string[] = [];
  for (const [target, { recipe }] of rules) {
    if (installers.has(target)) continue;
    for (const [uses, steps] of NEEDS) {
      if (!uses.test(recipe)) continue;
      checked.push(target);
      for (const step of steps) if (!dependsOn(target, step)) missing.push(`${target} runs ${uses.source} without depending on ${step}`);
    }
  }
  expect(checked).toEqual(expect.arrayContaining(['jest', 'bench', 'actionlint', 'cfn-lint', 'cost', 'typecheck']));
  expect(missing).toEqual([]);
});

test('cfn-lint synthesizes first when cdk.out is missing or stale, and make test checks the prerequisites first', () => {
  expect(rules.get('cfn-lint')?.prerequisites).toContain('cdk.out/manifest.json');
  expect(rules.get('cdk.out/manifest.json')?.recipe).toMatch(/synth/);
  expect(rules.get('test')?.prerequisites[0]).toBe('prerequisites');
  // make runs prerequisites left to right: the quick checks come before the slow work.
  expect(rules.get('sync')?.prerequisites[0]).toBe('sync-preflight');
  expect(rules.get('cost')?.prerequisites[0]).toBe('cost-arguments');
});

test('a missing prerequisite is named in one line', () => {
  // Every command of /usr/bin and /bin but java, as on a machine without Java.
  const bin = mkdtempSync(join(tmpdir(), 'no-java-'));
  for (const dir of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(dir)) if (!/^java/.test(name) && !existsSync(join(bin, name))) symlinkSync(join(dir, name), join(bin, name));
  }
  for (const [name, target] of [['node', process.execPath], ['python3', spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim()]]) {
    if (!existsSync(join(bin, name))) symlinkSync(target, join(bin, name));
  }
  const result = spawnSync('make', ['--no-print-directory', 'prerequisites'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: bin } });
  expect(result.status).not.toBe(0);
  expect(result.stderr.split('\n')[0]).toBe('Java 17 or newer is required (PySpark runs the ETL tests on it); found: none');
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, validateEnvironments } from '../../../lib/config';
import { readmeSampleEnvironments } from './readme-sample';

const ROOT = join(__dirname, '..', '..', '..');

/** The first fenced block after the README's sentence that introduces the sample. */
function readmeSample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = /for every problem at once[\s\S]*?```\n([\s\S]*?)\n```/.exec(readme);
  if (!match) throw new Error('README.md has no sample configuration error after "for every problem at once"');
  return match[1];
}

test("the README's sample error is the validator's real output: five problems in two environments", () => {
  let error: unknown;
  try {
    validateEnvironments(readmeSampleEnvironments());
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toHaveLength(5);
  expect(new Set((error as ConfigError).problems.map((p) => p.environment)).size).toBe(2);
  expect((error as Error).message).toBe(readmeSample());
});

test('an entry point prints a configuration error alone, without a stack trace, and exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bdp-config-'));
  const script = join(dir, 'entry.ts');
  writeFileSync(
    script,
    [
      `import { exitOnConfigError, validateEnvironments } from ${JSON.stringify(join(ROOT, 'lib', 'config'))};`,
      `import { readmeSampleEnvironments } from ${JSON.stringify(join(__dirname, 'readme-sample'))};`,
      'exitOnConfigError(() => validateEnvironments(readmeSampleEnvironments()));',
    ].join('\n'),
  );
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  expect(run.status).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`${readmeSample()}\n`);
});

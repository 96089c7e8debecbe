import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseCostArgs } from '../../scripts/cost';

const ROOT = join(__dirname, '..', '..');

test('HOURS and RUNS default to one hour and 30 runs, and accept fractions of hours', () => {
  expect(parseCostArgs([])).toEqual({ runHours: 1, runsPerMonth: 30, outdir: 'cdk.out', checkOnly: false });
  expect(parseCostArgs(['out', '--hours=1.5', '--runs-per-month=60'])).toEqual({ runHours: 1.5, runsPerMonth: 60, outdir: 'out', checkOnly: false });
});

test.each([
  [['--hours=abc'], "HOURS (--hours) must be a number of hours above 0 and at most 744, e.g. 1.5; got 'abc'"],
  [['--hours=-1'], "got '-1'"],
  [['--hours=0'], "got '0'"],
  [['--hours='], "got ''"],
  [['--hours=745'], "got '745'"],
  [['--runs-per-month=0'], "RUNS (--runs-per-month) must be a whole number of runs a month, at least 1; got '0'"],
  [['--runs-per-month=2.5'], "got '2.5'"],
  [['--runs-per-month=x'], "got 'x'"],
  [['--days=3'], "Unknown option '--days'"],
])('bad input is refused with what is allowed: %j', (argv, message) => {
  expect(() => parseCostArgs(argv)).toThrow(message);
});

test('make cost refuses a bad value in one line, exit 2 and no stack trace, before it synthesizes', () => {
  const dryRun = spawnSync('make', ['-n', 'cost', 'HOURS=-1'], { cwd: ROOT, encoding: 'utf8' }).stdout;
  expect(dryRun.indexOf('--check-arguments')).toBeGreaterThanOrEqual(0);
  if (dryRun.includes('cdk synth')) expect(dryRun.indexOf('--check-arguments')).toBeLessThan(dryRun.indexOf('cdk synth'));
  // The check make runs first, as `make cost HOURS=-1` runs it.
  const result = spawnSync('npx', ['--no-install', 'tsx', 'scripts/cost.ts', '--check-arguments', '--hours=-1', '--runs-per-month=30'], { cwd: ROOT, encoding: 'utf8' });
  expect(result.status).toBe(2);
  expect(result.stderr).toBe("make cost: HOURS (--hours) must be a number of hours above 0 and at most 744, e.g. 1.5; got '-1'\n");
  expect(result.stdout).toBe('');
  const fine = spawnSync('npx', ['--no-install', 'tsx', 'scripts/cost.ts', '--check-arguments', '--hours=2', '--runs-per-month=60'], { cwd: ROOT, encoding: 'utf8' });
  expect({ status: fine.status, stdout: fine.stdout }).toEqual({ status: 0, stdout: '' });
});

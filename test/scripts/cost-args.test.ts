import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseCostArgs } from '../../scripts/cost';

const ROOT = join(__dirname, '..', '..');

test('HOURS and RUNS default to one hour and 30 runs, and accept fractions of hours', () => {
  expect(parseCostArgs([])).toEqual({ runHours: 1, runsPerMonth: 30, outdir: 'cdk.out' });
  expect(parseCostArgs(['out', '--hours=1.5', '--runs-per-month=60'])).toEqual({ runHours: 1.5, runsPerMonth: 60, outdir: 'out' });
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

test('make cost prints a bad value as one line and exits 2, with no stack trace', () => {
  // What `make cost HOURS=-1` runs; the arguments are refused before cdk.out is read.
  const result = spawnSync('npx', ['--no-install', 'tsx', 'scripts/cost.ts', 'cdk.out', '--hours=-1', '--runs-per-month=30'], { cwd: ROOT, encoding: 'utf8' });
  expect(result.status).toBe(2);
  expect(result.stderr).toBe("make cost: HOURS (--hours) must be a number of hours above 0 and at most 744, e.g. 1.5; got '-1'\n");
  expect(result.stdout).toBe('');
});

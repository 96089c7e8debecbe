import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_ASSUMPTIONS } from '../../ops/cost';
import { formatSources, parseCostArgs } from '../../scripts/cost';
import { priceStatusCounts } from '../../ops/prices';

const ROOT = join(__dirname, '..', '..');

test('HOURS and RUNS default to one hour and 30 runs, and accept fractions of hours', () => {
  expect(parseCostArgs([])).toEqual({ runHours: 1, runsPerMonth: 30, assumptions: DEFAULT_ASSUMPTIONS, outdir: 'cdk.out', chart: undefined, sources: false, checkOnly: false });
  expect(parseCostArgs(['out', '--hours=1.5', '--runs-per-month=60'])).toMatchObject({ runHours: 1.5, runsPerMonth: 60, outdir: 'out', checkOnly: false });
});

test('the usage assumptions are flags with the defaults the model states', () => {
  const args = parseCostArgs(['--engineers=5', '--vpn-hours-per-engineer=20', '--gb-per-day=0.5', '--record-kb=12', '--chart=docs/x.svg']);
  expect(args.assumptions).toEqual({ ...DEFAULT_ASSUMPTIONS, engineers: 5, vpnHoursPerEngineer: 20, gbPerDay: 0.5, recordKb: 12 });
  expect(args.chart).toBe('docs/x.svg');
});

test('every bad assumption is listed at once, with what is allowed', () => {
  expect(() => parseCostArgs(['--engineers=2.5', '--gb-per-day=-1', '--record-kb=0', '--vpn-hours-per-engineer=800'])).toThrow(
    ["--engineers must be a whole number; got '2.5'", "--gb-per-day must be a number, 0 or more; got '-1'", "--record-kb must be a number above 0; got '0'", "--vpn-hours-per-engineer is hours a month, at most 744; got '800'"].join('\n  '),
  );
});

test('the sources report counts the unverified prices and lists the sourced ones', () => {
  const counts = priceStatusCounts('eu-north-1');
  const text = formatSources('eu-north-1', false);
  expect(text).toContain(`${counts.unverified} unverified of ${counts.verified + counts.secondary + counts.unverified}`);
  expect(text.split('\n').filter((l) => l.startsWith('  [')).length).toBe(counts.verified + counts.secondary);
  expect(formatSources('eu-north-1', true).split('\n').filter((l) => l.startsWith('  [unverified]')).length).toBe(counts.unverified);
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

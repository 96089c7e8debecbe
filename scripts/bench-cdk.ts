/**
 * `make bench` (CDK part): wall times measured in this run, never asserted.
 *   - synthesizing every environment with the CDK CLI, as `make synth` does;
 *   - synthesizing an app with one empty stack (the toolchain's floor), and the ratio;
 *   - the jest suite.
 * Each synth is run RUNS times (default 3) and the median is reported.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.env.RUNS ?? 3);
const cdk = join('node_modules', '.bin', 'cdk');

function seconds(command: string, args: string[]): number {
  const started = process.hrtime.bigint();
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function medianSynth(appArgs: string[]): number {
  const times = Array.from({ length: runs }, () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-synth-'));
    try {
      return seconds(cdk, ['synth', '--quiet', '--output', out, ...appArgs]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const platform = medianSynth([]);
const floor = medianSynth(['--app', 'npx tsx scripts/empty-app.ts']);
console.log(`cdk synth, all environments:          ${platform.toFixed(2)} s (median of ${runs})`);
console.log(`cdk synth, one empty stack (floor):   ${floor.toFixed(2)} s (median of ${runs})`);
console.log(`ratio platform / floor:               ${(platform / floor).toFixed(2)}x`);
const jest = seconds(join('node_modules', '.bin', 'jest'), ['--silent']);
console.log(`jest suite:                           ${jest.toFixed(2)} s (1 run)`);

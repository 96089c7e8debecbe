import { Stack } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stageId } from '../../lib/platform-stage';
import type { Template } from '../../ops/cloud-assembly';
import { costReport } from '../../ops/cost';
import { axisStep, chartInputFor, costChartSvg, dollars } from '../../ops/cost-chart';
import { fleetPlans } from '../../ops/emr-pricing';
import { priceStatusCounts, pricesFor } from '../../ops/prices';
import { synthPlatform, templateOf } from '../harness/platform';

const DOCS = join(__dirname, '..', '..', 'docs');

const input = {
  title: 'Cost <&> test',
  subtitle: 'sub',
  bars: [
    { label: 'A', segments: [{ component: 'NAT' as const, amount: 100 }, { component: 'MWAA' as const, amount: 200 }] },
    { label: 'Original', segments: [{ component: 'MWAA' as const, amount: 400 }] },
  ],
  baseline: 400,
  targets: [
    { label: '0.6x original', ratio: 0.6 },
    { label: '1.0x original', ratio: 1 },
  ],
};

const rects = (svg: string) => [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#\w+)"><title>([^<]*)<\/title>/g)].map((m) => ({ y: Number(m[2]), height: Number(m[4]), fill: m[5], title: m[6] }));

test('bars stack their segments to scale, and the targets are lines at multiples of the original', () => {
  const svg = costChartSvg(input);
  const [nat, mwaa, original] = rects(svg);
  expect([nat.title, mwaa.title, original.title]).toEqual(['A: NAT $100', 'A: MWAA $200', 'Original: MWAA $400']);
  expect(mwaa.height / nat.height).toBeCloseTo(2, 1);
  expect(original.height / (nat.height + mwaa.height)).toBeCloseTo(4 / 3, 1);
  // MWAA sits on top of NAT.
  expect(mwaa.y + mwaa.height).toBeCloseTo(nat.y, 1);
  const lines = [...svg.matchAll(/<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="[\d.]+" stroke="#333333" stroke-dasharray/g)].map((m) => Number(m[1]));
  // The 1.0x line is at the top of the original's bar; the 0.6x one 0.6 of the way up.
  expect(lines[1]).toBeCloseTo(original.y, 0);
  expect(original.y + original.height - lines[0]).toBeCloseTo(0.6 * original.height, 0);
  expect(svg).toContain('0.75x');
  expect(svg).toContain('0.6x original ($240)');
  expect(svg).toContain('Cost &lt;&amp;&gt; test');
  expect(costChartSvg(input)).toBe(svg);
});

test('axis steps are round and give at most 8 gridlines; dollars do not depend on the locale', () => {
  expect([90, 460, 1432, 1500, 9000].map(axisStep)).toEqual([20, 100, 200, 200, 2000]);
  expect(dollars(1301.97)).toBe('$1,302');
  expect(dollars(1234567)).toBe('$1,234,567');
});

function platformTemplates(): { name: string; region: string; templates: Template[]; fleets: ReturnType<typeof fleetPlans> }[] {
  return [...synthPlatform().stages.values()].map((stage) => ({
    name: stageId(stage.config.name),
    region: stage.config.region,
    templates: stage.node.findAll().filter(Stack.isStack).map((stack) => templateOf(stack).toJSON() as Template),
    fleets: fleetPlans(stage.config.emr),
  }));
}

test('docs/cost.svg is current (run `make cost` after changing what the environments deploy)', () => {
  const { estimates, baselines } = costReport(platformTemplates(), { prices: pricesFor });
  const [region, baseline] = [...baselines.entries()][0];
  const current = costChartSvg(chartInputFor(estimates.filter((e) => e.region === region), baseline));
  const committed = readFileSync(join(DOCS, 'cost.svg'), 'utf8');
  if (current !== committed) throw new Error('docs/cost.svg is stale: run `make cost` and commit docs/cost.svg (and update the figures in docs/cost.md)');
});

test('docs/cost.md states the current count of unverified prices', () => {
  const counts = priceStatusCounts('eu-north-1');
  expect(readFileSync(join(DOCS, 'cost.md'), 'utf8')).toContain(`${counts.unverified} of ${counts.verified + counts.secondary + counts.unverified}`);
});

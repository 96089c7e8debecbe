import { COMPONENTS, type Component, type CostEstimate, FIXED_COST_TARGETS, fixedByComponent } from './cost';
import { priceStatusCounts } from './prices';

/**
 * docs/cost.svg: fixed monthly cost by component, one stacked bar per environment and one for the
 * original platform, with the targets drawn as lines at multiples of the original. No charting
 * library is installed, so this writes the SVG itself; the output depends only on its input (no
 * dates, no locale), so a test can regenerate it and compare.
 */

export interface ChartBar {
  readonly label: string;
  readonly segments: readonly { readonly component: Component; readonly amount: number }[];
}

export interface ChartInput {
  readonly title: string;
  readonly subtitle: string;
  readonly bars: readonly ChartBar[];
  /** The original platform's fixed monthly cost: ratios and target lines are multiples of it. */
  readonly baseline: number;
  readonly targets: readonly { readonly label: string; readonly ratio: number }[];
}

const COLORS: Record<Component, string> = {
  NAT: '#4e79a7',
  'Interface endpoints': '#f28e2b',
  'Client VPN': '#e15759',
  MWAA: '#76b7b2',
  Streaming: '#59a14f',
  'Keys, secrets, monitoring': '#edc948',
  Logs: '#b07aa1',
  Queries: '#ff9da7',
  EMR: '#9c755f',
};

const WIDTH = 780;
const HEIGHT = 460;
const PLOT = { left: 70, right: 560, top: 70, bottom: 400 };

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** `$1,234`: whole dollars with thousands separators, independent of the locale. */
export const dollars = (amount: number) => `$${Math.round(amount).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
const px = (value: number) => String(Number(value.toFixed(1)));

/** The smallest round step (1, 2, 2.5 or 5 times a power of ten) that divides the axis into at most 8 parts. */
export function axisStep(max: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(max, 1)));
  return [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((step) => max / step <= 8) as number;
}

export function costChartSvg(input: ChartInput): string {
  const totals = input.bars.map((b) => b.segments.reduce((s, x) => s + x.amount, 0));
  const highest = Math.max(...totals, ...input.targets.map((t) => t.ratio * input.baseline), input.baseline);
  const step = axisStep(highest * 1.1);
  const top = Math.ceil((highest * 1.1) / step) * step;
  const y = (amount: number) => PLOT.bottom - (amount / top) * (PLOT.bottom - PLOT.top);
  const slot = (PLOT.right - PLOT.left) / input.bars.length;
  const barWidth = Math.min(70, slot * 0.6);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="24" font-size="16" font-weight="bold">${escape(input.title)}</text>`,
    `<text x="${PLOT.left}" y="44" fill="#555555">${escape(input.subtitle)}</text>`,
  ];
  for (let tick = 0; tick <= top; tick += step) {
    out.push(`<line x1="${PLOT.left}" y1="${px(y(tick))}" x2="${PLOT.right}" y2="${px(y(tick))}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${PLOT.left - 8}" y="${px(y(tick) + 4)}" text-anchor="end" fill="#555555">${dollars(tick)}</text>`);
  }
  input.bars.forEach((bar, i) => {
    const x = PLOT.left + slot * i + (slot - barWidth) / 2;
    let base = 0;
    for (const segment of bar.segments) {
      out.push(
        `<rect x="${px(x)}" y="${px(y(base + segment.amount))}" width="${px(barWidth)}" height="${px(y(base) - y(base + segment.amount))}" fill="${COLORS[segment.component]}"><title>${escape(`${bar.label}: ${segment.component} ${dollars(segment.amount)}`)}</title></rect>`,
      );
      base += segment.amount;
    }
    const ratio = input.baseline > 0 ? ` · ${(totals[i] / input.baseline).toFixed(2)}x` : '';
    out.push(`<text x="${px(x + barWidth / 2)}" y="${px(y(totals[i]) - 6)}" text-anchor="middle" font-weight="bold" stroke="#ffffff" stroke-width="3" paint-order="stroke">${escape(dollars(totals[i]) + ratio)}</text>`);
    out.push(`<text x="${px(x + barWidth / 2)}" y="${PLOT.bottom + 18}" text-anchor="middle">${escape(bar.label)}</text>`);
  });
  for (const target of input.targets) {
    const at = y(target.ratio * input.baseline);
    out.push(`<line x1="${PLOT.left}" y1="${px(at)}" x2="${PLOT.right}" y2="${px(at)}" stroke="#333333" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${PLOT.right + 6}" y="${px(at + 4)}" fill="#333333">${escape(`${target.label} (${dollars(target.ratio * input.baseline)})`)}</text>`);
  }
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="#333333"/>`);
  const used = COMPONENTS.filter((c) => input.bars.some((b) => b.segments.some((s) => s.component === c && s.amount > 0)));
  // Legend top to bottom in the order the segments stack bottom to top, reversed to match the bars.
  [...used].reverse().forEach((component, i) => {
    const ly = PLOT.top + 10 + i * 18;
    out.push(`<rect x="${PLOT.right + 20}" y="${ly - 10}" width="12" height="12" fill="${COLORS[component]}"/>`);
    out.push(`<text x="${PLOT.right + 38}" y="${ly}">${escape(component)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The chart of a region: its environments' fixed cost beside the original's, the targets marked. */
export function chartInputFor(estimates: readonly CostEstimate[], baseline: CostEstimate): ChartInput {
  const counts = priceStatusCounts(baseline.region);
  const total = counts.verified + counts.secondary + counts.unverified;
  const bars = [...estimates, baseline].map((e) => ({ label: e.name, segments: fixedByComponent(e) }));
  const targets = [...new Set(Object.values(FIXED_COST_TARGETS))].sort().map((ratio) => ({ label: `${ratio.toFixed(1)}x original`, ratio }));
  return {
    title: `Fixed monthly cost by component, ${baseline.region} list prices (USD)`,
    subtitle: `From the synthesized templates (make cost). ${counts.unverified} of ${total} unit prices not yet verified for ${baseline.region}.`,
    bars,
    baseline: baseline.fixedMonthly,
    targets,
  };
}

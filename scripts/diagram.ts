/**
 * `make diagram`: draws the architecture from the CDK app (dev) into docs/architecture.dot, .svg
 * and .png. Graphviz runs as wasm and resvg rasterises, so no system packages are needed; both are
 * pinned, so the same app gives byte-identical files. test/ops/diagram.test.ts checks the .dot is current.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { exitOnConfigError } from '../lib/config';
import { platformArchitectureDot } from '../ops/diagram';

async function main(): Promise<void> {
  const docs = join(__dirname, '..', 'docs');
  const dot = platformArchitectureDot('dev');
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const svg = (await Graphviz.load()).dot(dot);
  // Graphviz sizes text with Helvetica's metrics. Helvetica is rarely installed on Linux; DejaVu Sans
  // Condensed is about as wide and usually is. This changes only the PNG's input, never the .svg.
  const forPng = svg.replaceAll('font-family="Helvetica,sans-Serif"', 'font-family="DejaVu Sans" font-stretch="condensed"');
  const png = new Resvg(forPng, { background: '#ffffff', fitTo: { mode: 'width', value: 2400 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  writeFileSync(join(docs, 'architecture.dot'), dot);
  writeFileSync(join(docs, 'architecture.svg'), svg);
  writeFileSync(join(docs, 'architecture.png'), png);
  console.log(`Wrote docs/architecture.dot, .svg and .png (${png.length} bytes).`);
}

// A bad configuration prints its problems alone; anything else keeps its stack trace for debugging.
exitOnConfigError(main).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * The docs stay true: every repository path, make target, CLI flag and configuration field that
 * README.md, docs/*.md and etl/README.md name must exist, and nothing in the repository may point
 * outside it. Everything checked against is read from the repository itself (git's file list,
 * make's rule database, the CLIs' own usage, the zod schema), never listed here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { environmentSchema, loadEnvironments } from '../lib/config';
import { INTERFACE_ENDPOINT_SERVICES } from '../lib/config/schema';
import { usage as platformUsage } from '../ops/cli';

const ROOT = resolve(__dirname, '..');
const DOCS = ['README.md', 'etl/README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Tracked and new (not ignored) files: what a clone has, plus work not yet committed. */
const repositoryFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && existsSync(join(ROOT, f)));
const TOP_LEVEL = new Set(repositoryFiles.map((f) => f.split('/')[0]));

/** Inline code spans and fenced blocks of a Markdown file, each with the line it starts on. */
function codeOf(markdown: string): { code: string; line: number }[] {
  const found: { code: string; line: number }[] = [];
  const prose: { text: string; line: number }[] = [];
  let fence: { start: number; body: string[] } | undefined;
  markdown.split('\n').forEach((line, index) => {
    if (/^\s*```/.test(line)) {
      if (fence) found.push({ code: fence.body.join('\n'), line: fence.start + 1 });
      fence = fence ? undefined : { start: index, body: [] };
    } else if (fence) fence.body.push(line);
    else prose.push({ text: line, line: index + 1 });
  });
  // Inline spans may wrap across a line break, as Markdown allows.
  const joined = prose.map((p) => p.text).join('\n');
  for (const match of joined.matchAll(/`([^`]+)`/g)) {
    const lineIndex = joined.slice(0, match.index).split('\n').length - 1;
    found.push({ code: match[1].replace(/\s+/g, ' ').trim(), line: prose[lineIndex].line });
  }
  return found;
}

const mentions = DOCS.flatMap((file) => codeOf(text(file)).map((c) => ({ ...c, file })));
const where = (m: { file: string; line: number }) => `${m.file}:${m.line}`;

/** Git-ignored output a target creates (cdk.out/, certs/, dist/, ...): named in docs, absent from a clone. */
const ignored = (path: string) => spawnSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: ROOT }).status === 0;

/** A documented path exists: placeholders (<env>), globs and {a,b} alternatives match at least one file. */
function pathExists(path: string): boolean {
  const alternatives = /\{([^}]+)\}/.exec(path);
  if (alternatives) return alternatives[1].split(',').every((alt) => pathExists(path.replace(alternatives[0], alt)));
  const clean = path.replace(/[#:].*$/, '').replace(/\/$/, '');
  if (!/[<*]/.test(clean)) return existsSync(join(ROOT, clean)) || ignored(clean);
  const pattern = new RegExp(`^${clean.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/<[^>]*>/g, '[^/]+').replace(/\*/g, '[^/]*')}(/|$)`);
  return repositoryFiles.some((f) => pattern.test(f)) || ignored(clean.replace(/<[^>]*>.*$/, ''));
}

test('every repository path the docs name exists', () => {
  const missing: string[] = [];
  for (const m of mentions) {
    // Commas separate {a,b} alternatives inside a path, so they only end one at its end.
    for (const token of m.code.split(/[\s'"=();|]+/)) {
      const path = token.replace(/[.:,]+$/, '');
      if (!/^\.?[\w.-]+\/[\w./<>*{},-]*$/.test(path) || path.includes('://')) continue;
      const first = path.split('/')[0];
      // From the repository root, or (etl/README.md's bdp_etl/...) from the document's own folder.
      const docDir = dirname(m.file);
      const fromDocDir = docDir !== '.' && !TOP_LEVEL.has(first) && existsSync(join(ROOT, docDir, first));
      if (!TOP_LEVEL.has(first) && !fromDocDir) continue;
      const fromRoot = fromDocDir ? `${docDir}/${path}` : path;
      if (!pathExists(fromRoot)) missing.push(`${where(m)}: ${path}`);
    }
  }
  expect(missing).toEqual([]);
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchorsOf = (markdown: string) =>
  new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((h) =>
      h[1]
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );

test('every Markdown link to a file of the repository resolves, anchors included, and none leaves it', () => {
  const broken: string[] = [];
  for (const file of DOCS) {
    for (const match of text(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1];
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split('#');
      const absolute = path === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), path);
      const inside = !relative(ROOT, absolute).startsWith('..');
      if (!inside || !existsSync(absolute)) broken.push(`${file}: ${target}`);
      else if (anchor && statSync(absolute).isFile() && !anchorsOf(readFileSync(absolute, 'utf8')).has(anchor)) broken.push(`${file}: ${target} (no such heading)`);
    }
  }
  expect(broken).toEqual([]);
});

test('nothing in the repository refers to files outside it', () => {
  const outside = ['..', 'shared'].join('/');
  const offenders = repositoryFiles
    .filter((f) => !/\.(png|svg|zip|jar|gz|ico)$/.test(f) && f !== 'package-lock.json')
    .filter((f) => statSync(join(ROOT, f)).size < 2_000_000)
    .filter((f) => {
      const content = readFileSync(join(ROOT, f), 'utf8');
      return content.includes(outside) || content.includes(`/work/${'shared'}`);
    });
  expect(offenders).toEqual([]);
});

/** Every target make knows, from its own rule database (the Makefile and everything it includes). */
const makeTargets = new Set(
  // -q exits non-zero when something is out of date; the database is printed either way.
  [...spawnSync('make', ['-pRrq', '-f', 'Makefile', ':'], { cwd: ROOT, encoding: 'utf8' }).stdout.matchAll(/^([a-zA-Z][\w.-]*):(?!=)/gm)].map((m) => m[1]),
);

test('every `make <target>` the docs mention is a target', () => {
  expect(makeTargets.has('help')).toBe(true); // the database was read
  const unknown: string[] = [];
  for (const m of mentions) {
    for (const match of m.code.matchAll(/(?:^|[\s;&|(])make((?: [A-Z_]+=\S+)*) ([a-z][\w-]*)/g)) {
      if (!makeTargets.has(match[2])) unknown.push(`${where(m)}: make ${match[2]}`);
    }
  }
  expect(unknown).toEqual([]);
});

/** `--flags` written after a word of a code span, until the span (or line) ends. */
function flagsAfter(code: string, word: RegExp): { subject: string; flags: string[] }[] {
  return code.split('\n').flatMap((line) =>
    [...line.matchAll(word)].map((match) => {
      const rest = line.slice(match.index + match[0].length);
      return { subject: match[1] ?? '', flags: [...rest.matchAll(/(?:^|[\s[])(--[a-z][\w-]*)/g)].map((f) => f[1]) };
    }),
  );
}

test('every ops CLI flag the docs use belongs to the command it is given to', () => {
  // ops/cli.ts's usage lists each command with its options: `  <command> --env <env> [--flag ...]`.
  const commandFlags = new Map<string, Set<string>>();
  for (const match of platformUsage().matchAll(/^ {2}([a-z][\w-]*) (.*)$/gm)) commandFlags.set(match[1], new Set([...match[2].matchAll(/--[a-z][\w-]*/g)].map((f) => f[0])));
  expect(commandFlags.size).toBeGreaterThan(0);
  const wrong: string[] = [];
  for (const m of mentions) {
    for (const { subject, flags } of flagsAfter(m.code, /(?:bin\/platform\.ts|^platform|[\s$]platform) ([a-z][\w-]*)/g)) {
      const known = commandFlags.get(subject);
      if (!known) {
        wrong.push(`${where(m)}: platform ${subject} is not a command`);
        continue;
      }
      for (const flag of flags) if (!known.has(flag) && flag !== '--help') wrong.push(`${where(m)}: platform ${subject} ${flag}`);
    }
  }
  expect(wrong).toEqual([]);
});

test('every producer and ETL flag the docs use is one the program takes', () => {
  const produceHelp = spawnSync('npx', ['--no-install', 'tsx', 'bin/produce-events.ts', '--help'], { cwd: ROOT, encoding: 'utf8' }).stdout;
  const producerFlags = new Set([...produceHelp.matchAll(/--[a-z][\w-]*/g)].map((f) => f[0]));
  // etl/main.py hands its arguments to bdp_etl.cli's argparse parser.
  const etlFlags = new Set([...text('etl/bdp_etl/cli.py').matchAll(/add_argument\(\s*"(--[a-z][\w-]*)"/g)].map((f) => f[1]));
  expect(producerFlags.has('--stream')).toBe(true);
  expect(etlFlags.size).toBeGreaterThan(0);
  const wrong: string[] = [];
  for (const m of mentions) {
    for (const { flags } of flagsAfter(m.code, /produce-events\.ts()/g)) for (const flag of flags) if (!producerFlags.has(flag)) wrong.push(`${where(m)}: produce-events ${flag}`);
    for (const { flags } of flagsAfter(m.code, /main\.py()/g)) for (const flag of flags) if (!etlFlags.has(flag)) wrong.push(`${where(m)}: main.py ${flag}`);
  }
  expect(wrong).toEqual([]);
});

type Schema = z.ZodType;
/** The schema at a dotted path through objects, optionals and defaults; `*` in a key matches any characters. */
function schemaAt(schema: Schema, path: string[]): boolean {
  if (path.length === 0) return true;
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: Schema; shape?: Record<string, Schema> } } })._zod.def;
  if (def.innerType) return schemaAt(def.innerType, path);
  if (def.type !== 'object' || !def.shape) return false;
  const [key, ...rest] = path;
  const pattern = new RegExp(`^${key.replace(/\*/g, '.*')}$`);
  return Object.entries(def.shape).some(([name, child]) => pattern.test(name) && schemaAt(child, rest));
}

test('every configuration field the docs name is in lib/config/schema.ts', () => {
  const sections = new Set(Object.keys((environmentSchema as unknown as { shape: Record<string, unknown> }).shape));
  const unknown: string[] = [];
  for (const m of mentions) {
    // <section>.<camelCaseField>, as the schema names them (snake_case and deeper dotted names are
    // Python and Spark identifiers, e.g. lake.ensure_table or lake.silver.events in etl/README.md).
    const field = /^([a-z][a-zA-Z]*)\.([a-zA-Z*][a-zA-Z0-9*]*)((?:\/[A-Z][a-zA-Z0-9]*)*)$/.exec(m.code);
    if (!field) continue;
    const [, section, rest, alternates] = field;
    // A section of the schema, or what reads like one: a word and a capitalised field, e.g. athena.BytesScannedCutoffMb.
    if (!sections.has(section) && !/^[A-Z]\w*$/.test(rest)) continue;
    const paths = [[section, rest]];
    // `delivery.githubOwnerId/RepoId` is short for githubOwnerId and githubRepoId.
    const stem = /^[a-z]+/.exec(rest)?.[0] ?? '';
    for (const alternate of alternates.split('/').filter(Boolean)) paths.push([section, `${stem}${alternate}`]);
    for (const path of paths) if (!schemaAt(environmentSchema, path)) unknown.push(`${where(m)}: ${path.join('.')}`);
  }
  expect(unknown).toEqual([]);
});

test('the counts the README states about the configuration are the configuration', () => {
  const row = /^\| Interface endpoints \|(.*)$/m.exec(text('README.md'))?.[1] ?? '';
  const stated = [...row.matchAll(/all (\d+)/g)].map((m) => Number(m[1]));
  expect(stated.length).toBeGreaterThan(0);
  for (const count of stated) expect(count).toBe(INTERFACE_ENDPOINT_SERVICES.length);
  const withAll = loadEnvironments().filter((e) => e.network.interfaceEndpoints.length === INTERFACE_ENDPOINT_SERVICES.length);
  expect(withAll.length).toBe(stated.length);
});

test('the Node version is stated once: .nvmrc, within package.json engines, and what CI sets up', () => {
  const nvmrc = text('.nvmrc').trim();
  expect(nvmrc).toMatch(/^\d+$/);
  const engines = JSON.parse(text('package.json')).engines.node as string;
  const minimum = Number(/>=\s*(\d+)/.exec(engines)?.[1]);
  expect(Number(nvmrc)).toBeGreaterThanOrEqual(minimum);
  for (const file of readdirSync(join(ROOT, '.github', 'workflows'))) {
    const workflow = parse(text(`.github/workflows/${file}`)) as { jobs?: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }> };
    for (const job of Object.values(workflow.jobs ?? {})) {
      for (const step of job.steps ?? []) {
        if (!step.uses?.startsWith('actions/setup-node@')) continue;
        const version = step.with?.['node-version-file'] === '.nvmrc' ? nvmrc : String(step.with?.['node-version']);
        expect({ file, version }).toEqual({ file, version: nvmrc });
      }
    }
  }
});

test('the path check itself catches a missing path, a bad target and an unknown field', () => {
  expect(pathExists('lib/config/schema.ts')).toBe(true);
  expect(pathExists('lib/config/no-such-file.ts')).toBe(false);
  expect(pathExists('certs/<env>/clients/<engineer>.crt')).toBe(true); // git-ignored output of make vpn-certs
  expect(pathExists('docs/architecture.{dot,svg,png}')).toBe(true);
  expect(makeTargets.has('no-such-target')).toBe(false);
  expect(schemaAt(environmentSchema, ['lake', 'athenaBytesScannedCutoffMb'])).toBe(true);
  expect(schemaAt(environmentSchema, ['athena', 'BytesScannedCutoffMb'])).toBe(false);
  expect(schemaAt(environmentSchema, ['emr', '*InstanceTypes'])).toBe(true);
});

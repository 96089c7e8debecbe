/**
 * Turns one environment's `cdk diff` output into a section of the pull request's diff comment:
 * data loss (stateful resources deleted or replaced) first, then other replacements, which are
 * destructive too (a new resource, with a new identity). Used by .github/workflows/diff.yml:
 *
 *   npx tsx scripts/diff-comment.ts --env dev --outcome success diff-dev.txt > section-dev.md
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ChangeEvent, DATA_LOSS_IMPACTS, DESTRUCTIVE_IMPACTS, IMPACT_LABELS, Impact, impactOf } from './template-diff';

export interface LiveChange {
  readonly stack: string;
  readonly type: string;
  readonly resource: string;
  readonly impact: Impact;
}

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPES = /\u001b\[[0-9;]*m/g;
/** A resource line of the CDK CLI's diff: `[-] AWS::S3::Bucket Bucket Bucket83908E77 destroy`. */
const RESOURCE_LINE = /^\[([-+~])\] (\S+) (.+?)(?: (replace|may be replaced|destroy|orphan))?$/;
const EVENTS: Readonly<Record<string, ChangeEvent>> = { replace: 'replace', 'may be replaced': 'may-replace', destroy: 'delete', orphan: 'orphan' };
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
/** A comment holds 65,536 characters and carries every environment's section. */
const MAX_OUTPUT_CHARS = 18_000;

/** The resource changes of a `cdk diff` output that replace, delete or orphan something. */
export function liveChanges(output: string): LiveChange[] {
  const changes: LiveChange[] = [];
  let stack = '';
  for (const raw of output.split('\n')) {
    const line = raw.replace(ANSI_ESCAPES, '').trimEnd();
    const heading = /^Stack (\S+)/.exec(line);
    if (heading) {
      stack = heading[1];
      continue;
    }
    const match = RESOURCE_LINE.exec(line);
    if (!match) continue;
    const [, sign, type, resource, word] = match;
    const event: ChangeEvent = word ? EVENTS[word] : sign === '-' ? 'delete' : 'update';
    const impact = impactOf(type, event);
    if (impact !== 'none') changes.push({ stack, type, resource, impact });
  }
  return changes;
}

export function renderSection(environment: string, output: string, succeeded: boolean): string {
  const text = output.replace(ANSI_ESCAPES, '').trim();
  const shown = text.length > MAX_OUTPUT_CHARS ? `${text.slice(0, MAX_OUTPUT_CHARS)}\n… (truncated; the job log has all of it)` : text;
  const details = ['<details><summary>cdk diff output</summary>', '', '```', shown, '```', '</details>', ''];
  if (!succeeded) return [`### ${environment}`, '', ':x: `cdk diff` failed; the job log says why.', '', ...details].join('\n');

  const changes = liveChanges(text);
  const dataLoss = changes.filter((c) => DATA_LOSS_IMPACTS.has(c.impact));
  const replaced = changes.filter((c) => DESTRUCTIVE_IMPACTS.has(c.impact) && !DATA_LOSS_IMPACTS.has(c.impact));
  const destructive = plural(dataLoss.length + replaced.length, 'destructive change');
  const summary =
    dataLoss.length > 0
      ? `:warning: **${destructive}: ${plural(dataLoss.length, 'stateful resource')} deleted or replaced, losing data**${replaced.length > 0 ? `; ${replaced.length} other replaced` : ''}`
      : replaced.length > 0
        ? `:warning: **${destructive}: ${plural(replaced.length, 'resource')} replaced** (no stateful data lost)`
        : changes.length > 0
          ? 'No destructive change; some resources are orphaned.'
          : 'No destructive change.';
  const rest = changes.filter((c) => !DESTRUCTIVE_IMPACTS.has(c.impact));
  const list = [...dataLoss, ...replaced, ...rest].map((c) => {
    const bold = DATA_LOSS_IMPACTS.has(c.impact) ? '**' : '';
    return `- ${bold}${c.stack}: \`${c.type}\` ${c.resource}: ${IMPACT_LABELS[c.impact].replace(/^!!! /, '')}${bold}`;
  });
  return [`### ${environment}`, '', summary, ...(list.length > 0 ? ['', ...list] : []), '', ...details].join('\n');
}

if (require.main === module) {
  const { values, positionals } = parseArgs({ options: { env: { type: 'string' }, outcome: { type: 'string', default: 'success' } }, allowPositionals: true });
  if (!values.env || positionals.length !== 1) {
    console.error('usage: npx tsx scripts/diff-comment.ts --env <environment> [--outcome success|failure] <cdk diff output file>');
    process.exit(2);
  }
  console.log(renderSection(values.env, readFileSync(positionals[0], 'utf8'), values.outcome === 'success'));
}

import { parseCliJson, runAirflowCli } from '../airflow-cli';
import type { OpsContext } from '../context';
import { resolveOutput } from '../deployed-stacks';
import { ExitCode, OpsError, usageError } from '../errors';

export interface TriggerOptions {
  readonly dag: string;
  /** The run's logical date, YYYY-MM-DD (the `ds` the pipeline processes). @default now */
  readonly date?: string;
  /** The run's conf, a JSON object. */
  readonly conf?: string;
}

/** Airflow's rule for DAG ids: letters, digits, underscores, dots and dashes. */
const DAG_ID = /^[\w.-]{1,250}$/;

/** Validated `airflow dags trigger` arguments (Airflow 3: `-l/--logical-date`; 2.x had `-e`). Throws a usage error. */
export function triggerArgs(options: TriggerOptions): string[] {
  if (!DAG_ID.test(options.dag)) throw usageError(`'${options.dag}' is not a DAG id (letters, digits, _ . -)`);
  const args = ['dags', 'trigger', options.dag];
  if (options.date !== undefined) args.push('-l', `${parseDate(options.date)}T00:00:00+00:00`);
  if (options.conf !== undefined) args.push('-c', JSON.stringify(parseConf(options.conf)));
  return [...args, '-o', 'json'];
}

function parseDate(text: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  // Round-tripping through Date rejects 2026-02-30 and the like.
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== text) throw usageError(`--date must be a calendar date YYYY-MM-DD; got '${text}'`);
  return text;
}

function parseConf(text: string): Record<string, unknown> {
  let conf: unknown;
  try {
    conf = JSON.parse(text);
  } catch (error) {
    throw usageError(`--conf must be JSON: ${(error as Error).message}; got ${text}`);
  }
  if (conf === null || typeof conf !== 'object' || Array.isArray(conf)) throw usageError(`--conf must be a JSON object such as '{"rows": 1000}'; got ${text}`);
  return conf as Record<string, unknown>;
}

interface TriggeredRun {
  readonly dag_run_id?: string;
  readonly state?: string;
  readonly logical_date?: string | null;
}

/** Starts a DAG run through the Airflow CLI. Arguments are validated before any AWS call. */
export async function trigger(ctx: OpsContext, options: TriggerOptions): Promise<ExitCode> {
  const args = triggerArgs(options);
  const { mwaa, cloudFormation } = ctx.clients;
  const name = await ctx.progress('Resolving the MWAA environment', resolveOutput(cloudFormation, ctx.config, 'mwaaEnvironmentName'));
  const output = await ctx.progress(`Triggering ${options.dag}`, runAirflowCli(mwaa, ctx.fetch, name, args));
  const [run] = parseCliJson<TriggeredRun[]>(output, `trigger ${options.dag}`);
  if (!run) throw new OpsError(`Airflow created no run of ${options.dag}:\n${output.stderr.trim() || 'no output'}`, ExitCode.Failed);
  ctx.print(`Triggered ${options.dag} in ${name}: run ${run.dag_run_id ?? '?'} is ${run.state ?? '?'} (logical date ${run.logical_date ?? 'none'}).`);
  ctx.print(`Follow it with: platform status --env ${ctx.config.name} --dag ${options.dag}`);
  return ExitCode.Ok;
}

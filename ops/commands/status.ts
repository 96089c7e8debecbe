import { type Environment, GetEnvironmentCommand } from '@aws-sdk/client-mwaa';
import { type AirflowCliOutput, parseCliJson, runAirflowCli } from '../airflow-cli';
import type { OpsContext } from '../context';
import { resolveOutput } from '../deployed-stacks';
import { ExitCode, OpsError } from '../errors';
import { formatTable } from '../table';

/** The DAG `status` reports on unless told otherwise (dags/bdp_pipeline.py). */
export const DEFAULT_DAG = 'bdp_daily_pipeline';

export interface StatusOptions {
  readonly dag: string;
  /** How many of the latest runs to show. */
  readonly limit: number;
}

/** A row of `airflow dags list-runs -o json` (Airflow 3). */
export interface DagRunRow {
  readonly dag_id: string;
  readonly run_id: string;
  readonly state: string;
  readonly run_after?: string;
  readonly logical_date?: string;
  readonly start_date?: string;
  readonly end_date?: string;
}

/** `dags list-runs` takes the DAG id as a positional argument since Airflow 3 (2.x had `-d`). */
export const listRunsArgs = (dag: string): string[] => ['dags', 'list-runs', dag, '-o', 'json'];

export function parseDagRuns(output: AirflowCliOutput, dag: string): DagRunRow[] {
  const rows = parseCliJson<unknown>(output, `list the runs of ${dag}`);
  if (!Array.isArray(rows)) throw new OpsError(`Airflow listed the runs of ${dag} as something other than a list`, ExitCode.Failed);
  return rows as DagRunRow[];
}

export function formatEnvironment(environment: Environment): string {
  const update = environment.LastUpdate;
  const rows = [
    ['status', environment.Status ?? 'unknown'],
    ['last update', update ? `${update.Status ?? '?'} at ${update.CreatedAt?.toISOString() ?? '?'}${update.Error ? ` (${update.Error.ErrorCode}: ${update.Error.ErrorMessage})` : ''}` : 'none'],
    ['airflow', `${environment.AirflowVersion ?? '?'} on ${environment.EnvironmentClass ?? '?'}, ${environment.MinWorkers ?? '?'}-${environment.MaxWorkers ?? '?'} workers, ${environment.Schedulers ?? '?'} schedulers`],
    ['web server', environment.WebserverUrl ? `https://${environment.WebserverUrl} (private: over the Client VPN)` : 'none'],
  ];
  return formatTable(['MWAA', environment.Name ?? ''], rows);
}

export function formatDagRuns(dag: string, runs: readonly DagRunRow[], limit: number): string {
  if (runs.length === 0) return `No runs of ${dag} yet.`;
  // Airflow lists the newest first.
  const shown = runs.slice(0, limit);
  const rows = shown.map((r) => [r.run_id, r.state, r.logical_date || '-', r.start_date || '-', r.end_date || '-']);
  return `Latest ${shown.length} of ${runs.length} runs of ${dag}:\n${formatTable(['RUN ID', 'STATE', 'LOGICAL DATE', 'STARTED', 'ENDED'], rows, { indent: '  ' })}`;
}

/** MWAA health, then the latest runs of a DAG. Unhealthy when the environment is not AVAILABLE. */
export async function status(ctx: OpsContext, options: StatusOptions): Promise<ExitCode> {
  const { mwaa, cloudFormation } = ctx.clients;
  const name = await ctx.progress('Resolving the MWAA environment', resolveOutput(cloudFormation, ctx.config, 'mwaaEnvironmentName'));
  const environment = (await ctx.progress(`Reading ${name}`, mwaa.send(new GetEnvironmentCommand({ Name: name })))).Environment;
  if (!environment) throw new OpsError(`MWAA returned no environment ${name}`, ExitCode.NotFound);
  ctx.print(formatEnvironment(environment));
  if (environment.Status !== 'AVAILABLE') {
    ctx.print(`\nRuns not listed: the environment is ${environment.Status}, so its web server does not answer.`);
    return ExitCode.Unhealthy;
  }
  const output = await ctx.progress(`Listing runs of ${options.dag}`, runAirflowCli(mwaa, ctx.fetch, name, listRunsArgs(options.dag)));
  ctx.print(`\n${formatDagRuns(options.dag, parseDagRuns(output, options.dag), options.limit)}`);
  return ExitCode.Ok;
}

import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { EnvironmentConfig } from '../lib/config';
import type { Fetch } from './airflow-cli';
import { clusters } from './commands/clusters';
import { reap } from './commands/reap';
import { DEFAULT_DAG, status } from './commands/status';
import { trigger } from './commands/trigger';
import { views } from './commands/views';
import { VPN_ACCESS_ACTIONS, type VpnAccessAction, vpnAccess } from './commands/vpn-access';
import { vpnConfig } from './commands/vpn-config';
import { vpnRevoke } from './commands/vpn-revoke';
import type { OpsClients, OpsContext } from './context';
import { parseDuration } from './duration';
import { ExitCode, OpsError, describeFailure, usageError } from './errors';
import { type ProgressStream, progressOn } from './progress';

/** What the CLI touches outside itself; bin/platform.ts passes the real ones, tests fakes. */
export interface CliDependencies {
  readonly environments: () => readonly EnvironmentConfig[];
  readonly clients: (config: EnvironmentConfig) => OpsClients;
  readonly fetch: Fetch;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressStream;
  readonly now: () => Date;
  readonly readFile: (path: string) => Promise<string>;
  /** Writes a file only its owner can read: a VPN profile holds a private key. */
  readonly writePrivateFile: (path: string, text: string) => Promise<void>;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly options: Options;
  run(ctx: OpsContext, values: Values, positionals: string[], deps: CliDependencies): Promise<ExitCode>;
}

const noPositionals = (positionals: string[]) => {
  if (positionals.length > 0) throw usageError(`unexpected argument '${positionals[0]}'`);
};

const COMMANDS: Record<string, Command> = {
  status: {
    usage: 'status --env <env> [--dag <dag_id>] [--limit <n>]',
    summary: `MWAA health and the latest runs of a DAG (default ${DEFAULT_DAG})`,
    options: { dag: { type: 'string', default: DEFAULT_DAG }, limit: { type: 'string', default: '10' } },
    run: (ctx, values, positionals) => {
      noPositionals(positionals);
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit must be a positive whole number; got '${values.limit}'`);
      return status(ctx, { dag: values.dag as string, limit });
    },
  },
  trigger: {
    usage: 'trigger <dag_id> --env <env> [--date YYYY-MM-DD] [--conf <json object>]',
    summary: 'start a DAG run, optionally for a logical date and with a conf',
    options: { date: { type: 'string' }, conf: { type: 'string' } },
    run: (ctx, values, positionals) => {
      if (positionals.length !== 1) throw usageError('trigger takes exactly one DAG id, e.g. `trigger bdp_daily_pipeline --env dev`');
      return trigger(ctx, { dag: positionals[0], date: values.date as string | undefined, conf: values.conf as string | undefined });
    },
  },
  clusters: {
    usage: 'clusters --env <env> [--all]',
    summary: "the environment's EMR clusters with fleets, age and estimated cost so far (--all: also those ended in the last 7 days)",
    options: { all: { type: 'boolean', default: false } },
    run: (ctx, values, positionals) => {
      noPositionals(positionals);
      return clusters(ctx, { all: values.all === true });
    },
  },
  reap: {
    usage: 'reap --env <env> --older-than <duration> [--dry-run] [<cluster id>...]',
    summary: "terminate the environment's clusters up longer than the duration (e.g. 6h, 1d12h); never one without its tag",
    options: { 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
    run: (ctx, values, positionals) => {
      if (values['older-than'] === undefined) throw usageError('reap needs --older-than, e.g. --older-than 6h, so a running pipeline is never cut short by accident');
      const bad = positionals.find((id) => !/^j-[A-Z0-9]+$/.test(id));
      if (bad) throw usageError(`'${bad}' is not an EMR cluster id (j-...)`);
      return reap(ctx, { olderThanMs: parseDuration(values['older-than'] as string, '--older-than'), dryRun: values['dry-run'] === true, clusterIds: positionals });
    },
  },
  views: {
    usage: 'views user <userId> | views minutes <eventType> --from <minute> --to <minute> [--limit <n>] [--next-token <token>] [--all] | views health  (--env <env>)',
    summary: 'read the real-time views through the views API, signed with your credentials (minutes are UTC, yyyy-MM-ddTHH:mm)',
    options: { from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' }, 'next-token': { type: 'string' }, all: { type: 'boolean', default: false } },
    run: (ctx, values, positionals) => {
      const [what, subject, ...extra] = positionals;
      if (extra.length > 0) throw usageError(`unexpected argument '${extra[0]}'`);
      if (what === 'health' && subject === undefined) return views(ctx, { kind: 'health' });
      if (what === 'user' && subject !== undefined) return views(ctx, { kind: 'user', userId: subject });
      if (what === 'minutes' && subject !== undefined) {
        if (values.from === undefined || values.to === undefined) throw usageError('views minutes needs --from and --to, UTC minutes such as 2026-11-22T10:00');
        const limit = values.limit === undefined ? undefined : Number(values.limit);
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw usageError(`--limit must be a positive whole number; got '${values.limit}'`);
        return views(ctx, { kind: 'minutes', eventType: subject, from: values.from as string, to: values.to as string, limit, nextToken: values['next-token'] as string | undefined, all: values.all === true });
      }
      throw usageError('views takes `user <userId>`, `minutes <eventType> --from .. --to ..` or `health`');
    },
  },
  'vpn-config': {
    usage: 'vpn-config --env <env> --cert <client.crt> --key <client.key> [--out <file.ovpn>]',
    summary: 'a ready OpenVPN profile: the endpoint configuration with your certificate and key inline',
    options: { cert: { type: 'string' }, key: { type: 'string' }, out: { type: 'string' } },
    run: async (ctx, values, positionals, deps) => {
      noPositionals(positionals);
      if (values.cert === undefined || values.key === undefined) throw usageError('vpn-config needs --cert and --key (see `make vpn-certs`)');
      const read = async (path: string) => ({ path, text: await deps.readFile(path).catch((e: Error) => Promise.reject(usageError(`cannot read ${path}: ${e.message}`))) });
      const profile = await vpnConfig(ctx, { certificate: await read(values.cert as string), privateKey: await read(values.key as string) });
      if (values.out === undefined) deps.stdout.write(profile);
      else {
        await deps.writePrivateFile(values.out as string, profile);
        deps.stderr.write(`Wrote ${values.out} (mode 600: it holds your private key). Import it into the AWS VPN Client or OpenVPN.\n`);
      }
      return ExitCode.Ok;
    },
  },
  'vpn-access': {
    usage: 'vpn-access on|off|status --env <env>',
    summary: 'VPN on demand (vpn.associatedAzCount 0): associate the endpoint with a private subnet (on, ready in 5-10 min), remove it (off), or show it',
    options: {},
    run: (ctx, _values, positionals) => {
      const [action, ...extra] = positionals;
      if (extra.length > 0) throw usageError(`unexpected argument '${extra[0]}'`);
      if (!VPN_ACCESS_ACTIONS.includes(action as VpnAccessAction)) throw usageError(`vpn-access takes one of ${VPN_ACCESS_ACTIONS.join(', ')}, e.g. \`vpn-access on --env dev\``);
      return vpnAccess(ctx, action as VpnAccessAction);
    },
  },
  'vpn-revoke': {
    usage: 'vpn-revoke --env <env> --engineer <name> [--certs <dir>]',
    summary: "revoke an engineer's Client VPN certificate in the client CA (default certs/<env>) and upload the revocation list to the endpoint",
    options: { engineer: { type: 'string' }, certs: { type: 'string' } },
    run: (ctx, values, positionals) => {
      noPositionals(positionals);
      if (values.engineer === undefined) throw usageError('vpn-revoke needs --engineer, the name `make vpn-certs` issued the certificate to');
      return vpnRevoke(ctx, { engineer: values.engineer as string, certsDir: (values.certs as string | undefined) ?? `certs/${ctx.config.name}` });
    },
  },
};

const GLOBAL_OPTIONS: Options = { env: { type: 'string', short: 'e' }, help: { type: 'boolean', short: 'h' } };

export function usage(): string {
  return [
    'Usage: platform <command> --env <env> [options]     (npx tsx bin/platform.ts ...)',
    '',
    'Commands:',
    ...Object.values(COMMANDS).flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    'Names come from the deployed stacks; account and region from lib/config/environments.ts.',
    'Exit codes: 0 ok, 1 failed, 2 usage, 3 credentials, 4 environment or stack not found, 5 MWAA unhealthy.',
  ].join('\n');
}

/** Runs one command line and returns its exit code; it never throws and never exits. */
export async function runCli(argv: readonly string[], deps: CliDependencies): Promise<ExitCode> {
  const fail = (message: string, exitCode: ExitCode) => {
    deps.stderr.write(`error: ${message}\n`);
    return exitCode;
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? deps.stderr : deps.stdout).write(`${usage()}\n`);
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const command = COMMANDS[name];
  if (!command) return fail(`unknown command '${name}'\n\n${usage()}`, ExitCode.Usage);

  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...rest], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] });
  } catch (error) {
    return fail(`${(error as Error).message}\nUsage: platform ${command.usage}`, ExitCode.Usage);
  }
  if (values.help) {
    deps.stdout.write(`Usage: platform ${command.usage}\n  ${command.summary}\n`);
    return ExitCode.Ok;
  }

  let config: EnvironmentConfig | undefined;
  try {
    if (typeof values.env !== 'string') throw usageError(`--env is required\nUsage: platform ${command.usage}`);
    const environments = deps.environments();
    config = environments.find((e) => e.name === values.env);
    if (!config) throw new OpsError(`unknown environment '${values.env}'; lib/config/environments.ts defines ${environments.map((e) => e.name).join(', ')}`, ExitCode.NotFound);
    const ctx: OpsContext = {
      config,
      clients: deps.clients(config),
      fetch: deps.fetch,
      progress: progressOn(deps.stderr),
      now: deps.now,
      print: (text) => deps.stdout.write(`${text}\n`),
    };
    return await command.run(ctx, values, positionals, deps);
  } catch (error) {
    const { message, exitCode } = describeFailure(error, config);
    return fail(message, exitCode);
  }
}

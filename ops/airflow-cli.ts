import { CreateCliTokenCommand, MWAAClient } from '@aws-sdk/client-mwaa';
import { ExitCode, OpsError } from './errors';

/**
 * The Airflow CLI of an MWAA environment, through its web server: CreateCliToken, then POST the
 * command line to `https://<host>/aws_mwaa/cli`. (MWAA's InvokeRestApi would call the REST API
 * instead, but @aws-sdk/client-mwaa 3.523.0, the newest the registry serves here, predates it.)
 * The web server is private, so this works only from inside the VPC, e.g. over the Client VPN.
 */

export type Fetch = typeof fetch;

export interface AirflowCliOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** The web server parses the command line like a shell; quote what a shell would split or expand. */
export function airflowCommandLine(args: readonly string[]): string {
  return args.map((arg) => (/^[\w./:=@+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'"'"'`)}'`)).join(' ');
}

const TIMEOUT_MS = 60_000;

export async function runAirflowCli(mwaa: MWAAClient, fetchFn: Fetch, environmentName: string, args: readonly string[]): Promise<AirflowCliOutput> {
  const { CliToken, WebServerHostname } = await mwaa.send(new CreateCliTokenCommand({ Name: environmentName }));
  if (!CliToken || !WebServerHostname) throw new OpsError(`MWAA returned no CLI token for ${environmentName}`, ExitCode.Failed);
  let response: Response;
  try {
    response = await fetchFn(`https://${WebServerHostname}/aws_mwaa/cli`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${CliToken}`, 'Content-Type': 'text/plain' },
      body: airflowCommandLine(args),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as { code?: string } | undefined)?.code ?? error.message) : String(error);
    throw new OpsError(
      `Cannot reach the Airflow web server ${WebServerHostname} (${cause}). It is private: connect to the Client VPN first (\`platform vpn-config\` makes the profile).`,
      ExitCode.Failed,
    );
  }
  const text = await response.text();
  if (!response.ok) throw new OpsError(`The Airflow CLI endpoint answered HTTP ${response.status}: ${text.slice(0, 300)}`, ExitCode.Failed);
  let body: { stdout?: string; stderr?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new OpsError(`The Airflow CLI endpoint answered something other than JSON: ${text.slice(0, 300)}`, ExitCode.Failed);
  }
  const decode = (b64?: string) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
  return { stdout: decode(body.stdout), stderr: decode(body.stderr) };
}

/**
 * The JSON that `-o json` printed. Airflow may print warnings before it, and reports failures on
 * stderr with nothing on stdout, so a missing document is a failure that quotes stderr.
 */
export function parseCliJson<T>(output: AirflowCliOutput, what: string): T {
  const start = output.stdout.search(/^\s*[[{]/m);
  if (start >= 0) {
    try {
      return JSON.parse(output.stdout.slice(start)) as T;
    } catch {
      // fall through to the error below
    }
  }
  const detail = (output.stderr.trim() || output.stdout.trim() || 'no output').split('\n').slice(-5).join('\n');
  throw new OpsError(`Airflow could not ${what}:\n${detail}`, ExitCode.Failed);
}

import type { EnvironmentConfig } from '../lib/config';

/** The ops CLI's exit codes (documented in docs/operations.md); scripts may branch on them. */
export const ExitCode = {
  Ok: 0,
  /** An AWS call or the Airflow CLI failed, or a cluster was refused. */
  Failed: 1,
  /** Bad command line: unknown command or option, bad value, unreadable or malformed file. */
  Usage: 2,
  /** No AWS credentials, expired ones, or ones for another account than the environment's. */
  Credentials: 3,
  /** Unknown environment, stack not deployed, or an output missing from it. */
  NotFound: 4,
  /** `status`: the MWAA environment is not AVAILABLE. */
  Unhealthy: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as its message alone, with its exit code. */
export class OpsError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'OpsError';
  }
}

export const usageError = (message: string) => new OpsError(message, ExitCode.Usage);

// What the SDK's credential chain throws when it finds nothing or an expired SSO session, and what
// services answer to missing, malformed or expired keys.
const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException']);

/** Turns anything thrown into the message and exit code the CLI reports. */
export function describeFailure(error: unknown, config?: Pick<EnvironmentConfig, 'name' | 'account' | 'region'>): { message: string; exitCode: ExitCode } {
  if (error instanceof OpsError) return { message: error.message, exitCode: error.exitCode };
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  if (CREDENTIAL_ERRORS.has(name)) {
    const target = config ? ` for environment '${config.name}' (account ${config.account}, ${config.region})` : '';
    return {
      message:
        `No valid AWS credentials${target}: ${message}\n` +
        'Log in first, e.g. `aws sso login --profile <profile>`, then run with `AWS_PROFILE=<profile>` set.',
      exitCode: ExitCode.Credentials,
    };
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') return { message: `Access denied: ${message}\nYour role needs this permission in account ${config?.account ?? '<account>'}.`, exitCode: ExitCode.Failed };
  return { message: `${name}: ${message}`, exitCode: ExitCode.Failed };
}

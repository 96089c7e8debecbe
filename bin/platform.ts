#!/usr/bin/env node
/**
 * The platform's ops CLI: `npx tsx bin/platform.ts <command> --env <env>` (see docs/operations.md).
 * Only wiring lives here; the commands are in ops/.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { loadEnvironments } from '../lib/config';
import { runCli } from '../ops/cli';
import { createClients } from '../ops/context';

// The AWS SDK prints an 8-line NodeVersionSupportWarning before the output on Node 20: SDK releases
// after early January 2027 will need Node 22. The SDK here is pinned (package-lock.json) and runs on
// the Node of .nvmrc, so the notice concerns a future upgrade, not this run; this is the SDK's own
// switch for it (@aws-sdk/core emitWarningIfUnsupportedVersion). Set it to false to see the notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), {
  environments: loadEnvironments,
  clients: (config) => createClients(config.region),
  fetch: globalThis.fetch,
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => new Date(),
  readFile: (path) => readFile(path, 'utf8'),
  // The mode given to writeFile applies only to a new file; chmod covers an existing one.
  writePrivateFile: (path, text) => writeFile(path, text, { mode: 0o600 }).then(() => chmod(path, 0o600)),
}).then((code) => {
  process.exitCode = code;
});

#!/usr/bin/env node
/**
 * The platform's ops CLI: `npx tsx bin/platform.ts <command> --env <env>` (see docs/operations.md).
 * Only wiring lives here; the commands are in ops/.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { loadEnvironments } from '../lib/config';
import { runCli } from '../ops/cli';
import { createClients } from '../ops/context';

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

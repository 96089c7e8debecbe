#!/usr/bin/env node
/**
 * Sends synthetic bronze.events records to the fast layer's Kinesis stream.
 *
 *   npx tsx bin/produce-events.ts --stream bdp-dev-events --rate 200 --count 5000
 *
 * Credentials and region come from the usual AWS SDK chain (profile, environment, SSO);
 * --endpoint points at a local emulator such as moto_server.
 */
import { parseArgs } from 'node:util';
import { outgoingRecord } from '../ops/producer/batching';
import { kinesisClient, produceEvents } from '../ops/producer/produce';
import { syntheticEvents, take } from '../ops/producer/synthetic-events';

// The AWS SDK prints an 8-line NodeVersionSupportWarning before the output on Node 20: SDK releases
// after early January 2027 will need Node 22. The SDK here is pinned (package-lock.json) and runs on
// the Node of .nvmrc, so the notice concerns a future upgrade, not this run; this is the SDK's own
// switch for it (@aws-sdk/core emitWarningIfUnsupportedVersion). Set it to false to see the notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `Usage: npx tsx bin/produce-events.ts --stream NAME [--rate N] [--count N] [--region REGION] [--endpoint URL] [--seed N]

  --stream    Kinesis stream name (the FastLayer stack's StreamName output)
  --rate      records per second (default 100)
  --count     records to send (default 1000)
  --region    AWS region (default: the SDK's, e.g. AWS_REGION)
  --endpoint  endpoint URL of a local emulator, e.g. http://127.0.0.1:5000
  --seed      seed of the synthetic events (default: the current time)`;

const FAILURES_LISTED = 20;
const PROGRESS_EVERY_MS = 1000;

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a whole number of at least 1, got ${JSON.stringify(text)}`);
  return value;
}

class UsageError extends Error {}

/** parseArgs reports unknown or malformed options as errors with an ERR_PARSE_ARGS_* code. */
const isUsageError = (error: Error) => error instanceof UsageError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stream: { type: 'string' },
      rate: { type: 'string', default: '100' },
      count: { type: 'string', default: '1000' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.stream) throw new UsageError('--stream is required');
  const rate = positiveInteger('rate', values.rate);
  const count = positiveInteger('count', values.count);
  const seed = values.seed === undefined ? Date.now() : positiveInteger('seed', values.seed);

  const client = kinesisClient({ region: values.region, endpoint: values.endpoint });
  // Event times follow the send schedule, so the events look as if they happened now.
  const events = syntheticEvents({ seed, start: new Date(), intervalMs: 1000 / rate });
  let lastReport = -Infinity;
  console.error(`Sending ${count} events to ${values.stream} at ${rate}/s (seed ${seed})`);
  const result = await produceEvents({
    client,
    streamName: values.stream,
    rate,
    records: (function* () {
      for (const event of take(events, count)) yield outgoingRecord(event);
    })(),
    onProgress: (p) => {
      if (p.elapsedMs - lastReport < PROGRESS_EVERY_MS && p.delivered + p.failed < count) return;
      lastReport = p.elapsedMs;
      // A terminal shows one updating line; a CI log gets a line per report.
      process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}  delivered ${p.delivered}/${count}  retried ${p.retried}  failed ${p.failed}  ${throughput(p.delivered, p.elapsedMs)}   ${process.stderr.isTTY ? '' : '\n'}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(`Delivered ${result.delivered} of ${count} in ${(result.elapsedMs / 1000).toFixed(1)} s (${throughput(result.delivered, result.elapsedMs)}), ${result.retried} retried after partial failures`);
  if (result.failures.length === 0) return 0;

  console.error(`${result.failures.length} records still failed after every retry:`);
  for (const { record, errorCode, errorMessage } of result.failures.slice(0, FAILURES_LISTED)) console.error(`  ${record.id}  ${errorCode}  ${errorMessage}`);
  if (result.failures.length > FAILURES_LISTED) console.error(`  ... and ${result.failures.length - FAILURES_LISTED} more`);
  return 1;
}

const throughput = (records: number, ms: number) => `${ms > 0 ? Math.round((records * 1000) / ms) : 0} records/s`;

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(isUsageError(error) ? `${error.message}\n\n${USAGE}` : `${error.name}: ${error.message}`);
    process.exit(isUsageError(error) ? 2 : 1);
  },
);

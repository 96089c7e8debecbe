/**
 * Evaluates AWS requests that code made (for example the DAGs, recorded in their fault tests) as
 * IAM would for one of the platform's principals, on the synthesized templates in cdk.out:
 *
 *   npx tsx scripts/access-check.ts --env dev --principal mwaa-execution < requests.json
 *
 * stdin: a JSON array of `{ "action", "resource", "context" }` with real values (no placeholders).
 * Prints each decision; exits 1 when any request is not allowed, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadEnvironments } from '../lib/config';
import { stageId } from '../lib/naming';
import { readSynthesizedStacks } from '../ops/cloud-assembly';
import type { AccessRequest } from '../test/harness/iam/access';
import { PRINCIPALS, PlatformAccess, type PrincipalName } from '../test/harness/iam/platform-access';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { env: { type: 'string' }, principal: { type: 'string' }, assembly: { type: 'string', default: 'cdk.out' } } });
  const config = loadEnvironments().find((e) => e.name === values.env);
  const principal = values.principal as PrincipalName | undefined;
  if (!config || !principal || !(PRINCIPALS as readonly string[]).includes(principal) || principal === 'service-publishers') {
    console.error(`usage: access-check --env <${loadEnvironments().map((e) => e.name).join('|')}> --principal <${PRINCIPALS.filter((p) => p !== 'service-publishers').join('|')}> [--assembly cdk.out] < requests.json`);
    return 2;
  }
  const stacks = readSynthesizedStacks(values.assembly!).filter((s) => s.stage === stageId(config.name));
  if (stacks.length === 0) {
    console.error(`access-check: no ${stageId(config.name)} stacks in ${values.assembly}; run 'make synth' first`);
    return 2;
  }
  const access = new PlatformAccess(
    config,
    stacks.map((s) => {
      const [, account, region] = /^aws:\/\/(\d{12})\/(.+)$/.exec(s.environment) ?? [];
      return { stackName: s.stackName, account, region, template: s.template };
    }),
  );
  const requests = JSON.parse(readFileSync(0, 'utf8')) as Omit<AccessRequest, 'principal'>[];
  let denied = 0;
  for (const request of requests) {
    const decision = await access.model.decide({ ...request, principal: access.principal(principal) });
    if (decision !== 'Allowed') denied++;
    console.log(`${decision.padEnd(16)} ${request.action} ${request.resource} ${JSON.stringify(request.context ?? {})}`);
  }
  console.log(`${requests.length - denied} of ${requests.length} requests allowed for ${principal} in ${config.name}`);
  return denied === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`access-check: ${error.message}`);
    process.exit(2);
  },
);

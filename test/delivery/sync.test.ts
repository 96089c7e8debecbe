import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadEnvironments } from '../../lib/config';
import { deliveryFacts } from '../../scripts/delivery-env';

const ROOT = join(__dirname, '..', '..');
const staging = loadEnvironments().find((e) => e.name === 'staging')!;
const facts = deliveryFacts(staging);
const bucket = facts['artifacts-bucket'];

/**
 * A stand-in `aws` CLI that logs every call and answers the few queries scripts/sync.sh reads:
 * the published requirements digest, the object's latest version, MWAA's installed version.
 */
const FAKE_AWS = `#!/usr/bin/env bash
echo "$*" >> "$AWS_LOG"
case "$*" in
  *head-object*emr-tls*) [ -z "$TLS_MISSING" ] || exit 254 ;;
  *head-object*deps-sha256*) [ -n "$PUBLISHED_DIGEST" ] && echo "$PUBLISHED_DIGEST" || exit 254 ;;
  *head-object*VersionId*) echo v-latest ;;
  *put-object*) echo v-new ;;
  *get-environment*) echo "$INSTALLED_VERSION" ;;
esac
`;

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'sync-'));
  mkdirSync(join(work, 'bin'));
  writeFileSync(join(work, 'bin', 'aws'), FAKE_AWS);
  chmodSync(join(work, 'bin', 'aws'), 0o755);
  mkdirSync(join(work, 'dags'));
  writeFileSync(join(work, 'dags', 'requirements.txt'), '--constraint "/usr/local/airflow/dags/constraints.txt"\n');
  writeFileSync(join(work, 'dags', 'constraints.txt'), 'apache-airflow==3.3.1\n');
  mkdirSync(join(work, 'etl'));
  writeFileSync(join(work, 'etl', 'bdp_etl.zip'), 'zip');
  writeFileSync(join(work, 'etl', 'main.py'), 'print()');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function sync(env: Record<string, string> = {}, environment = 'staging'): { status: number | null; output: string; calls: string[] } {
  const log = join(work, 'aws.log');
  const result = spawnSync(join(ROOT, 'scripts', 'sync.sh'), [environment], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(work, 'bin')}:${process.env.PATH}`, AWS_LOG: log, DAGS_DIR: join(work, 'dags'), ETL_DIST_DIR: join(work, 'etl'), ...env },
  });
  const calls = (() => {
    try {
      return readFileSync(log, 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  })();
  return { status: result.status, output: result.stdout + result.stderr, calls };
}

/** The digest sync.sh publishes: sha256 over the files' own sha256 lines. */
function digestOf(...names: string[]): string {
  const lines = names.map((n) => `${createHash('sha256').update(readFileSync(join(work, 'dags', n))).digest('hex')}\n`).join('');
  return createHash('sha256').update(lines).digest('hex');
}

test("mirrors dags/ and the ETL package into the environment's prefixes with --delete, keeping requirements.txt for its own upload", () => {
  const { status, calls } = sync({ PUBLISHED_DIGEST: digestOf('requirements.txt', 'constraints.txt'), INSTALLED_VERSION: 'v-latest' });
  expect(status).toBe(0);
  const syncs = calls.filter((c) => c.startsWith('s3 sync'));
  expect(syncs).toHaveLength(2);
  expect(syncs[0]).toMatch(new RegExp(`^s3 sync ${work}/dags/ s3://${bucket}/dags/ --delete .*--exclude requirements.txt`));
  expect(syncs[1]).toMatch(new RegExp(`^s3 sync ${work}/etl/ s3://${bucket}/etl/ --delete`));
});

test('unchanged requirements and constraints publish nothing and leave MWAA alone', () => {
  const { status, calls } = sync({ PUBLISHED_DIGEST: digestOf('requirements.txt', 'constraints.txt'), INSTALLED_VERSION: 'v-latest' });
  expect(status).toBe(0);
  expect(calls.filter((c) => /put-object|update-environment/.test(c))).toEqual([]);
});

test('a changed constraints.txt publishes a new requirements.txt version and prints the operator step, never updating MWAA itself', () => {
  const { status, calls, output } = sync({ PUBLISHED_DIGEST: digestOf('requirements.txt'), INSTALLED_VERSION: 'v-latest' });
  expect(status).toBe(0);
  expect(calls).toContainEqual(
    `s3api put-object --bucket ${bucket} --key dags/requirements.txt --body ${work}/dags/requirements.txt --metadata deps-sha256=${digestOf('requirements.txt', 'constraints.txt')} --query VersionId --output text`,
  );
  expect(calls.filter((c) => c.startsWith('mwaa'))).toEqual([]);
  expect(output).toContain('aws mwaa update-environment --name bdp-staging --requirements-s3-path dags/requirements.txt --requirements-s3-object-version v-new');
});

test("refuses to sync when EMR's TLS bundle is neither here nor in the bucket: clusters could not start", () => {
  const { status, output } = sync({ PUBLISHED_DIGEST: digestOf('requirements.txt', 'constraints.txt'), TLS_MISSING: '1' });
  expect(status).not.toBe(0);
  expect(output).toContain("run 'make emr-certs ENV=staging'");
});

test('refuses to sync before the ETL is packaged', () => {
  rmSync(join(work, 'etl', 'bdp_etl.zip'));
  const { status, output, calls } = sync();
  expect(status).not.toBe(0);
  expect(output).toContain("run 'make etl-package' first");
  expect(calls).toEqual([]);
});

test('an unknown environment ends with the environments there are, before any AWS call', () => {
  const names = loadEnvironments().map((e) => e.name);
  const unknown = names.includes('qa') ? 'qa2' : 'qa';
  const { status, output, calls } = sync({}, unknown);
  expect(status).toBe(2);
  expect(output).toContain(`delivery-env: --env must name an environment of lib/config/environments.ts (${names.join(', ')}), not '${unknown}'`);
  expect(output).not.toMatch(/unbound variable/);
  expect(calls).toEqual([]);
});

test('without the aws CLI it says so in one line and does nothing', () => {
  // Only the directories of bash and node: the fake aws (and any real one) is not on PATH.
  const path = [...new Set([dirname(process.execPath), '/usr/bin', '/bin'])].filter((dir) => !existsSync(join(dir, 'aws'))).join(':');
  const result = spawnSync(join(ROOT, 'scripts', 'sync.sh'), ['staging'], { encoding: 'utf8', env: { ...process.env, PATH: path, DAGS_DIR: join(work, 'dags'), ETL_DIST_DIR: join(work, 'etl') } });
  expect(result.status).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining("sync: the AWS CLI v2 is required and 'aws' is not on PATH")]);
});

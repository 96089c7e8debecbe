import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * A moto server (real local DynamoDB, SQS and Kinesis engines) on a free loopback port, for
 * integration tests: start it in beforeAll, stop it in afterAll.
 */
export interface MotoServer {
  readonly endpoint: string;
  /** SDK client settings: the endpoint, a region, and dummy credentials that never reach AWS. */
  readonly clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  stop(): Promise<void>;
}

const MOTO_SERVER = join(__dirname, '..', '..', '.venv', 'bin', 'moto_server');
const STARTUP_TIMEOUT_MS = 30_000;

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(`${endpoint}/moto-api/`, child);
  } catch (error) {
    child.kill();
    throw new Error(`moto_server (${MOTO_SERVER}) did not start: ${(error as Error).message}\n${output}\nRun \`make deps\` to create the virtualenv.`);
  }
  return {
    endpoint,
    clientConfig: { endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      get(url, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      }).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no answer from ${url} within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

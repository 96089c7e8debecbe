/**
 * The local Airflow (`make local`) in a real browser: log in with the simple auth manager, see the
 * DAGs listed, and see the finished run of the demo DAG (made by `make local-run` before this test,
 * browser.mk) shown green.
 *
 * `make local` runs in its own process group, which is stopped after the test whether it passed or
 * not: SIGTERM to the group, as docs/orchestration.md says (scripts/local-airflow.sh then stops
 * Airflow's own group), and SIGKILL if it is still there a minute later.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { openBrowser, screenshotPath, type Browser } from './chromium';

// browser.mk passes where the test's Airflow keeps its state (make variables for `make local`),
// the address it serves on and the log file for its output.
const LOCAL = (process.env.AIRFLOW_LOCAL ?? '').split(' ').filter(Boolean);
const URL = process.env.AIRFLOW_URL ?? '';
const LOG = process.env.AIRFLOW_LOG ?? '';
const DAG = 'bdp_demo_pipeline';
// The admin login of this Airflow, set through `make local`'s LOCAL_PASSWORD.
const PASSWORD = randomBytes(12).toString('base64url');
const READY_MS = 240_000;
// What badgeColour touches in the page (the project's TypeScript has no DOM types).
interface PageNode {
  parentElement: PageNode | null;
}
interface Canvas2d {
  fillStyle: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
}
declare function getComputedStyle(node: PageNode): { backgroundColor: string; color: string };
declare const document: { createElement(tag: 'canvas'): { width: number; height: number; getContext(kind: '2d'): Canvas2d } };

/**
 * Runs in the page: a state badge's colour is its nearest background that is not transparent,
 * painted on a canvas and read back as [red, green, blue], since Airflow's theme writes colours
 * in oklch().
 */
function badgeColour(element: PageNode): number[] {
  let colour = getComputedStyle(element).color;
  for (let node: PageNode | null = element, depth = 0; node && depth < 4; node = node.parentElement, depth++) {
    const background = getComputedStyle(node).backgroundColor;
    if (background !== 'rgba(0, 0, 0, 0)' && background !== 'transparent') {
      colour = background;
      break;
    }
  }
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const context = canvas.getContext('2d');
  context.fillStyle = colour;
  context.fillRect(0, 0, 1, 1);
  return Array.from(context.getImageData(0, 0, 1, 1).data).slice(0, 3);
}

function tail(file: string, lines = 20): string {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

async function waitUntilServing(airflow: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_MS;
  while (Date.now() < deadline) {
    if (airflow.exitCode !== null) throw new Error(`make local exited with ${airflow.exitCode}:\n${tail(LOG)}`);
    try {
      const response = await fetch(`${URL}/api/v2/monitor/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  throw new Error(`Airflow did not answer on ${URL} within ${READY_MS / 1000} s. ${LOG}, last lines:\n${tail(LOG)}`);
}

async function stop(airflow: ChildProcess): Promise<void> {
  if (airflow.pid === undefined || airflow.exitCode !== null) return;
  const exited = new Promise((resolve) => airflow.once('exit', resolve));
  process.kill(-airflow.pid, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-airflow.pid!, 'SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

describe('the local Airflow UI', () => {
  let airflow: ChildProcess;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!URL || !LOG) throw new Error('AIRFLOW_URL and AIRFLOW_LOG are not set: run `make browser-test`');
    const log = openSync(LOG, 'w');
    airflow = spawn('make', ['--no-print-directory', 'local', ...LOCAL], {
      detached: true, // its own process group, stopped as a whole
      env: { ...process.env, LOCAL_PASSWORD: PASSWORD },
      stdio: ['ignore', log, log],
    });
    await waitUntilServing(airflow);
    browser = await openBrowser();
  }, READY_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    if (airflow) await stop(airflow);
  }, 90_000);

  it('logs in as admin', async () => {
    const { page } = browser!;
    await page.goto(`${URL}/auth/login`);
    await page.locator('input[name="username"]').fill('admin');
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/auth/'));
  });

  it('lists the DAGs', async () => {
    const { page } = browser!;
    await page.goto(`${URL}/dags`);
    await page.getByRole('link', { name: DAG }).first().waitFor();
  });

  it('shows the finished run of the demo DAG in green', async () => {
    const { page } = browser!;
    // The DAG's overview shows its last run as a state badge: an icon whose aria-label is the state.
    await page.goto(`${URL}/dags/${DAG}`);
    const badge = page.locator('[data-testid="state-badge"][aria-label="success"]').first();
    await badge.waitFor();
    const [red, green, blue] = await badge.evaluate(badgeColour);
    expect({ red, green, blue, greenest: green > red && green > blue }).toMatchObject({ greenest: true });
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: screenshotPath('airflow-ui.png') });
    expect(browser!.errors).toEqual([]);
  });
});

/**
 * `make report`'s page in a real browser: every chart is drawn by plotly (an SVG inside its div),
 * nothing is fetched from the network, and nothing is logged as an error.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { openBrowser, screenshotPath, type Browser } from './chromium';

const REPORT_PAGE = process.env.REPORT_PAGE ?? '';

describe('the gold report page', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(REPORT_PAGE)) {
      throw new Error(`REPORT_PAGE=${JSON.stringify(REPORT_PAGE)} is not a file: run \`make browser-test\``);
    }
    browser = await openBrowser();
    await browser.page.goto(pathToFileURL(REPORT_PAGE).href, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart with plotly', async () => {
    const { page } = browser;
    const charts = page.locator('section.chart');
    const count = await charts.count();
    expect(count).toBeGreaterThanOrEqual(6);
    const blank: string[] = [];
    const overflowing: string[] = [];
    for (let i = 0; i < count; i++) {
      const chart = charts.nth(i);
      // plotly adds the class and its SVG layers once it has drawn the figure: a path per bar, an
      // image per heatmap.
      await chart.locator('.js-plotly-plot .main-svg').first().waitFor({ state: 'visible' });
      const marks = await chart.locator('.main-svg .trace .point path, .main-svg .hm image').count();
      const title = await chart.locator('h2').innerText();
      if (marks === 0) blank.push(title);
      // A chart drawn before the page's layout settled overflows its panel.
      const panel = await chart.boundingBox();
      const plot = await chart.locator('.main-svg').first().boundingBox();
      if (!panel || !plot || plot.x + plot.width > panel.x + panel.width) overflowing.push(title);
    }
    expect(blank).toEqual([]);
    expect(overflowing).toEqual([]);
  });

  it('lists the quality results with their status', async () => {
    const rows = await browser.page.locator('#quality-results tbody tr').count();
    const statuses = await browser.page.locator('#quality-results td.status').allInnerTexts();
    expect(rows).toBeGreaterThan(0);
    expect(statuses).toHaveLength(rows);
    expect(statuses.filter((status) => status !== 'PASS' && status !== 'FAIL')).toEqual([]);
  });

  it('loads nothing from the network and logs no errors', async () => {
    const remote = browser.requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'));
    expect(remote).toEqual([]);
    expect(browser.errors).toEqual([]);
    await browser.page.screenshot({ path: screenshotPath('report.png'), fullPage: true });
  });
});

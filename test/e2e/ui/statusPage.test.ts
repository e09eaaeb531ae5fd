/**
 * The status page in a real browser (Debian's chromium, driven by puppeteer-core; nothing downloaded)
 * against the local host, during and after provisioning, and for a failed cluster. Screenshots go to a
 * temporary directory; with UPDATE_SCREENSHOTS=1 the one the README shows is rewritten in docs/.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import puppeteer, { type Browser, type Page } from 'puppeteer-core';

import { type Environment, exampleSpec, FUNCTION_KEY, ROOT, startEnvironment } from '../iaas/iaasHarness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'status-page-'));

describe('status page in a browser', () => {
  let env: Environment;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH`,
      );
    }
    env = await startEnvironment(0.01);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warn')
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  });

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  const open = (cluster?: string) =>
    page.goto(`${env.host.url}/api/ui?code=${FUNCTION_KEY}${cluster ? `&cluster=${cluster}` : ''}`, {
      waitUntil: 'domcontentloaded',
    });

  /** Evaluates a JavaScript expression in the page (a string: this project compiles without the DOM types). */
  const inPage = <T>(expression: string): Promise<T> => page.evaluate(expression) as Promise<T>;

  const nodesOnPage = () =>
    inPage<{ name: string; state: string; zone: string }[]>(`
      [...document.querySelectorAll('[data-node]')].map((n) => ({
        name: n.getAttribute('data-node'),
        state: n.getAttribute('data-state'),
        zone: n.closest('[data-zone]').getAttribute('data-zone'),
      }))`);

  const textOf = (selector: string) =>
    inPage<string>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`);

  async function plannedNodes(name: string): Promise<{ name: string; zone: string }[]> {
    const plan = await env.api.request('POST', 'clusters?dryRun=true', exampleSpec(name));
    const resources = (plan.json as { resources: { node?: string; zone?: string; type: string }[] })
      .resources;
    return resources
      .filter((r) => r.node !== undefined && r.type === 'Microsoft.Compute/virtualMachines')
      .map((r) => ({ name: r.node ?? '', zone: r.zone ?? '' }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  it('draws every zone and node while provisioning runs, and the finished cluster after', async () => {
    const name = 'demo';
    const planned = await plannedNodes(name);
    // Hold back one VM so the page is seen mid-way.
    env.emulator.faults.add({ method: 'PUT', path: `/virtualMachines/${name}-general-5$`, delayMs: 4000 });
    expect((await env.api.request('POST', 'clusters', exampleSpec(name))).status).toBe(202);
    await open(name);

    // During: every zone column and every planned node, some not ready yet.
    await page.waitForSelector('[data-zone="3"] [data-node]');
    await page.waitForFunction(`document.querySelectorAll('[data-node][data-state="ready"]').length > 0`, {
      timeout: 30_000,
    });
    const during = await nodesOnPage();
    expect(
      during.map(({ name: n, zone }) => ({ name: n, zone })).sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual(planned);
    expect(during.some((n) => n.state !== 'ready')).toBe(true);
    expect(await inPage<string>(`document.body.getAttribute('data-busy')`)).toBe('true');
    await page.screenshot({ path: path.join(SHOTS, 'provisioning.png'), fullPage: true });

    // After: the page refreshed itself to the end state, without a reload.
    await page.waitForFunction(`document.body.getAttribute('data-busy') === 'false'`, {
      timeout: 45_000,
    });
    const after = await nodesOnPage();
    expect(after).toHaveLength(planned.length);
    expect(after.every((n) => n.state === 'ready')).toBe(true);
    const text = await textOf('#detail');
    expect(text).toContain('Provisioned');
    expect(text).toMatch(/https:\/\/[\d.]+:6443/);
    for (const part of [
      'demo-api-lb',
      'demo-control-plane-nsg',
      'demo-workers-nsg',
      'demo-nat',
      'Https /readyz :6443',
    ]) {
      expect(text).toContain(part);
    }
    expect(await inPage<number>(`document.querySelectorAll('[data-subnet]').length`)).toBe(2);
    expect(await textOf('[data-cluster="demo"]')).toContain('Provisioned');
    await page.screenshot({ path: path.join(SHOTS, 'provisioned.png'), fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await page.screenshot({ path: path.join(ROOT, 'docs/status-page.png'), fullPage: true });
    }
    expect(problems).toEqual([]);
  });

  it('shows the failing resource, its ARM code and what to do', async () => {
    const name = 'broken';
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${name}-general-4$`,
      status: 409,
      code: 'QuotaExceeded',
      message:
        'Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota.',
    });
    expect((await env.api.request('POST', 'clusters', exampleSpec(name))).status).toBe(202);
    await env.api.waitForCluster(name);
    await open(name);
    await page.waitForSelector('.failure');
    const failure = await textOf('.failure');
    expect(failure).toContain('QuotaExceeded');
    expect(failure).toContain('/virtualMachines/broken-general-4');
    expect(failure).toContain('Raise the regional vCPU quota');
    expect(
      await inPage<string>(
        `document.querySelector('[data-node="broken-general-4"]').getAttribute('data-state')`,
      ),
    ).toBe('failed');
    await page.screenshot({ path: path.join(SHOTS, 'failed.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('explains a missing key instead of showing nothing', async () => {
    const res = await page.goto(`${env.host.url}/api/ui`);
    expect(res?.status()).toBe(401);
    problems.length = 0; // the browser logs the 401 itself
  });
});

/**
 * Every kind of answer the API gives — 200, 202, 400 with errors, 404, 409, 501 — on the real host,
 * checked against the OpenAPI document (the harness checks every answer it receives; these make sure
 * each kind is received), and the document and page the app serves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { type Environment, exampleSpec, FUNCTION_KEY, startEnvironment } from '../iaas/iaasHarness';
import { documentedPath } from '../openApiConformance';

const checkedIn = (): { paths: Record<string, object> } =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '../../../docs/openapi.json'), 'utf8')) as {
    paths: Record<string, object>;
  };

describe('HTTP answers conform to the OpenAPI document', () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment(0.005);
  });

  afterAll(async () => {
    await env?.close();
  });

  it('documents every HTTP route the app registers, and nothing it does not', () => {
    const registered = env.host.endpoints
      .filter((e) => e.trigger.toLowerCase() === 'httptrigger')
      .flatMap((e) => (e.methods ?? []).map((m) => `${m.toLowerCase()} ${new URL(e.url ?? '').pathname}`))
      .map((route) => route.replace(/%7B/gi, '{').replace(/%7D/gi, '}').replace(' /api', ' '))
      .sort();
    const served = checkedIn().paths;
    const documented = Object.entries(served)
      .flatMap(([p, ops]) =>
        Object.keys(ops)
          .filter((k) => k !== 'parameters')
          .map((m) => `${m} ${p}`),
      )
      .sort();
    expect(registered).toEqual(documented);
  });

  it('answers 202, 200, 400, 404 and 409 as documented', async () => {
    const name = 'conform';
    // 400: every problem, each naming its field.
    const bad = await env.api.request(
      'POST',
      'clusters',
      exampleSpec(name, { kubernetesVersion: 'latest', name: 'Bad_Name' }),
    );
    expect(bad.status).toBe(400);
    expect((bad.json as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual([
      'kubernetesVersion',
      'name',
    ]);
    expect((await env.api.request('POST', 'clusters?dryRun=maybe', exampleSpec(name))).status).toBe(400);
    // 200: dry run.
    expect((await env.api.request('POST', 'clusters?dryRun=true', exampleSpec(name))).status).toBe(200);
    // 404.
    expect((await env.api.request('GET', 'clusters/nobody')).status).toBe(404);
    expect((await env.api.request('DELETE', 'clusters/nobody')).status).toBe(404);
    expect((await env.api.request('GET', 'clusters/nobody/topology')).status).toBe(404);
    // 202, then 409 while it runs (a slow VM keeps it running).
    env.emulator.faults.add({ method: 'PUT', path: `/virtualMachines/${name}-cp-0$`, delayMs: 1500 });
    const started = await env.api.request('POST', 'clusters', exampleSpec(name));
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBeTruthy();
    const busy = await env.api.request('POST', 'clusters', exampleSpec(name));
    expect(busy.status).toBe(409);
    expect((await env.api.request('DELETE', `clusters/${name}`)).status).toBe(409);
    // 200: status, topology and list while running and after.
    expect((await env.api.request('GET', `clusters/${name}/topology`)).status).toBe(200);
    const { final } = await env.api.waitForCluster(name);
    expect(final.phase).toBe('Provisioned');
    const topology = await env.api.request('GET', `clusters/${name}/topology`);
    expect(topology.status).toBe(200);
    expect((await env.api.request('GET', 'clusters')).status).toBe(200);
    // 202: delete.
    expect((await env.api.request('DELETE', `clusters/${name}`)).status).toBe(202);
    expect((await env.api.waitForCluster(name)).final.phase).toBe('Deleted');
  });

  it('serves the document it is checked against, and the status page, with the function key only', async () => {
    const doc = await fetch(`${env.host.url}/api/openapi.json?code=${FUNCTION_KEY}`);
    expect(doc.status).toBe(200);
    expect(await doc.json()).toEqual(checkedIn());
    const page = await fetch(`${env.host.url}/api/ui?code=${FUNCTION_KEY}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>Clusters');
    for (const route of ['openapi.json', 'ui', 'clusters']) {
      const anonymous = await fetch(`${env.host.url}/api/${route}`);
      await anonymous.text();
      expect(anonymous.status).toBe(401);
    }
    expect(documentedPath('/clusters/x/topology')).toBe('/clusters/{name}/topology');
  });
});

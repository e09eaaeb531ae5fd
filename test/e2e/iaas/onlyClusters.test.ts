/** Only clusters are clusters: a zone sub-orchestration's id is not one (issue 16). */
import { type Environment, exampleSpec, startEnvironment } from './iaasHarness';

describe('GET and DELETE of a name that is not a cluster', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment(0.02);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('answers 404 for a zone sub-orchestration id, and writes nothing', async () => {
    const spec = exampleSpec('zoned', {
      controlPlane: { count: 1, vmSize: 'Standard_D2s_v5' },
      nodePools: [{ name: 'general', count: 2, vmSize: 'Standard_D2s_v5', zones: [1, 2] }],
    });
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    const { final } = await env.api.waitForCluster('zoned', 120_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    const writes = env.api.writes();
    for (const method of ['GET', 'DELETE']) {
      const answer = await env.api.request(method, 'clusters/zoned:zone-1');
      expect({ method, status: answer.status, json: answer.json }).toMatchObject({
        method,
        status: 404,
        json: { error: { code: 'ClusterNotFound' } },
      });
    }
    expect(env.api.writes()).toBe(writes);
  });
});

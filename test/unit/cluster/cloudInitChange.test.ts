import { admitProvisioning } from '../../../src/cluster/admission/admission';
import type { PreviousOperation } from '../../../src/cluster/admission/staleResources';
import { planCluster } from '../../../src/cluster/plan';
import type { Plan } from '../../../src/cluster/plan/types';
import { parseClusterSpec } from '../../../src/cluster/validate';

const SUB = '00000000-0000-0000-0000-000000000001';

function planOf(
  pools: Record<string, unknown>[],
  controlPlane: Record<string, unknown> = { count: 1 },
): Plan {
  const parsed = parseClusterSpec({
    name: 'c1',
    type: 'iaas',
    resourceGroup: 'rg-demo',
    location: 'eastus',
    kubernetesVersion: '1.30',
    controlPlane,
    nodePools: pools,
    ssh: {
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host',
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return planCluster(parsed.spec, { subscriptionId: SUB });
}

const previous = (plan: Plan): PreviousOperation => ({
  input: { plan },
  operation: 'provision',
  runtimeStatus: 'Completed',
});

const admit = (before: Plan, after: Plan, poolNames: string[]) =>
  admitProvisioning({
    clusterName: 'c1',
    plan: after,
    controlPlaneCount: 1,
    poolNames,
    previous: previous(before),
    busy: undefined,
  });

describe('a changed cloud-init is never accepted and ignored', () => {
  const pools = (cloudInit?: string) => [
    { name: 'web', count: 1, vmSize: 'Standard_D4s_v5' },
    { name: 'jobs', count: 2, vmSize: 'Standard_D4s_v5', ...(cloudInit !== undefined ? { cloudInit } : {}) },
  ];

  it('refuses a changed pool cloud-init with 409 CloudInitChanged naming the field and the nodes', () => {
    const result = admit(
      planOf(pools('#cloud-config\nruncmd: [a]')),
      planOf(pools('#cloud-config\nruncmd: [b]')),
      ['web', 'jobs'],
    );
    expect(result).toMatchObject({ ok: false, code: 'CloudInitChanged' });
    if (result.ok) return;
    expect(result.message).toMatch(/^nodePools\[1\]\.cloudInit changed/);
    expect(result.message).toContain('c1-jobs-0');
  });

  it('refuses cloud-init added to, or removed from, a pool that has nodes', () => {
    expect(admit(planOf(pools()), planOf(pools('#cloud-config')), ['web', 'jobs'])).toMatchObject({
      code: 'CloudInitChanged',
    });
    expect(admit(planOf(pools('#cloud-config')), planOf(pools()), ['web', 'jobs'])).toMatchObject({
      code: 'CloudInitChanged',
    });
  });

  it('refuses a changed control-plane cloud-init, naming controlPlane.cloudInit', () => {
    const result = admit(
      planOf(pools(), { count: 1 }),
      planOf(pools(), { count: 1, cloudInit: '#cloud-config' }),
      ['web', 'jobs'],
    );
    expect(result).toMatchObject({ ok: false, code: 'CloudInitChanged' });
    if (!result.ok) expect(result.message).toMatch(/^controlPlane\.cloudInit changed/);
  });

  it('admits the same cloud-init, and a new pool (its nodes are created with it)', () => {
    expect(admit(planOf(pools('x')), planOf(pools('x')), ['web', 'jobs']).ok).toBe(true);
    const grown = [...pools('x'), { name: 'batch', count: 1, vmSize: 'Standard_D4s_v5', cloudInit: 'y' }];
    expect(admit(planOf(pools('x')), planOf(grown), ['web', 'jobs', 'batch']).ok).toBe(true);
  });
});

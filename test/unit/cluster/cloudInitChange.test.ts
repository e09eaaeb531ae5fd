import { admitProvisioning } from '../../../src/cluster/admission/admission';
import type { PreviousOperation } from '../../../src/cluster/admission/staleResources';
import { planCluster } from '../../../src/cluster/plan';
import type { PlanOptions } from '../../../src/cluster/plan/planCluster';
import type { Plan } from '../../../src/cluster/plan/types';
import { parseClusterSpec } from '../../../src/cluster/validate';

const SUB = '00000000-0000-0000-0000-000000000001';

function planOf(
  pools: Record<string, unknown>[],
  controlPlane: Record<string, unknown> = { count: 1 },
  existingNodes?: PlanOptions['existingNodes'],
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
  return planCluster(parsed.spec, { subscriptionId: SUB, ...(existingNodes ? { existingNodes } : {}) });
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
    const same = '#cloud-config\nruncmd: [x]';
    expect(admit(planOf(pools(same)), planOf(pools(same)), ['web', 'jobs']).ok).toBe(true);
    const grown = [
      ...pools(same),
      { name: 'batch', count: 1, vmSize: 'Standard_D4s_v5', cloudInit: '#!/bin/sh\necho y' },
    ];
    expect(admit(planOf(pools(same)), planOf(grown), ['web', 'jobs', 'batch']).ok).toBe(true);
  });

  it('admits the same spec once the cluster exists, though its first node would now join instead of initialising', () => {
    const cloudInit = '#cloud-config\nruncmd: [x]';
    const before = planOf(pools(cloudInit));
    const existing = { controlPlane: [{ name: 'c1-cp-0', zone: '1' }] };
    const after = planOf(pools(cloudInit), { count: 1 }, existing);
    const vm = (plan: Plan) => plan.resources.find((r) => r.name === 'c1-cp-0');
    // The Kubernetes bootstrap part differs (kubeadm join), the spec's cloud-init does not.
    expect(JSON.stringify(vm(after)?.body)).not.toBe(JSON.stringify(vm(before)?.body));
    expect(admit(before, after, ['web', 'jobs']).ok).toBe(true);
  });
});

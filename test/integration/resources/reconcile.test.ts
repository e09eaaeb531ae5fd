import {
  type ArmEmulator,
  DEFAULT_APP_PRINCIPAL_ID,
  DEFAULT_SUBSCRIPTION_ID,
} from '@azure-cluster-provisioner/arm-emulator';

import {
  deletionGraph,
  type GraphUnit,
  provisioningGraph,
  ReadyTracker,
} from '../../../src/cluster/plan/readyGraph';
import type { Plan, PlannedResource } from '../../../src/cluster/plan/types';
import { writeClusterSecretsAfterApply } from '../../../src/resources/clusterSecrets';
import { TerminalError } from '../../../src/resources/errors';
import {
  applyResource,
  deleteResource,
  type ReconcileClients,
  type ReconcileOptions,
  verifyResource,
} from '../../../src/resources/reconcile';
import { applyChain } from '../../../src/resources/resourceChains';
import { verifyResourceGroup } from '../../../src/resources/resourceGroups';
import { computeSdk } from '../../../src/resources/types/compute/sdk';
import { networkSdk } from '../../../src/resources/types/network/sdk';
import { resourceTypes } from '../../../src/resources/types/registry';
import { emulatorWithClients } from '../../support/emulatorClients';
import { examplePlan } from '../../support/examplePlan';

const fast: ReconcileOptions = { retry: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 50 } };

/** The units' resources in an order a driver could run them in (each unit once its dependencies are done). */
function unitOrder(units: GraphUnit[]): PlannedResource[] {
  const tracker = new ReadyTracker(units);
  const queue = tracker.initiallyReady();
  const out: PlannedResource[] = [];
  for (let u = queue.shift(); u !== undefined; u = queue.shift()) {
    out.push(...(units[u]?.resources ?? []));
    queue.push(...tracker.complete(u));
  }
  return out;
}

/** Resources in an order that satisfies dependencies. */
const applyOrder = (plan: Plan): PlannedResource[] => unitOrder(provisioningGraph(plan.resources));

describe('reconcile against the ARM emulator with the real SDK clients', () => {
  let emulator: ArmEmulator;
  let clients: ReconcileClients;
  // The emulator's app principal (what the static token acts as) writes the vault's secrets.
  const plan = examplePlan(DEFAULT_APP_PRINCIPAL_ID);
  const writes = (): number => emulator.operations().filter((o) => o.write).length;
  const byRole = (role: PlannedResource['role']): PlannedResource =>
    plan.resources.find((r) => r.role === role)!;

  beforeAll(async () => {
    ({ emulator, clients } = await emulatorWithClients());
  });

  afterAll(async () => {
    await emulator.close();
  });

  beforeEach(() => emulator.faults.clear());

  it('verifies the resource group exists and names a missing one clearly', async () => {
    await expect(
      verifyResourceGroup(clients, DEFAULT_SUBSCRIPTION_ID, 'rg-demo', fast),
    ).resolves.toMatchObject({
      name: 'rg-demo',
    });
    const missing = verifyResourceGroup(clients, DEFAULT_SUBSCRIPTION_ID, 'rg-missing', fast);
    await expect(missing).rejects.toBeInstanceOf(TerminalError);
    await expect(missing).rejects.toMatchObject({ armCode: 'ResourceGroupNotFound' });
    await expect(missing).rejects.toThrow(/"rg-missing" does not exist/);
  });

  it('creates every planned resource with one write each, then re-applies with zero writes', async () => {
    const before = writes();
    const order = applyOrder(plan);
    const created = await applyChain(
      resourceTypes,
      clients,
      order,
      fast,
      writeClusterSecretsAfterApply(clients, fast),
    );
    expect(created.failure).toBeUndefined();
    expect(created.results.map((r) => r.action)).toEqual(order.map(() => 'created'));
    expect(writes() - before).toBe(plan.resources.length);
    const ip = created.results.find((r) => r.id === byRole('apiServerPublicIp').id)?.outputs['ipAddress'];
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const again = writes();
    const reapplied = await applyChain(resourceTypes, clients, order, fast);
    expect(reapplied.failure).toBeUndefined();
    expect(reapplied.results.filter((r) => r.action !== 'unchanged')).toEqual([]);
    expect(writes() - again).toBe(0);
  });

  it('updates a resource that drifted from the plan, with exactly one write', async () => {
    const nsg = byRole('workerNsg');
    const body = JSON.parse(JSON.stringify(nsg.body)) as typeof nsg.body;
    const props = body['properties'] as {
      securityRules: { name: string; properties: { priority: number } }[];
    };
    props.securityRules.push({
      ...props.securityRules[0]!,
      name: 'extra-rule',
      properties: { ...props.securityRules[0]!.properties, priority: 3000 },
    });
    const before = writes();
    const updated = await applyResource(resourceTypes, clients, { ...nsg, body }, fast);
    expect(updated.action).toBe('updated');
    expect(updated.changed).toEqual(['securityRules']);
    expect(writes() - before).toBe(1);
    // Back to the plan: one more write, then stable.
    expect((await applyResource(resourceTypes, clients, nsg, fast)).action).toBe('updated');
    expect((await applyResource(resourceTypes, clients, nsg, fast)).action).toBe('unchanged');
  });

  it('removes a tag dropped from the spec, with one write, then makes none', async () => {
    const nsg = byRole('workerNsg');
    const tagged = { ...nsg, body: { ...nsg.body, tags: { ...(nsg.body['tags'] as object), extra: 'x' } } };
    expect((await applyResource(resourceTypes, clients, tagged, fast)).action).toBe('updated');
    const before = writes();
    const back = await applyResource(resourceTypes, clients, nsg, fast);
    expect(back).toMatchObject({ action: 'updated', changed: ['tags'] });
    expect(writes() - before).toBe(1);
    const stored = (emulator.resources() as { id: string; tags?: Record<string, string> }[]).find(
      (r) => r.id.toLowerCase() === nsg.id.toLowerCase(),
    );
    expect(stored?.tags).toEqual(nsg.body['tags']);
    expect((await applyResource(resourceTypes, clients, nsg, fast)).action).toBe('unchanged');
    expect(writes() - before).toBe(1);
  });

  it('keeps an existing VM’s key, admin user and OS disk; resizes it; refuses a zone move', async () => {
    const vm = byRole('workerVm');
    /** The parts of the planned VM body this test edits. */
    interface VmBody {
      zones?: string[];
      properties: {
        hardwareProfile: { vmSize: string };
        osProfile: {
          adminUsername: string;
          linuxConfiguration: { ssh: { publicKeys: { path: string; keyData: string }[] } };
        };
        storageProfile: { osDisk: { diskSizeGB: number; managedDisk: { storageAccountType: string } } };
      };
    }
    const edit = (fn: (body: VmBody) => void): PlannedResource => {
      const body = JSON.parse(JSON.stringify(vm.body)) as VmBody;
      fn(body);
      return { ...vm, body: body as unknown as PlannedResource['body'] };
    };
    const creationOnly = edit((b) => {
      const os = b.properties.osProfile;
      os.adminUsername = 'newadmin';
      os.linuxConfiguration.ssh.publicKeys = [
        { path: '/home/newadmin/.ssh/authorized_keys', keyData: 'ssh-ed25519 AAAAnewkey' },
      ];
      b.properties.storageProfile.osDisk.diskSizeGB = 512;
      b.properties.storageProfile.osDisk.managedDisk = { storageAccountType: 'Premium_LRS' };
    });
    let before = writes();
    expect(await applyResource(resourceTypes, clients, creationOnly, fast)).toMatchObject({
      action: 'unchanged',
    });
    expect(writes() - before).toBe(0);

    const resized = edit((b) => {
      b.properties.hardwareProfile.vmSize = 'Standard_D2s_v5';
      b.properties.osProfile.adminUsername = 'newadmin';
    });
    before = writes();
    expect(await applyResource(resourceTypes, clients, resized, fast)).toMatchObject({
      action: 'updated',
      changed: ['hardwareProfile.vmSize'],
    });
    expect(writes() - before).toBe(1);
    const actual = await clients.clientOf(computeSdk).virtualMachines.get('rg-demo', vm.name);
    expect(actual.hardwareProfile?.vmSize).toBe('Standard_D2s_v5');
    expect(actual.osProfile?.adminUsername).not.toBe('newadmin');

    const zone = vm.zone ?? '1';
    const other = zone === '1' ? '2' : '1';
    before = emulator.operations().length;
    const moved = applyResource(
      resourceTypes,
      clients,
      edit((b) => (b.zones = [other])),
      fast,
    );
    await expect(moved).rejects.toBeInstanceOf(TerminalError);
    await expect(moved).rejects.toMatchObject({ armCode: 'VmZoneChange', resourceId: vm.id });
    await expect(moved).rejects.toThrow(
      new RegExp(`"${vm.name}" is in zone ${zone} but the plan puts it in zone ${other}`),
    );
    // One GET each, never a PUT.
    expect(
      emulator
        .operations()
        .slice(before)
        .filter((o) => o.write),
    ).toEqual([]);

    expect((await applyResource(resourceTypes, clients, vm, fast)).action).toBe('updated');
    expect((await applyResource(resourceTypes, clients, vm, fast)).action).toBe('unchanged');
  });

  it('refuses an id in another subscription before any ARM call', async () => {
    const other = '99999999-9999-9999-9999-999999999999';
    const nsg = byRole('workerNsg');
    const foreign = { ...nsg, id: nsg.id.replace(DEFAULT_SUBSCRIPTION_ID, other.toUpperCase()) };
    const before = emulator.operations().length;
    for (const attempt of [
      applyResource(resourceTypes, clients, foreign, fast),
      verifyResource(resourceTypes, clients, foreign, fast),
      deleteResource(resourceTypes, clients, foreign, fast),
      verifyResourceGroup(clients, other, 'rg-demo', fast),
    ]) {
      await expect(attempt).rejects.toBeInstanceOf(TerminalError);
      await expect(attempt).rejects.toMatchObject({ armCode: 'SubscriptionMismatch' });
      await expect(attempt).rejects.toThrow(
        new RegExp(`subscription ${other}.*subscription ${DEFAULT_SUBSCRIPTION_ID}`, 'i'),
      );
    }
    expect(emulator.operations().length).toBe(before);
    // Ids compare case-insensitively: the same subscription in upper case is ours.
    const upper = {
      ...nsg,
      id: nsg.id.replace(DEFAULT_SUBSCRIPTION_ID, DEFAULT_SUBSCRIPTION_ID.toUpperCase()),
    };
    expect((await applyResource(resourceTypes, clients, upper, fast)).action).toBe('unchanged');
  });

  it.each([
    [
      'throttling (429 with retry-after-ms)',
      { status: 429, code: 'TooManyRequests', headers: { 'retry-after-ms': '10' } },
    ],
    ['a transient 500', { status: 500, code: 'InternalServerError' }],
    ['a 503', { status: 503, code: 'ServiceUnavailable' }],
    ['AnotherOperationInProgress', { status: 409, code: 'AnotherOperationInProgress' }],
  ])('recovers from %s', async (label, fault) => {
    const base = byRole('workerNsg');
    const name = `faulty-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.slice(0, 40);
    const nsg = { ...base, name, id: base.id.replace(/[^/]+$/, name) };
    emulator.faults.add({ method: 'PUT', path: `/networkSecurityGroups/${name}$`, count: 2, ...fault });
    const result = await applyResource(resourceTypes, clients, nsg, fast);
    expect(result.action).toBe('created');
    const faulted = emulator.operations().filter((o) => o.faultId !== undefined && o.path.endsWith(name));
    expect(faulted).toHaveLength(2);
    expect((await deleteResource(resourceTypes, clients, nsg, fast)).action).toBe('deleted');
  });

  it('fails fast with the ARM code on QuotaExceeded and on a failed long-running operation', async () => {
    const vm = plan.resources.find((r) => r.role === 'workerVm')!;
    await deleteResource(resourceTypes, clients, vm, fast);
    emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${vm.name}$`,
      status: 409,
      code: 'QuotaExceeded',
      message: 'Operation results in exceeding approved standardDSv5Family Cores quota',
    });
    const before = emulator.operations().length;
    const quota = applyResource(resourceTypes, clients, vm, fast);
    await expect(quota).rejects.toBeInstanceOf(TerminalError);
    await expect(quota).rejects.toMatchObject({ armCode: 'QuotaExceeded', resourceId: vm.id });
    // One GET and one PUT: no retry of a terminal error.
    expect(emulator.operations().length - before).toBe(2);

    emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${vm.name}$`,
      lroFailure: { code: 'ZonalAllocationFailed', message: 'no capacity in zone' },
    });
    await expect(applyResource(resourceTypes, clients, vm, fast)).rejects.toMatchObject({
      armCode: 'ZonalAllocationFailed',
    });
    // A later apply without the fault repairs it.
    expect((await applyResource(resourceTypes, clients, vm, fast)).action).not.toBe('unchanged');
  });

  it('verifies a brought subnet: missing or with another CIDR is a clear terminal error', async () => {
    const subnet = byRole('workerSubnet');
    await expect(verifyResource(resourceTypes, clients, subnet, fast)).resolves.toMatchObject({
      action: 'unchanged',
    });
    const other = JSON.parse(JSON.stringify(subnet.body)) as typeof subnet.body;
    (other['properties'] as { addressPrefix: string }).addressPrefix = '10.0.9.0/24';
    await expect(verifyResource(resourceTypes, clients, { ...subnet, body: other }, fast)).rejects.toThrow(
      /BroughtResourceMismatch.*addressPrefix \(expected "10.0.9.0\/24", found "10.0.1.0\/24"\)/,
    );
    const ghost = { ...subnet, id: subnet.id.replace(/subnets\/.*$/, 'subnets/ghost') };
    await expect(verifyResource(resourceTypes, clients, ghost, fast)).rejects.toMatchObject({
      armCode: 'BroughtResourceNotFound',
    });
  });

  it('waits for a delete already accepted (before a crash, or whose answer was lost) instead of sending it again', async () => {
    const base = byRole('workerNsg');
    const nsg = { ...base, name: 'accepted-delete', id: base.id.replace(/[^/]+$/, 'accepted-delete') };
    await applyResource(resourceTypes, clients, nsg, fast);
    emulator.setTimeScale(0.4);
    try {
      // The first attempt's DELETE was accepted; then its activity died before the operation ended.
      const before = emulator.operations().length;
      await clients.clientOf(networkSdk).networkSecurityGroups.beginDelete('rg-demo', nsg.name);
      const result = await deleteResource(resourceTypes, clients, nsg, fast);
      const deletes = emulator
        .operations()
        .slice(before)
        .filter((o) => o.method === 'DELETE' && o.write);
      expect({ action: result.action, deletes: deletes.length }).toEqual({ action: 'deleted', deletes: 1 });
    } finally {
      emulator.setTimeScale(0.001);
    }
    const left = (emulator.resources() as { id: string }[]).filter((r) => r.id === nsg.id);
    expect(left).toEqual([]);
  });

  it('deletes everything in reverse order, and deleting again finds nothing', async () => {
    for (const r of unitOrder(deletionGraph(plan.resources))) {
      expect((await deleteResource(resourceTypes, clients, r, fast)).action).toBe('deleted');
    }
    const left = (emulator.resources() as { id: string }[]).filter((r) => /\/providers\//i.test(r.id));
    expect(left).toEqual([]);
    expect((await deleteResource(resourceTypes, clients, byRole('vnet'), fast)).action).toBe('absent');
  });
});

import { AZURE_COMPUTE_LIMITS, AZURE_LEGACY_COMPUTE_LIMITS, AZURE_THROTTLE_LIMITS } from '../src';
import { ArmThrottle } from '../src/armThrottle';
import { ComputeThrottle } from '../src/computeThrottle';
import { id, type Kit, LOCATION, rawRequest, RG, startKit, SUBSCRIPTION } from './armTestKit';

const VM_PATH = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines`;

describe("Compute's request limits beside ARM's", () => {
  it('takes a token from every bucket of the policy, per VM and per subscription and region', () => {
    let now = 0;
    const throttle = new ComputeThrottle(
      {
        PutVM: [
          { name: 'PutVM', scope: 'resource', burst: 2, perMinute: 60 },
          { name: 'PutVM', scope: 'subscription', burst: 3, perMinute: 60 },
        ],
      },
      () => 0.5,
      () => now,
    );
    const put = (vm: string, region = 'eastus') =>
      throttle.take({ policy: 'PutVM', subscriptionId: 's', region, resourceKey: `/vm/${vm}` });
    expect(put('a')).toEqual({
      allowed: true,
      headers: { 'x-ms-ratelimit-remaining-resource': 'Microsoft.Compute/PutVM;1,Microsoft.Compute/PutVM;2' },
    });
    expect(put('a')).toMatchObject({ allowed: true });
    // VM a's own bucket is empty: one token a second of Azure time, 500 ms here at time scale 0.5.
    const third = put('a');
    expect(third?.allowed).toBe(false);
    const error = third?.allowed === false ? third.error : undefined;
    expect(error?.status).toBe(429);
    expect(error?.headers['x-ms-retry-after-ms']).toBe('500');
    expect(error?.headers['x-ms-ratelimit-remaining-resource']).toBe(
      'Microsoft.Compute/PutVM;0,Microsoft.Compute/PutVM;1',
    );
    expect(put('b')).toMatchObject({ allowed: true }); // the subscription's third
    expect(put('c')).toMatchObject({ allowed: false }); // the subscription's bucket is empty
    expect(put('c', 'westus')).toMatchObject({ allowed: true }); // another region counts apart
    expect(throttle.take({ policy: 'LowCostGet', subscriptionId: 's', region: 'eastus' })).toBeUndefined();
    now += 500;
    expect(put('c')).toMatchObject({ allowed: true });
    expect(
      () =>
        new ComputeThrottle({ PutVM: [{ name: 'x', scope: 'resource', burst: 0, perMinute: 1 }] }, () => 1),
    ).toThrow(/computeThrottle\.PutVM\.x/);
  });

  it("has Compute's documented figures, the legacy 3-/30-minute policies, and ARM's deletes bucket", () => {
    expect(AZURE_COMPUTE_LIMITS.PutVM).toEqual([
      { name: 'PutVM', scope: 'resource', burst: 12, perMinute: 4 },
      { name: 'PutVM', scope: 'subscription', burst: 1500, perMinute: 500 },
    ]);
    expect(AZURE_LEGACY_COMPUTE_LIMITS.PutVM.map((b) => `${b.name}:${b.burst}`)).toEqual([
      'PutVM3Min:240',
      'PutVM30Min:1200',
    ]);
    expect(AZURE_THROTTLE_LIMITS.deletes).toEqual({ burst: 200, perSecond: 10 });
    let now = 0;
    const arm = new ArmThrottle(
      { writes: { burst: 1, perSecond: 1 } },
      () => 1,
      () => now,
    );
    // Without a deletes bucket, deletes count as writes.
    expect(arm.bucketOf('deletes')).toBe('writes');
    expect(arm.take('deletes', 's')).toMatchObject({ allowed: true });
    expect(arm.take('writes', 's')).toMatchObject({ allowed: false });
    now += 1000;
    expect(arm.take('writes', 's')).toMatchObject({ allowed: true });
  });

  describe('through the real SDK clients', () => {
    let kit: Kit | undefined;
    afterEach(async () => {
      await kit?.close();
      kit = undefined;
    });

    const vmBody = {
      location: LOCATION,
      zones: ['1'],
      hardwareProfile: { vmSize: 'Standard_D2s_v5' },
      osProfile: { computerName: 'node', adminUsername: 'azureuser' },
      storageProfile: {
        imageReference: {
          publisher: 'Canonical',
          offer: 'ubuntu-24_04-lts',
          sku: 'server',
          version: 'latest',
        },
      },
      networkProfile: { networkInterfaces: [{ id: id('Microsoft.Network/networkInterfaces', 'nic') }] },
    };

    const start = async (options: Parameters<typeof startKit>[0]): Promise<Kit> => {
      const k = await startKit(
        {
          timeScale: 1,
          latencyMs: {
            'Microsoft.Network/virtualNetworks': 0,
            'Microsoft.Network/networkInterfaces': 0,
            'Microsoft.Compute/virtualMachines': 0,
          },
          ...options,
        },
        { maxRetries: 10 },
      );
      await k.clients.network.virtualNetworks.beginCreateOrUpdateAndWait(
        RG,
        'vnet',
        {
          location: LOCATION,
          addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
          subnets: [{ name: 'nodes', addressPrefix: '10.0.1.0/24' }],
        },
        k.lro,
      );
      await k.clients.network.networkInterfaces.beginCreateOrUpdateAndWait(
        RG,
        'nic',
        {
          location: LOCATION,
          ipConfigurations: [
            { name: 'ip', subnet: { id: id('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'nodes') } },
          ],
        },
        k.lro,
      );
      await k.clients.compute.virtualMachines.beginCreateOrUpdateAndWait(RG, 'node', vmBody, k.lro);
      return k;
    };

    it("reports what is left of ARM's and Compute's buckets on every VM answer", async () => {
      kit = await start({ throttle: 'azure', computeThrottle: 'azure' });
      const headers: Record<string, string | undefined> = {};
      await kit.clients.compute.virtualMachines.get(RG, 'node', {
        onResponse: (raw) => {
          headers.reads = raw.headers.get('x-ms-ratelimit-remaining-subscription-reads');
          headers.resource = raw.headers.get('x-ms-ratelimit-remaining-resource');
        },
      });
      expect(Number(headers.reads)).toBeGreaterThan(200);
      expect(Number(headers.reads)).toBeLessThan(250);
      // Compute's LowCostGet: the VM's bucket (36) and the subscription's (24,000), one taken from each.
      expect(headers.resource).toBe('Microsoft.Compute/LowCostGet;35,Microsoft.Compute/LowCostGet;23999');

      const del = await rawRequest(kit, 'DELETE', `${VM_PATH}/node?api-version=2024-07-01`);
      expect(del.status).toBe(202);
      expect(del.headers['x-ms-ratelimit-remaining-subscription-deletes']).toBe('199');
      expect(del.headers['x-ms-ratelimit-remaining-resource']).toBe(
        'Microsoft.Compute/DeleteVM;11,Microsoft.Compute/DeleteVM;1499',
      );
    });

    it('answers 429 OperationNotAllowed with Retry-After once a Compute bucket is empty; the SDK waits and gets through', async () => {
      kit = await start({
        // Two VM reads, then one every 300 ms of Azure time (time scale 1).
        computeThrottle: {
          LowCostGet: [{ name: 'LowCostGet3Min', scope: 'subscription', burst: 2, perMinute: 200 }],
        },
      });
      const reads = await Promise.all(
        Array.from({ length: 6 }, () => kit!.clients.compute.virtualMachines.get(RG, 'node')),
      );
      expect(reads.every((vm) => vm.name === 'node')).toBe(true);
      const gets = kit.emulator.operations().filter((o) => o.method === 'GET' && o.path.endsWith('/node'));
      expect(gets.filter((o) => o.status === 429).length).toBeGreaterThan(0);
      expect(gets.filter((o) => o.status === 200)).toHaveLength(6);

      for (let i = 0; i < 6; i++) {
        const res = await rawRequest(kit, 'GET', `${VM_PATH}/node?api-version=2024-07-01`);
        if (res.status !== 429) continue;
        expect(res.json).toMatchObject({
          error: {
            code: 'OperationNotAllowed',
            details: [{ code: 'TooManyRequests', target: 'LowCostGet3Min' }],
          },
        });
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers['x-ms-retry-after-ms'])).toBeGreaterThan(0);
        expect(res.headers['x-ms-ratelimit-remaining-resource']).toBe('Microsoft.Compute/LowCostGet3Min;0');
        // Only VM requests count against Compute's policies.
        const nic = await rawRequest(
          kit,
          'GET',
          `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/networkInterfaces/nic?api-version=2024-05-01`,
        );
        expect(nic.status).toBe(200);
        expect(nic.headers['x-ms-ratelimit-remaining-resource']).toBeUndefined();
        return;
      }
      throw new Error('six back-to-back VM reads after a spent burst were never throttled');
    });

    it('turns Compute limits on and off through the control API', async () => {
      kit = await start({});
      const on = await rawRequest(kit, 'PUT', '/_emulator/settings', { computeThrottle: 'azure-legacy' });
      expect(on.json).toMatchObject({ computeThrottle: 'azure-legacy' });
      const get = await rawRequest(kit, 'GET', `${VM_PATH}/node?api-version=2024-07-01`);
      expect(get.headers['x-ms-ratelimit-remaining-resource']).toBe(
        'Microsoft.Compute/LowCostGet3Min;3999,Microsoft.Compute/LowCostGet30Min;31999',
      );
      await rawRequest(kit, 'PUT', '/_emulator/settings', { computeThrottle: 'off' });
      const off = await rawRequest(kit, 'GET', `${VM_PATH}/node?api-version=2024-07-01`);
      expect(off.headers['x-ms-ratelimit-remaining-resource']).toBeUndefined();
      const bad = await rawRequest(kit, 'PUT', '/_emulator/settings', { computeThrottle: 'strict' });
      expect(bad.status).toBe(400);
    });
  });
});
